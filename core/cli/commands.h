#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include <initializer_list>
#include <optional>

namespace breakwater::cli {

// Each command takes its arguments (without the command name) and returns an exit code.
int runSend(const QStringList &arguments);
int runValidate(const QStringList &arguments);
int runRun(const QStringList &arguments);
int runChaos(const QStringList &arguments);
int runBatch(const QStringList &arguments);
int runDlq(const QStringList &arguments);

/// Parses a command's arguments with `--help` handled: returns an exit code when the
/// command should stop now (help printed: 0; unknown flag or missing argument: 2, with a
/// message on stderr), nullopt to go on.
std::optional<int> parseArguments(QCommandLineParser &parser, const QString &command,
                                  const QString &description, const QStringList &arguments);

/// Checks that each of the file options `names` (without "--") that is given names a file:
/// `--config=` must not quietly mean the default. Prints "breakwater-cli COMMAND: --NAME:
/// must name a file" for the first empty one and returns false.
bool checkFileOptions(const QCommandLineParser &parser, const QString &command,
                      std::initializer_list<const char *> names);

} // namespace breakwater::cli

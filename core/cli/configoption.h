#pragma once

#include "config/config.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <optional>

namespace breakwater::cli {

/// The `--config FILE` option every engine-driving command shares.
QCommandLineOption configOption();

/// The config named by `--config`, or the built-in default. On a bad file prints every
/// problem (file: path: message) to stderr and returns nullopt (exit 2).
std::optional<Config> loadConfigOption(const QCommandLineParser &parser, const QString &command);

/// Checks, before any work is done, that an output file named by `flag` can be created: its
/// directory exists and the path is not a directory. Prints "breakwater-cli COMMAND: --flag:
/// PATH: why" and returns false when not ("-" and "" are stdout and always fine).
bool checkOutputPath(const QString &path, const QString &command, const QString &flag);

} // namespace breakwater::cli

#include "cli.h"

#include "cli/commands.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace breakwater::cli {
namespace {

struct Command {
    const char *name;
    const char *summary;
    int (*run)(const QStringList &arguments);
};

const Command kCommands[] = {
    {"chaos", "runs the chaos server alone until SIGINT/SIGTERM", runChaos},
    {"run", "runs a scenario (load + chaos timeline); writes the report JSON", runRun},
    {"send", "one robust call; prints the call result JSON", runSend},
    {"validate", "checks configs, scenarios and chaos profiles; prints each problem", runValidate},
    {"batch", "processes background jobs; failures go to the dead-letter queue", runBatch},
    {"dlq", "the dead-letter queue: list, show, redrive, purge, export", runDlq},
};

void printUsage(QTextStream &stream)
{
    stream << "usage: breakwater-cli <command> [options]\n\ncommands:\n";
    for (const Command &command : kCommands)
        stream << "  " << QString::fromLatin1(command.name).leftJustified(10) << command.summary
               << '\n';
    stream << "\n'breakwater-cli <command> --help' describes a command.\n"
              "exit codes: 0 success, 1 expectations failed, 2 bad input, 3 internal error\n";
}

} // namespace

int run(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (arguments.isEmpty()) {
        printUsage(err);
        return BadInput;
    }
    const QString name = arguments.first();
    if (name == QStringLiteral("--help") || name == QStringLiteral("-h") ||
        name == QStringLiteral("help")) {
        printUsage(out);
        return Success;
    }
    if (name == QStringLiteral("--version")) {
        out << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
            << '\n';
        return Success;
    }
    for (const Command &command : kCommands) {
        if (name == QLatin1String(command.name))
            return command.run(arguments.mid(1));
    }
    err << "breakwater-cli: unknown command '" << name << "'\n\n";
    printUsage(err);
    return BadInput;
}

} // namespace breakwater::cli

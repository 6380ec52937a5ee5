#include "cli/cli.h"
#include "cli/commands.h"

#include <QTextStream>

#include <cstdio>

namespace breakwater::cli {

std::optional<int> parseArguments(QCommandLineParser &parser, const QString &command,
                                  const QString &description, const QStringList &arguments)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Shows this help."));
    parser.addOption(help);
    QStringList argv = arguments;
    argv.prepend(QStringLiteral("breakwater-cli ") + command);
    if (!parser.parse(argv)) {
        QTextStream(stderr) << "breakwater-cli " << command << ": " << parser.errorText()
                            << "\n(see 'breakwater-cli " << command << " --help')\n";
        return BadInput;
    }
    if (parser.isSet(help)) {
        QTextStream(stdout) << parser.helpText();
        return Success;
    }
    return std::nullopt;
}

bool checkFileOptions(const QCommandLineParser &parser, const QString &command,
                      std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        const QString option = QString::fromLatin1(name);
        if (parser.isSet(option) && parser.value(option).trimmed().isEmpty()) {
            QTextStream(stderr) << "breakwater-cli " << command << ": --" << option
                                << ": must name a file\n";
            return false;
        }
    }
    return true;
}

} // namespace breakwater::cli

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

} // namespace breakwater::cli

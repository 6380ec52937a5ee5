#include "cli/configoption.h"

#include "config/configloader.h"

#include <QTextStream>

#include <cstdio>

namespace breakwater::cli {

QCommandLineOption configOption()
{
    return QCommandLineOption(QStringLiteral("config"),
                              QStringLiteral("Config file (default: the built-in default config)."),
                              QStringLiteral("FILE"));
}

std::optional<Config> loadConfigOption(const QCommandLineParser &parser, const QString &command)
{
    const QString path = parser.value(QStringLiteral("config"));
    const ConfigParseResult parsed = path.isEmpty()
                                         ? parseConfig(defaultConfigJson(), QStringLiteral("default.json"))
                                         : loadConfigFile(path);
    if (!parsed.config) {
        QTextStream err(stderr);
        for (const ValidationError &error : parsed.errors)
            err << "breakwater-cli " << command << ": " << error.toString() << '\n';
        return std::nullopt;
    }
    return parsed.config;
}

} // namespace breakwater::cli

#include "cli/configoption.h"

#include "config/configloader.h"

#include <QDir>
#include <QFileInfo>
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

bool checkOutputPath(const QString &path, const QString &command, const QString &flag)
{
    if (path.isEmpty() || path == QStringLiteral("-"))
        return true;
    const QFileInfo info(path);
    QString problem;
    if (info.isDir())
        problem = QStringLiteral("is a directory");
    else if (!info.absoluteDir().exists())
        problem = QStringLiteral("the directory does not exist");
    if (problem.isEmpty())
        return true;
    // Found now, not after a run of minutes that then cannot be written.
    QTextStream(stderr) << "breakwater-cli " << command << ": " << flag << ": " << path << ": "
                        << problem << '\n';
    return false;
}

} // namespace breakwater::cli

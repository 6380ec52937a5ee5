#include "scenariocatalog.h"

#include "scenario/scenario.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <algorithm>

using namespace Qt::StringLiterals;

// share/breakwater relative to bin/, as installed (cmake/Install.cmake defines it).
#ifndef BREAKWATER_DATADIR_FROM_BINDIR
#define BREAKWATER_DATADIR_FROM_BINDIR "../share/breakwater"
#endif

namespace breakwater::ui {

ScenarioEntry scenarioEntry(const QString &path)
{
    ScenarioEntry entry;
    entry.path = path;
    entry.bundled = path.startsWith(u":/"_s);
    entry.name = QFileInfo(path).completeBaseName();
    const ScenarioParseResult parsed = loadScenarioFile(path);
    if (parsed.scenario) {
        if (!parsed.scenario->name.isEmpty())
            entry.name = parsed.scenario->name;
        entry.description = parsed.scenario->description;
    }
    return entry;
}

QString bundledTwin(const QString &path)
{
    if (path.startsWith(u":/"_s))
        return QString();
    const QString twin = u":/scenarios/"_s + QFileInfo(path).fileName();
    QFile bundled(twin);
    QFile file(path);
    if (!bundled.open(QIODevice::ReadOnly) || !file.open(QIODevice::ReadOnly))
        return QString();
    return bundled.readAll() == file.readAll() ? twin : QString();
}

QList<ScenarioEntry> bundledScenarios()
{
    QList<ScenarioEntry> entries;
    const QDir dir(u":/scenarios"_s);
    const QStringList files = dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files)
        entries.append(scenarioEntry(dir.filePath(file)));
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const ScenarioEntry &a, const ScenarioEntry &b) { return a.name < b.name; });
    return entries;
}

QString installedResourceDir(const QString &name)
{
    const QDir beside(QCoreApplication::applicationDirPath() + QLatin1Char('/') +
                      QStringLiteral(BREAKWATER_DATADIR_FROM_BINDIR) + QLatin1Char('/') + name);
    if (beside.exists())
        return beside.canonicalPath();
    return QStandardPaths::locate(QStandardPaths::GenericDataLocation, u"breakwater/"_s + name,
                                  QStandardPaths::LocateDirectory);
}

} // namespace breakwater::ui

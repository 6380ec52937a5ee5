#pragma once

#include <QList>
#include <QString>

namespace breakwater::ui {

/// A scenario the picker offers.
struct ScenarioEntry {
    /// ":/scenarios/….json" for a bundled one, a file path otherwise.
    QString path;
    /// The scenario's `name` (the file's base name when it cannot be read).
    QString name;
    QString description;
    bool bundled = false;
};

/// The scenarios compiled into the executable (":/scenarios/*.json"), sorted by name.
QList<ScenarioEntry> bundledScenarios();

/// Reads a scenario file's name and description for the picker; an unreadable or invalid
/// file still gets an entry (named after the file) so its errors show when it is started.
ScenarioEntry scenarioEntry(const QString &path);

/// The bundled scenario with the same file name and the same bytes as the file at `path`
/// (a copy of resources/scenarios/…), or an empty string: the picker then shows the bundled
/// entry rather than a duplicate.
QString bundledTwin(const QString &path);

/// Where the installed copies of resources/`name` are (`name`: "scenarios", "config"), for the
/// open dialogs to start in: <prefix>/share/breakwater/`name` beside the running executable's
/// bin/ (cmake/Install.cmake), else the first breakwater/`name` among the XDG data
/// directories; an empty string when there is none (a build tree).
QString installedResourceDir(const QString &name);

} // namespace breakwater::ui

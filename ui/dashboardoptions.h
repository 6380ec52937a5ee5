#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace breakwater::ui {

/// The dashboard's command line (SPEC.md section 2 `breakwater`).
struct DashboardOptions {
    /// Base config file; empty for the built-in default (or the last one used).
    QString configPath;
    /// Scenario to pick at launch (not started unless `autostart`).
    QString scenarioPath;
    bool autostart = false;
    bool presenter = false;
    /// Write the window as PNG here after `screenshotAfter` seconds, then exit 0.
    QString screenshotPath;
    double screenshotAfter = 5.0;
    double timeScale = 1.0;
    /// Do not save finished runs to the history.
    bool noSave = false;
};

/// The result of parsing: options, or an exit code with the text to print (help, version or
/// an error naming the flag).
struct DashboardArguments {
    std::optional<DashboardOptions> options;
    int exitCode = 0;
    QString message;
};

/// Parses `arguments` (argv, the program name first).
DashboardArguments parseDashboardArguments(const QStringList &arguments);

} // namespace breakwater::ui

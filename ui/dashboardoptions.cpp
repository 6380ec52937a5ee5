#include "dashboardoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

DashboardArguments parseDashboardArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Breakwater dashboard: watch the resilience engine (retries, circuit breakers, "
        u"fallback) live against the embedded chaos server or real providers."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption config(
        u"config"_s, u"Base config (default: the last one used, else built-in)."_s, u"FILE"_s);
    const QCommandLineOption scenario(u"scenario"_s,
                                      u"Pick this scenario at launch (not started)."_s, u"FILE"_s);
    const QCommandLineOption autostart(u"autostart"_s, u"Start the scenario at launch."_s);
    const QCommandLineOption presenter(u"presenter"_s,
                                       u"Large type and thick lines, for projectors."_s);
    const QCommandLineOption screenshot(
        u"screenshot"_s,
        u"Write the window as PNG to FILE after --screenshot-after seconds, then exit."_s,
        u"FILE"_s);
    const QCommandLineOption screenshotAfter(
        u"screenshot-after"_s, u"Seconds before the screenshot (default 5)."_s, u"S"_s, u"5"_s);
    const QCommandLineOption timeScale(
        u"time-scale"_s,
        u"Multiply every duration of a run by F (0.1 runs a 60 s scenario in 6 s)."_s, u"F"_s,
        u"1"_s);
    const QCommandLineOption noSave(
        u"no-save"_s,
        u"Do not save finished runs to the history (default: each is saved in $BREAKWATER_DB, "
        u"else ~/.local/share/breakwater/breakwater.db)."_s);
    parser.addOptions(
        {config, scenario, autostart, presenter, screenshot, screenshotAfter, timeScale, noSave});

    DashboardArguments result;
    if (!parser.parse(arguments)) {
        result.exitCode = 2;
        result.message = u"breakwater: %1\n"_s.arg(parser.errorText());
        return result;
    }
    if (parser.isSet(help)) {
        result.message = parser.helpText();
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.exitCode = 2;
        result.message =
            u"breakwater: unexpected argument '%1'\n"_s.arg(parser.positionalArguments().first());
        return result;
    }
    DashboardOptions options;
    options.configPath = parser.value(config);
    options.scenarioPath = parser.value(scenario);
    options.autostart = parser.isSet(autostart);
    options.presenter = parser.isSet(presenter);
    options.noSave = parser.isSet(noSave);
    options.screenshotPath = parser.value(screenshot);
    bool ok = false;
    options.screenshotAfter = parser.value(screenshotAfter).toDouble(&ok);
    if (!ok || !(options.screenshotAfter >= 0.0) || options.screenshotAfter > 86400.0) {
        result.exitCode = 2;
        result.message = u"breakwater: --screenshot-after: must be a number of seconds >= 0\n"_s;
        return result;
    }
    options.timeScale = parser.value(timeScale).toDouble(&ok);
    if (!ok || !(options.timeScale > 0.0) || options.timeScale > 100.0) {
        result.exitCode = 2;
        result.message = u"breakwater: --time-scale: must be a number > 0 and <= 100\n"_s;
        return result;
    }
    result.options = options;
    return result;
}

} // namespace breakwater::ui

#include "dashboardapp.h"

#include "config/configloader.h"
#include "dashboardoptions.h"
#include "mainwindow.h"
#include "panels/chaospanel.h"
#include "panels/configeditor.h"
#include "panels/eventlogview.h"
#include "panels/promptconsole.h"
#include "runtime/lab.h"
#include "runbar.h"
#include "session.h"
#include "theme.h"

#include <QApplication>
#include <QMessageBox>
#include <QFileInfo>
#include <QScreen>
#include <QSettings>
#include <QStyleFactory>
#include <QTextStream>
#include <QTimer>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

// QSettings keys.
const QString kGeometry = u"window/geometry"_s;
const QString kLayout = u"window/layout"_s;
const QString kLastScenario = u"run/lastScenario"_s;
const QString kLastConfig = u"run/lastConfig"_s;

/// Reads and validates a base config file.
bool loadBaseConfig(const QString &path, nlohmann::json &json, QString *problem)
{
    if (const std::optional<ValidationError> error = readJsonFile(path, json)) {
        *problem = error->toString();
        return false;
    }
    const ConfigParseResult parsed = parseConfig(json, path);
    if (!parsed.config) {
        QStringList lines;
        for (const ValidationError &error : parsed.errors)
            lines.append(error.toString());
        *problem = lines.join(u"\nbreakwater: "_s);
        return false;
    }
    return true;
}

} // namespace

int runDashboard(QApplication &app)
{
    QApplication::setOrganizationName(u"Breakwater"_s);
    QApplication::setApplicationName(u"Breakwater"_s);
    QTextStream err(stderr);

    const DashboardArguments arguments = parseDashboardArguments(QApplication::arguments());
    if (!arguments.options) {
        if (arguments.exitCode == 0) {
            QTextStream(stdout) << arguments.message;
        } else {
            err << arguments.message;
        }
        return arguments.exitCode;
    }
    const DashboardOptions &options = *arguments.options;
    const bool screenshotMode = !options.screenshotPath.isEmpty();

    QSettings settings;
    // A screenshot is taken from the flags alone, so it is the same on every machine.
    QString configPath = options.configPath;
    nlohmann::json baseConfig = defaultConfigJson();
    QString problem;
    if (!configPath.isEmpty()) {
        if (!loadBaseConfig(configPath, baseConfig, &problem)) {
            err << "breakwater: " << problem << '\n';
            return 2;
        }
    } else if (!screenshotMode) {
        // The config used last time, unless it broke since: then the built-in one.
        const QString last = settings.value(kLastConfig).toString();
        nlohmann::json json;
        if (!last.isEmpty() && loadBaseConfig(last, json, &problem)) {
            configPath = last;
            baseConfig = std::move(json);
        } else if (!last.isEmpty()) {
            err << "breakwater: the config used last time cannot be loaded, using the built-in "
                   "default: "
                << problem << '\n';
        }
    }

    const QScreen *screen = QApplication::primaryScreen();
    const Theme theme(options.presenter,
                      screen ? Theme::presenterScaleFor(screen->availableGeometry().width())
                             : Theme::kPresenterScale);
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    QApplication::setPalette(theme.palette());
    QFont font = QApplication::font();
    font.setPointSizeF(10.0 * theme.scale());
    QApplication::setFont(font);

    DashboardSession::Options sessionOptions;
    sessionOptions.timeScale = options.timeScale;
    DashboardSession session(baseConfig,
                             configPath.isEmpty() ? u"built-in default config"_s : configPath,
                             sessionOptions);
    QString error;
    if (!session.start(&error)) {
        err << "breakwater: " << error << '\n';
        return 3;
    }

    MainWindow window(session, theme);
    window.setConfigPath(configPath);

    // The panels follow the window's current lab: the idle one, then each run's.
    auto *chaosPanel = new ChaosPanel(window.currentLab());
    auto *console = new PromptConsole(window.currentLab());
    auto *configEditor = new ConfigEditor;
    auto *eventLog = new EventLogView(window.currentLab());
    configEditor->setConfigJson(session.baseConfigJson());
    chaosPanel->setPresenterMode(options.presenter);
    console->setPresenterMode(options.presenter);
    configEditor->setPresenterMode(options.presenter);
    eventLog->setPresenterMode(options.presenter);
    window.addSideTab(chaosPanel, u"Chaos"_s);
    window.addSideTab(console, u"Console"_s);
    window.addSideTab(configEditor, u"Config"_s);
    window.addBottomTab(eventLog, u"Event log"_s);
    QObject::connect(&window, &MainWindow::labChanged, &window, [=](Lab *lab) {
        chaosPanel->setLab(lab);
        console->setLab(lab);
        eventLog->setLab(lab);
    });
    QObject::connect(configEditor, &ConfigEditor::configApplied, &window,
                     [&session, &window](const nlohmann::json &config) {
                         QString problem;
                         if (!session.setBaseConfig(config, u"config editor"_s, &problem))
                             QMessageBox::warning(&window, u"Config not applied"_s, problem);
                     });
    const bool restored =
        !screenshotMode && window.restoreGeometry(settings.value(kGeometry).toByteArray());
    if (!screenshotMode)
        window.restoreLayout(settings.value(kLayout).toByteArray());
    if (!restored && screen)
        window.resize(screen->availableGeometry().size().boundedTo(QSize(1600, 1000)));

    QString scenarioPath = options.scenarioPath;
    if (scenarioPath.isEmpty() && !screenshotMode)
        scenarioPath = settings.value(kLastScenario).toString();
    if (!scenarioPath.isEmpty() &&
        (scenarioPath.startsWith(u":/"_s) || QFileInfo::exists(scenarioPath)))
        window.selectScenario(scenarioPath);
    else if (!options.scenarioPath.isEmpty())
        window.selectScenario(options.scenarioPath); // its error shows when started

    window.show();
    if (options.autostart)
        QTimer::singleShot(0, &window, &MainWindow::startRun);

    int screenshotStatus = 0;
    if (screenshotMode) {
        QTimer::singleShot(static_cast<int>(options.screenshotAfter * 1000.0), &window, [&] {
            window.refresh();
            QString problem;
            if (window.exportPng(options.screenshotPath, &problem)) {
                err << "breakwater: wrote " << options.screenshotPath << '\n';
            } else {
                err << "breakwater: " << problem << '\n';
                screenshotStatus = 3;
            }
            err.flush();
            QApplication::exit(screenshotStatus);
        });
    }

    const int status = QApplication::exec();
    if (!screenshotMode) {
        settings.setValue(kGeometry, window.saveGeometry());
        settings.setValue(kLayout, window.saveLayout());
        settings.setValue(kLastScenario, window.currentScenarioPath());
        settings.setValue(kLastConfig, window.configPath());
    }
    Q_UNUSED(app);
    return screenshotMode ? screenshotStatus : status;
}

} // namespace breakwater::ui

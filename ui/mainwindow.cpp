#include "mainwindow.h"

#include "breaker/circuitbreaker.h"
#include "breakercard.h"
#include "chaos/chaosserver.h"
#include "charts/breakerstatechart.h"
#include "charts/errorratechart.h"
#include "charts/latencychart.h"
#include "charts/retrydelaychart.h"
#include "charts/sourceschart.h"
#include "config/configloader.h"
#include "exports.h"
#include "recorder/runrecorder.h"
#include "runbar.h"
#include "runsafety.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "scenario/scenario.h"
#include "scenariocatalog.h"
#include "session.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

/// At most 10 refreshes a second (SPEC.md section 10).
constexpr int kRefreshMs = 100;
/// Most points pushed to one chart series per refresh: about one per 2 px of a chart's plot
/// at 1600 px wide, all a line can show; painting more only costs time (LiveChart lowers it
/// further for a narrower plot).
constexpr int kMaxChartPoints = 300;
/// Charts brought up to date per refresh tick when new points arrive: spread over a few
/// ticks, no single event-loop iteration repaints every chart.
constexpr int kChartsPerTick = 2;
/// The retry charts redraw at most this often.
constexpr qint64 kRetryRefreshMs = 500;

QString firstLines(const QString &text, int lines)
{
    const QStringList all = text.split(QLatin1Char('\n'));
    QString shown = all.mid(0, lines).join(u"; "_s);
    if (all.size() > lines)
        shown += u" (and %1 more)"_s.arg(all.size() - lines);
    return shown;
}

} // namespace

bool MainWindow::ChartKey::operator==(const ChartKey &other) const
{
    return points == other.points && step == other.step && notes == other.notes &&
           timeEnd == other.timeEnd;
}

MainWindow::MainWindow(DashboardSession &session, const Theme &theme, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_theme(theme)
{
    setWindowTitle(tr("Breakwater"));
    setPalette(theme.palette());
    setStyleSheet(theme.styleSheet());
    m_confirm = [this](const QString &title, const QString &question) {
        return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    };

    auto *central = new QWidget;
    central->setObjectName(u"dashboardCentral"_s);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(theme.px(8), theme.px(6), theme.px(8), theme.px(4));
    layout->setSpacing(theme.px(6));

    m_runBar = new RunBar(theme);
    layout->addWidget(m_runBar);
    m_alertBanner = new AlertBanner(theme);
    layout->addWidget(m_alertBanner);

    m_cardStrip = new QWidget;
    m_cardLayout = new QHBoxLayout(m_cardStrip);
    m_cardLayout->setContentsMargins(0, 0, 0, 0);
    m_cardLayout->setSpacing(theme.px(8));
    layout->addWidget(m_cardStrip);

    m_hsplit = new QSplitter(Qt::Horizontal);
    m_hsplit->setChildrenCollapsible(false);
    m_hsplit->addWidget(buildCharts());
    m_sideTabs = new QTabWidget;
    m_sideTabs->setDocumentMode(true);
    m_sideTabs->setVisible(false);
    m_hsplit->addWidget(m_sideTabs);
    m_hsplit->setStretchFactor(0, 3);
    m_hsplit->setStretchFactor(1, 1);

    m_vsplit = new QSplitter(Qt::Vertical);
    m_vsplit->setChildrenCollapsible(false);
    m_vsplit->addWidget(m_hsplit);
    m_bottomTabs = new QTabWidget;
    m_bottomTabs->setDocumentMode(true);
    m_bottomTabs->setVisible(false);
    m_vsplit->addWidget(m_bottomTabs);
    m_vsplit->setStretchFactor(0, 3);
    m_vsplit->setStretchFactor(1, 1);
    layout->addWidget(m_vsplit, 1);
    setCentralWidget(central);

    buildMenus();
    statusBar()->setSizeGripEnabled(false);
    statusBar()->setFont(theme.font(9));
    m_keysLabel = new QLabel;
    m_keysLabel->setObjectName(u"providerKeys"_s);
    m_keysLabel->setToolTip(tr("The API key each provider of the chain sends, read from the "
                               "environment variable the config names. Only the last four "
                               "characters are ever shown."));
    statusBar()->addPermanentWidget(m_keysLabel);

    m_runBar->setScenarios(bundledScenarios());
    connect(m_runBar->startButton(), &QPushButton::clicked, this, &MainWindow::startRun);
    connect(m_runBar->stopButton(), &QPushButton::clicked, this, &MainWindow::stopRun);
    connect(m_runBar->resetButton(), &QPushButton::clicked, this, &MainWindow::resetLab);
    connect(m_runBar, &RunBar::openScenarioRequested, this, &MainWindow::openScenarioFile);
    connect(m_runBar, &RunBar::scenarioChanged, this, &MainWindow::scenarioChanged);

    connect(&m_session, &DashboardSession::labChanged, this, &MainWindow::onLabChanged);
    connect(&m_session, &DashboardSession::phaseChanged, this, &MainWindow::onPhaseChanged);
    connect(&m_session, &DashboardSession::runFinished, this, &MainWindow::onRunFinished);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(kRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    m_refreshTimer->start();

    resize(1600, 1000);
    if (Lab *lab = m_session.currentLab())
        onLabChanged(lab);
    onPhaseChanged();
}

MainWindow::~MainWindow()
{
    disconnect(m_eventConnection);
}

QWidget *MainWindow::buildCharts()
{
    auto *area = new QWidget;
    auto *areaLayout = new QVBoxLayout(area);
    areaLayout->setContentsMargins(0, 0, 0, 0);
    areaLayout->setSpacing(m_theme.px(4));

    // Shown while the charts hold a saved run, so nobody takes it for the live lab.
    m_savedBanner = new QWidget;
    m_savedBanner->setObjectName(u"savedRunBanner"_s);
    m_savedBanner->setAutoFillBackground(true);
    QPalette bannerPalette = m_savedBanner->palette();
    bannerPalette.setColor(QPalette::Window, QColor(0x1f, 0x4e, 0x8c));
    bannerPalette.setColor(QPalette::WindowText, m_theme.text());
    m_savedBanner->setPalette(bannerPalette);
    auto *bannerLayout = new QHBoxLayout(m_savedBanner);
    bannerLayout->setContentsMargins(m_theme.px(8), m_theme.px(3), m_theme.px(8), m_theme.px(3));
    m_savedLabel = new QLabel;
    m_savedLabel->setObjectName(u"savedRunTitle"_s);
    m_savedLabel->setFont(m_theme.font(10, true));
    auto *backToLive = new QPushButton(tr("Back to live"));
    backToLive->setObjectName(u"backToLive"_s);
    backToLive->setToolTip(tr("Show the current lab in the charts again."));
    connect(backToLive, &QPushButton::clicked, this, &MainWindow::showLive);
    bannerLayout->addWidget(m_savedLabel, 1);
    bannerLayout->addWidget(backToLive);
    m_savedBanner->setToolTip(tr("The charts show a run saved earlier, as it ended. Saved runs "
                                 "keep no individual retry delays, so those two charts stay "
                                 "empty. The run bar and breaker cards still show the live lab."));
    m_savedBanner->setVisible(false);
    areaLayout->addWidget(m_savedBanner);

    auto *grid = new QWidget;
    areaLayout->addWidget(grid, 1);
    auto *layout = new QGridLayout(grid);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(m_theme.px(6));

    m_breakerChart = new BreakerStateChart(m_theme);
    m_errorChart = new ErrorRateChart(m_theme);
    m_sourcesChart = new SourcesChart(m_theme);
    m_retryChart = new RetryDelayChart(m_theme);
    m_histogramChart = new DelayHistogramChart(m_theme);
    m_latencyChart = new LatencyChart(m_theme);
    m_throughputChart = new ThroughputChart(m_theme);
    m_charts = {m_breakerChart,   m_errorChart,   m_sourcesChart,   m_retryChart,
                m_histogramChart, m_latencyChart, m_throughputChart};

    auto *retryCell = new QWidget;
    auto *retryLayout = new QHBoxLayout(retryCell);
    retryLayout->setContentsMargins(0, 0, 0, 0);
    retryLayout->setSpacing(m_theme.px(4));
    retryLayout->addWidget(m_retryChart, 3);
    retryLayout->addWidget(m_histogramChart, 2);
    m_histogramChart->setMinimumWidth(m_theme.px(150));

    // The layout of SPEC.md section 10.
    layout->addWidget(m_breakerChart, 0, 0);
    layout->addWidget(m_errorChart, 0, 1);
    layout->addWidget(m_sourcesChart, 0, 2);
    layout->addWidget(retryCell, 1, 0);
    layout->addWidget(m_latencyChart, 1, 1);
    layout->addWidget(m_throughputChart, 1, 2);
    for (int i = 0; i < 3; ++i)
        layout->setColumnStretch(i, 1);
    for (int i = 0; i < 2; ++i)
        layout->setRowStretch(i, 1);
    return area;
}

void MainWindow::showSavedRun(const RecorderSnapshot &snapshot, const QString &title)
{
    m_savedSnapshot = snapshot;
    m_savedLabel->setText(tr("Charts show a saved run: %1").arg(title));
    m_savedBanner->setVisible(true);
    for (LiveChart *chart : std::as_const(m_charts))
        chart->clear();
    invalidateCharts();
    refresh();
    Q_EMIT savedRunShown(true);
}

void MainWindow::showLive()
{
    if (!m_savedSnapshot)
        return;
    m_savedSnapshot.reset();
    m_savedBanner->setVisible(false);
    for (LiveChart *chart : std::as_const(m_charts))
        chart->clear();
    invalidateCharts();
    refresh();
    Q_EMIT savedRunShown(false);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openScenario =
        file->addAction(tr("Open &scenario…"), this, &MainWindow::openScenarioFile);
    openScenario->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &config…"), this, &MainWindow::openConfigFile);
    file->addSeparator();
    QAction *png = file->addAction(tr("Export dashboard as &PNG…"), this, [this] {
        exportWithDialog(tr("Export dashboard as PNG"), tr("PNG images (*.png)"), u"png"_s,
                         &MainWindow::exportPng);
    });
    png->setShortcut(QKeySequence(u"Ctrl+Shift+P"_s));
    file->addAction(tr("Export run report as &JSON…"), this, [this] {
        exportWithDialog(tr("Export run report as JSON"), tr("JSON files (*.json)"), u"json"_s,
                         &MainWindow::exportReportJson);
    });
    file->addAction(tr("Export series as &CSV…"), this, [this] {
        exportWithDialog(tr("Export series as CSV"), tr("CSV files (*.csv)"), u"csv"_s,
                         &MainWindow::exportSeriesCsv);
    });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_startAction = run->addAction(tr("&Start"), this, &MainWindow::startRun);
    m_startAction->setShortcut(QKeySequence(u"Ctrl+R"_s));
    m_startAction->setToolTip(tr("Start the scenario (Ctrl+R)"));
    m_stopAction = run->addAction(tr("S&top"), this, &MainWindow::stopRun);
    m_stopAction->setShortcuts({QKeySequence(u"Ctrl+."_s), QKeySequence(Qt::Key_Escape)});
    m_stopAction->setToolTip(tr("Stop the run (Ctrl+. or Escape)"));
    m_resetAction = run->addAction(tr("&Reset"), this, &MainWindow::resetLab);
    m_resetAction->setShortcut(QKeySequence(u"Ctrl+Shift+R"_s));
    m_resetAction->setToolTip(tr("Clear the charts and return to an idle lab (Ctrl+Shift+R)"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *fullScreen = view->addAction(
        tr("&Full screen"), this, [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    fullScreen->setShortcut(QKeySequence::FullScreen);
}

Lab *MainWindow::currentLab() const
{
    return m_session.currentLab();
}

void MainWindow::addSideTab(QWidget *panel, const QString &title)
{
    m_sideTabs->addTab(panel, title);
    m_sideTabs->setVisible(true);
}

void MainWindow::addBottomTab(QWidget *panel, const QString &title)
{
    m_bottomTabs->addTab(panel, title);
    m_bottomTabs->setVisible(true);
}

void MainWindow::selectScenario(const QString &path)
{
    m_runBar->selectScenario(path);
}

QString MainWindow::currentScenarioPath() const
{
    return m_runBar->currentScenarioPath();
}

bool MainWindow::openConfig(const QString &path, QString *error)
{
    nlohmann::json json;
    if (const std::optional<ValidationError> problem = readJsonFile(path, json)) {
        if (error)
            *error = problem->toString();
        return false;
    }
    if (!m_session.setBaseConfig(json, path, error))
        return false;
    m_configPath = path;
    updateStatus();
    return true;
}

void MainWindow::setConfirmation(Confirmation confirmation)
{
    m_confirm = std::move(confirmation);
}

BreakerCard *MainWindow::breakerCard(const QString &model) const
{
    for (BreakerCard *card : m_cards) {
        if (card->model() == model)
            return card;
    }
    return nullptr;
}

void MainWindow::startRun()
{
    if (m_session.phase() == DashboardSession::Phase::Running)
        return;
    const QString path = currentScenarioPath();
    if (path.isEmpty()) {
        m_runBar->setStatus(tr("Pick a scenario first."), true);
        return;
    }
    const ScenarioParseResult parsed = loadScenarioFile(path);
    if (!parsed.scenario) {
        QStringList lines;
        for (const ValidationError &error : parsed.errors)
            lines.append(error.toString());
        m_runBar->setStatus(firstLines(lines.join(QLatin1Char('\n')), 2), true);
        return;
    }
    const ConfigParseResult config = m_session.configFor(*parsed.scenario, path);
    if (!config.config) {
        QStringList lines;
        for (const ValidationError &error : config.errors)
            lines.append(error.toString());
        m_runBar->setStatus(firstLines(lines.join(QLatin1Char('\n')), 2), true);
        return;
    }
    if (!realProviders(*config.config).isEmpty() &&
        !m_confirm(tr("Run against real providers?"),
                   realRunQuestion(*config.config, *parsed.scenario))) {
        m_runBar->setStatus(tr("Run not started: it would have called a real provider."));
        return;
    }
    QString error;
    if (!m_session.startScenario(*parsed.scenario, path, &error))
        m_runBar->setStatus(firstLines(error, 2), true);
}

void MainWindow::stopRun()
{
    if (m_session.phase() != DashboardSession::Phase::Running)
        return;
    m_session.stop();
    m_runBar->setStatus(tr("Stopping: cancelling the calls in flight…"));
}

void MainWindow::resetLab()
{
    QString error;
    if (!m_session.reset(&error))
        m_runBar->setStatus(firstLines(error, 2), true);
}

void MainWindow::onLabChanged(Lab *lab)
{
    disconnect(m_eventConnection);
    m_firing.clear();
    m_alertBanner->setAlerts(m_firing);
    if (lab) {
        // Direct: engine events arrive from worker threads at load rates and only alert
        // changes matter here, so the filter runs where they are published.
        m_eventConnection = connect(
            &lab->events(), &EventStream::event, this,
            [this](const EngineEvent &event) { onEngineEvent(event); }, Qt::DirectConnection);
    }
    rebuildCards(lab);
    // A new lab is news: the charts follow it, not a saved run opened before.
    const bool wasSaved = m_savedSnapshot.has_value();
    m_savedSnapshot.reset();
    m_savedBanner->setVisible(false);
    for (LiveChart *chart : std::as_const(m_charts))
        chart->clear();
    invalidateCharts();
    m_frozen = false;
    m_snapshot = RecorderSnapshot();
    m_runStatus.clear();
    m_runStatusError = false;
    refresh();
    updateStatus();
    if (wasSaved)
        Q_EMIT savedRunShown(false);
    Q_EMIT labChanged(lab);
}

void MainWindow::onEngineEvent(const EngineEvent &event)
{
    const auto *alert = std::get_if<AlertChanged>(&event);
    if (!alert)
        return;
    if (QThread::currentThread() == thread()) {
        showAlert(alert->name, alert->firing, alert->message);
        return;
    }
    QMetaObject::invokeMethod(
        this,
        [this, name = alert->name, firing = alert->firing, message = alert->message] {
            showAlert(name, firing, message);
        },
        Qt::QueuedConnection);
}

void MainWindow::showAlert(const QString &name, bool firing, const QString &message)
{
    m_firing.erase(std::remove_if(m_firing.begin(), m_firing.end(),
                                  [&](const AlertRecord &record) { return record.name == name; }),
                   m_firing.end());
    if (firing)
        m_firing.append(AlertRecord{m_snapshot.elapsedSeconds, name, true, 0.0, message});
    m_alertBanner->setAlerts(m_firing);
}

void MainWindow::rebuildCards(Lab *lab)
{
    qDeleteAll(m_cards);
    m_cards.clear();
    if (!lab)
        return;
    const Config &config = lab->config();
    const QStringList labels = lab->modelLabels();
    for (int i = 0; i < labels.size() && i < config.chain.size(); ++i) {
        const ProviderConfig *provider = config.provider(config.chain[i].provider);
        auto *card = new BreakerCard(m_theme, labels[i], config.chain[i].provider,
                                     provider && isSimulated(*provider));
        card->bind(&lab->breakers().breaker(labels[i]));
        m_cardLayout->addWidget(card, 1);
        m_cards.append(card);
    }
}

void MainWindow::onPhaseChanged()
{
    const DashboardSession::Phase phase = m_session.phase();
    const bool running = phase == DashboardSession::Phase::Running;
    m_runBar->setRunning(running, phase == DashboardSession::Phase::Finished);
    m_startAction->setEnabled(!running);
    m_stopAction->setEnabled(running);
    updateStatus();
}

void MainWindow::onRunFinished()
{
    // One last full redraw, throttles aside, then the charts keep it.
    invalidateCharts();
    refresh();
    // The run is over: its charts stay as they ended rather than scrolling on empty time.
    m_frozen = true;
    if (ScenarioRun *run = m_session.run()) {
        const ExpectationVerdict verdict = run->verdict();
        if (run->scaledScenario().expect.isEmpty()) {
            m_runStatus = tr("Finished.");
            m_runStatusError = false;
        } else if (verdict.passed) {
            m_runStatus = tr("Finished: every expectation held.");
            m_runStatusError = false;
        } else {
            m_runStatus = tr("Finished: expectation failed: %1")
                              .arg(firstLines(verdict.failures.join(QLatin1Char('\n')), 2));
            m_runStatusError = true;
        }
    }
    updateStatus();
    Q_EMIT runFinished();
}

void MainWindow::updateStatus()
{
    Lab *lab = m_session.currentLab();
    ScenarioRun *run = m_session.run();
    const double scale = m_session.options().timeScale;
    const QString scaleText = scale != 1.0 ? tr(", time ×%1").arg(scale) : QString();
    switch (m_session.phase()) {
    case DashboardSession::Phase::Idle:
        m_runBar->setStatus(tr("Idle lab: prompts and chaos changes show live."));
        break;
    case DashboardSession::Phase::Running:
        if (run)
            m_runBar->setStatus(tr("Running %1 (seed %2%3)")
                                    .arg(run->scenario().name)
                                    .arg(run->seed())
                                    .arg(scaleText));
        break;
    case DashboardSession::Phase::Finished:
        m_runBar->setStatus(m_runStatus.isEmpty() ? tr("Finished.") : m_runStatus,
                            m_runStatusError);
        break;
    }
    if (!lab)
        return;
    QStringList simulated;
    QStringList real;
    const Config &config = lab->config();
    for (const ChainEntry &entry : config.chain) {
        const ProviderConfig *provider = config.provider(entry.provider);
        QStringList &list = provider && isSimulated(*provider) ? simulated : real;
        if (!list.contains(entry.provider))
            list.append(entry.provider);
    }
    QStringList parts;
    if (!simulated.isEmpty()) {
        QString where = tr("simulated: %1").arg(simulated.join(u", "_s));
        if (ChaosServer *chaos = lab->chaos())
            where += tr(" (embedded chaos server %1)").arg(chaos->baseUrl().toString());
        parts.append(where);
    }
    if (!real.isEmpty())
        parts.append(tr("REAL: %1").arg(real.join(u", "_s)));
    m_keysLabel->setText(chainKeysText(config));
    parts.append(
        tr("config: %1").arg(m_configPath.isEmpty() ? tr("built-in default") : m_configPath));
    if (scale != 1.0)
        parts.append(tr("runs at time ×%1").arg(scale));
    statusBar()->showMessage(parts.join(u"   ·   "_s));
}

double MainWindow::timeAxisEnd() const
{
    const double elapsed = m_snapshot.elapsedSeconds;
    if (ScenarioRun *run = m_session.run())
        return std::max(toSeconds(run->scaledScenario().duration), elapsed);
    // An idle lab grows its axis a minute at a time, so it does not creep every refresh.
    return std::max(60.0, std::ceil(elapsed / 60.0) * 60.0);
}

void MainWindow::refresh()
{
    RunRecorder *recorder = m_session.recorder();
    Lab *lab = m_session.currentLab();
    if (!recorder || !lab)
        return;
    if (!m_frozen)
        m_snapshot = recorder->snapshot();
    const ScenarioRun *run = m_session.run();
    const double duration = run ? toSeconds(run->scaledScenario().duration) : 0.0;
    // The run clock stops at the duration: the load has stopped, the last calls finish.
    const bool draining = duration > 0.0 && m_snapshot.elapsedSeconds > duration;
    m_runBar->showProgress(m_snapshot, draining ? duration : m_snapshot.elapsedSeconds, duration);
    if (draining && !m_frozen && m_session.phase() == DashboardSession::Phase::Running)
        m_runBar->setStatus(tr("Finishing: %n call(s) still in flight", nullptr,
                               static_cast<int>(m_snapshot.totals.inFlight)));

    for (BreakerCard *card : std::as_const(m_cards)) {
        for (const ModelFigures &figures : std::as_const(m_snapshot.models)) {
            if (figures.model == card->model()) {
                card->showFigures(figures);
                break;
            }
        }
        card->refreshBreaker();
    }

    // A saved run, when one is open, replaces the live snapshot in the charts only.
    const RecorderSnapshot &shown = m_savedSnapshot ? *m_savedSnapshot : m_snapshot;
    ChartFrame frame;
    frame.snapshot = &shown;
    frame.timeEnd = m_savedSnapshot ? std::max(1.0, shown.elapsedSeconds) : timeAxisEnd();
    frame.alertThreshold = lab->config().alert.errorRate;
    frame.maxPoints = kMaxChartPoints;
    ChartKey key;
    key.points = shown.series.points;
    key.step = shown.series.step.count();
    key.notes = shown.timeline.size();
    key.timeEnd = frame.timeEnd;
    const bool seriesChanged = !(key == m_chartKey);
    const bool retriesChanged = shown.totals.retries != m_drawnRetries;
    // Under load retries change on every refresh: their charts redraw at most twice a second.
    const bool retriesDue = retriesChanged && (seriesChanged || !m_retryThrottle.isValid() ||
                                               m_retryThrottle.elapsed() >= kRetryRefreshMs);
    if ((m_frozen || m_savedSnapshot) && !seriesChanged && !retriesChanged)
        return;
    QList<int> states;
    states.reserve(shown.models.size());
    for (const ModelFigures &figures : shown.models)
        states.append(static_cast<int>(figures.state));
    const bool statesChanged = states != m_drawnStates;
    // The breaker line moves with new points or a state change, not on every refresh.
    if (seriesChanged || statesChanged || m_flushCharts) {
        m_drawnStates = states;
        queueChart(m_breakerChart);
    }
    if (seriesChanged) {
        m_chartKey = key;
        for (LiveChart *chart :
             {static_cast<LiveChart *>(m_errorChart), static_cast<LiveChart *>(m_sourcesChart),
              static_cast<LiveChart *>(m_latencyChart),
              static_cast<LiveChart *>(m_throughputChart)})
            queueChart(chart);
    }
    if (seriesChanged || retriesDue) {
        m_drawnRetries = shown.totals.retries;
        m_retryThrottle.restart();
        queueChart(m_retryChart);
        queueChart(m_histogramChart);
    }
    // A full redraw (new lab, saved run, end of run) draws every chart now; live points are
    // spread over the next ticks. A state change is drawn at once.
    const bool all = m_flushCharts || m_frozen || m_savedSnapshot;
    m_flushCharts = false;
    int budget = all ? static_cast<int>(m_pendingCharts.size()) : kChartsPerTick;
    if (statesChanged && m_pendingCharts.removeOne(m_breakerChart))
        m_breakerChart->updateFrame(frame);
    while (budget-- > 0 && !m_pendingCharts.isEmpty())
        m_pendingCharts.takeFirst()->updateFrame(frame);
}

void MainWindow::queueChart(LiveChart *chart)
{
    if (!m_pendingCharts.contains(chart))
        m_pendingCharts.append(chart);
}

void MainWindow::invalidateCharts()
{
    m_chartKey = ChartKey();
    m_drawnRetries = -1;
    m_drawnStates.clear();
    m_flushCharts = true;
}

bool MainWindow::exportPng(const QString &path, QString *error)
{
    const QPixmap image = grab();
    if (image.isNull() || !image.save(path, "PNG")) {
        if (error)
            *error = tr("%1: cannot write the PNG").arg(path);
        return false;
    }
    return true;
}

bool MainWindow::exportReportJson(const QString &path, QString *error)
{
    nlohmann::json report;
    if (ScenarioRun *run = m_session.run()) {
        report = run->report();
    } else if (RunRecorder *recorder = m_session.recorder()) {
        report = recorder->reportJson();
        report["scenario"] = nullptr;
    }
    const QByteArray bytes = QByteArray::fromStdString(report.dump(2)) + '\n';
    const Config &config = currentLab()->config();
    return writeFileAtomically(path, redactSecrets(bytes, apiKeysInUse(config)), error);
}

bool MainWindow::exportSeriesCsv(const QString &path, QString *error)
{
    RunRecorder *recorder = m_session.recorder();
    const SeriesView series =
        m_frozen || !recorder ? m_snapshot.series : recorder->snapshot().series;
    const Config &config = currentLab()->config();
    return writeFileAtomically(path, redactSecrets(seriesCsv(series), apiKeysInUse(config)), error);
}

void MainWindow::exportWithDialog(const QString &title, const QString &filter,
                                  const QString &suffix,
                                  bool (MainWindow::*write)(const QString &, QString *))
{
    QString name = u"breakwater"_s;
    if (ScenarioRun *run = m_session.run())
        name += QLatin1Char('-') + run->scenario().name;
    name += QLatin1Char('-') + QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s) +
            QLatin1Char('.') + suffix;
    const QString path = QFileDialog::getSaveFileName(this, title, name, filter);
    if (path.isEmpty())
        return;
    QString error;
    if ((this->*write)(path, &error))
        m_runBar->setStatus(tr("Saved %1").arg(QFileInfo(path).fileName()));
    else
        m_runBar->setStatus(error, true);
}

void MainWindow::openScenarioFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open scenario"),
                                                      installedResourceDir(u"scenarios"_s),
                                                      tr("Scenarios (*.json);;All files (*)"));
    if (!path.isEmpty())
        selectScenario(path);
}

void MainWindow::openConfigFile()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open config"), installedResourceDir(u"config"_s),
                                     tr("Configs (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!openConfig(path, &error)) {
        m_runBar->setStatus(firstLines(error, 2), true);
        return;
    }
    m_runBar->setStatus(m_session.phase() == DashboardSession::Phase::Idle
                            ? tr("Config %1 loaded.").arg(QFileInfo(path).fileName())
                            : tr("Config %1 loaded: it applies from the next run.")
                                  .arg(QFileInfo(path).fileName()));
}

QByteArray MainWindow::saveLayout() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << m_hsplit->saveState() << m_vsplit->saveState();
    return state;
}

void MainWindow::restoreLayout(const QByteArray &state)
{
    QDataStream in(state);
    QByteArray horizontal;
    QByteArray vertical;
    in >> horizontal >> vertical;
    if (in.status() != QDataStream::Ok)
        return;
    m_hsplit->restoreState(horizontal);
    m_vsplit->restoreState(vertical);
}

} // namespace breakwater::ui

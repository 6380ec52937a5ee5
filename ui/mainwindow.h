#pragma once

#include "engine/events.h"
#include "recorder/recordersnapshot.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QMap>
#include <QMetaObject>
#include <functional>
#include <optional>

class QAction;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QSplitter;
class QTabWidget;
class QTimer;

namespace breakwater {
class Lab;
} // namespace breakwater

namespace breakwater::ui {

class AlertBanner;
class BreakerCard;
class BreakerStateChart;
class DashboardSession;
class DelayHistogramChart;
class ErrorRateChart;
class LatencyChart;
class LiveChart;
class RetryDelayChart;
class RunBar;
class SourcesChart;
class Theme;
class ThroughputChart;

/// The dashboard's main window (SPEC.md section 10): run bar and alert banner, a breaker
/// card per model in chain order, six live charts in a 3 × 2 grid, and two tab widgets, at
/// the side and at the bottom, that other panels are added to (addSideTab, addBottomTab).
/// It polls the current recorder at most 10 times a second; everything it shows comes from
/// the DashboardSession's current lab and recorder.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    /// Asked before a run that would call a real provider; true to go ahead.
    using Confirmation = std::function<bool(const QString &title, const QString &question)>;

    /// `session` must be started and outlive the window; `theme` too.
    MainWindow(DashboardSession &session, const Theme &theme, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// The lab everything acts on now (never null): panels act on it and rebind on
    /// labChanged().
    Lab *currentLab() const;
    DashboardSession &session() const { return m_session; }

    /// Adds a panel as a tab of the side tab widget (chaos panel, prompt console, config
    /// editor, …). The side area is hidden while it has no tab.
    void addSideTab(QWidget *panel, const QString &title);
    /// Adds a panel as a tab of the bottom tab widget (event log, dead letters, …). Hidden
    /// while it has no tab.
    void addBottomTab(QWidget *panel, const QString &title);
    QTabWidget *sideTabs() const { return m_sideTabs; }
    QTabWidget *bottomTabs() const { return m_bottomTabs; }

    /// Picks the scenario at `path` (a file or ":/scenarios/…"), adding it to the picker.
    void selectScenario(const QString &path);
    QString currentScenarioPath() const;
    /// Replaces the base config from a file; false with `error` when it is invalid.
    bool openConfig(const QString &path, QString *error);
    /// The config file in use; empty for the built-in default.
    QString configPath() const { return m_configPath; }
    void setConfigPath(const QString &path) { m_configPath = path; }

    /// What startRun() asks before calling a real provider (default: a message box).
    void setConfirmation(Confirmation confirmation);

    /// Writes the window as PNG.
    bool exportPng(const QString &path, QString *error);
    /// Writes the run report (SPEC.md section 6) as JSON; with no run, the recorder's figures.
    bool exportReportJson(const QString &path, QString *error);
    /// Writes the series as CSV, one row per point.
    bool exportSeriesCsv(const QString &path, QString *error);

    /// Polls the recorder and updates everything now (the timer does it 10 times a second).
    void refresh();
    /// The last snapshot shown.
    const RecorderSnapshot &lastSnapshot() const { return m_snapshot; }

    /// Shows a saved run in the charts instead of the current lab, under a banner that names
    /// it (`title`) with a Back to live button; the run bar and breaker cards stay live. Ends
    /// with showLive(), a new run or Reset.
    void showSavedRun(const RecorderSnapshot &snapshot, const QString &title);
    /// The charts follow the current lab again.
    void showLive();
    bool isShowingSavedRun() const { return m_savedSnapshot.has_value(); }
    /// The banner over the charts while a saved run is shown.
    QWidget *savedRunBanner() const { return m_savedBanner; }

    RunBar *runBar() const { return m_runBar; }
    AlertBanner *alertBanner() const { return m_alertBanner; }
    QList<BreakerCard *> breakerCards() const { return m_cards; }
    BreakerCard *breakerCard(const QString &model) const;
    /// Every chart view, the retry-delay histogram included.
    QList<LiveChart *> charts() const { return m_charts; }
    BreakerStateChart *breakerStateChart() const { return m_breakerChart; }
    ErrorRateChart *errorRateChart() const { return m_errorChart; }
    RetryDelayChart *retryDelayChart() const { return m_retryChart; }
    DelayHistogramChart *delayHistogramChart() const { return m_histogramChart; }
    SourcesChart *sourcesChart() const { return m_sourcesChart; }
    LatencyChart *latencyChart() const { return m_latencyChart; }
    ThroughputChart *throughputChart() const { return m_throughputChart; }
    QAction *startAction() const { return m_startAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *resetAction() const { return m_resetAction; }

    /// Splitter positions, for QSettings.
    QByteArray saveLayout() const;
    void restoreLayout(const QByteArray &state);

public Q_SLOTS:
    /// Starts the picked scenario (asking first if it calls a real provider).
    void startRun();
    void stopRun();
    /// Clears the charts and returns to an idle lab.
    void resetLab();

Q_SIGNALS:
    /// The current lab changed (a run started, or Reset): panels must rebind to `lab`.
    void labChanged(breakwater::Lab *lab);
    /// A scenario run finished; its report is final.
    void runFinished();
    /// The picked scenario changed.
    void scenarioChanged(const QString &path);
    /// The charts switched between a saved run (showSavedRun) and the live lab.
    void savedRunShown(bool shown);

private:
    void buildMenus();
    QWidget *buildCharts();
    void onLabChanged(Lab *lab);
    void onPhaseChanged();
    void onRunFinished();
    void onEngineEvent(const EngineEvent &event);
    void showAlert(const QString &name, bool firing, const QString &message);
    void rebuildCards(Lab *lab);
    void updateStatus();
    void openScenarioFile();
    void openConfigFile();
    void exportWithDialog(const QString &title, const QString &filter, const QString &suffix,
                          bool (MainWindow::*write)(const QString &, QString *));
    double timeAxisEnd() const;
    /// Adds `chart` to the charts drawn on the coming refresh ticks.
    void queueChart(LiveChart *chart);
    /// Makes the next refresh draw every chart in full.
    void invalidateCharts();

    DashboardSession &m_session;
    const Theme &m_theme;
    Confirmation m_confirm;
    QString m_configPath;

    RunBar *m_runBar = nullptr;
    AlertBanner *m_alertBanner = nullptr;
    QWidget *m_cardStrip = nullptr;
    QHBoxLayout *m_cardLayout = nullptr;
    QList<BreakerCard *> m_cards;
    QSplitter *m_hsplit = nullptr;
    QSplitter *m_vsplit = nullptr;
    QTabWidget *m_sideTabs = nullptr;
    QTabWidget *m_bottomTabs = nullptr;

    QList<LiveChart *> m_charts;
    BreakerStateChart *m_breakerChart = nullptr;
    ErrorRateChart *m_errorChart = nullptr;
    RetryDelayChart *m_retryChart = nullptr;
    DelayHistogramChart *m_histogramChart = nullptr;
    SourcesChart *m_sourcesChart = nullptr;
    LatencyChart *m_latencyChart = nullptr;
    ThroughputChart *m_throughputChart = nullptr;

    /// Which key each provider of the chain uses, masked to its last four characters.
    QLabel *m_keysLabel = nullptr;

    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_resetAction = nullptr;

    QTimer *m_refreshTimer = nullptr;
    RecorderSnapshot m_snapshot;
    /// The saved run the charts show instead of m_snapshot, if any.
    std::optional<RecorderSnapshot> m_savedSnapshot;
    QWidget *m_savedBanner = nullptr;
    QLabel *m_savedLabel = nullptr;
    /// After a run finished the charts keep its last snapshot.
    bool m_frozen = false;
    QString m_runStatus;
    bool m_runStatusError = false;
    QMetaObject::Connection m_eventConnection;
    /// Firing alerts by name with their message, in the order they started.
    QList<AlertRecord> m_firing;
    /// What the charts last drew from, to skip identical redraws.
    struct ChartKey {
        int points = -1;
        qint64 step = 0;
        qsizetype notes = -1;
        double timeEnd = -1.0;
        bool operator==(const ChartKey &other) const;
    };
    ChartKey m_chartKey;
    /// Retries the retry charts last drew, and when.
    qint64 m_drawnRetries = -1;
    QElapsedTimer m_retryThrottle;
    /// The breaker states (one per model) the breaker chart last drew.
    QList<int> m_drawnStates;
    /// Charts with new data not drawn yet, oldest first.
    QList<LiveChart *> m_pendingCharts;
    /// The next refresh draws every chart at once.
    bool m_flushCharts = true;
};

} // namespace breakwater::ui

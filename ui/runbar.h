#pragma once

#include "recorder/recordersnapshot.h"
#include "scenariocatalog.h"

#include <QFrame>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace breakwater::ui {

class Theme;

/// The run bar across the top of the window: scenario picker, Start / Stop / Reset, the run
/// clock and progress, and the live totals, led by the share answered by a model (the figure
/// that says whether users were served by a real model) with the cache's, the degraded
/// text's and the success share (model or cache) beside it; below, the requests and the
/// answers by source.
class RunBar final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunBar)

public:
    explicit RunBar(const Theme &theme, QWidget *parent = nullptr);
    ~RunBar() override;

    /// Fills the picker: `scenarios`, then "Open…".
    void setScenarios(const QList<ScenarioEntry> &scenarios);
    /// Selects the entry for `path`, adding it (before "Open…") when it is not listed; a
    /// file identical to a bundled scenario selects the bundled entry.
    void selectScenario(const QString &path);
    /// The path of the picked scenario; empty when none.
    QString currentScenarioPath() const;

    /// Enables the buttons for a phase: idle (start), running (stop), finished (start, reset).
    void setRunning(bool running, bool finished);
    /// The run clock, progress and totals. `duration` 0: no run (idle lab), no progress.
    void showProgress(const RecorderSnapshot &snapshot, double elapsed, double duration);
    /// A line of status on the right (errors in red).
    void setStatus(const QString &text, bool error = false);

    QComboBox *scenarioPicker() const { return m_picker; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *resetButton() const { return m_reset; }
    QString clockText() const;
    QString requestsText() const;
    /// The lead figure: "97.9 %" of requests answered by a model, "—" before any request.
    QString modelRateText() const;
    /// "cache 1.2 %", "degraded 0.9 %" and "answered ok 99.1 %" (model or cache), beside
    /// the lead figure.
    QString cacheText() const;
    QString degradedText() const;
    QString successText() const;
    /// The lead figure's colour ("#rrggbb"): green from 99 %, amber from 95 %, red below.
    QString modelRateColor() const;
    /// The by-source line as shown, e.g. "claude-sonnet-4-5 71 %  claude-haiku-4-5 29 %".
    QString sourcesText() const;
    QString statusText() const;
    int progressValue() const;

Q_SIGNALS:
    /// The user picked "Open…" in the picker.
    void openScenarioRequested();
    /// The picked scenario changed (a path).
    void scenarioChanged(const QString &path);

private:
    /// A figure `points` high over its caption, added to `into`.
    QLabel *bigFigure(QHBoxLayout *into, const QString &caption, double points);
    /// A small line beside the lead figure, in `color` ("#rrggbb"; empty: the text colour).
    QLabel *sideFigure(QVBoxLayout *into, const QString &color);
    /// The shares before any request: "—".
    void showNoShares();

    const Theme &m_theme;
    QComboBox *m_picker = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_reset = nullptr;
    QLabel *m_clock = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_requests = nullptr;
    QLabel *m_modelRate = nullptr;
    QLabel *m_cache = nullptr;
    QLabel *m_degraded = nullptr;
    QLabel *m_success = nullptr;
    QLabel *m_sources = nullptr;
    QLabel *m_status = nullptr;
    int m_lastPicked = -1;
    QString m_modelRateColor;
    QString m_successColor;
    bool m_statusError = false;
};

/// The alert banner: red, large, the firing alerts' names and messages; hidden when none
/// fires.
class AlertBanner final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertBanner)

public:
    explicit AlertBanner(const Theme &theme, QWidget *parent = nullptr);
    ~AlertBanner() override;

    /// Shows these firing alerts (oldest first); hides the banner when the list is empty.
    void setAlerts(const QList<AlertRecord> &firing);
    QString text() const;

private:
    QLabel *m_text = nullptr;
};

} // namespace breakwater::ui

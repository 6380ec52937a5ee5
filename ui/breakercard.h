#pragma once

#include "breaker/breakerstate.h"
#include "recorder/recordersnapshot.h"

#include <QColor>
#include <QFrame>
#include <QPointer>

class QGridLayout;
class QLabel;
class QPushButton;

namespace breakwater {
class CircuitBreaker;
}

namespace breakwater::ui {

class Theme;

/// One model's circuit card, as on the Hystrix dashboard: the model and whether its provider
/// is simulated or real, the breaker's state as a coloured badge, the error % and calls of
/// the rolling window, the countdown to half-open while open, rolling p50 / p99, and buttons
/// that force the breaker open, force it closed or reset it. State and countdown are read
/// from the breaker itself; window figures from the run recorder.
class BreakerCard final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakerCard)

public:
    BreakerCard(const Theme &theme, const QString &model, const QString &provider, bool simulated,
                QWidget *parent = nullptr);
    ~BreakerCard() override;

    /// The breaker the buttons act on and the badge shows (may be null: buttons disabled).
    void bind(CircuitBreaker *breaker);
    /// Shows the recorder's live figures for this model.
    void showFigures(const ModelFigures &figures);
    /// Reads the breaker's state and countdown again.
    void refreshBreaker();

    const QString &model() const { return m_model; }
    bool isSimulated() const { return m_simulated; }
    /// The state the badge shows.
    BreakerState state() const { return m_state; }
    QString stateText() const;
    QString countdownText() const;
    QString errorPercentText() const;
    QPushButton *forceOpenButton() const { return m_forceOpen; }
    QPushButton *forceClosedButton() const { return m_forceClosed; }
    QPushButton *resetButton() const { return m_reset; }

private:
    QLabel *addFigure(QGridLayout *grid, int column, const QString &caption, const QString &tip);
    void showState(BreakerState state);

    const Theme &m_theme;
    QString m_model;
    bool m_simulated;
    QPointer<CircuitBreaker> m_breaker;
    BreakerState m_state = BreakerState::Closed;
    bool m_stateShown = false;
    QColor m_errorColor;

    QLabel *m_badge = nullptr;
    QLabel *m_errorPercent = nullptr;
    QLabel *m_calls = nullptr;
    QLabel *m_shortCircuited = nullptr;
    QLabel *m_countdown = nullptr;
    QLabel *m_p50 = nullptr;
    QLabel *m_p99 = nullptr;
    QLabel *m_breakerWindow = nullptr;
    QPushButton *m_forceOpen = nullptr;
    QPushButton *m_forceClosed = nullptr;
    QPushButton *m_reset = nullptr;
};

} // namespace breakwater::ui

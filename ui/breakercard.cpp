#include "breakercard.h"

#include "breaker/circuitbreaker.h"
#include "theme.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

QString seconds(Millis duration)
{
    const double value = toSeconds(duration);
    if (value < 0.001)
        return u"—"_s;
    if (value < 1.0)
        return u"%1 ms"_s.arg(duration.count());
    return u"%1 s"_s.arg(value, 0, 'f', value < 10.0 ? 2 : 1);
}

} // namespace

BreakerCard::BreakerCard(const Theme &theme, const QString &model, const QString &provider,
                         bool simulated, QWidget *parent)
    : QFrame(parent), m_theme(theme), m_model(model), m_simulated(simulated)
{
    setObjectName(u"breakerCard"_s);
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(theme.px(14), theme.px(8), theme.px(12), theme.px(8));
    layout->setSpacing(theme.px(4));

    auto *header = new QHBoxLayout;
    auto *name = new QLabel(model);
    name->setFont(theme.font(15, true));
    name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(name);
    auto *kind =
        new QLabel(simulated ? tr("%1 · simulated").arg(provider) : tr("%1 · REAL").arg(provider));
    kind->setFont(theme.font(9, true));
    kind->setStyleSheet(u"QLabel { color: %1; border: 1px solid %1; border-radius: %2px;"
                        u" padding: 1px %3px; }"_s.arg(simulated ? u"#7dd3fc"_s : u"#fb923c"_s)
                            .arg(theme.px(8))
                            .arg(theme.px(6)));
    kind->setToolTip(simulated ? tr("Served by the embedded chaos server: simulated answers and "
                                    "faults, no API key, nothing billed.")
                               : tr("A real provider: calls use your API key and may be billed."));
    header->addWidget(kind);
    header->addStretch(1);
    m_badge = new QLabel;
    m_badge->setFont(theme.font(13, true));
    m_badge->setAlignment(Qt::AlignCenter);
    m_badge->setMinimumWidth(theme.px(130));
    m_badge->setToolTip(tr("Closed: calls go through. Open: calls are refused at once and the "
                           "chain moves on. Half-open: one test call decides. Forced states "
                           "are set by hand and hold until reset."));
    header->addWidget(m_badge);
    layout->addLayout(header);

    auto *figures = new QGridLayout;
    figures->setHorizontalSpacing(theme.px(14));
    figures->setVerticalSpacing(0);
    m_errorPercent = addFigure(figures, 0, tr("errors"),
                               tr("Failed calls to this model over the last 10 seconds."));
    m_calls = addFigure(figures, 1, tr("calls / 10 s"),
                        tr("Calls to this model that came back in the last 10 seconds."));
    m_shortCircuited = addFigure(figures, 2, tr("blocked / 10 s"),
                                 tr("Calls the open breaker refused in the last 10 seconds: "
                                    "they went straight to the next model."));
    m_countdown = addFigure(figures, 3, tr("half-open in"),
                            tr("While open: time left until the breaker lets a test call "
                               "through."));
    m_p50 = addFigure(figures, 4, tr("p50"), tr("Median call time over the last 10 seconds."));
    m_p99 = addFigure(figures, 5, tr("p99"), tr("Slowest 1 % call time over the last 10 seconds."));
    figures->setColumnStretch(6, 1);
    layout->addLayout(figures);

    auto *footer = new QHBoxLayout;
    footer->setSpacing(theme.px(6));
    m_forceOpen = new QPushButton(tr("Force open"));
    m_forceOpen->setToolTip(tr("Open this breaker by hand: the model gets no calls until reset."));
    m_forceClosed = new QPushButton(tr("Force closed"));
    m_forceClosed->setToolTip(
        tr("Disable this breaker: every call goes through and nothing is counted until reset."));
    m_reset = new QPushButton(tr("Reset"));
    m_reset->setToolTip(tr("Back to closed with empty windows."));
    for (QPushButton *button : {m_forceOpen, m_forceClosed, m_reset}) {
        button->setFont(theme.font(9.5));
        button->setEnabled(false);
        button->setFocusPolicy(Qt::TabFocus);
        footer->addWidget(button);
    }
    m_breakerWindow = new QLabel;
    m_breakerWindow->setProperty("role", u"caption"_s);
    m_breakerWindow->setFont(theme.font(9));
    // Long text must not widen the card: it is cut rather than pushing the window wider.
    m_breakerWindow->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    footer->addSpacing(theme.px(8));
    footer->addWidget(m_breakerWindow, 1);
    layout->addLayout(footer);

    connect(m_forceOpen, &QPushButton::clicked, this, [this] {
        if (m_breaker)
            m_breaker->forceOpen();
        refreshBreaker();
    });
    connect(m_forceClosed, &QPushButton::clicked, this, [this] {
        if (m_breaker)
            m_breaker->forceClosed();
        refreshBreaker();
    });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        if (m_breaker)
            m_breaker->reset();
        refreshBreaker();
    });

    showFigures(ModelFigures{});
    showState(BreakerState::Closed);
}

BreakerCard::~BreakerCard() = default;

QLabel *BreakerCard::addFigure(QGridLayout *grid, int column, const QString &caption,
                               const QString &tip)
{
    auto *value = new QLabel(u"—"_s);
    value->setFont(m_theme.font(17, true));
    value->setToolTip(tip);
    auto *label = new QLabel(caption);
    label->setProperty("role", u"caption"_s);
    label->setFont(m_theme.font(9));
    label->setToolTip(tip);
    grid->addWidget(value, 0, column);
    grid->addWidget(label, 1, column);
    return value;
}

void BreakerCard::bind(CircuitBreaker *breaker)
{
    m_breaker = breaker;
    for (QPushButton *button : {m_forceOpen, m_forceClosed, m_reset})
        button->setEnabled(breaker != nullptr);
    refreshBreaker();
}

void BreakerCard::showFigures(const ModelFigures &figures)
{
    m_errorPercent->setText(figures.callsInWindow > 0
                                ? u"%1 %"_s.arg(figures.errorPercentInWindow, 0, 'f', 0)
                                : u"—"_s);
    const QColor errorColor =
        figures.errorPercentInWindow >= 50.0   ? Theme::stateColor(BreakerState::Open)
        : figures.errorPercentInWindow >= 10.0 ? Theme::stateColor(BreakerState::HalfOpen)
                                               : m_theme.text();
    if (errorColor != m_errorColor) {
        // Style sheets are costly to apply: only when the colour changes.
        m_errorColor = errorColor;
        m_errorPercent->setStyleSheet(u"QLabel { color: %1; }"_s.arg(Theme::css(errorColor)));
    }
    m_calls->setText(QString::number(figures.callsInWindow));
    m_shortCircuited->setText(QString::number(figures.shortCircuitedInWindow));
    m_p50->setText(figures.callsInWindow > 0 ? seconds(figures.p50InWindow) : u"—"_s);
    m_p99->setText(figures.callsInWindow > 0 ? seconds(figures.p99InWindow) : u"—"_s);
}

void BreakerCard::refreshBreaker()
{
    if (!m_breaker) {
        m_countdown->setText(u"—"_s);
        m_breakerWindow->clear();
        return;
    }
    const BreakerSnapshot snapshot = m_breaker->snapshot();
    showState(snapshot.state);
    if (snapshot.state == BreakerState::Open) {
        const double left = toSeconds(snapshot.remainingOpen);
        m_countdown->setText(u"%1 s"_s.arg(left, 0, 'f', left < 10.0 ? 1 : 0));
    } else {
        m_countdown->setText(u"—"_s);
    }
    const BreakerPolicy &policy = m_breaker->policy();
    const QString window = policy.window == WindowKind::Count
                               ? tr("last %1 calls").arg(policy.windowSize)
                               : tr("last %1 s").arg(policy.windowSize);
    m_breakerWindow->setText(tr("breaker: %1 of %2 failed, %3 in a row")
                                 .arg(snapshot.failuresInWindow)
                                 .arg(snapshot.callsInWindow)
                                 .arg(snapshot.consecutiveFailures));
    m_breakerWindow->setToolTip(
        tr("The breaker's own window (%1): it opens when %2 % of the calls in it fail (at least "
           "%3 calls), or after %4 failures in a row.")
            .arg(window)
            .arg(policy.failureRate * 100.0, 0, 'f', 0)
            .arg(policy.minimumCalls)
            .arg(policy.consecutiveFailures));
}

void BreakerCard::showState(BreakerState state)
{
    if (m_stateShown && state == m_state)
        return;
    m_stateShown = true;
    m_state = state;
    const QColor color = Theme::stateColor(state);
    m_badge->setText(Theme::stateLabel(state));
    const bool forced = state == BreakerState::ForcedOpen || state == BreakerState::ForcedClosed;
    // Forced states get a white outline: set by a person, not by the traffic.
    m_badge->setStyleSheet(u"QLabel { color: white; background: %1; border-radius: %2px;"
                           u" padding: %3px %4px; border: %5; }"_s.arg(Theme::css(color))
                               .arg(m_theme.px(6))
                               .arg(m_theme.px(3))
                               .arg(m_theme.px(12))
                               .arg(forced ? u"2px dashed white"_s : u"none"_s));
    setStyleSheet(u"QFrame#breakerCard { border-left: %1px solid %2; }"_s.arg(m_theme.px(7))
                      .arg(Theme::css(color)));
    m_forceOpen->setEnabled(m_breaker && state != BreakerState::ForcedOpen);
    m_forceClosed->setEnabled(m_breaker && state != BreakerState::ForcedClosed);
}

QString BreakerCard::stateText() const
{
    return m_badge->text();
}

QString BreakerCard::countdownText() const
{
    return m_countdown->text();
}

QString BreakerCard::errorPercentText() const
{
    return m_errorPercent->text();
}

} // namespace breakwater::ui

// A breaker card bound to a real circuit breaker on a fake clock: its badge follows the
// breaker through closed, open (with a countdown that runs down), half-open and the forced
// states; its buttons force and reset the breaker; it shows the recorder's window figures
// and whether the provider is simulated.
#include "breaker/circuitbreaker.h"
#include "breakercard.h"
#include "common/fakeclock.h"
#include "theme.h"

#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

BreakerPolicy policy()
{
    BreakerPolicy policy;
    policy.consecutiveFailures = 3;
    policy.openDuration = 10s;
    return policy;
}

void fail(CircuitBreaker &breaker, int times)
{
    for (int i = 0; i < times; ++i) {
        const std::optional<BreakerPermit> permit = breaker.tryAcquire();
        QVERIFY(permit);
        breaker.onFailure(*permit, 10ms);
    }
}

bool labelShows(const QWidget &card, const QString &text)
{
    const QList<QLabel *> labels = card.findChildren<QLabel *>();
    return std::any_of(labels.begin(), labels.end(),
                       [&](const QLabel *label) { return label->text() == text; });
}

} // namespace

class TestBreakerCard final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void followsTheBreakerThroughOpenAndHalfOpen()
    {
        FakeClock clock;
        CircuitBreaker breaker(u"claude-sonnet-4-5"_s, policy(), clock);
        const Theme theme;
        BreakerCard card(theme, breaker.name(), u"chaos"_s, true);
        card.bind(&breaker);
        QCOMPARE(card.state(), BreakerState::Closed);
        QCOMPARE(card.stateText(), u"CLOSED"_s);
        QCOMPARE(card.countdownText(), u"—"_s);

        fail(breaker, 3);
        card.refreshBreaker();
        QCOMPARE(card.state(), BreakerState::Open);
        QCOMPARE(card.stateText(), u"OPEN"_s);
        QCOMPARE(card.countdownText(), u"10 s"_s);
        clock.advance(6500ms);
        card.refreshBreaker();
        QCOMPARE(card.countdownText(), u"3.5 s"_s);

        clock.advance(3500ms);
        card.refreshBreaker();
        QCOMPARE(card.state(), BreakerState::HalfOpen);
        QCOMPARE(card.stateText(), u"HALF-OPEN"_s);
        QCOMPARE(card.countdownText(), u"—"_s);
    }

    void buttonsForceAndResetTheBreaker()
    {
        FakeClock clock;
        CircuitBreaker breaker(u"claude-haiku-4-5"_s, policy(), clock);
        const Theme theme;
        BreakerCard card(theme, breaker.name(), u"chaos"_s, true);
        card.bind(&breaker);

        QTest::mouseClick(card.forceOpenButton(), Qt::LeftButton);
        QCOMPARE(breaker.state(), BreakerState::ForcedOpen);
        QCOMPARE(card.stateText(), u"FORCED OPEN"_s);
        QVERIFY(!card.forceOpenButton()->isEnabled());

        QTest::mouseClick(card.forceClosedButton(), Qt::LeftButton);
        QCOMPARE(breaker.state(), BreakerState::ForcedClosed);
        QCOMPARE(card.state(), BreakerState::ForcedClosed);
        QCOMPARE(card.stateText(), u"FORCED CLOSED"_s);

        QTest::mouseClick(card.resetButton(), Qt::LeftButton);
        QCOMPARE(breaker.state(), BreakerState::Closed);
        QCOMPARE(card.state(), BreakerState::Closed);
    }

    void unboundCardHasNoActiveButtons()
    {
        const Theme theme;
        BreakerCard card(theme, u"m"_s, u"chaos"_s, true);
        QVERIFY(!card.forceOpenButton()->isEnabled());
        QVERIFY(!card.forceClosedButton()->isEnabled());
        QVERIFY(!card.resetButton()->isEnabled());
        QTest::mouseClick(card.forceOpenButton(), Qt::LeftButton); // nothing to act on
        QCOMPARE(card.state(), BreakerState::Closed);
    }

    void showsTheWindowFigures()
    {
        const Theme theme;
        BreakerCard card(theme, u"m"_s, u"chaos"_s, true);
        ModelFigures figures;
        figures.callsInWindow = 20;
        figures.errorsInWindow = 8;
        figures.errorPercentInWindow = 40.0;
        figures.shortCircuitedInWindow = 12;
        figures.p50InWindow = 600ms;
        figures.p99InWindow = 2100ms;
        card.showFigures(figures);
        QCOMPARE(card.errorPercentText(), u"40 %"_s);
        QVERIFY(labelShows(card, u"20"_s));
        QVERIFY(labelShows(card, u"12"_s));
        QVERIFY(labelShows(card, u"600 ms"_s));
        QVERIFY(labelShows(card, u"2.10 s"_s));

        card.showFigures(ModelFigures{});
        QCOMPARE(card.errorPercentText(), u"—"_s);
    }

    void saysWhetherTheProviderIsSimulated()
    {
        const Theme theme;
        BreakerCard simulated(theme, u"claude-sonnet-4-5"_s, u"chaos"_s, true);
        BreakerCard real(theme, u"claude-sonnet-4-6"_s, u"anthropic"_s, false);
        QVERIFY(simulated.isSimulated());
        QVERIFY(labelShows(simulated, u"chaos · simulated"_s));
        QVERIFY(!real.isSimulated());
        QVERIFY(labelShows(real, u"anthropic · REAL"_s));
    }
};

QTEST_MAIN(TestBreakerCard)
#include "tst_breakercard.moc"

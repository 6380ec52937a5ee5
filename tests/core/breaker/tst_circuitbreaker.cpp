#include "breaker/circuitbreaker.h"
#include "common/fakeclock.h"
#include "common/random.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

using namespace breakwater;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

using Transition = std::pair<BreakerState, BreakerState>;

/// SPEC.md section 3 restated per target state, independently of the breaker's own table.
bool isLegalTransition(BreakerState from, BreakerState to)
{
    if (from == to)
        return false;
    switch (to) {
    case BreakerState::Open:
        return from == BreakerState::Closed || from == BreakerState::HalfOpen;
    case BreakerState::HalfOpen:
        return from == BreakerState::Open;
    case BreakerState::Closed:       // every probe passed, or reset from anywhere
    case BreakerState::ForcedOpen:   // by hand, from anywhere
    case BreakerState::ForcedClosed: // by hand, from anywhere
        return true;
    }
    return false;
}

QList<Transition> transitionsOf(const QSignalSpy &spy)
{
    QList<Transition> list;
    for (const QList<QVariant> &args : spy)
        list.append({args.at(0).value<BreakerState>(), args.at(1).value<BreakerState>()});
    return list;
}

/// Empty when every transition is legal and each starts where the previous one ended.
QString checkTransitions(const QList<Transition> &transitions,
                         BreakerState initial = BreakerState::Closed)
{
    BreakerState current = initial;
    for (qsizetype i = 0; i < transitions.size(); ++i) {
        const auto [from, to] = transitions.at(i);
        if (from != current)
            return u"transition %1 starts at %2, but the breaker was %3"_s.arg(i).arg(
                breakerStateName(from), breakerStateName(current));
        if (!isLegalTransition(from, to))
            return u"transition %1 is illegal: %2 -> %3"_s.arg(i).arg(breakerStateName(from),
                                                                      breakerStateName(to));
        current = to;
    }
    return {};
}

Transition lastTransition(const QSignalSpy &spy)
{
    const QList<QVariant> &args = spy.constLast();
    return {args.at(0).value<BreakerState>(), args.at(1).value<BreakerState>()};
}

/// Only the rules a test turns on are active.
BreakerPolicy quietPolicy()
{
    BreakerPolicy policy;
    policy.consecutiveFailures = 0;
    policy.failureRate = 0.0;
    policy.window = WindowKind::Count;
    policy.windowSize = 10;
    policy.minimumCalls = 1;
    policy.openDuration = 1000ms;
    policy.openBackoff = 1.0;
    policy.halfOpenProbes = 1;
    policy.slowCall = 0ms;
    policy.slowCallRate = 0.0;
    return policy;
}

BreakerPolicy openOnFirstFailure()
{
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = 1;
    return policy;
}

bool succeed(CircuitBreaker &breaker, Millis duration = 10ms)
{
    const auto permit = breaker.tryAcquire();
    if (!permit)
        return false;
    breaker.onSuccess(*permit, duration);
    return true;
}

bool fail(CircuitBreaker &breaker, Millis retryAfterHint = 0ms)
{
    const auto permit = breaker.tryAcquire();
    if (!permit)
        return false;
    breaker.onFailure(*permit, 10ms, retryAfterHint);
    return true;
}

/// Runs calls written as 'S' (success) and 'F' (failure); returns the index of the call
/// after which the breaker was open, -1 if it never opened, -2 if a call was refused.
int indexWhereItOpens(CircuitBreaker &breaker, const QString &calls)
{
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const bool admitted = calls.at(i) == u'F' ? fail(breaker) : succeed(breaker);
        if (!admitted)
            return -2;
        if (breaker.state() == BreakerState::Open)
            return static_cast<int>(i);
    }
    return -1;
}

/// Opens a breaker built with openOnFirstFailure() and waits out its open period.
bool driveToHalfOpen(CircuitBreaker &breaker, FakeClock &clock)
{
    if (!fail(breaker) || breaker.state() != BreakerState::Open)
        return false;
    clock.advance(breaker.snapshot().remainingOpen);
    return breaker.state() == BreakerState::HalfOpen;
}

/// Brings a breaker built with openOnFirstFailure() into `target`.
bool driveTo(CircuitBreaker &breaker, FakeClock &clock, BreakerState target)
{
    switch (target) {
    case BreakerState::Closed:
        return breaker.state() == BreakerState::Closed;
    case BreakerState::Open:
        return fail(breaker) && breaker.state() == BreakerState::Open;
    case BreakerState::HalfOpen:
        return driveToHalfOpen(breaker, clock);
    case BreakerState::ForcedOpen:
        breaker.forceOpen();
        break;
    case BreakerState::ForcedClosed:
        breaker.forceClosed();
        break;
    }
    return breaker.state() == target;
}

/// A clock whose timers never fire: stands in for a late timer or a thread without an
/// event loop, so that only the lazy checks can move the breaker on.
class LateTimerClock final : public Clock {
public:
    Millis now() const override { return m_now; }
    std::unique_ptr<Timer> createTimer(std::function<void()>) override
    {
        return std::make_unique<DeadTimer>();
    }
    void set(Millis now) { m_now = now; }

private:
    class DeadTimer final : public Timer {
    public:
        void start(Millis) override { m_active = true; }
        void stop() override { m_active = false; }
        bool isActive() const override { return m_active; }

    private:
        bool m_active = false;
    };
    Millis m_now{0};
};

enum class Action { ForceOpen, ForceClosed, Reset };
enum class Verdict { Success, Failure, Ignored };

void report(CircuitBreaker &breaker, const BreakerPermit &permit, Verdict verdict)
{
    switch (verdict) {
    case Verdict::Success:
        breaker.onSuccess(permit, 10ms);
        break;
    case Verdict::Failure:
        breaker.onFailure(permit, 10ms);
        break;
    case Verdict::Ignored:
        breaker.onIgnored(permit);
        break;
    }
}

} // namespace

Q_DECLARE_METATYPE(Action)
Q_DECLARE_METATYPE(Verdict)

class TestCircuitBreaker final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void opensAfterNConsecutiveFailures_data();
    void opensAfterNConsecutiveFailures();
    void successResetsConsecutiveCount();
    void opensOnFailureRateOnlyAfterMinimumCalls_data();
    void opensOnFailureRateOnlyAfterMinimumCalls();
    void staysClosedBelowThreshold();
    void timeWindowForgetsOldCalls_data();
    void timeWindowForgetsOldCalls();
    void timeWindowSlidesSecondBySecond();
    void slowCallsOpenWhenSlowCallRateSet_data();
    void slowCallsOpenWhenSlowCallRateSet();
    void failedSlowCallCountsAsFailureNotSlow();
    void halfOpenAfterOpenDurationWithoutTraffic();
    void halfOpenOnDemandWhenTimerIsLate_data();
    void halfOpenOnDemandWhenTimerIsLate();
    void openDurationGrowsWithBackoffAndResetsAfterClose_data();
    void openDurationGrowsWithBackoffAndResetsAfterClose();
    void openDurationIsCappedAtOneDay();
    void retryAfterHintExtendsOpenPeriod_data();
    void retryAfterHintExtendsOpenPeriod();
    void halfOpenAdmitsExactlyNProbes_data();
    void halfOpenAdmitsExactlyNProbes();
    void probeSuccessClosesProbeFailureReopens_data();
    void probeSuccessClosesProbeFailureReopens();
    void slowProbeReopensWhenSlowCallRuleIsOn();
    void stalePermitFromBeforeTransitionIsNotAProbe_data();
    void stalePermitFromBeforeTransitionIsNotAProbe();
    void probeFromEarlierPeriodHoldsItsSlotUntilItReports();
    void staleResultIsRecordedInWindowOnlyWhenClosed();
    void manualTransitionsFromEveryState_data();
    void manualTransitionsFromEveryState();
    void forceOpenShortCircuitsUntilReset();
    void forceClosedAdmitsEverythingAndRecordsNothing();
    void resetClearsWindowsAndOpenGrowth();
    void concurrentCallersNeverExceedProbeLimit_data();
    void concurrentCallersNeverExceedProbeLimit();
};

void TestCircuitBreaker::opensAfterNConsecutiveFailures_data()
{
    QTest::addColumn<int>("threshold");
    QTest::newRow("one") << 1;
    QTest::newRow("three") << 3;
    QTest::newRow("five") << 5;
}

void TestCircuitBreaker::opensAfterNConsecutiveFailures()
{
    QFETCH(int, threshold);
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = threshold;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    for (int i = 1; i < threshold; ++i) {
        QVERIFY(fail(breaker));
        QCOMPARE(breaker.state(), BreakerState::Closed);
        QCOMPARE(breaker.snapshot().consecutiveFailures, i);
    }
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), BreakerState::Open);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(lastTransition(spy), Transition(BreakerState::Closed, BreakerState::Open));
    QVERIFY(!breaker.tryAcquire().has_value());
}

void TestCircuitBreaker::successResetsConsecutiveCount()
{
    // The seed article's breaker never reset its count: F F S F F would have opened it.
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = 3;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    QCOMPARE(indexWhereItOpens(breaker, u"FFSFF"_s), -1);
    QCOMPARE(breaker.snapshot().consecutiveFailures, 2);
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), BreakerState::Open);
}

void TestCircuitBreaker::opensOnFailureRateOnlyAfterMinimumCalls_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<QString>("calls");
    QTest::addColumn<int>("opensAt");

    // Count window of 10 calls, at least 5 calls before the rate counts.
    QTest::newRow("all failures below minimum") << 0.5 << u"FFFF"_s << -1;
    QTest::newRow("all failures reaching minimum") << 0.5 << u"FFFFF"_s << 4;
    QTest::newRow("rate below threshold at minimum, reached later") << 0.5 << u"SSSFFF"_s << 5;
    QTest::newRow("forty percent stays closed") << 0.5 << u"SSSSSSFFFF"_s << -1;
    QTest::newRow("old successes leave the window") << 0.5 << u"SSSSSSSSSSFFFFF"_s << 14;
    QTest::newRow("threshold met exactly") << 0.3 << u"SSSSSSSFFF"_s << 9;
}

void TestCircuitBreaker::opensOnFailureRateOnlyAfterMinimumCalls()
{
    QFETCH(double, rate);
    QFETCH(QString, calls);
    QFETCH(int, opensAt);
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.windowSize = 10;
    policy.minimumCalls = 5;
    policy.failureRate = rate;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    QCOMPARE(indexWhereItOpens(breaker, calls), opensAt);
}

void TestCircuitBreaker::staysClosedBelowThreshold()
{
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = 5;
    policy.windowSize = 10;
    policy.minimumCalls = 10;
    policy.failureRate = 0.5;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    // Four failures in a row (one short of the run) and 40 % in every window of ten.
    for (int round = 0; round < 10; ++round)
        QCOMPARE(indexWhereItOpens(breaker, u"FFFFSSSSSS"_s), -1);

    QCOMPARE(spy.count(), 0);
    const BreakerSnapshot snapshot = breaker.snapshot();
    QCOMPARE(snapshot.callsInWindow, 10);
    QCOMPARE(snapshot.failuresInWindow, 4);
    QVERIFY(qAbs(snapshot.failureRate - 0.4) < 1e-12);
    QCOMPARE(snapshot.consecutiveFailures, 0);
}

void TestCircuitBreaker::timeWindowForgetsOldCalls_data()
{
    QTest::addColumn<qint64>("laterMs");
    QTest::addColumn<int>("callsLeft");

    // Four failures at t = 0.5 s in a 10-second window.
    QTest::newRow("same second") << qint64(0) << 4;
    QTest::newRow("nine seconds later") << qint64(9000) << 4;
    QTest::newRow("ten seconds later") << qint64(10000) << 0;
    QTest::newRow("a minute later") << qint64(60000) << 0;
}

void TestCircuitBreaker::timeWindowForgetsOldCalls()
{
    QFETCH(qint64, laterMs);
    QFETCH(int, callsLeft);
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.window = WindowKind::Time;
    policy.windowSize = 10;
    policy.minimumCalls = 5;
    policy.failureRate = 0.5;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    clock.advance(500ms);
    QCOMPARE(indexWhereItOpens(breaker, u"FFFF"_s), -1);
    clock.advance(Millis(laterMs));
    QCOMPARE(breaker.snapshot().callsInWindow, callsLeft);
    QCOMPARE(breaker.snapshot().failuresInWindow, callsLeft);

    // A fifth failure reaches the minimum only if the old four are still in the window.
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), callsLeft == 4 ? BreakerState::Open : BreakerState::Closed);
}

void TestCircuitBreaker::timeWindowSlidesSecondBySecond()
{
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.window = WindowKind::Time;
    policy.windowSize = 10;
    policy.minimumCalls = 1000; // never opens: only the counting is under test
    policy.failureRate = 0.5;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    clock.advance(500ms);
    for (int second = 0; second < 25; ++second) {
        // One failure and (from second 5 on) two successes per second.
        QVERIFY(fail(breaker));
        if (second >= 5) {
            QVERIFY(succeed(breaker));
            QVERIFY(succeed(breaker));
        }
        int expectedCalls = 0;
        int expectedFailures = 0;
        for (int s = std::max(0, second - 9); s <= second; ++s) {
            expectedCalls += s >= 5 ? 3 : 1;
            ++expectedFailures;
        }
        const BreakerSnapshot snapshot = breaker.snapshot();
        QCOMPARE(snapshot.callsInWindow, expectedCalls);
        QCOMPARE(snapshot.failuresInWindow, expectedFailures);
        clock.advance(1000ms);
    }
}

void TestCircuitBreaker::slowCallsOpenWhenSlowCallRateSet_data()
{
    QTest::addColumn<qint64>("slowCallMs");
    QTest::addColumn<double>("slowCallRate");
    QTest::addColumn<qint64>("durationMs");
    QTest::addColumn<int>("slowCalls");
    QTest::addColumn<bool>("opens");

    QTest::newRow("slow calls open when rate set")
        << qint64(1000) << 0.5 << qint64(1500) << 4 << true;
    QTest::newRow("exactly the threshold is slow")
        << qint64(1000) << 0.5 << qint64(1000) << 4 << true;
    QTest::newRow("just under the threshold is not slow")
        << qint64(1000) << 0.5 << qint64(999) << 0 << false;
    QTest::newRow("rate unset: tracked, never opens")
        << qint64(1000) << 0.0 << qint64(1500) << 4 << false;
    QTest::newRow("slow call unset: not tracked") << qint64(0) << 0.5 << qint64(1500) << 0 << false;
}

void TestCircuitBreaker::slowCallsOpenWhenSlowCallRateSet()
{
    QFETCH(qint64, slowCallMs);
    QFETCH(double, slowCallRate);
    QFETCH(qint64, durationMs);
    QFETCH(int, slowCalls);
    QFETCH(bool, opens);
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.minimumCalls = 4;
    policy.failureRate = 0.5;
    policy.slowCall = Millis(slowCallMs);
    policy.slowCallRate = slowCallRate;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    for (int i = 0; i < 3; ++i) {
        QVERIFY(succeed(breaker, Millis(durationMs)));
        QCOMPARE(breaker.state(), BreakerState::Closed); // below minimumCalls
    }
    QVERIFY(succeed(breaker, Millis(durationMs)));
    QCOMPARE(breaker.snapshot().slowCallsInWindow, slowCalls);
    QCOMPARE(breaker.snapshot().failuresInWindow, 0);
    QCOMPARE(breaker.state(), opens ? BreakerState::Open : BreakerState::Closed);
}

void TestCircuitBreaker::failedSlowCallCountsAsFailureNotSlow()
{
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.minimumCalls = 1;
    policy.slowCall = 100ms;
    policy.slowCallRate = 0.5;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    const auto permit = breaker.tryAcquire();
    QVERIFY(permit);
    breaker.onFailure(*permit, 5000ms);

    const BreakerSnapshot snapshot = breaker.snapshot();
    QCOMPARE(snapshot.failuresInWindow, 1);
    QCOMPARE(snapshot.slowCallsInWindow, 0);
    // Counted as slow, it would have made the slow rate 100 % and opened the breaker.
    QCOMPARE(snapshot.state, BreakerState::Closed);
}

void TestCircuitBreaker::halfOpenAfterOpenDurationWithoutTraffic()
{
    FakeClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    QVERIFY(fail(breaker));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(clock.pendingTimers(), 1);
    QCOMPARE(clock.nextDeadline(), 1000ms);

    clock.advance(999ms);
    QCOMPARE(spy.count(), 1);
    // No call touches the breaker between here and the check: only its timer can move it.
    clock.advance(1ms);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(lastTransition(spy), Transition(BreakerState::Open, BreakerState::HalfOpen));
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    QCOMPARE(clock.pendingTimers(), 0);
    QCOMPARE(checkTransitions(transitionsOf(spy)), QString());
}

void TestCircuitBreaker::halfOpenOnDemandWhenTimerIsLate_data()
{
    QTest::addColumn<QString>("accessor");
    QTest::newRow("tryAcquire") << u"tryAcquire"_s;
    QTest::newRow("state") << u"state"_s;
    QTest::newRow("snapshot") << u"snapshot"_s;
}

void TestCircuitBreaker::halfOpenOnDemandWhenTimerIsLate()
{
    QFETCH(QString, accessor);
    LateTimerClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    QVERIFY(fail(breaker));
    clock.set(999ms);
    QCOMPARE(breaker.state(), BreakerState::Open);
    clock.set(1000ms);
    QCOMPARE(spy.count(), 1); // the timer is late: nothing happened yet

    if (accessor == u"tryAcquire") {
        const auto permit = breaker.tryAcquire();
        QVERIFY(permit);
        QVERIFY(permit->probe);
    } else if (accessor == u"state") {
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    } else {
        QCOMPARE(breaker.snapshot().state, BreakerState::HalfOpen);
    }
    QCOMPARE(spy.count(), 2);
    QCOMPARE(lastTransition(spy), Transition(BreakerState::Open, BreakerState::HalfOpen));
}

void TestCircuitBreaker::openDurationGrowsWithBackoffAndResetsAfterClose_data()
{
    QTest::addColumn<double>("backoff");
    QTest::addColumn<QList<qint64>>("openMs");
    QTest::newRow("no growth") << 1.0 << QList<qint64>{1000, 1000, 1000};
    QTest::newRow("doubling") << 2.0 << QList<qint64>{1000, 2000, 4000};
    QTest::newRow("one and a half") << 1.5 << QList<qint64>{1000, 1500, 2250};
}

void TestCircuitBreaker::openDurationGrowsWithBackoffAndResetsAfterClose()
{
    QFETCH(double, backoff);
    QFETCH(QList<qint64>, openMs);
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.openBackoff = backoff;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    QVERIFY(fail(breaker));
    for (qsizetype i = 0; i < openMs.size(); ++i) {
        QCOMPARE(breaker.snapshot().remainingOpen, Millis(openMs.at(i)));
        clock.advance(Millis(openMs.at(i) - 1));
        QCOMPARE(breaker.state(), BreakerState::Open);
        clock.advance(1ms);
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        if (i + 1 < openMs.size())
            QVERIFY(fail(breaker)); // the probe fails: reopen, longer
    }
    QVERIFY(succeed(breaker));
    QCOMPARE(breaker.state(), BreakerState::Closed);

    // Closing forgets the growth.
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.snapshot().remainingOpen, 1000ms);
    QCOMPARE(checkTransitions(transitionsOf(spy)), QString());
}

void TestCircuitBreaker::openDurationIsCappedAtOneDay()
{
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.openDuration = 600000ms;
    policy.openBackoff = 1000.0;
    policy.openMax = 48h; // beyond the day, so that the day is what caps it
    CircuitBreaker breaker(u"m"_s, policy, clock);
    constexpr Millis day = 24h;

    QVERIFY(fail(breaker));
    QCOMPARE(breaker.snapshot().remainingOpen, 600000ms);
    for (int reopen = 0; reopen < 400; ++reopen) { // 1000^400 overflows a double
        clock.advance(breaker.snapshot().remainingOpen);
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        QVERIFY(fail(breaker));
        QCOMPARE(breaker.snapshot().remainingOpen, day);
    }
}

void TestCircuitBreaker::retryAfterHintExtendsOpenPeriod_data()
{
    QTest::addColumn<bool>("onProbe");
    QTest::addColumn<qint64>("hintMs");
    QTest::addColumn<qint64>("openMs");

    for (const bool onProbe : {false, true}) {
        const char *when = onProbe ? "reopen" : "first opening";
        QTest::addRow("%s, no hint", when) << onProbe << qint64(0) << qint64(1000);
        QTest::addRow("%s, shorter hint", when) << onProbe << qint64(400) << qint64(1000);
        QTest::addRow("%s, longer hint", when) << onProbe << qint64(5000) << qint64(5000);
    }
}

void TestCircuitBreaker::retryAfterHintExtendsOpenPeriod()
{
    QFETCH(bool, onProbe);
    QFETCH(qint64, hintMs);
    QFETCH(qint64, openMs);
    FakeClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);

    if (onProbe)
        QVERIFY(driveToHalfOpen(breaker, clock));
    QVERIFY(fail(breaker, Millis(hintMs)));
    QCOMPARE(breaker.snapshot().remainingOpen, Millis(openMs));
    clock.advance(Millis(openMs - 1));
    QCOMPARE(breaker.state(), BreakerState::Open);
    clock.advance(1ms);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
}

void TestCircuitBreaker::halfOpenAdmitsExactlyNProbes_data()
{
    QTest::addColumn<int>("probes");
    QTest::newRow("one") << 1;
    QTest::newRow("three") << 3;
}

void TestCircuitBreaker::halfOpenAdmitsExactlyNProbes()
{
    QFETCH(int, probes);
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.halfOpenProbes = probes;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QVERIFY(driveToHalfOpen(breaker, clock));

    std::vector<BreakerPermit> permits;
    for (int i = 0; i < probes; ++i) {
        const auto permit = breaker.tryAcquire();
        QVERIFY(permit);
        QVERIFY(permit->probe);
        permits.push_back(*permit);
    }
    QVERIFY(!breaker.tryAcquire().has_value());
    QCOMPARE(breaker.snapshot().probesInFlight, probes);

    // An ignored probe gives its slot back without a verdict.
    breaker.onIgnored(permits.front());
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    QCOMPARE(breaker.snapshot().probesInFlight, probes - 1);
    const auto replacement = breaker.tryAcquire();
    QVERIFY(replacement);
    QVERIFY(replacement->probe);
    permits.front() = *replacement;
    QVERIFY(!breaker.tryAcquire().has_value());

    // A passed probe keeps its slot: the period admits no more than `probes` probes.
    for (int i = 0; i + 1 < probes; ++i) {
        breaker.onSuccess(permits.at(static_cast<std::size_t>(i)), 10ms);
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        QVERIFY(!breaker.tryAcquire().has_value());
    }
    breaker.onSuccess(permits.back(), 10ms);
    QCOMPARE(breaker.state(), BreakerState::Closed);
    QCOMPARE(breaker.snapshot().probesInFlight, 0);
}

void TestCircuitBreaker::probeSuccessClosesProbeFailureReopens_data()
{
    QTest::addColumn<int>("probes");
    QTest::addColumn<int>("failingProbe");
    QTest::newRow("one probe passes") << 1 << -1;
    QTest::newRow("one probe fails") << 1 << 0;
    QTest::newRow("three probes pass") << 3 << -1;
    QTest::newRow("first of three fails") << 3 << 0;
    QTest::newRow("last of three fails") << 3 << 2;
}

void TestCircuitBreaker::probeSuccessClosesProbeFailureReopens()
{
    QFETCH(int, probes);
    QFETCH(int, failingProbe);
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.halfOpenProbes = probes;
    policy.minimumCalls = 100; // the window records, but only the run of failures opens
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    QCOMPARE(indexWhereItOpens(breaker, u"SSF"_s), 2);
    QCOMPARE(breaker.snapshot().callsInWindow, 3);
    clock.advance(1000ms);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);

    std::vector<BreakerPermit> permits;
    for (int i = 0; i < probes; ++i) {
        const auto permit = breaker.tryAcquire();
        QVERIFY(permit);
        permits.push_back(*permit);
    }
    for (int i = 0; i < probes; ++i) {
        const BreakerPermit &permit = permits.at(static_cast<std::size_t>(i));
        if (i == failingProbe) {
            breaker.onFailure(permit, 10ms);
            QCOMPARE(breaker.state(), BreakerState::Open);
        } else {
            breaker.onSuccess(permit, 10ms);
        }
    }

    if (failingProbe >= 0) {
        // Later probes' successes came from the ended period: still open.
        QCOMPARE(breaker.state(), BreakerState::Open);
        QVERIFY(!breaker.tryAcquire().has_value());
    } else {
        QCOMPARE(breaker.state(), BreakerState::Closed);
        const BreakerSnapshot snapshot = breaker.snapshot();
        QCOMPARE(snapshot.callsInWindow, 0);
        QCOMPARE(snapshot.consecutiveFailures, 0);
    }
    QCOMPARE(breaker.snapshot().probesInFlight, 0);
    QCOMPARE(checkTransitions(transitionsOf(spy)), QString());
}

void TestCircuitBreaker::slowProbeReopensWhenSlowCallRuleIsOn()
{
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.slowCall = 2000ms;
    policy.slowCallRate = 0.5;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QVERIFY(driveToHalfOpen(breaker, clock));

    QVERIFY(succeed(breaker, 2500ms));
    QCOMPARE(breaker.state(), BreakerState::Open);
    clock.advance(1000ms);
    QVERIFY(succeed(breaker, 1500ms));
    QCOMPARE(breaker.state(), BreakerState::Closed);
}

void TestCircuitBreaker::stalePermitFromBeforeTransitionIsNotAProbe_data()
{
    QTest::addColumn<Verdict>("verdict");
    QTest::newRow("stale success") << Verdict::Success;
    QTest::newRow("stale failure") << Verdict::Failure;
    QTest::newRow("stale ignored") << Verdict::Ignored;
}

void TestCircuitBreaker::stalePermitFromBeforeTransitionIsNotAProbe()
{
    QFETCH(Verdict, verdict);
    FakeClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);

    const auto stale = breaker.tryAcquire(); // admitted while closed
    QVERIFY(stale);
    QVERIFY(!stale->probe);
    QVERIFY(driveToHalfOpen(breaker, clock));

    report(breaker, *stale, verdict);
    // As a probe result it would have closed (success) or reopened (failure) the breaker.
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    QCOMPARE(breaker.snapshot().probesInFlight, 0);
    const auto probe = breaker.tryAcquire();
    QVERIFY(probe);
    QVERIFY(probe->probe);
    QVERIFY(probe->generation != stale->generation);
    breaker.onSuccess(*probe, 10ms);
    QCOMPARE(breaker.state(), BreakerState::Closed);
}

void TestCircuitBreaker::probeFromEarlierPeriodHoldsItsSlotUntilItReports()
{
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.halfOpenProbes = 2;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QVERIFY(driveToHalfOpen(breaker, clock));

    const auto first = breaker.tryAcquire();
    const auto slow = breaker.tryAcquire();
    QVERIFY(first && slow);
    breaker.onFailure(*first, 10ms);
    clock.advance(1000ms);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);

    // `slow` is still out there: a new period may add only one probe to it.
    const auto next = breaker.tryAcquire();
    QVERIFY(next);
    QVERIFY(!breaker.tryAcquire().has_value());
    QCOMPARE(breaker.snapshot().probesInFlight, 2);

    breaker.onSuccess(*slow, 10ms); // stale: frees the slot, passes nothing
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    const auto last = breaker.tryAcquire();
    QVERIFY(last);
    breaker.onSuccess(*next, 10ms);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    breaker.onSuccess(*last, 10ms);
    QCOMPARE(breaker.state(), BreakerState::Closed);
}

void TestCircuitBreaker::staleResultIsRecordedInWindowOnlyWhenClosed()
{
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = 2;
    policy.minimumCalls = 100; // the window records, but only the run of failures opens
    CircuitBreaker breaker(u"m"_s, policy, clock);

    const auto whileOpen = breaker.tryAcquire();
    const auto afterClose = breaker.tryAcquire();
    QVERIFY(whileOpen && afterClose);
    QCOMPARE(indexWhereItOpens(breaker, u"FF"_s), 1);
    QCOMPARE(breaker.snapshot().callsInWindow, 2);

    breaker.onFailure(*whileOpen, 10ms);
    QCOMPARE(breaker.snapshot().callsInWindow, 2);

    clock.advance(1000ms);
    QVERIFY(succeed(breaker));
    QCOMPARE(breaker.state(), BreakerState::Closed);
    QCOMPARE(breaker.snapshot().callsInWindow, 0);

    // Closed now: the old call counts in the window, but not in the new run of failures.
    breaker.onFailure(*afterClose, 10ms);
    const BreakerSnapshot snapshot = breaker.snapshot();
    QCOMPARE(snapshot.callsInWindow, 1);
    QCOMPARE(snapshot.failuresInWindow, 1);
    QCOMPARE(snapshot.consecutiveFailures, 0);
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), BreakerState::Closed); // one failure in the run, not two
}

void TestCircuitBreaker::manualTransitionsFromEveryState_data()
{
    QTest::addColumn<BreakerState>("from");
    QTest::addColumn<Action>("action");
    QTest::addColumn<BreakerState>("to");

    const std::pair<Action, BreakerState> actions[] = {
        {Action::ForceOpen, BreakerState::ForcedOpen},
        {Action::ForceClosed, BreakerState::ForcedClosed},
        {Action::Reset, BreakerState::Closed},
    };
    const char *actionNames[] = {"forceOpen", "forceClosed", "reset"};
    for (const BreakerState from :
         {BreakerState::Closed, BreakerState::Open, BreakerState::HalfOpen,
          BreakerState::ForcedOpen, BreakerState::ForcedClosed}) {
        for (std::size_t i = 0; i < std::size(actions); ++i) {
            QTest::addRow("%s, %s", qPrintable(breakerStateName(from)), actionNames[i])
                << from << actions[i].first << actions[i].second;
        }
    }
}

void TestCircuitBreaker::manualTransitionsFromEveryState()
{
    QFETCH(BreakerState, from);
    QFETCH(Action, action);
    QFETCH(BreakerState, to);
    FakeClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);
    QVERIFY(driveTo(breaker, clock, from));
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    switch (action) {
    case Action::ForceOpen:
        breaker.forceOpen();
        break;
    case Action::ForceClosed:
        breaker.forceClosed();
        break;
    case Action::Reset:
        breaker.reset();
        break;
    }

    QCOMPARE(breaker.state(), to);
    if (from == to) {
        QCOMPARE(spy.count(), 0);
    } else {
        QCOMPARE(spy.count(), 1);
        QCOMPARE(lastTransition(spy), Transition(from, to));
        QVERIFY(isLegalTransition(from, to));
    }
    // Leaving open cancels the pending half-open timer.
    QCOMPARE(clock.pendingTimers(), 0);
}

void TestCircuitBreaker::forceOpenShortCircuitsUntilReset()
{
    FakeClock clock;
    CircuitBreaker breaker(u"m"_s, openOnFirstFailure(), clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    breaker.forceOpen();
    QCOMPARE(spy.count(), 1);
    QVERIFY(!breaker.tryAcquire().has_value());
    clock.advance(1h); // no open period runs out when forced
    QCOMPARE(breaker.state(), BreakerState::ForcedOpen);
    QVERIFY(!breaker.tryAcquire().has_value());
    QCOMPARE(breaker.snapshot().remainingOpen, 0ms);

    breaker.reset();
    QCOMPARE(breaker.state(), BreakerState::Closed);
    QVERIFY(succeed(breaker));
    QCOMPARE(checkTransitions(transitionsOf(spy)), QString());
    QCOMPARE(spy.count(), 2);
}

void TestCircuitBreaker::forceClosedAdmitsEverythingAndRecordsNothing()
{
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.failureRate = 0.1;
    CircuitBreaker breaker(u"m"_s, policy, clock);
    QSignalSpy spy(&breaker, &CircuitBreaker::stateChanged);

    breaker.forceClosed();
    for (int i = 0; i < 50; ++i)
        QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), BreakerState::ForcedClosed);
    const BreakerSnapshot snapshot = breaker.snapshot();
    QCOMPARE(snapshot.callsInWindow, 0);
    QCOMPARE(snapshot.consecutiveFailures, 0);

    breaker.reset();
    QVERIFY(fail(breaker));
    QCOMPARE(breaker.state(), BreakerState::Open);
    QCOMPARE(checkTransitions(transitionsOf(spy)), QString());
    QCOMPARE(spy.count(), 3);
}

void TestCircuitBreaker::resetClearsWindowsAndOpenGrowth()
{
    FakeClock clock;
    BreakerPolicy policy = quietPolicy();
    policy.consecutiveFailures = 3;
    policy.openBackoff = 2.0;
    policy.minimumCalls = 100;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    QCOMPARE(indexWhereItOpens(breaker, u"SFFF"_s), 3);
    clock.advance(1000ms);
    QVERIFY(fail(breaker)); // probe fails: the next opening would last 2 s
    QCOMPARE(breaker.snapshot().remainingOpen, 2000ms);

    breaker.reset();
    BreakerSnapshot snapshot = breaker.snapshot();
    QCOMPARE(snapshot.state, BreakerState::Closed);
    QCOMPARE(snapshot.callsInWindow, 0);
    QCOMPARE(snapshot.consecutiveFailures, 0);
    QCOMPARE(snapshot.remainingOpen, 0ms);

    QVERIFY(fail(breaker));
    QVERIFY(fail(breaker));
    breaker.reset(); // while closed: no transition, but the run is forgotten
    QCOMPARE(breaker.snapshot().consecutiveFailures, 0);
    QCOMPARE(indexWhereItOpens(breaker, u"FFF"_s), 2);
    QCOMPARE(breaker.snapshot().remainingOpen, 1000ms);
}

void TestCircuitBreaker::concurrentCallersNeverExceedProbeLimit_data()
{
    QTest::addColumn<int>("probes");
    QTest::newRow("one") << 1;
    QTest::newRow("three") << 3;
}

void TestCircuitBreaker::concurrentCallersNeverExceedProbeLimit()
{
    QFETCH(int, probes);
    FakeClock clock;
    BreakerPolicy policy = openOnFirstFailure();
    policy.openDuration = 1ms; // keep it cycling: closed, open, half-open, again
    policy.halfOpenProbes = probes;
    CircuitBreaker breaker(u"m"_s, policy, clock);

    // QSignalSpy is not thread-safe; transitions are emitted on the workers' threads.
    std::mutex transitionsMutex;
    QList<Transition> transitions;
    connect(
        &breaker, &CircuitBreaker::stateChanged, this,
        [&](BreakerState from, BreakerState to) {
            std::lock_guard lock(transitionsMutex);
            transitions.append({from, to});
        },
        Qt::DirectConnection);
    QVERIFY(driveToHalfOpen(breaker, clock));

    constexpr int kThreads = 8;
    constexpr int kIterations = 10000;
    std::atomic<int> probesNow{0};
    std::atomic<int> maxProbes{0};
    std::atomic<int> probePermits{0};
    std::atomic<int> permits{0};
    std::atomic<int> results{0};
    std::atomic<int> finished{0};

    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            SeededRandom random(static_cast<std::uint64_t>(1000 + t));
            for (int i = 0; i < kIterations; ++i) {
                const auto permit = breaker.tryAcquire();
                if (!permit) {
                    std::this_thread::yield();
                    continue;
                }
                ++permits;
                if (permit->probe) {
                    ++probePermits;
                    // Counted after admission and uncounted before the result: never more
                    // than the breaker itself holds.
                    const int now = ++probesNow;
                    int seen = maxProbes.load();
                    while (now > seen && !maxProbes.compare_exchange_weak(seen, now)) {
                    }
                    std::this_thread::yield();
                    --probesNow;
                }
                const double roll = random.uniform01();
                if (roll < 0.25)
                    breaker.onFailure(*permit, 10ms);
                else if (roll < 0.35)
                    breaker.onIgnored(*permit);
                else
                    breaker.onSuccess(*permit, 10ms);
                ++results;
            }
            ++finished;
        });
    }
    // The breaker's thread moves simulated time on and runs its timer, while the workers
    // hit it.
    while (finished.load() < kThreads) {
        clock.advance(1ms);
        QCoreApplication::processEvents();
    }
    for (std::thread &worker : workers)
        worker.join();
    QCoreApplication::processEvents();

    QVERIFY2(maxProbes.load() <= probes,
             qPrintable(u"%1 probes in flight at once"_s.arg(maxProbes.load())));
    QVERIFY(maxProbes.load() >= 1);
    QVERIFY(probePermits.load() > 100);
    QCOMPARE(permits.load(), results.load());
    QCOMPARE(breaker.snapshot().probesInFlight, 0);

    std::lock_guard lock(transitionsMutex);
    QVERIFY(transitions.size() > 10);
    QCOMPARE(checkTransitions(transitions), QString());
    const auto count = [&](BreakerState from, BreakerState to) {
        return std::count(transitions.cbegin(), transitions.cend(), Transition(from, to));
    };
    QVERIFY(count(BreakerState::HalfOpen, BreakerState::Closed) > 0);
    QVERIFY(count(BreakerState::HalfOpen, BreakerState::Open) > 0);
}

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"

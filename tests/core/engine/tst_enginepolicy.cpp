// The engine's policy on simulated time (docs/engine.md): per-class retry bounds, each model's
// share of the budget, the retry budget, breakers that count calls, what a call does when
// every model is open, hedging, and when a stream has answered.
#include "engineharness.h"
#include "scenario/timescale.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

QList<Outcome> outcomes(const CallResult &result)
{
    QList<Outcome> list;
    for (const AttemptRecord &attempt : result.attempts)
        list.append(attempt.outcome);
    return list;
}

FakeReply serverError()
{
    return FakeReply::anthropicError(503, u"api_error"_s, u"unavailable"_s);
}

/// A breaker that opens on the first failure and stays open for a minute.
Config openOnFirstFailure(Config config = twoModelConfig())
{
    config.breaker.consecutiveFailures = 1;
    config.breaker.failureRate = 0;
    config.breaker.openDuration = Millis(60000);
    return config;
}

/// A model that takes the request and never answers.
FakeReply silent()
{
    return FakeReply::anthropicText(u"too late"_s, Millis(3600 * 1000));
}

/// An Anthropic stream whose head and message_start arrive at once and then nothing.
FakeReply streamThatNeverSpeaks()
{
    FakeReply reply = FakeReply::anthropicStream({});
    reply.chunks = {reply.chunks.first()};
    reply.finish = false;
    return reply;
}

} // namespace

class TestEnginePolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // --- per-class retry bounds -------------------------------------------------------

    void aModelThatTimedOutIsLeftAfterOneAttempt()
    {
        Config config = twoModelConfig();
        config.timeouts.firstToken = Millis(20000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {silent()});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Timeout, Outcome::Success}));
        QCOMPARE(result.attempts[1].start, Millis(20000));
        QCOMPARE(harness.transport.sentTo(kPrimary), 1);
    }

    void classBoundsCapRetriesOnTheSameModel_data()
    {
        QTest::addColumn<FakeReply>("failure");
        QTest::addColumn<int>("attemptsOnPrimary");
        QTest::newRow("connection: 2") << FakeReply::failed(TransportFailure::ConnectionReset) << 2;
        FakeReply notJson;
        notJson.headers = {{"content-type", "application/json"}};
        notJson.chunks = {"{not json"};
        QTest::newRow("malformed: 2") << notJson << 2;
        QTest::newRow("server_error: max_attempts (3)") << serverError() << 3;
    }
    void classBoundsCapRetriesOnTheSameModel()
    {
        QFETCH(FakeReply, failure);
        QFETCH(int, attemptsOnPrimary);
        EngineHarness harness;
        harness.transport.script(kPrimary, QList<FakeReply>(5, failure));
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(harness.transport.sentTo(kPrimary), attemptsOnPrimary);
    }

    void aClassBoundFromTheConfigAppliesToThatClassOnly()
    {
        Config config = twoModelConfig();
        config.retry.maxAttemptsByClass = {{Outcome::ServerError, 2}};
        EngineHarness harness(config);
        harness.transport.script(kPrimary, QList<FakeReply>(5, serverError()));
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(harness.transport.sentTo(kPrimary), 2);
        const auto hops = harness.eventsOf<FallbackHop>();
        QCOMPARE(hops.size(), 1);
        QVERIFY2(hops[0].reason.contains(u"server_error"_s), qPrintable(hops[0].reason));
    }

    // --- each model's share of the budget --------------------------------------------

    void aSilentPrimaryMaySpendOnlyItsShareOfTheBudget()
    {
        Config config = twoModelConfig();
        config.timeouts.firstToken = Millis(0);
        config.timeouts.attempt = Millis(30000);
        config.timeouts.total = Millis(40000);
        config.timeouts.modelShare = 0.5;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {silent()});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QCOMPARE(result.attempts[0].duration, Millis(20000));
        QCOMPARE(result.attempts[1].start, Millis(20000));
    }

    void retriesStopAtTheModelsShareAndTheChainMovesOn()
    {
        Config config = twoModelConfig();
        config.retry.maxAttempts = 5;
        config.retry.initial = Millis(2000);
        config.timeouts.total = Millis(40000);
        EngineHarness harness(config);
        // Attempts at 0, 2, 6 and 14 s fit into the primary's 20 s; a wait of 16 s would not.
        harness.transport.script(kPrimary, QList<FakeReply>(5, serverError()));
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(harness.transport.sentTo(kPrimary), 4);
        const auto hops = harness.eventsOf<FallbackHop>();
        QCOMPARE(hops.size(), 1);
        QVERIFY2(hops[0].reason.contains(u"share"_s), qPrintable(hops[0].reason));
        QCOMPARE(result.attempts[4].start, Millis(14000));
    }

    void theLastModelMayUseAllThatIsLeft()
    {
        Config config = twoModelConfig();
        config.timeouts.firstToken = Millis(0);
        config.timeouts.attempt = Millis(0);
        config.timeouts.total = Millis(40000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {silent()});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"late"_s, Millis(19000))});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.duration, Millis(39000));
    }

    void aModelShareOfOneLetsTheFirstModelSpendEverything()
    {
        Config config = twoModelConfig();
        config.timeouts.firstToken = Millis(0);
        config.timeouts.attempt = Millis(0);
        config.timeouts.total = Millis(40000);
        config.timeouts.modelShare = 1.0;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {silent()});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(harness.transport.sentTo(kFallback), 0);
    }

    // --- the retry budget ----------------------------------------------------------

    void aSpentRetryBudgetMovesOnInsteadOfRetrying()
    {
        Config config = twoModelConfig();
        config.retry.budgetRatio = 0.5;
        config.retry.budgetMinPerSecond = 0;
        EngineHarness harness(config);
        // One call alone: half a retry allowed, so none.
        harness.transport.script(kPrimary, {serverError()});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(harness.transport.sentTo(kPrimary), 1);
        const auto hops = harness.eventsOf<FallbackHop>();
        QVERIFY2(hops[0].reason.contains(u"retry budget"_s), qPrintable(hops[0].reason));
    }

    void theRetryBudgetIsShareOfFirstAttemptsPlusAFloor()
    {
        FakeClock clock;
        RetryPolicy policy;
        policy.budgetRatio = 0.2;
        policy.budgetMinPerSecond = 0.3; // 3 over the 10 s window
        RetryBudget budget(policy, clock);
        for (int i = 0; i < 10; ++i)
            budget.recordFirstAttempt();
        // 0.2 × 10 + 3 = 5 retries.
        for (int i = 0; i < 5; ++i)
            QVERIFY(budget.tryRetry());
        QVERIFY(!budget.tryRetry());
        QCOMPARE(budget.snapshot().retries, 5);
        // Ten seconds later the window has forgotten them all.
        clock.advance(Millis(10000));
        QCOMPARE(budget.snapshot().firstAttempts, 0);
        for (int i = 0; i < 3; ++i)
            QVERIFY(budget.tryRetry());
        QVERIFY(!budget.tryRetry());
    }

    void aRetryBudgetRatioOfZeroTurnsTheBudgetOff()
    {
        FakeClock clock;
        RetryPolicy policy;
        policy.budgetRatio = 0;
        policy.budgetMinPerSecond = 0;
        RetryBudget budget(policy, clock);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(budget.tryRetry());
    }

    // --- breakers that count calls -------------------------------------------------

    void countingCallsTheBreakerSeesOneFailurePerModelVisit()
    {
        Config config = twoModelConfig();
        config.breaker.counts = BreakerCounting::Calls;
        config.breaker.consecutiveFailures = 2;
        config.breaker.failureRate = 0;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, QList<FakeReply>(6, serverError()));
        const CallResult first = harness.run(u"one"_s);
        QCOMPARE(first.source, kFallback);
        QCOMPARE(harness.transport.sentTo(kPrimary), 3);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Closed);
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().consecutiveFailures, 1);
        harness.run(u"two"_s);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Open);
    }

    void countingAttemptsTheSameFailuresOpenTheBreakerMidCall()
    {
        Config config = twoModelConfig();
        config.breaker.counts = BreakerCounting::Attempts;
        config.breaker.consecutiveFailures = 2;
        config.breaker.failureRate = 0;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, QList<FakeReply>(6, serverError()));
        const CallResult first = harness.run(u"one"_s);
        QCOMPARE(first.source, kFallback);
        QCOMPARE(harness.transport.sentTo(kPrimary), 2);
        QCOMPARE(first.attempts[2].outcome, Outcome::ShortCircuited);
    }

    void countingCallsARetriedSuccessIsOneSuccessfulCall()
    {
        Config config = twoModelConfig();
        config.breaker.counts = BreakerCounting::Calls;
        config.breaker.consecutiveFailures = 2;
        config.breaker.failureRate = 0;
        EngineHarness harness(config);
        harness.transport.script(
            kPrimary, {serverError(), serverError(), FakeReply::anthropicText(u"third time"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().consecutiveFailures, 0);
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().callsInWindow, 1);
    }

    void countingCallsAHalfOpenProbeIsTheWholeRetriedCall()
    {
        Config config = openOnFirstFailure();
        config.breaker.counts = BreakerCounting::Calls;
        config.breaker.openDuration = Millis(5000);
        config.breaker.whenAllOpen = WhenAllOpen::Degrade;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, QList<FakeReply>(3, serverError()));
        harness.run(u"opens it"_s);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Open);
        harness.clock.advance(Millis(5000));
        // The probe fails once, then succeeds on its retry: one successful probe call.
        harness.transport.script(kPrimary, {serverError(), FakeReply::anthropicText(u"back"_s)});
        const CallResult probe = harness.run(u"probe"_s);
        QCOMPARE(probe.source, kPrimary);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Closed);
    }

    // --- when every model is open ---------------------------------------------------

    void whenEveryModelIsOpenOneAttemptGoesToTheModelOpenLongest()
    {
        EngineHarness harness(openOnFirstFailure());
        // The first call opens both; having tried them, it is not sent past them.
        harness.transport.script(kPrimary, {serverError()});
        harness.transport.script(kFallback, {serverError()});
        const CallResult opening = harness.run(u"opens both"_s);
        QVERIFY(!opening.attempts.last().panic);
        QCOMPARE(opening.source, sources::degraded);
        QCOMPARE(harness.transport.sent().size(), 2);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Open);
        QCOMPARE(harness.breakers.breaker(kFallback).state(), BreakerState::Open);
        harness.clock.advance(Millis(1000));

        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"back again"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::ShortCircuited, Outcome::ShortCircuited,
                                                   Outcome::Success}));
        QVERIFY(result.attempts[2].panic);
        // The model answers again: the next call may probe it at once.
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::HalfOpen);
        QCOMPARE(harness.breakers.breaker(kFallback).state(), BreakerState::Open);
    }

    void aFailedAttemptPastOpenBreakersRecordsNothingAndDegrades()
    {
        EngineHarness harness(openOnFirstFailure());
        harness.transport.script(kPrimary, {serverError(), serverError()});
        harness.transport.script(kFallback, {serverError()});
        harness.run(u"opens both"_s);
        const Millis openFor = harness.breakers.breaker(kPrimary).snapshot().remainingOpen;
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(result.attempts.size(), 3);
        QCOMPARE(result.attempts[2].outcome, Outcome::ServerError);
        // The fallback opened last, so the primary, open longest, was tried.
        QCOMPARE(result.attempts[2].model, kPrimary);
        QCOMPARE(harness.transport.sentTo(kPrimary), 2);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Open);
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().remainingOpen, openFor);
    }

    void whenAllOpenDegradeAnswersAtOnce()
    {
        Config config = openOnFirstFailure();
        config.breaker.whenAllOpen = WhenAllOpen::Degrade;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {serverError()});
        harness.transport.script(kFallback, {serverError()});
        harness.run(u"opens both"_s);
        const int sent = harness.transport.sent().size();
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(harness.transport.sent().size(), sent);
        QCOMPARE(result.duration, Millis(0));
    }

    void aCallThatHasTriedAModelIsNotSentPastOpenBreakers()
    {
        Config config = openOnFirstFailure();
        config.retry.maxAttemptsByClass = {{Outcome::ServerError, 1}};
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {serverError()});
        harness.transport.script(kFallback, {serverError()});
        harness.run(u"opens both"_s);
        harness.breakers.breaker(kPrimary).reset();
        QCOMPARE(harness.breakers.breaker(kFallback).state(), BreakerState::Open);

        // The primary is tried and fails; the open fallback is not tried past its breaker:
        // in an outage, a call's own failures already cost it enough.
        harness.transport.script(kPrimary, {serverError()});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::ServerError, Outcome::ShortCircuited}));
        QCOMPARE(harness.transport.sentTo(kFallback), 1);
    }

    void aForcedOpenModelIsNeverTriedPast()
    {
        EngineHarness harness(openOnFirstFailure());
        harness.breakers.breaker(kPrimary).forceOpen();
        harness.breakers.breaker(kFallback).forceOpen();
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(harness.transport.sent().size(), 0);
    }

    // --- the breaker's opening ----------------------------------------------------

    void theOpeningGrowsOnEachReopenUpToItsMaximum()
    {
        FakeClock clock;
        BreakerPolicy policy;
        policy.consecutiveFailures = 1;
        policy.failureRate = 0;
        policy.openDuration = Millis(5000);
        policy.openBackoff = 2.0;
        policy.openMax = Millis(12000);
        CircuitBreaker breaker(u"m"_s, policy, clock);
        QList<Millis> openings;
        for (int i = 0; i < 4; ++i) {
            const auto permit = breaker.tryAcquire();
            QVERIFY(permit);
            breaker.onFailure(*permit, Millis(1));
            openings.append(breaker.snapshot().remainingOpen);
            clock.advance(breaker.snapshot().remainingOpen);
            QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        }
        QCOMPARE(openings,
                 (QList<Millis>{Millis(5000), Millis(10000), Millis(12000), Millis(12000)}));
        // A close forgets the growth.
        const auto probe = breaker.tryAcquire();
        breaker.onSuccess(*probe, Millis(1));
        QCOMPARE(breaker.state(), BreakerState::Closed);
        breaker.onFailure(*breaker.tryAcquire(), Millis(1));
        QCOMPARE(breaker.snapshot().remainingOpen, Millis(5000));
    }

    void aTimeScaledRunKeepsThePolicysShape()
    {
        Config config = twoModelConfig();
        config.breaker.window = WindowKind::Time;
        config.breaker.windowSize = 10;
        config.breaker.openMax = Millis(60000);
        config.hedge.after = Millis(2000);
        config.retry.budgetMinPerSecond = 5;
        const Config scaled = timeScaled(config, 0.1);
        // Ten buckets of a tenth of a second, not one bucket of a whole one.
        QCOMPARE(scaled.breaker.windowSize, 10);
        QCOMPARE(scaled.breaker.windowSecond, Millis(100));
        QCOMPARE(scaled.breaker.openMax, Millis(6000));
        QCOMPARE(scaled.hedge.after, Millis(200));
        QCOMPARE(scaled.retry.budgetWindow, Millis(1000));
        QCOMPARE(scaled.retry.budgetMinPerSecond, 50.0);

        FakeClock clock;
        CircuitBreaker breaker(u"m"_s, [&] {
            BreakerPolicy policy = scaled.breaker;
            policy.minimumCalls = 2;
            policy.failureRate = 0.5;
            return policy;
        }(), clock);
        breaker.onFailure(*breaker.tryAcquire(), Millis(1));
        clock.advance(Millis(999));
        QCOMPARE(breaker.snapshot().callsInWindow, 1);
        clock.advance(Millis(1));
        QCOMPARE(breaker.snapshot().callsInWindow, 0);
    }

    // --- hedging ----------------------------------------------------------------

    void aHedgeStartsTheNextModelWhenTheFirstHasNotAnswered()
    {
        Config config = twoModelConfig();
        config.hedge.after = Millis(2000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"slow"_s, Millis(10000))});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"quick"_s, Millis(1000))});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.text, u"quick"_s);
        QCOMPARE(result.duration, Millis(3000));
        QCOMPARE(result.attempts.size(), 2);
        QCOMPARE(result.attempts[0].model, kFallback);
        QVERIFY(result.attempts[0].hedge);
        QCOMPARE(result.attempts[0].start, Millis(2000));
        QCOMPARE(result.attempts[1].model, kPrimary);
        QCOMPARE(result.attempts[1].outcome, Outcome::Cancelled);
        QCOMPARE(harness.transport.openRequests(), 0);
        QCOMPARE(harness.eventsOf<AttemptStarted>().last().hedge, true);
    }

    void theOvertakenAttemptMayStillWin()
    {
        Config config = twoModelConfig();
        config.hedge.after = Millis(2000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"first"_s, Millis(3000))});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"second"_s, Millis(5000))});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.duration, Millis(3000));
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Success, Outcome::Cancelled}));
        QCOMPARE(result.attempts[1].model, kFallback);
        QCOMPARE(harness.transport.openRequests(), 0);
    }

    void noHedgeWhenTheFirstAnswerComesInTime()
    {
        Config config = twoModelConfig();
        config.hedge.after = Millis(2000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"in time"_s, Millis(1500))});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(harness.transport.sentTo(kFallback), 0);
    }

    void whenTheHedgeFailsTheCallWaitsForTheOvertakenAttempt()
    {
        Config config = twoModelConfig();
        config.hedge.after = Millis(2000);
        config.cache.enabled = false;
        EngineHarness harness(config);
        harness.transport.script(kPrimary,
                                 {FakeReply::anthropicText(u"eventually"_s, Millis(8000))});
        harness.transport.script(
            kFallback, {FakeReply::anthropicError(401, u"authentication_error"_s, u"no"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.duration, Millis(8000));
    }

    void betweenTwoStreamsTheFirstToBringTextWins()
    {
        Config config = twoModelConfig();
        config.hedge.after = Millis(2000);
        EngineHarness harness(config);
        FakeReply slowStart = FakeReply::anthropicStream({u"pri"_s, u"mary"_s}, Millis(3000));
        FakeReply quick = FakeReply::anthropicStream({u"fall"_s, u"back"_s}, Millis(500));
        quick.latency = Millis(100);
        harness.transport.script(kPrimary, {slowStart});
        harness.transport.script(kFallback, {quick});
        const CallResult result = harness.run(u"p"_s, /*stream=*/true);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.text, u"fallback"_s);
        // Only the winner's text reached the caller.
        for (const StreamDelta &delta : harness.eventsOf<StreamDelta>())
            QCOMPARE(delta.model, kFallback);
    }

    // --- when a stream has answered -----------------------------------------------

    void aStreamThatOnlySaysItBeganHasNotAnsweredItsFirstToken()
    {
        Config config = twoModelConfig();
        config.timeouts.firstToken = Millis(5000);
        config.timeouts.idle = Millis(60000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {streamThatNeverSpeaks()});
        harness.transport.script(kFallback, {FakeReply::anthropicStream({u"hi"_s})});
        const CallResult result = harness.run(u"p"_s, /*stream=*/true);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QCOMPARE(result.attempts[0].duration, Millis(5000));
    }
};

QTEST_GUILESS_MAIN(TestEnginePolicy)
#include "tst_enginepolicy.moc"

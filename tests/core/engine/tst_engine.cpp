// The resilience engine on simulated time: each step of the chain, the timeout budget,
// cancellation and the event stream, against a scripted transport.
#include "engine/truncation.h"
#include "engineharness.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

HttpHeaders retryAfter(const QByteArray &name, const QByteArray &value)
{
    return HttpHeaders{{name, value}};
}

QList<Outcome> outcomes(const CallResult &result)
{
    QList<Outcome> list;
    for (const AttemptRecord &attempt : result.attempts)
        list.append(attempt.outcome);
    return list;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void answersFromPrimaryWhenItSucceeds()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"hello"_s, Millis(400))});
        const CallResult result = harness.run(u"Say hello"_s);
        QVERIFY(result.success);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.text, u"hello"_s);
        QVERIFY(!result.degraded);
        QCOMPARE(result.attempts.size(), 1);
        QCOMPARE(result.attempts[0].outcome, Outcome::Success);
        QCOMPARE(result.attempts[0].httpStatus, 200);
        QCOMPARE(result.attempts[0].duration, Millis(400));
        QCOMPARE(result.duration, Millis(400));
        QCOMPARE(result.inputTokens, 10);
        QVERIFY(!result.errorClass);
    }

    void retriesServerErrorsWithExponentialBackoffThenSucceeds()
    {
        EngineHarness harness;
        harness.transport.script(
            kPrimary, {FakeReply::anthropicError(503, u"api_error"_s, u"unavailable"_s),
                       FakeReply::anthropicError(500, u"api_error"_s, u"boom"_s),
                       FakeReply::anthropicText(u"finally"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::ServerError, Outcome::ServerError,
                                                   Outcome::Success}));
        QCOMPARE(result.attempts[0].delay, std::optional<Millis>(Millis(1000)));
        QCOMPARE(result.attempts[1].delay, std::optional<Millis>(Millis(2000)));
        QCOMPARE(result.attempts[0].delaySource, DelaySource::Backoff);
        QCOMPARE(result.attempts[1].n, 1);
        QCOMPARE(result.attempts[2].start, Millis(3000));
        const auto retries = harness.eventsOf<RetryScheduled>();
        QCOMPARE(retries.size(), 2);
        QCOMPARE(retries[1].delay, Millis(2000));
        QCOMPARE(retries[1].nextAttempt, 2);
    }

    void honoursRetryAfterHints_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<Millis>("expectedDelay");
        QTest::addColumn<DelaySource>("expectedSource");
        QTest::newRow("retry-after seconds") << QByteArray("retry-after") << QByteArray("7")
                                             << Millis(7000) << DelaySource::RetryAfter;
        QTest::newRow("retry-after-ms") << QByteArray("retry-after-ms") << QByteArray("1500")
                                        << Millis(1500) << DelaySource::RetryAfterMs;
    }
    void honoursRetryAfterHints()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QFETCH(Millis, expectedDelay);
        QFETCH(DelaySource, expectedSource);
        EngineHarness harness;
        harness.transport.script(
            kPrimary, {FakeReply::anthropicError(429, u"rate_limit_error"_s, u"slow down"_s,
                                                 retryAfter(header, value)),
                       FakeReply::anthropicText(u"ok"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.attempts[0].outcome, Outcome::RateLimited);
        QCOMPARE(result.attempts[0].delay, std::optional<Millis>(expectedDelay));
        QCOMPARE(result.attempts[0].delaySource, expectedSource);
        QCOMPARE(result.attempts[1].start, expectedDelay);
    }

    void retryAfterAboveCapMovesToFallbackAtOnce()
    {
        EngineHarness harness;
        harness.transport.script(
            kPrimary, {FakeReply::anthropicError(429, u"rate_limit_error"_s, u"later"_s,
                                                 retryAfter("retry-after", "600"))});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"from haiku"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.attempts.size(), 2);
        QCOMPARE(result.attempts[1].start, Millis(0));
        const auto hops = harness.eventsOf<FallbackHop>();
        QCOMPARE(hops.size(), 1);
        QCOMPARE(hops[0].from, kPrimary);
        QCOMPARE(hops[0].to, kFallback);
    }

    void neverRetriesAuthErrorsAndFallsBack()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicError(
                                               401, u"authentication_error"_s, u"invalid x-api-key"_s)});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"backup"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Auth, Outcome::Success}));
        QCOMPARE(harness.transport.sentTo(kPrimary), 1);
        // auth does not count against the breaker
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().failuresInWindow, 0);
    }

    void fallsBackWhenAttemptsAreExhausted()
    {
        EngineHarness harness;
        FakeReply overloaded = FakeReply::anthropicError(529, u"overloaded_error"_s, u"Overloaded"_s);
        harness.transport.script(kPrimary, {overloaded, overloaded, overloaded});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"haiku"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Overloaded, Outcome::Overloaded,
                                                   Outcome::Overloaded, Outcome::Success}));
        QVERIFY(!result.attempts[2].delay); // the last attempt on a model schedules no wait
        QCOMPARE(result.attempts[3].start, Millis(3000));
    }

    void shortCircuitsWhenTheBreakerOpensMidCall()
    {
        Config config = twoModelConfig();
        config.breaker.consecutiveFailures = 2;
        config.retry.maxAttempts = 5;
        EngineHarness harness(config);
        FakeReply down = FakeReply::anthropicError(503, u"api_error"_s, u"down"_s);
        harness.transport.script(kPrimary, {down, down, down, down, down});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"haiku"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::ServerError, Outcome::ServerError,
                                                   Outcome::ShortCircuited, Outcome::Success}));
        QCOMPARE(result.attempts[2].n, 2);
        QCOMPARE(harness.transport.sentTo(kPrimary), 2);
        QCOMPARE(harness.breakers.breaker(kPrimary).state(), BreakerState::Open);
        const auto transitions = harness.eventsOf<BreakerTransition>();
        QCOMPARE(transitions.size(), 1);
        QCOMPARE(transitions[0].to, BreakerState::Open);
        QCOMPARE(harness.eventsOf<ShortCircuited>().size(), 1);

        // The next call does not touch the open primary at all.
        const CallResult second = harness.run(u"q"_s);
        QCOMPARE(second.source, kFallback);
        QCOMPARE(second.attempts[0].outcome, Outcome::ShortCircuited);
        QCOMPARE(second.attempts[0].duration, Millis(0));
        QCOMPARE(harness.transport.sentTo(kPrimary), 2);
    }

    void servesTheLastGoodAnswerFromCacheWhenEveryModelFails()
    {
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"cached answer"_s)});
        QCOMPARE(harness.run(u"same prompt"_s).source, kPrimary);
        harness.transport.setFallbackReply(FakeReply::anthropicError(500, u"api_error"_s, u"x"_s));
        const CallResult result = harness.run(u"same prompt"_s);
        QVERIFY(result.success);
        QCOMPARE(result.source, sources::cache);
        QCOMPARE(result.text, u"cached answer"_s);
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::ServerError));
        QCOMPARE(harness.run(u"another prompt"_s).source, sources::degraded);
    }

    void cacheFirstModeAnswersBeforeAnyModel()
    {
        Config config = twoModelConfig();
        config.cache.mode = CacheMode::First;
        EngineHarness harness(config);
        QCOMPARE(harness.run(u"p"_s).source, kPrimary);
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::cache);
        QVERIFY(result.attempts.isEmpty());
        QCOMPARE(harness.transport.sent().size(), 1);
    }

    void cacheEntriesExpireAfterTheirTtl()
    {
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        config.cache.ttl = Millis(10000);
        EngineHarness harness(config);
        QCOMPARE(harness.run(u"p"_s).source, kPrimary);
        harness.clock.advance(Millis(10000));
        harness.transport.setFallbackReply(FakeReply::anthropicError(500, u"api_error"_s, u"x"_s));
        QCOMPARE(harness.run(u"p"_s).source, sources::degraded);
    }

    void degradesWithTheConfiguredTextWhenNothingElseIsLeft()
    {
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        config.degradedText = u"Sorry, later."_s;
        EngineHarness harness(config);
        harness.transport.setFallbackReply(FakeReply::failed(TransportFailure::ConnectionRefused));
        const CallResult result = harness.run(u"p"_s);
        QVERIFY(result.success);
        QVERIFY(result.degraded);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(result.text, u"Sorry, later."_s);
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::Connection));
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Connection, Outcome::Connection}));
        const auto hops = harness.eventsOf<FallbackHop>();
        QCOMPARE(hops.size(), 2);
        QCOMPARE(hops[1].to, sources::cache);
    }

    void aRetryThatWouldEndPastTheDeadlineIsNotScheduled()
    {
        Config config = twoModelConfig();
        config.retry.initial = Millis(8000);
        config.timeouts.total = Millis(5000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicError(503, u"api_error"_s, u"x"_s)});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"quick"_s)});
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, kFallback);
        QVERIFY(!result.attempts[0].delay);
        QCOMPARE(result.attempts[1].start, Millis(0));
        QVERIFY(harness.eventsOf<RetryScheduled>().isEmpty());
    }

    void theTotalBudgetEndsAHungCallWithTheCacheOrDegradedAnswer()
    {
        Config config = twoModelConfig();
        config.timeouts.total = Millis(5000);
        config.timeouts.attempt = Millis(30000);
        config.timeouts.firstToken = Millis(0);
        config.timeouts.modelShare = 1.0; // the primary may spend the whole budget
        EngineHarness harness(config);
        harness.transport.setFallbackReply(FakeReply::hang());
        const CallResult result = harness.run(u"p"_s);
        QCOMPARE(result.source, sources::degraded);
        QCOMPARE(result.duration, Millis(5000));
        QCOMPARE(result.attempts.size(), 1); // the fallback model is never reached
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QCOMPARE(harness.transport.openRequests(), 0);
    }

    void eachTimeoutAbortsItsAttempt_data()
    {
        QTest::addColumn<FakeReply>("reply");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<Millis>("expectedDuration");
        FakeReply neverConnects = FakeReply::anthropicText(u"x"_s, Millis(60000));
        neverConnects.sent = false;
        QTest::newRow("connect") << neverConnects << false << Millis(5000);
        QTest::newRow("first token") << FakeReply::anthropicText(u"x"_s, Millis(60000)) << false
                                     << Millis(20000);
        FakeReply stalls = FakeReply::anthropicStream({u"a"_s, u"b"_s});
        stalls.chunks = stalls.chunks.mid(0, 3); // message_start, block start, one delta
        stalls.finish = false;
        QTest::newRow("idle between chunks") << stalls << true << Millis(10000);
        FakeReply slowStream = FakeReply::anthropicStream(QStringList(40, u"tok"_s), Millis(1000));
        QTest::newRow("attempt") << slowStream << true << Millis(30000);
    }
    void eachTimeoutAbortsItsAttempt()
    {
        QFETCH(FakeReply, reply);
        QFETCH(bool, stream);
        QFETCH(Millis, expectedDuration);
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {reply});
        harness.transport.script(kFallback, {stream ? FakeReply::anthropicStream({u"fallback"_s})
                                                    : FakeReply::anthropicText(u"fallback"_s)});
        const CallResult result = harness.run(u"p"_s, stream);
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QCOMPARE(result.attempts[0].duration, expectedDuration);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(harness.transport.openRequests(), 0);
    }

    void oneTimerWatchesEveryLimitOfACall()
    {
        {
            EngineHarness hung;
            hung.transport.setFallbackReply(FakeReply::hang());
            hung.start(u"p"_s);
            hung.clock.advance(Millis(1)); // the fake transport's own step: request sent
            // Budget, connect, first-token and attempt limits: one timer, for the earliest.
            QCOMPARE(hung.clock.pendingTimers(), 1);
        }
        EngineHarness harness;
        harness.transport.setFallbackReply(FakeReply::anthropicText(u"late"_s, Millis(8000)));
        harness.start(u"p"_s);
        // The connect limit (5 s) was cleared once the request went out: when the timer
        // fires for it, nothing ends, and it is set again for the next limit.
        harness.drive();
        QCOMPARE(harness.results.size(), 1);
        const CallResult result = harness.results.first();
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.attempts.size(), 1);
        QCOMPARE(result.duration, Millis(8000));
        QCOMPARE(harness.clock.pendingTimers(), 0);
    }

    void aLaterCallTimesOutAtItsOwnLimitsOnAReusedWatchdog()
    {
        // The engine hands a finished call's watchdog to the next call: it must carry none of
        // the old call's deadlines, nor fire into it.
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        EngineHarness harness(config);
        harness.transport.script(kPrimary,
                                 {FakeReply::anthropicText(u"quick"_s, Millis(2000)),
                                  FakeReply::anthropicText(u"too late"_s, Millis(60000))});
        harness.transport.setFallbackReply(FakeReply::anthropicText(u"fallback"_s));
        const CallResult first = harness.run(u"first"_s);
        QCOMPARE(first.source, kPrimary);
        QCOMPARE(first.duration, Millis(2000));
        QCOMPARE(harness.clock.pendingTimers(), 0);

        harness.clock.advance(Millis(1500));
        const CallResult second = harness.run(u"second"_s);
        QCOMPARE(second.attempts.size(), 2);
        QCOMPARE(second.attempts[0].outcome, Outcome::Timeout);
        // The first-token limit (20 s), counted from this call's own attempt.
        QCOMPARE(second.attempts[0].duration, Millis(20000));
        QCOMPARE(second.source, kFallback);
        QCOMPARE(harness.clock.pendingTimers(), 0);
        QCOMPARE(harness.eventsOf<AttemptFinished>().first().outcome, Outcome::Success);
    }

    void streamsDeltasAsTheyArrive()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicStream({u"Hel"_s, u"lo"_s, u"!"_s},
                                                                       Millis(100))});
        const CallResult result = harness.run(u"p"_s, true);
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.text, u"Hello!"_s);
        const auto deltas = harness.eventsOf<StreamDelta>();
        QCOMPARE(deltas.size(), 3);
        QCOMPARE(deltas[0].text, u"Hel"_s);
        QVERIFY(deltas[0].at < deltas[2].at);
    }

    void aMidStreamOverloadIsRetried()
    {
        EngineHarness harness;
        FakeReply broken = FakeReply::anthropicStream({u"par"_s});
        broken.chunks = broken.chunks.mid(0, 3);
        broken.chunks.append(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            "\"message\":\"Overloaded\"}}\n\n");
        harness.transport.script(kPrimary, {broken, FakeReply::anthropicStream({u"whole"_s})});
        const CallResult result = harness.run(u"p"_s, true);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Overloaded, Outcome::Success}));
        QCOMPARE(result.text, u"whole"_s);
    }

    void aStreamCutShortIsMalformedAndRetried()
    {
        EngineHarness harness;
        FakeReply truncated = FakeReply::anthropicStream({u"a"_s, u"b"_s});
        // Cut before the stop reason (message_delta) and message_stop, then a clean close: a
        // stream that had carried its stop reason would be a complete answer.
        truncated.chunks.removeLast();
        truncated.chunks.removeLast();
        harness.transport.script(kPrimary, {truncated, FakeReply::anthropicStream({u"ok"_s})});
        const CallResult result = harness.run(u"p"_s, true);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::Malformed, Outcome::Success}));
    }

    void contextOverflowTruncatesThePromptAndTriesOnceMore()
    {
        EngineHarness harness;
        const QString prompt = u"HEAD "_s + QString(8000, u'x') + u" TAIL"_s;
        harness.transport.script(
            kPrimary,
            {FakeReply::anthropicError(400, u"invalid_request_error"_s,
                                       u"prompt is too long: 2003 tokens > 1000 maximum"_s),
             FakeReply::anthropicText(u"short enough"_s)});
        const CallResult result = harness.run(prompt);
        QCOMPARE(result.source, kPrimary);
        QVERIFY(result.truncated);
        QCOMPARE(outcomes(result), (QList<Outcome>{Outcome::ContextOverflow, Outcome::Success}));
        QVERIFY(!result.attempts[0].delay);
        const QString sentPrompt = harness.transport.sent().at(1).prompt;
        QVERIFY(sentPrompt.size() < prompt.size() / 2 + 100);
        QVERIFY(estimateTokens(sentPrompt) <= 1000);
        QVERIFY(sentPrompt.startsWith(u"HEAD "_s)); // head_tail keeps both ends
        QVERIFY(sentPrompt.endsWith(u" TAIL"_s));
        // context overflow says nothing about the model's health
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().failuresInWindow, 0);
    }

    void contextOverflowCanSkipToAModelWithALargerWindow()
    {
        Config config = twoModelConfig();
        config.context.onOverflow = OverflowAction::NextModel;
        config.chain.append(ChainEntry{u"chaos"_s, u"big-window"_s, 1024, 1000000, 0});
        config.chain[1].contextWindow = 100000; // haiku: too small as well
        EngineHarness harness(config);
        harness.transport.script(
            kPrimary, {FakeReply::anthropicError(400, u"invalid_request_error"_s,
                                                 u"prompt is too long: 250000 tokens > 200000 maximum"_s)});
        harness.transport.script(u"big-window"_s, {FakeReply::anthropicText(u"fits"_s)});
        const CallResult result = harness.run(u"a very long prompt"_s);
        QCOMPARE(result.source, u"big-window"_s);
        QCOMPARE(harness.transport.sentTo(kFallback), 0);
        QVERIFY(!result.truncated);
    }

    void aFullBulkheadSkipsToTheNextModelInsteadOfQueueing()
    {
        Config config = twoModelConfig();
        config.chain[0].maxConcurrency = 1;
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicText(u"slow"_s, Millis(2000))});
        harness.transport.script(kFallback, {FakeReply::anthropicText(u"spill"_s, Millis(100))});
        const QString first = harness.start(u"one"_s);
        const QString second = harness.start(u"two"_s);
        harness.drive();
        QCOMPARE(harness.result(first)->source, kPrimary);
        const CallResult spilled = *harness.result(second);
        QCOMPARE(spilled.source, kFallback);
        QCOMPARE(spilled.attempts[0].outcome, Outcome::BulkheadFull);
        QCOMPARE(harness.bulkheads.inFlight(kPrimary), 0);
    }

    void cancellingAbortsTheAttemptAndYieldsACancelledResult()
    {
        EngineHarness harness;
        harness.transport.setFallbackReply(FakeReply::hang());
        const QString id = harness.start(u"p"_s);
        QCoreApplication::processEvents();
        harness.clock.advance(Millis(1500));
        QCOMPARE(harness.transport.openRequests(), 1);
        harness.engine->cancel(id);
        // The call ends inside cancel(); its completion waits for the event loop.
        QVERIFY(!harness.result(id));
        QCoreApplication::processEvents();
        const auto result = harness.result(id);
        QVERIFY(result);
        QVERIFY(!result->success);
        QCOMPARE(result->source, sources::error);
        QCOMPARE(result->errorClass, std::optional<Outcome>(Outcome::Cancelled));
        QCOMPARE(result->attempts.last().outcome, Outcome::Cancelled);
        QCOMPARE(result->duration, Millis(1500));
        QCOMPARE(harness.transport.openRequests(), 0);
        QCOMPARE(harness.clock.pendingTimers(), 0);
        // A cancelled probe must not hold the breaker's slot.
        QCOMPARE(harness.breakers.breaker(kPrimary).snapshot().probesInFlight, 0);
        harness.drive();
        QCOMPARE(harness.engine->callsInFlight(), 0);
    }

    void cancellingDuringARetryWaitDropsTheRetry()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicError(503, u"api_error"_s, u"x"_s)});
        const QString id = harness.start(u"p"_s);
        QCoreApplication::processEvents();
        harness.clock.advance(Millis(10));
        QCOMPARE(harness.eventsOf<RetryScheduled>().size(), 1);
        harness.engine->cancelAll();
        QCoreApplication::processEvents();
        QCOMPARE(harness.result(id)->errorClass, std::optional<Outcome>(Outcome::Cancelled));
        harness.clock.advance(Millis(60000));
        QCOMPARE(harness.transport.sent().size(), 1);
    }

    void destroyingTheEngineMidCallGivesBackTheBreakerProbeAndBulkheadSlot()
    {
        Config config = twoModelConfig();
        config.chain[0].maxConcurrency = 1;
        config.retry.maxAttempts = 1;
        config.breaker.consecutiveFailures = 1;
        config.breaker.openDuration = Millis(1000);
        EngineHarness harness(config);
        harness.transport.script(kPrimary, {FakeReply::anthropicError(503, u"api_error"_s, u"x"_s),
                                            FakeReply::hang()});
        QCOMPARE(harness.run(u"opens the breaker"_s).source, kFallback);
        CircuitBreaker &breaker = harness.breakers.breaker(kPrimary);
        harness.clock.advance(Millis(1000));
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        harness.start(u"the probe"_s);
        QCoreApplication::processEvents();
        harness.clock.advance(Millis(10));
        QCOMPARE(breaker.snapshot().probesInFlight, 1);
        QCOMPARE(harness.bulkheads.inFlight(kPrimary), 1);
        harness.engine.reset();
        QCOMPARE(harness.bulkheads.inFlight(kPrimary), 0);
        QCOMPARE(breaker.snapshot().probesInFlight, 0);
        QCOMPARE(harness.transport.openRequests(), 0);
    }

    void aCallIsSentAtOnceAndCompletesOnlyFromTheEventLoop()
    {
        EngineHarness harness;
        const QString sent = harness.start(u"p"_s);
        // The first attempt is on its way before call() returns: no trip through the loop.
        QCOMPARE(harness.transport.sent().size(), 1);
        QVERIFY(!harness.result(sent));
        // A call that ends inside call() (an empty prompt) still completes only later.
        const QString empty = harness.start(u" "_s);
        QVERIFY(!harness.result(empty));
        QCOMPARE(harness.eventsOf<CallFinished>().size(), 1);
        QCoreApplication::processEvents();
        QVERIFY(harness.result(empty));
        harness.drive();
        QCOMPARE(harness.result(sent)->source, kPrimary);
    }

    void aCompletionMayDestroyTheEngine()
    {
        EngineHarness harness;
        int completions = 0;
        for (const QString &prompt : {u" "_s, u"\t"_s}) {
            CallRequest request;
            request.prompt = prompt;
            harness.engine->call(request, [&](const CallResult &) {
                ++completions;
                harness.engine.reset();
            });
        }
        QCoreApplication::processEvents();
        // The first completion destroyed the engine; the second is dropped with it.
        QCOMPARE(completions, 1);
        QVERIFY(!harness.engine);
    }

    void anEmptyPromptIsAnInvalidRequest()
    {
        EngineHarness harness;
        const CallResult result = harness.run(u"  "_s);
        QVERIFY(!result.success);
        QCOMPARE(result.source, sources::error);
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::BadRequest));
        QVERIFY(harness.transport.sent().isEmpty());
    }

    void aRequestEveryModelRejectsIsAnErrorNotADegradedAnswer()
    {
        EngineHarness harness;
        harness.transport.setFallbackReply(
            FakeReply::anthropicError(400, u"invalid_request_error"_s, u"max_tokens: too large"_s));
        const CallResult result = harness.run(u"p"_s);
        QVERIFY(!result.success);
        QCOMPARE(result.source, sources::error);
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::BadRequest));
        QCOMPARE(harness.transport.sent().size(), 2); // never retried
    }

    void publishesOneOrderedEventStream()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicError(529, u"overloaded_error"_s,
                                                                      u"Overloaded"_s),
                                            FakeReply::anthropicText(u"ok"_s)});
        harness.run(u"p"_s);
        QStringList types;
        for (const EngineEvent &event : harness.events)
            types.append(eventTypeName(event));
        QCOMPARE(types, (QStringList{u"call_started"_s, u"attempt_started"_s,
                                     u"attempt_finished"_s, u"retry_scheduled"_s,
                                     u"attempt_started"_s, u"attempt_finished"_s,
                                     u"call_finished"_s}));
        Millis previous{0};
        for (const EngineEvent &event : harness.events) {
            QVERIFY(eventTime(event) >= previous);
            previous = eventTime(event);
            QVERIFY(!describeEvent(event).isEmpty());
        }
    }

    void sendsTheApiKeyFromTheNamedEnvironmentVariableOnly()
    {
        Config config = twoModelConfig();
        config.providers[0].apiKeyEnv = u"BREAKWATER_TEST_KEY"_s;
        qputenv("BREAKWATER_TEST_KEY", "sk-canary-1234");
        EngineHarness harness(config);
        const CallResult result = harness.run(u"p"_s);
        const HttpRequest &sent = harness.transport.sent().at(0).request;
        QCOMPARE(sent.headers.value("x-api-key"), QByteArray("sk-canary-1234"));
        QVERIFY(!sent.body.contains("sk-canary"));
        QVERIFY(!QByteArray::fromStdString(toJson(result).dump()).contains("sk-canary"));
        qunsetenv("BREAKWATER_TEST_KEY");
    }

    void callResultJsonRoundTrips()
    {
        EngineHarness harness;
        harness.transport.script(kPrimary, {FakeReply::anthropicError(429, u"rate_limit_error"_s,
                                                                      u"x"_s, retryAfter("retry-after", "2"))});
        const CallResult result = harness.run(u"p"_s);
        const nlohmann::json json = toJson(result);
        QCOMPARE(json["attempts"][0]["delay_s"].get<double>(), 2.0);
        QCOMPARE(json["attempts"][0]["delay_source"].get<std::string>(), std::string("retry-after"));
        QCOMPARE(json["attempts"][0]["http_status"].get<int>(), 429);
        QVERIFY(json["error"].is_null());
        const auto back = callResultFromJson(json);
        QVERIFY(back);
        QVERIFY(toJson(*back) == json);
        QVERIFY(!callResultFromJson(nlohmann::json::parse(R"({"source":"x","success":"yes"})")));
    }
};


QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"

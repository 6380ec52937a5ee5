// One streaming call at a time through the built-in default policy, against the chaos server
// speaking the OpenAI wire format, failing in the ways real servers do (docs/engine.md): a
// silent model, a slow first token, a stalled stream, a stream without its terminator, a
// content filter, a rate limit with retry-after, a context overflow. In virtual time, so a
// 20-second limit costs nothing; the chaos server is the real one, reached in process.
#include "chaos/chaosserver.h"
#include "common/fakeclock.h"
#include "config/configloader.h"
#include "runtime/lab.h"
#include "runtime/virtualtime.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

/// The compiled-in default config, its embedded provider speaking the OpenAI format.
Config defaultPolicyOverOpenAi()
{
    const nlohmann::json overlay = {
        {"providers", {{"chaos", {{"kind", "openai"}, {"base_url", "embedded"}}}}}};
    const ConfigParseResult parsed =
        parseConfig(mergePatch(defaultConfigJson(), overlay), u"default + openai"_s);
    if (!parsed.config)
        qFatal("the default config does not parse");
    return *parsed.config;
}

int providerAttempts(const CallResult &result, const QString &model = {})
{
    int count = 0;
    for (const AttemptRecord &attempt : result.attempts) {
        const bool sent = attempt.outcome != Outcome::ShortCircuited &&
                          attempt.outcome != Outcome::BulkheadFull;
        count += sent && (model.isEmpty() || attempt.model == model) ? 1 : 0;
    }
    return count;
}

/// A lab on the default policy in virtual time, its chaos server healthy and quick.
struct SingleCall {
    SingleCall() : config(defaultPolicyOverOpenAi())
    {
        Lab::Options options;
        options.threads = 0;
        options.chaosThread = false;
        lab = std::make_unique<Lab>(config, options, LabWorld::inProcess(clock));
        QString error;
        if (!lab->start(&error))
            qFatal("the lab does not start: %s", qPrintable(error));
        patch(u"*"_s, {{"latency_ms", {{"p50", 200}, {"p99", 200}}},
                       {"ttft_ms", 100},
                       {"tokens_per_s", 200}});
    }

    void patch(const QString &model, const nlohmann::json &partial)
    {
        lab->chaos()->controller().patchModel(model, partial);
    }

    CallResult call(const QString &prompt = u"Explain retry budgets in two sentences."_s,
                    bool stream = true)
    {
        std::optional<CallResult> result;
        CallRequest request;
        request.prompt = prompt;
        request.stream = stream;
        lab->engines().submit(request, [&result](const CallResult &done) { result = done; });
        if (!runInVirtualTime(*clock, [&] { return result.has_value(); }, clock->now() + Millis(600000)))
            qFatal("the call never ended");
        return *result;
    }

    const TimeoutPolicy &timeouts() const { return config.timeouts; }

    std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
    Config config;
    std::unique_ptr<Lab> lab;
};

} // namespace

class TestSingleCallTargets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aSilentPrimaryHandsOverToTheFallbackWithinTheFirstTokenLimit()
    {
        SingleCall lab;
        lab.patch(kPrimary, {{"faults", {{"timeout", 1.0}}}});
        const CallResult result = lab.call();
        QCOMPARE(result.source, kFallback);
        QVERIFY(!result.text.isEmpty());
        QCOMPARE(providerAttempts(result, kPrimary), 1);
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QVERIFY2(result.duration <= lab.timeouts().firstToken + Millis(3000),
                 qPrintable(u"%1 ms"_s.arg(result.duration.count())));
    }

    void aFirstTokenAfterTwentySecondsStillGetsAnAnswer()
    {
        SingleCall lab;
        lab.patch(kPrimary, {{"ttft_ms", 20500}});
        const CallResult result = lab.call();
        QVERIFY(result.success);
        QCOMPARE(result.source, kFallback);
        QVERIFY(!result.text.isEmpty());
        QVERIFY(result.duration < lab.timeouts().firstToken + Millis(3000));
    }

    void aStreamThatStallsMidAnswerHandsOverWithinTheIdleLimit()
    {
        SingleCall lab;
        lab.patch(kPrimary, {{"faults", {{"stream_stall", 1.0}}}, {"tokens_per_s", 50}});
        const CallResult result = lab.call();
        QCOMPARE(result.source, kFallback);
        QCOMPARE(providerAttempts(result, kPrimary), 1);
        QVERIFY2(result.attempts[0].message.contains(u"idle"_s),
                 qPrintable(result.attempts[0].message));
        QVERIFY2(result.duration <= lab.timeouts().idle + Millis(3000),
                 qPrintable(u"%1 ms"_s.arg(result.duration.count())));
    }

    void aCompleteStreamWithoutItsTerminatorIsAcceptedAtOnce()
    {
        SingleCall lab;
        lab.patch(u"*"_s, {{"faults", {{"stream_no_terminator", 1.0}}}});
        const CallResult result = lab.call();
        QCOMPARE(result.source, kPrimary);
        QVERIFY(!result.text.isEmpty());
        QCOMPARE(result.attempts.size(), 1);
        QCOMPARE(result.attempts[0].outcome, Outcome::Success);
    }

    void aContentFilterIsReportedWithTheProvidersReasonAfterOneAttempt()
    {
        SingleCall lab;
        lab.patch(kPrimary, {{"faults", {{"content_filter", 1.0}}}});
        const CallResult result = lab.call();
        QVERIFY(!result.success);
        QCOMPARE(result.source, u"error"_s);
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::ContentFilter));
        QVERIFY2(result.error.contains(u"safety"_s) || result.error.contains(u"policy"_s),
                 qPrintable(result.error));
        QCOMPARE(providerAttempts(result), 1);
        // Not a failure of the model's health.
        QCOMPARE(lab.lab->breakers().breaker(kPrimary).snapshot().failuresInWindow, 0);
    }

    void aRateLimitWithRetryAfterIsRetriedNoSoonerThanAsked()
    {
        SingleCall lab;
        // The first request is refused with retry-after 2 s; the limit lifts half a second on.
        lab.patch(kPrimary, {{"retry_after_s", 2}, {"faults", {{"rate_limited", 1.0}}}});
        ChaosTimelineEntry lift;
        lift.at = Millis(500);
        lift.model = kPrimary;
        lift.set = {{"faults", {{"rate_limited", 0.0}}}};
        lab.lab->chaos()->controller().startTimeline({lift});
        const CallResult result = lab.call();
        QCOMPARE(result.source, kPrimary);
        QCOMPARE(result.attempts.size(), 2);
        QCOMPARE(result.attempts[0].outcome, Outcome::RateLimited);
        QVERIFY(result.attempts[0].delaySource != DelaySource::Backoff);
        QCOMPARE(result.attempts[0].delay, std::optional<Millis>(Millis(2000)));
        QVERIFY(result.attempts[1].start - result.attempts[0].start >= Millis(2000));
    }

    void aContextOverflowIsNeverSentTwiceAtTheSameSize()
    {
        SingleCall lab;
        lab.patch(kPrimary, {{"context_window", 2000}});
        const QString longPrompt = QString(u"The quarterly report says revenue grew. "_s).repeated(600);
        const CallResult result = lab.call(longPrompt);
        QVERIFY(result.success);
        QVERIFY(!result.text.isEmpty());
        QVERIFY(result.truncated);
        QCOMPARE(result.attempts[0].outcome, Outcome::ContextOverflow);
        // The retry on the same model went out shorter, and nothing went out twice as it was.
        QCOMPARE(providerAttempts(result, kPrimary), 2);
        QCOMPARE(result.attempts[1].outcome, Outcome::Success);
    }
};

QTEST_GUILESS_MAIN(TestSingleCallTargets)
#include "tst_singlecalltargets.moc"

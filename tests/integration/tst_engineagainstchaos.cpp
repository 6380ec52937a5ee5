// The engine against the embedded chaos server over loopback: the failure stories the
// chaos server exists for, with millisecond timings so each story takes well under a second.
#include "breaker/breakerregistry.h"
#include "chaos/chaosserver.h"
#include "config/configloader.h"
#include "engine/eventstream.h"
#include "runtime/lab.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

Config configFrom(const char *overlay)
{
    const nlohmann::json patch = nlohmann::json::parse(overlay);
    const ConfigParseResult parsed =
        parseConfig(mergePatch(defaultConfigJson(), patch), u"test-config"_s);
    if (!parsed.config) {
        for (const ValidationError &error : parsed.errors)
            qWarning("%s", qPrintable(error.toString()));
        qFatal("test config is invalid");
    }
    return *parsed.config;
}

/// Fast policies: no jitter, 10 ms backoff, short breaker, short timeouts.
const char *kFastPolicy = R"({
  "retry": {"max_attempts": 3, "initial_s": 0.01, "max_s": 0.05, "jitter": "none",
            "retry_after_cap_s": 1},
  "breaker": {"consecutive_failures": 3, "open_s": 0.2, "half_open_probes": 1},
  "timeouts": {"connect_s": 1, "first_token_s": 1, "idle_s": 0.1, "attempt_s": 2, "total_s": 5}
})";

class LabFixture {
public:
    explicit LabFixture(const Config &config) : lab(config, Lab::Options{}, LabWorld::real())
    {
        QString error;
        if (!lab.start(&error))
            qFatal("lab did not start: %s", qPrintable(error));
        QObject::connect(&lab.events(), &EventStream::event, &lab,
                         [this](const EngineEvent &event) { events.append(event); });
    }

    ChaosController &chaos() { return lab.chaos()->controller(); }

    void patch(const QString &model, const char *json)
    {
        const QList<ValidationError> errors = chaos().patchModel(model, nlohmann::json::parse(json));
        QVERIFY(errors.isEmpty());
    }

    /// One call to completion (bounded real wait: everything here is milliseconds).
    CallResult call(const QString &prompt, bool stream = false)
    {
        std::optional<CallResult> result;
        CallRequest request;
        request.prompt = prompt;
        request.stream = stream;
        lab.engines().submit(request, [&result](const CallResult &done) { result = done; });
        QElapsedTimer guard;
        guard.start();
        while (!result && guard.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        if (!result)
            qFatal("call did not finish within 10 s");
        return *result;
    }

    QList<BreakerTransition> transitions(const QString &model) const
    {
        QList<BreakerTransition> found;
        for (const EngineEvent &event : events) {
            if (const auto *transition = std::get_if<BreakerTransition>(&event);
                transition && transition->model == model)
                found.append(*transition);
        }
        return found;
    }

    Lab lab;
    QList<EngineEvent> events;
};

} // namespace

class TestEngineAgainstChaos : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void primaryDownOpensItsBreakerMovesTrafficAndRecoversThroughHalfOpen()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"faults": {"unavailable": 1.0}})");

        // The first call spends its attempts on the primary; that opens the breaker.
        const CallResult first = fixture.call(u"hello"_s);
        QCOMPARE(first.source, kFallback);
        QCOMPARE(first.attempts.size(), 4);
        QCOMPARE(first.attempts[0].httpStatus, 503);
        QCOMPARE(fixture.lab.breakers().breaker(kPrimary).state(), BreakerState::Open);

        // While open, calls go straight to the fallback without touching the primary.
        const qint64 primaryRequests = fixture.chaos().stats().value(kPrimary).requests;
        const CallResult during = fixture.call(u"during the outage"_s);
        QCOMPARE(during.source, kFallback);
        QCOMPARE(during.attempts[0].outcome, Outcome::ShortCircuited);
        QCOMPARE(fixture.chaos().stats().value(kPrimary).requests, primaryRequests);

        // The primary recovers; after open_s the breaker lets one probe through and closes.
        fixture.patch(kPrimary, R"({"faults": {"unavailable": 0.0}})");
        QTRY_COMPARE_WITH_TIMEOUT(fixture.lab.breakers().breaker(kPrimary).state(),
                                  BreakerState::HalfOpen, 2000);
        const CallResult after = fixture.call(u"after recovery"_s);
        QCOMPARE(after.source, kPrimary);
        QCOMPARE(fixture.lab.breakers().breaker(kPrimary).state(), BreakerState::Closed);

        QList<BreakerState> path;
        for (const BreakerTransition &transition : fixture.transitions(kPrimary))
            path.append(transition.to);
        QCOMPARE(path, (QList<BreakerState>{BreakerState::Open, BreakerState::HalfOpen,
                                            BreakerState::Closed}));
    }

    void aRateLimitStormHonoursRetryAfterAndRecordsItsSource()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"faults": {"rate_limited": 1.0}, "retry_after_s": 0.05})");
        const CallResult result = fixture.call(u"storm"_s);
        QCOMPARE(result.source, kFallback);
        QCOMPARE(result.attempts[0].outcome, Outcome::RateLimited);
        QCOMPARE(result.attempts[0].httpStatus, 429);
        for (int n = 0; n < 2; ++n) {
            QCOMPARE(result.attempts[n].delay, std::optional<Millis>(Millis(50)));
            QCOMPARE(result.attempts[n].delaySource, DelaySource::RetryAfterMs);
        }
        // The waits really happened: each retry starts at least 50 ms after the one before.
        QVERIFY(result.attempts[1].start - result.attempts[0].start >= Millis(50));
        QVERIFY(result.attempts[2].start - result.attempts[1].start >= Millis(50));
    }

    void aStallMidStreamTripsTheIdleTimeoutAndMovesOn()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"faults": {"stream_stall": 1.0}, "tokens_per_s": 200})");
        const CallResult result = fixture.call(u"stream to me"_s, /*stream=*/true);
        QCOMPARE(result.attempts[0].outcome, Outcome::Timeout);
        QVERIFY2(result.attempts[0].message.startsWith(u"stream idle for"_s),
                 qPrintable(result.attempts[0].message));
        // A model that went silent once will likely do it again: the fallback answers.
        QVERIFY(!result.attempts[0].delay.has_value());
        QCOMPARE(result.attempts[1].model, kFallback);
        QCOMPARE(result.source, kFallback);
        QVERIFY(!result.text.isEmpty());
    }

    void aStreamCutShortIsMalformedAndTheFallbackStreams()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"faults": {"stream_truncate": 1.0}})");
        const CallResult result = fixture.call(u"stream to me"_s, /*stream=*/true);
        QCOMPARE(result.attempts[0].outcome, Outcome::Malformed);
        QCOMPARE(result.source, kFallback);
    }

    void aMidStreamOverloadEventIsClassifiedAsOverloaded()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"faults": {"stream_error": 1.0}})");
        const CallResult result = fixture.call(u"stream to me"_s, /*stream=*/true);
        QCOMPARE(result.attempts[0].outcome, Outcome::Overloaded);
        QCOMPARE(result.attempts[0].httpStatus, 200);
        QCOMPARE(result.source, kFallback);
    }

    void aPromptTooLongForTheWindowIsTruncatedAndAnswered()
    {
        LabFixture fixture(configFrom(kFastPolicy));
        fixture.patch(kPrimary, R"({"context_window": 100})");
        const QString prompt = u"BEGIN "_s + QString(2000, u'y') + u" END"_s;
        const CallResult result = fixture.call(prompt);
        QCOMPARE(result.source, kPrimary);
        QVERIFY(result.truncated);
        QCOMPARE(result.attempts[0].outcome, Outcome::ContextOverflow);
        QCOMPARE(result.attempts[0].httpStatus, 400);
        QCOMPARE(result.attempts[1].outcome, Outcome::Success);
        QVERIFY(result.inputTokens <= 100);
    }

    void anOpenAiFormatProviderWorksAgainstTheSameServer()
    {
        LabFixture fixture(configFrom(R"({
          "providers": {"chaos": {"kind": "openai", "base_url": "embedded"}},
          "retry": {"max_attempts": 2, "initial_s": 0.01, "jitter": "none"}
        })"));
        fixture.patch(kPrimary, R"({"faults": {"overloaded": 1.0}})");
        const CallResult result = fixture.call(u"hello"_s);
        QCOMPARE(result.attempts[0].outcome, Outcome::Overloaded);
        QCOMPARE(result.attempts[0].httpStatus, 503);
        QCOMPARE(result.source, kFallback);
        const CallResult streamed = fixture.call(u"hello again"_s, true);
        QCOMPARE(streamed.source, kFallback);
        QVERIFY(!streamed.text.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEngineAgainstChaos)
#include "tst_engineagainstchaos.moc"

// The engine over real loopback HTTP (QNetworkAccessManager against a scripted server on
// port 0), with retry waits on simulated time: 429 with retry-after → 529 → fallback answers.
#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "common/fakeclock.h"
#include "engine/bulkhead.h"
#include "engine/engine.h"
#include "engine/eventstream.h"
#include "engineharness.h"
#include "scriptedhttpserver.h"
#include "transport/qnamtransport.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

QByteArray anthropicError(const char *type, const char *message)
{
    return QByteArray(R"({"type":"error","error":{"type":")") + type + R"(","message":")" +
           message + R"("},"request_id":"req_1"})";
}

QByteArray anthropicAnswer(const char *text)
{
    return QByteArray(R"({"id":"msg_1","type":"message","role":"assistant","model":"m",)"
                      R"("content":[{"type":"text","text":")") +
           text + R"("}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}})";
}

/// A real-network engine (QNetworkAccessManager) whose timers run on a FakeClock.
struct LoopbackEngine {
    explicit LoopbackEngine(const Config &config)
        : random(7), breakers(config.breaker, clock), retryBudgets(config.retry, clock),
          cache(config.cache, clock),
          engine(config, EngineShared{breakers, retryBudgets, cache, bulkheads, events}, transport,
                 clock, random)
    {
    }

    FakeClock clock;
    SeededRandom random;
    QnamTransport transport;
    BreakerRegistry breakers;
    RetryBudgets retryBudgets;
    ResponseCache cache;
    Bulkheads bulkheads;
    EventStream events;
    Engine engine;
};

} // namespace

class TestEngineLoopback : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rateLimitThenOverloadThenFallbackAnswers()
    {
        ScriptedHttpServer server;
        const HttpHeaders json{{"content-type", "application/json"}};
        HttpHeaders limited = json;
        limited.add("retry-after", "3");
        server.script(kPrimary, {{429, limited, anthropicError("rate_limit_error", "slow down")},
                                 {529, json, anthropicError("overloaded_error", "Overloaded")}});
        server.script(kFallback, {{200, json, anthropicAnswer("from the fallback")}});

        Config config = twoModelConfig();
        config.retry.maxAttempts = 2;
        config.providers[0].baseUrl = server.baseUrl().toString();
        LoopbackEngine loopback(config);
        QList<RetryScheduled> retries;
        bool retryPending = false;
        connect(&loopback.events, &EventStream::event, this, [&](const EngineEvent &event) {
            if (const auto *retry = std::get_if<RetryScheduled>(&event)) {
                retries.append(*retry);
                retryPending = true;
            }
        });

        std::optional<CallResult> result;
        CallRequest request;
        request.prompt = u"hello over loopback"_s;
        loopback.engine.call(request, [&](const CallResult &done) { result = done; });
        // Network I/O runs on the real event loop; only the retry wait is simulated.
        QElapsedTimer guard;
        guard.start();
        while (!result && guard.elapsed() < 5000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            if (retryPending) {
                retryPending = false;
                loopback.clock.advance(retries.last().delay);
            }
        }
        QVERIFY(result);
        QCOMPARE(result->source, kFallback);
        QCOMPARE(result->text, u"from the fallback"_s);
        QCOMPARE(result->attempts.size(), 3);
        QCOMPARE(result->attempts[0].outcome, Outcome::RateLimited);
        QCOMPARE(result->attempts[0].httpStatus, 429);
        QCOMPARE(result->attempts[0].delay, std::optional<Millis>(Millis(3000)));
        QCOMPARE(result->attempts[0].delaySource, DelaySource::RetryAfter);
        QCOMPARE(result->attempts[1].outcome, Outcome::Overloaded);
        QCOMPARE(result->attempts[1].httpStatus, 529);
        QCOMPARE(result->attempts[1].start, Millis(3000));
        QVERIFY(!result->attempts[1].delay); // attempts exhausted on the primary
        QCOMPARE(result->attempts[2].model, kFallback);
        QCOMPARE(result->attempts[2].outcome, Outcome::Success);
        QCOMPARE(retries.size(), 1);

        QCOMPARE(server.received().size(), 3);
        const auto &first = server.received().at(0);
        QCOMPARE(first.path, QByteArray("/v1/messages"));
        QCOMPARE(first.headers.value("anthropic-version"), QByteArray("2023-06-01"));
        QCOMPARE(server.received().at(2).model, kFallback);
    }

    void aRefusedConnectionIsAConnectionError()
    {
        // Bind then close a port so nothing listens on it.
        quint16 port;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        Config config = twoModelConfig();
        config.retry.maxAttempts = 1;
        config.chain.removeLast();
        config.providers[0].baseUrl = u"http://127.0.0.1:%1"_s.arg(port);
        LoopbackEngine loopback(config);
        std::optional<CallResult> result;
        CallRequest request;
        request.prompt = u"anyone there?"_s;
        loopback.engine.call(request, [&](const CallResult &done) { result = done; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
        QCOMPARE(result->source, sources::degraded);
        QCOMPARE(result->attempts[0].outcome, Outcome::Connection);
    }
};

QTEST_GUILESS_MAIN(TestEngineLoopback)
#include "tst_engineloopback.moc"

// What one engine call costs, piece by piece, in wall time on this machine: the engine's
// per-call work measured in isolation (many repetitions, the fastest of several runs), and
// the whole engine driven by an in-process transport that answers at once, so no network
// and no other process is involved. Diagnostic: it explains bench_overhead's figure.

#include "benchcommon.h"
#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "common/qtclock.h"
#include "common/random.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "metrics/alertevaluator.h"
#include "metrics/metricscollector.h"
#include "metrics/metricsregistry.h"
#include "providers/provideradapter.h"
#include "recorder/runrecorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <cstdio>

using namespace breakwater;
using namespace breakwater::bench;

namespace {

/// Microseconds per run of `body`: `iterations` runs timed together, the fastest of `repeats`.
double timePerRun(int iterations, int repeats, const std::function<void()> &body)
{
    std::vector<double> perRun;
    for (int r = 0; r < repeats; ++r) {
        const qint64 start = nowMicros();
        for (int i = 0; i < iterations; ++i)
            body();
        perRun.push_back(static_cast<double>(nowMicros() - start) / iterations);
    }
    return *std::min_element(perRun.begin(), perRun.end());
}

/// Answers every request at once (one posted event later) with a fixed 200 JSON body.
class InstantTransport final : public Transport {
public:
    explicit InstantTransport(QByteArray body) : m_body(std::move(body)) {}

    std::unique_ptr<TransportRequest> send(const HttpRequest &,
                                           TransportCallbacks callbacks) override
    {
        auto request = std::make_unique<Request>();
        std::shared_ptr<bool> alive = request->alive;
        QMetaObject::invokeMethod(
            &m_context,
            [alive, callbacks = std::move(callbacks), body = m_body] {
                const HttpHeaders headers{
                    {QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")}};
                if (*alive && callbacks.requestSent)
                    callbacks.requestSent();
                if (*alive && callbacks.responseHead)
                    callbacks.responseHead(200, headers);
                if (*alive && callbacks.bodyChunk)
                    callbacks.bodyChunk(body);
                if (*alive && callbacks.finished)
                    callbacks.finished();
            },
            Qt::QueuedConnection);
        return request;
    }

private:
    struct Request final : TransportRequest {
        std::shared_ptr<bool> alive = std::make_shared<bool>(true);
        ~Request() override { *alive = false; }
        void abort() override { *alive = false; }
    };
    QObject m_context;
    QByteArray m_body;
};

QByteArray fetchAnswer(const QUrl &server, const HttpRequest &request)
{
    QNetworkAccessManager manager;
    const BareRequest bare = bareRequest(request);
    QNetworkReply *reply = manager.sendCustomRequest(bare.request, bare.method, bare.body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray body = reply->readAll();
    delete reply;
    if (body.isEmpty()) {
        std::fprintf(stderr, "bench_components: no answer from %s\n",
                     qPrintable(server.toString()));
        std::exit(2);
    }
    return body;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_components"));
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("iterations"), QStringLiteral("Runs per timing (default 5000)."),
         QStringLiteral("N"), QStringLiteral("5000")},
        {QStringLiteral("repeats"),
         QStringLiteral("Timings per item; the fastest counts (default 7)."), QStringLiteral("N"),
         QStringLiteral("7")},
    });
    const QUrl server = parseServerArgument(
        parser, QStringLiteral("The engine's per-call work, piece by piece (diagnostic)."));
    const int iterations = intOption(parser, QStringLiteral("iterations"), 1);
    const int repeats = intOption(parser, QStringLiteral("repeats"), 1);

    const Config config = benchConfig(server);
    const QString prompt = PromptSet::builtinShort().at(0);
    const HttpRequest httpRequest = engineRequest(server, prompt);
    const QByteArray answer = fetchAnswer(server, httpRequest);
    const std::unique_ptr<ProviderAdapter> adapter = createProviderAdapter(ProviderKind::Anthropic);
    const ChatRequest chat{kModel, prompt, config.chain.first().maxTokens, false, {}};

    std::printf("per call, fastest of %d timings of %d runs; answer body %lld bytes\n", repeats,
                iterations, static_cast<long long>(answer.size()));
    const auto row = [](const char *name, double us) {
        std::printf("  %-58s %7.2f us\n", name, us);
        std::fflush(stdout);
        return us;
    };

    // Pieces of one call.
    row("parseAnswer (JsonView of the answer + fields)",
        timePerRun(iterations, repeats, [&] { (void)adapter->parseAnswer(answer); }));
    row("  for comparison: nlohmann::json::parse (DOM) alone", timePerRun(iterations, repeats, [&] {
            const nlohmann::json parsed =
                nlohmann::json::parse(answer.begin(), answer.end(), nullptr, false);
            Q_UNUSED(parsed);
        }));
    row("  for comparison: QJsonDocument::fromJson alone",
        timePerRun(iterations, repeats, [&] { (void)QJsonDocument::fromJson(answer); }));
    row("buildRequest (body written directly, URL, headers)",
        timePerRun(iterations, repeats, [&] { (void)adapter->buildRequest(server, {}, chat); }));
    row("ResponseCache::keyFor (BLAKE2b-256 of the prompt)",
        timePerRun(iterations, repeats, [&] { (void)ResponseCache::keyFor(prompt, 1024); }));
    QtClock clock;
    // A call that neither streams nor retries makes only the timers it starts.
    row("4 QtClock timers: create, start, stop, destroy (a call now arms 1)", timePerRun(iterations, repeats, [&] {
            std::unique_ptr<Timer> timers[4];
            for (auto &timer : timers) {
                timer = clock.createTimer([] {});
                timer->start(Millis(30000));
            }
            for (auto &timer : timers)
                timer->stop();
        }));
    row("2 queued hops to this thread (EnginePool submit + completion)",
        timePerRun(iterations, repeats, [&] {
            QEventLoop loop;
            QObject context;
            QMetaObject::invokeMethod(
                &context,
                [&] {
                    QMetaObject::invokeMethod(
                        &context, [&] { loop.quit(); }, Qt::QueuedConnection);
                },
                Qt::QueuedConnection);
            loop.exec();
        }));

    // Events: the 4 a successful call publishes, with no consumer and with a run's consumers
    // (metrics, alerts, recorder) on this thread, so delivered directly.
    CallResult result;
    result.id = QStringLiteral("call-1");
    result.success = true;
    result.source = kModel;
    result.text = QString::fromUtf8(answer.left(500));
    result.attempts.append(AttemptRecord{});
    const auto publishCall = [&](EventStream &events) {
        events.publish(CallStarted{result.id, Millis(1), false});
        events.publish(AttemptStarted{result.id, Millis(1), kModel, 0, false});
        events.publish(AttemptFinished{result.id, Millis(2), kModel, 0, Outcome::Success, 200,
                                       Millis(1), QString()});
        events.publish(CallFinished{Millis(2), result});
    };
    EventStream quietEvents;
    row("publish a call's 4 events, no consumer",
        timePerRun(iterations, repeats, [&] { publishCall(quietEvents); }));
    EventStream events;
    MetricsRegistry metrics;
    MetricsCollector collector(metrics, {kModel});
    AlertEvaluator alerts(config.alert, clock, events);
    RunRecorder recorder(clock, {kModel});
    QObject::connect(&events, &EventStream::event, &collector, &MetricsCollector::record);
    QObject::connect(&events, &EventStream::event, &alerts, &AlertEvaluator::record);
    QObject::connect(&events, &EventStream::event, &recorder, &RunRecorder::record);
    row("publish a call's 4 events to metrics + alerts + recorder",
        timePerRun(iterations, repeats, [&] { publishCall(events); }));

    // The whole engine, one call at a time, against an instant in-process transport.
    InstantTransport transport(answer);
    BreakerRegistry breakers(config.breaker, clock);
    RetryBudgets retryBudgets(config.retry, clock);
    ResponseCache cache(config.cache, clock);
    Bulkheads bulkheads;
    EventStream engineEvents;
    SeededRandom random(1);
    Engine engine(config, EngineShared{breakers, retryBudgets, cache, bulkheads, engineEvents}, transport, clock,
                  random);
    const auto oneCall = [&] {
        QEventLoop loop;
        CallRequest request;
        request.prompt = prompt;
        engine.call(std::move(request), [&](const CallResult &) { loop.quit(); });
        loop.exec();
    };
    const auto transportOnly = [&] {
        QEventLoop loop;
        TransportCallbacks callbacks;
        callbacks.finished = [&] {
            loop.quit();
        };
        const auto request = transport.send(httpRequest, std::move(callbacks));
        loop.exec();
    };
    const double floor = row("instant transport alone, one request (the floor)",
                             timePerRun(iterations, repeats, transportOnly));
    const double quiet = row("engine call on the instant transport, no event consumer",
                             timePerRun(iterations, repeats, oneCall));
    QObject::connect(&engineEvents, &EventStream::event, &collector, &MetricsCollector::record);
    QObject::connect(&engineEvents, &EventStream::event, &alerts, &AlertEvaluator::record);
    QObject::connect(&engineEvents, &EventStream::event, &recorder, &RunRecorder::record);
    const double full = row("engine call on the instant transport, metrics + alerts + recorder",
                            timePerRun(iterations, repeats, oneCall));
    std::printf("COMPONENTS engine_cpu_us=%.1f engine_cpu_with_consumers_us=%.1f\n", quiet - floor,
                full - floor);
    return 0;
}

// Engine overhead: one call at a time through the engine versus the same request sent with
// a bare QNetworkAccessManager, to the same server, interleaved (engine, bare, engine, bare,
// …); the median latencies compared. Two passes: the engine on the caller's thread (what the
// engine itself costs), then the engine pool on worker threads as `run` uses it (what a
// caller of the pool sees, thread hand-offs included). A third pass splits the engine's cost
// on the caller's thread into layers: QnamTransport alone, the engine with no event
// consumers, and the engine as a run wires it.

#include "benchcommon.h"
#include "engine/eventstream.h"
#include "runtime/lab.h"
#include "transport/qnamtransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <cstdio>
#include <ctime>

using namespace breakwater;
using namespace breakwater::bench;

namespace {

struct Pass {
    double engineMedian = 0;
    double bareMedian = 0;
    double overhead = 0;
    /// Pool pass only: the bare manager in the pool's thread layout (BareWorker).
    double layoutBareMedian = 0;
    double layoutOverhead = 0;
    int failures = 0;
};

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.empty()
               ? 0
               : values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

/// One way of sending the i-th request and waiting for its answer; returns microseconds.
using Sender = std::function<double(int i)>;

/// CPU time of the calling thread in microseconds: with the engine on this thread, what a
/// call costs here, to tell CPU from waiting in the latency difference.
double threadCpuMicros()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

/// Wraps a sender to also collect the caller thread's CPU time per call into `cpu`.
Sender withCpu(Sender send, std::vector<double> &cpu)
{
    return [send = std::move(send), &cpu](int i) {
        const double before = threadCpuMicros();
        const double latency = send(i);
        cpu.push_back(threadCpuMicros() - before);
        return latency;
    };
}

/// Lets a call's stragglers run before the next call is timed: the deferred deletion of its
/// QNetworkReply (deleteLater'd inside the call's nested event loop) and the events Qt's
/// HTTP thread still sends about a reply after its finished() (connection bookkeeping).
/// Without this they ran inside whichever call came next, and which one depended on how the
/// threads happened to interleave in that process: runs came out bimodal, the engine charged
/// with the bare client's leftovers in some (a queued completion lets them in) and not in
/// others, 30 to 40 µs either way. Not timed, for either kind.
void settle()
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const qint64 until = nowMicros() + 300;
    while (nowMicros() < until)
        QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

/// Sends through `engine` one call at a time.
Sender engineSender(EngineLoad &engine, const PromptSet &prompts, int &failures)
{
    return [&engine, &prompts, &failures](int i) {
        QEventLoop loop;
        qint64 finished = 0;
        const qint64 started = nowMicros();
        engine.submitOne(prompts.at(static_cast<quint64>(i)), [&](const CallResult &result) {
            finished = nowMicros();
            if (!result.success || result.source != kModel)
                ++failures;
            loop.quit();
        });
        loop.exec();
        return static_cast<double>(finished - started);
    };
}

/// Sends the same request with a bare manager on this thread.
Sender bareSender(QNetworkAccessManager &manager, const QList<BareRequest> &requests, int &failures)
{
    return [&manager, &requests, &failures](int i) {
        const BareRequest &request = requests.at(i % requests.size());
        QEventLoop loop;
        qint64 finished = 0;
        const qint64 started = nowMicros();
        QNetworkReply *reply =
            manager.sendCustomRequest(request.request, request.method, request.body);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
            reply->readAll();
            finished = nowMicros();
            if (reply->error() != QNetworkReply::NoError)
                ++failures;
            loop.quit();
        });
        loop.exec();
        // Deleted here, after the timing and outside any signal of its own: deterministic,
        // where a deleteLater() could be carried into the next sender's loop.
        delete reply;
        return static_cast<double>(finished - started);
    };
}

/// A bare manager in the engine pool's thread layout: it lives in a worker thread of its own;
/// each request is handed to it with a queued call and its answer handed back the same way,
/// as EnginePool hands calls and completions over. The pool pass's like-for-like reference.
class BareWorker {
public:
    BareWorker()
    {
        m_thread.setObjectName(QStringLiteral("bare-worker"));
        m_thread.start();
        m_context->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_context.get(),
            [this] {
                m_manager = std::make_unique<QNetworkAccessManager>();
                m_manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
            },
            Qt::BlockingQueuedConnection);
    }
    BareWorker(const BareWorker &) = delete;
    BareWorker &operator=(const BareWorker &) = delete;
    ~BareWorker()
    {
        QMetaObject::invokeMethod(
            m_context.get(), [this] { m_manager.reset(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    QObject *context() const { return m_context.get(); }
    QNetworkAccessManager &manager() { return *m_manager; }

private:
    QThread m_thread;
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>();
    std::unique_ptr<QNetworkAccessManager> m_manager;
};

Sender bareWorkerSender(BareWorker &worker, const QList<BareRequest> &requests, int &failures)
{
    return [&worker, &requests, &failures](int i) {
        const BareRequest &request = requests.at(i % requests.size());
        QEventLoop loop;
        qint64 finished = 0;
        const qint64 started = nowMicros();
        QMetaObject::invokeMethod(
            worker.context(),
            [&] {
                QNetworkReply *reply =
                    worker.manager().sendCustomRequest(request.request, request.method, request.body);
                QObject::connect(reply, &QNetworkReply::finished, worker.context(), [&, reply] {
                    reply->readAll();
                    const bool failed = reply->error() != QNetworkReply::NoError;
                    reply->deleteLater();
                    QMetaObject::invokeMethod(
                        &loop,
                        [&, failed] {
                            finished = nowMicros();
                            failures += failed ? 1 : 0;
                            loop.quit();
                        },
                        Qt::QueuedConnection);
                });
            },
            Qt::QueuedConnection);
        loop.exec();
        return static_cast<double>(finished - started);
    };
}

/// Sends the same request through the engine's transport alone (no engine).
Sender transportSender(QnamTransport &transport, const QList<HttpRequest> &requests, int &failures)
{
    return [&transport, &requests, &failures](int i) {
        QEventLoop loop;
        qint64 finished = 0;
        QByteArray body;
        TransportCallbacks callbacks;
        callbacks.bodyChunk = [&body](const QByteArray &chunk) {
            body += chunk;
        };
        callbacks.finished = [&] {
            finished = nowMicros();
            loop.quit();
        };
        callbacks.failed = [&](TransportFailure, const QString &) {
            finished = nowMicros();
            ++failures;
            loop.quit();
        };
        const qint64 started = nowMicros();
        const std::unique_ptr<TransportRequest> request =
            transport.send(requests.at(i % requests.size()), std::move(callbacks));
        loop.exec();
        return static_cast<double>(finished - started);
    };
}

/// Runs the senders in turn (a b c a b c …), `warmup` unmeasured rounds first; the
/// latencies of each, in microseconds.
std::vector<std::vector<double>> interleave(const std::vector<Sender> &senders, int rounds,
                                            int warmup)
{
    for (int i = 0; i < warmup; ++i) {
        for (const Sender &send : senders) {
            send(i);
            settle();
        }
    }
    std::vector<std::vector<double>> latencies(senders.size());
    for (std::vector<double> &l : latencies)
        l.reserve(static_cast<std::size_t>(rounds));
    for (int i = 0; i < rounds; ++i) {
        for (std::size_t s = 0; s < senders.size(); ++s) {
            latencies[s].push_back(senders[s](i));
            settle();
        }
    }
    return latencies;
}

/// Sent with every request of both kinds: `x-chaos-latency-ms` when --latency-ms is given.
HttpHeaders extraHeaders;

QList<HttpRequest> httpRequests(const QUrl &server, const PromptSet &prompts)
{
    QList<HttpRequest> requests;
    for (int i = 0; i < prompts.size(); ++i)
        requests.append(engineRequest(server, prompts.at(static_cast<quint64>(i)), extraHeaders));
    return requests;
}

QList<BareRequest> bareRequests(const QList<HttpRequest> &requests)
{
    QList<BareRequest> bare;
    for (const HttpRequest &request : requests)
        bare.append(bareRequest(request));
    return bare;
}

std::unique_ptr<EngineLoad> startEngine(const QUrl &server, int threads)
{
    EngineLoad::Options options;
    options.threads = threads;
    options.concurrency = 1;
    options.extraHeaders = extraHeaders;
    auto engine = std::make_unique<EngineLoad>(server, options, EngineLoad::Observer{});
    QString error;
    if (!engine->startLab(&error)) {
        std::fprintf(stderr, "bench_overhead: %s\n", qPrintable(error));
        std::exit(2);
    }
    return engine;
}

/// Engine (A) against bare manager (B), A B A B …
Pass runPass(const QUrl &server, int threads, int pairs, int warmup)
{
    const std::unique_ptr<EngineLoad> engine = startEngine(server, threads);
    QNetworkAccessManager manager;
    manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    const PromptSet prompts = PromptSet::builtinShort();
    const QList<BareRequest> requests = bareRequests(httpRequests(server, prompts));

    // The pool pass also times a bare manager in the pool's own thread layout.
    std::unique_ptr<BareWorker> worker = threads > 0 ? std::make_unique<BareWorker>() : nullptr;

    Pass pass;
    int warmupFailures = 0;
    {
        std::vector<Sender> senders{engineSender(*engine, prompts, warmupFailures),
                                    bareSender(manager, requests, warmupFailures)};
        if (worker)
            senders.push_back(bareWorkerSender(*worker, requests, warmupFailures));
        interleave(senders, 0, warmup);
    }
    std::vector<double> engineCpu;
    std::vector<double> bareCpu;
    std::vector<Sender> senders{withCpu(engineSender(*engine, prompts, pass.failures), engineCpu),
                                withCpu(bareSender(manager, requests, pass.failures), bareCpu)};
    if (worker)
        senders.push_back(bareWorkerSender(*worker, requests, pass.failures));
    const std::vector<std::vector<double>> latencies = interleave(senders, pairs, 0);
    const std::vector<double> &engineUs = latencies[0];
    const std::vector<double> &bareUs = latencies[1];
    pass.engineMedian = median(engineUs);
    pass.bareMedian = median(bareUs);
    pass.overhead = pass.engineMedian / pass.bareMedian - 1;
    // Pairwise: the same neighbourhood in time, so drift in the machine's load cancels.
    std::vector<double> differences;
    for (std::size_t i = 0; i < engineUs.size(); ++i)
        differences.push_back(engineUs[i] - bareUs[i]);
    std::printf("%-28s engine p10/p50/p90 %5.0f/%5.0f/%5.0f us   bare %5.0f/%5.0f/%5.0f us   "
                "overhead %+.1f %% (median pairwise difference %+.0f us)\n",
                threads == 0 ? "engine on caller's thread:" : "engine pool, worker threads:",
                percentile(engineUs, 0.1), pass.engineMedian, percentile(engineUs, 0.9),
                percentile(bareUs, 0.1), pass.bareMedian, percentile(bareUs, 0.9),
                pass.overhead * 100, median(differences));
    std::printf("%-28s CPU of the caller's thread per call, median: engine %.0f us, bare %.0f us\n",
                "", median(engineCpu), median(bareCpu));
    if (worker) {
        const std::vector<double> &layoutUs = latencies[2];
        pass.layoutBareMedian = median(layoutUs);
        pass.layoutOverhead = pass.engineMedian / pass.layoutBareMedian - 1;
        std::vector<double> layoutDifferences;
        for (std::size_t i = 0; i < engineUs.size(); ++i)
            layoutDifferences.push_back(engineUs[i] - layoutUs[i]);
        std::printf("%-28s bare manager in a worker thread, handed over both ways as the pool "
                    "does: p10/p50/p90 %5.0f/%5.0f/%5.0f us; engine pool overhead over it %+.1f %% "
                    "(median pairwise difference %+.0f us)\n",
                    "", percentile(layoutUs, 0.1), pass.layoutBareMedian,
                    percentile(layoutUs, 0.9), pass.layoutOverhead * 100,
                    median(layoutDifferences));
    }
    std::fflush(stdout);
    return pass;
}

/// Bare manager, QnamTransport, engine without event consumers, engine as a run wires it:
/// all on this thread, interleaved; the median of each and what each layer adds.
void runBreakdown(const QUrl &server, int rounds, int warmup)
{
    const std::unique_ptr<EngineLoad> full = startEngine(server, 0);
    const std::unique_ptr<EngineLoad> quiet = startEngine(server, 0);
    // No recorder, metrics or alerts: what publishing costs when nobody listens.
    QObject::disconnect(&quiet->lab().events(), &EventStream::event, nullptr, nullptr);
    QNetworkAccessManager manager;
    manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    QnamTransport transport(1);
    const PromptSet prompts = PromptSet::builtinShort();
    const QList<HttpRequest> requests = httpRequests(server, prompts);
    const QList<BareRequest> bare = bareRequests(requests);
    int failures = 0;
    const std::vector<Sender> senders{
        bareSender(manager, bare, failures), transportSender(transport, requests, failures),
        engineSender(*quiet, prompts, failures), engineSender(*full, prompts, failures)};
    const std::vector<std::vector<double>> latencies = interleave(senders, rounds, warmup);
    const char *names[] = {"bare QNetworkAccessManager", "QnamTransport alone",
                           "engine, no event consumers", "engine, recorder+metrics+alerts"};
    std::printf("breakdown on the caller's thread (%d rounds, medians):\n", rounds);
    double previous = 0;
    for (std::size_t i = 0; i < latencies.size(); ++i) {
        const double m = median(latencies[i]);
        std::printf("  %-34s %6.0f us", names[i], m);
        if (i > 0)
            std::printf("   %+5.0f us over the line above", m - previous);
        std::printf("\n");
        previous = m;
    }
    std::printf("BREAKDOWN bare_us=%.0f transport_us=%.0f engine_quiet_us=%.0f engine_full_us=%.0f "
                "errors=%d\n",
                median(latencies[0]), median(latencies[1]), median(latencies[2]),
                median(latencies[3]), failures);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_overhead"));
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("pairs"), QStringLiteral("Engine/bare pairs per pass (default 2000)."),
         QStringLiteral("N"), QStringLiteral("2000")},
        {QStringLiteral("warmup"), QStringLiteral("Unmeasured pairs first (default 200)."),
         QStringLiteral("N"), QStringLiteral("200")},
        {QStringLiteral("pool-threads"),
         QStringLiteral("Worker threads of the second pass (default 2, as run)."),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("latency-ms"),
         QStringLiteral("Latency the server adds to every answer, both kinds (default 0)."),
         QStringLiteral("MS"), QStringLiteral("0")},
        {QStringLiteral("no-breakdown"), QStringLiteral("Skip the breakdown pass.")},
        {QStringLiteral("no-pool"),
         QStringLiteral("Skip the engine pool pass (e.g. to profile the caller's-thread pass).")},
    });
    const QUrl server = parseServerArgument(
        parser,
        QStringLiteral("One call at a time: engine vs bare QNetworkAccessManager latency."));
    const int pairs = intOption(parser, QStringLiteral("pairs"), 1);
    const int warmup = intOption(parser, QStringLiteral("warmup"), 0);
    const int poolThreads = intOption(parser, QStringLiteral("pool-threads"), 1);
    const int latencyMs = intOption(parser, QStringLiteral("latency-ms"), 0);
    if (latencyMs > 0)
        extraHeaders.add(QByteArrayLiteral("x-chaos-latency-ms"), QByteArray::number(latencyMs));

    std::printf("%d interleaved pairs per pass (after %d unmeasured), one call at a time, %d ms "
                "injected latency\n",
                pairs, warmup, latencyMs);
    const Pass inline_ = runPass(server, 0, pairs, warmup);
    const Pass pool = parser.isSet(QStringLiteral("no-pool"))
                          ? Pass{}
                          : runPass(server, poolThreads, pairs, warmup);
    if (!parser.isSet(QStringLiteral("no-breakdown")))
        runBreakdown(server, pairs, warmup);
    const int failures = inline_.failures + pool.failures;
    // The pool's verdict is against the bare manager in the same thread layout (as the
    // throughput benchmark compares like with like); pool_overhead, against a bare manager on
    // the caller's thread, is what moving calls to worker threads costs on top.
    std::printf("RESULT overhead latency_ms=%d inline_engine_us=%.0f inline_bare_us=%.0f "
                "inline_overhead=%.3f "
                "pool_engine_us=%.0f pool_bare_us=%.0f pool_overhead=%.3f "
                "pool_layout_bare_us=%.0f pool_layout_overhead=%.3f errors=%d "
                "pass_inline=%d pass_pool=%d\n",
                latencyMs, inline_.engineMedian, inline_.bareMedian, inline_.overhead,
                pool.engineMedian, pool.bareMedian, pool.overhead, pool.layoutBareMedian,
                pool.layoutOverhead, failures,
                inline_.overhead <= 0.05 && failures == 0 ? 1 : 0,
                pool.layoutOverhead <= 0.05 && failures == 0 ? 1 : 0);
    return 0;
}

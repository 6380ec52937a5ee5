// Concurrency achieved (Little's law): a closed loop of N workers through the engine pool,
// every answer delayed by the chaos server (x-chaos-latency-ms), measured after a warm-up.
// throughput × mean latency ÷ N is the concurrency really held, as a share of N.

#include "benchcommon.h"
#include "runtime/lab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTimer>
#include <cstdio>

using namespace breakwater;
using namespace breakwater::bench;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_concurrency"));
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("concurrency"), QStringLiteral("Closed-loop workers (default 200)."),
         QStringLiteral("N"), QStringLiteral("200")},
        {QStringLiteral("latency-ms"), QStringLiteral("Injected latency (default 1500)."),
         QStringLiteral("MS"), QStringLiteral("1500")},
        {QStringLiteral("threads"), QStringLiteral("Engine threads (default 2, as run)."),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("warmup-s"), QStringLiteral("Unmeasured seconds first (default 5)."),
         QStringLiteral("S"), QStringLiteral("5")},
        {QStringLiteral("measure-s"), QStringLiteral("Measured seconds (default 20)."),
         QStringLiteral("S"), QStringLiteral("20")},
    });
    const QUrl server = parseServerArgument(
        parser, QStringLiteral("Concurrency the engine pool really holds (Little's law)."));
    const int concurrency = intOption(parser, QStringLiteral("concurrency"), 1);
    const int latencyMs = intOption(parser, QStringLiteral("latency-ms"), 1);
    const int threads = intOption(parser, QStringLiteral("threads"), 0);
    const int warmupS = intOption(parser, QStringLiteral("warmup-s"), 0);
    const int measureS = intOption(parser, QStringLiteral("measure-s"), 1);

    qint64 windowStart = std::numeric_limits<qint64>::max();
    qint64 windowEnd = std::numeric_limits<qint64>::max();
    std::vector<double> latencies;
    quint64 notAnswered = 0;
    EngineLoad::Options options;
    options.threads = threads;
    options.concurrency = concurrency;
    // Workers start spread over one latency, so that completions come evenly rather than in
    // waves, and a window of any length counts whole rounds' worth of them.
    options.ramp = Millis(latencyMs);
    options.extraHeaders.add(QByteArrayLiteral("x-chaos-latency-ms"),
                             QByteArray::number(latencyMs));
    EngineLoad engine(server, options,
                      [&](qint64 started, qint64 finished, const CallResult &result) {
                          if (finished < windowStart || finished >= windowEnd)
                              return;
                          latencies.push_back(static_cast<double>(finished - started) / 1e6);
                          if (!result.success || result.source != kModel)
                              ++notAnswered;
                      });
    QString error;
    if (!engine.startLab(&error)) {
        std::fprintf(stderr, "bench_concurrency: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("closed loop, %d workers, %d ms injected latency, %d engine threads; "
                "%d s warm-up, %d s measured\n",
                concurrency, latencyMs, threads, warmupS, measureS);
    std::fflush(stdout);
    engine.startLoad(Millis((warmupS + measureS + 60) * 1000));
    spin(warmupS * 1000);

    // In flight in the pool and connections open to the server, sampled through the window.
    std::vector<double> inFlight;
    int connections = 0;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &app, [&] {
        inFlight.push_back(engine.inFlight());
        if (inFlight.size() % 10 == 5)
            connections = std::max(connections, connectionsTo(static_cast<quint16>(server.port())));
    });
    windowStart = nowMicros();
    sampler.start(100);
    spin(measureS * 1000);
    windowEnd = nowMicros();
    sampler.stop();
    if (!engine.stopLoadAndDrain(60000))
        std::fprintf(stderr, "bench_concurrency: calls did not drain\n");

    const double seconds = static_cast<double>(windowEnd - windowStart) / 1e6;
    const double throughput = static_cast<double>(latencies.size()) / seconds;
    const double meanLatency = mean(latencies);
    const double achieved = throughput * meanLatency / concurrency;
    // With the injected latency instead of the measured one: the concurrency as the server
    // sees it, since no answer can come sooner than that.
    const double atServer = throughput * latencyMs / 1000.0 / concurrency;
    std::printf("throughput %.1f calls/s, mean latency %.3f s (injected %.3f s), %zu calls in "
                "the window\n",
                throughput, meanLatency, latencyMs / 1000.0, latencies.size());
    std::printf("throughput x mean latency / %d = %.3f (target >= 0.95); with the injected "
                "latency instead: %.3f\n",
                concurrency, achieved, atServer);
    std::printf("in flight in the pool (mean of samples): %.1f; connections open to the server: "
                "%d; calls not answered by the model: %llu\n",
                mean(inFlight), connections, static_cast<unsigned long long>(notAnswered));
    std::printf("RESULT concurrency workers=%d throughput=%.1f mean_latency_s=%.3f achieved=%.3f "
                "at_server=%.3f inflight=%.1f connections=%d errors=%llu pass=%d\n",
                concurrency, throughput, meanLatency, achieved, atServer, mean(inFlight),
                connections, static_cast<unsigned long long>(notAnswered),
                achieved >= 0.95 && notAnswered == 0 ? 1 : 0);
    return 0;
}

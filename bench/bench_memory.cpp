// Memory: resident size of a process running the engine at full load (closed loop, no
// injected latency) with everything a run keeps (recorder, metrics, alerts), sampled through
// the run; the size at the last minute compared with the size at minute 1.

#include "benchcommon.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>
#include <cmath>
#include <cstdio>

using namespace breakwater;
using namespace breakwater::bench;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_memory"));
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("minutes"), QStringLiteral("Length of the run, at least 2 (default 10)."),
         QStringLiteral("N"), QStringLiteral("10")},
        {QStringLiteral("concurrency"), QStringLiteral("Closed-loop workers (default 64)."),
         QStringLiteral("N"), QStringLiteral("64")},
        {QStringLiteral("threads"), QStringLiteral("Engine threads (default 2, as run)."),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("sample-s"), QStringLiteral("Seconds between samples (default 10)."),
         QStringLiteral("S"), QStringLiteral("10")},
    });
    const QUrl server = parseServerArgument(
        parser, QStringLiteral("Resident size at full load, minute 1 vs the last minute."));
    const int minutes = intOption(parser, QStringLiteral("minutes"), 2);
    const int concurrency = intOption(parser, QStringLiteral("concurrency"), 1);
    const int threads = intOption(parser, QStringLiteral("threads"), 0);
    const int sampleS = intOption(parser, QStringLiteral("sample-s"), 1);

    EngineLoad::Options options;
    options.threads = threads;
    options.concurrency = concurrency;
    EngineLoad engine(server, options, {});
    QString error;
    if (!engine.startLab(&error)) {
        std::fprintf(stderr, "bench_memory: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("closed loop, %d workers, %d engine threads, no injected latency, %d minutes; "
                "resident size before load: %.1f MB\n",
                concurrency, threads, minutes, static_cast<double>(residentBytes()) / 1e6);
    std::fflush(stdout);

    const qint64 start = nowMicros();
    qint64 atMinuteOne = 0;
    qint64 last = 0;
    quint64 lastCalls = 0;
    qint64 lastTime = start;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &app, [&] {
        const qint64 now = nowMicros();
        const qint64 rss = residentBytes();
        const double t = static_cast<double>(now - start) / 1e6;
        const double rate = static_cast<double>(engine.completed() - lastCalls) /
                            (static_cast<double>(now - lastTime) / 1e6);
        lastCalls = engine.completed();
        lastTime = now;
        last = rss;
        if (atMinuteOne == 0 && t >= 60 - 0.5)
            atMinuteOne = rss;
        std::printf("t=%4.0f s  resident %7.1f MB  calls %9llu  (%5.0f/s)\n", t,
                    static_cast<double>(rss) / 1e6,
                    static_cast<unsigned long long>(engine.completed()), rate);
        std::fflush(stdout);
    });
    sampler.start(sampleS * 1000);
    engine.startLoad(Millis(minutes * 60 * 1000 + 60 * 1000));
    spin(minutes * 60 * 1000 + 200);
    sampler.stop();
    const qint64 atEnd = last;
    if (!engine.stopLoadAndDrain(60000))
        std::fprintf(stderr, "bench_memory: calls did not drain\n");

    const double growth = atMinuteOne > 0 ? static_cast<double>(atEnd - atMinuteOne) /
                                                static_cast<double>(atMinuteOne)
                                          : 0;
    const quint64 notAnswered = engine.completed() - engine.answeredByModel();
    std::printf("resident at minute 1: %.1f MB, at minute %d: %.1f MB, change %+.1f %% (target "
                "within 10 %%); %llu calls, %llu not answered by the model\n",
                static_cast<double>(atMinuteOne) / 1e6, minutes, static_cast<double>(atEnd) / 1e6,
                growth * 100, static_cast<unsigned long long>(engine.completed()),
                static_cast<unsigned long long>(notAnswered));
    std::printf("RESULT memory minutes=%d rss1_mb=%.1f rssN_mb=%.1f change=%.3f calls=%llu "
                "errors=%llu pass=%d\n",
                minutes, static_cast<double>(atMinuteOne) / 1e6, static_cast<double>(atEnd) / 1e6,
                growth, static_cast<unsigned long long>(engine.completed()),
                static_cast<unsigned long long>(notAnswered),
                std::abs(growth) <= 0.10 && notAnswered == 0 ? 1 : 0);
    return 0;
}

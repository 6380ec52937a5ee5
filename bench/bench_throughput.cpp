// Throughput at saturation: the engine's requests/s against a chaos server that answers at
// once, beside bare QNetworkAccessManager clients in the same thread layout (same threads,
// same managers per thread, same requests in flight, the same requests), in alternating
// rounds of the same run; medians compared.

#include "benchcommon.h"
#include "engine/eventstream.h"
#include "runtime/lab.h"
#include "transport/qnamtransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <array>
#include <cstdio>
#include <map>
#include <ctime>
#include <unistd.h>

using namespace breakwater;
using namespace breakwater::bench;

namespace {

/// CPU time of the whole process (every thread), in microseconds.
qint64 processCpuMicros()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<qint64>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

/// CPU time of another process (utime + stime), in microseconds; 0 when it cannot be read.
qint64 otherProcessCpuMicros(qint64 pid)
{
    if (pid <= 0)
        return 0;
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    // Fields after the command name, which is in parentheses and may hold spaces.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong();
    return ticks * 1000000 / ::sysconf(_SC_CLK_TCK);
}

/// CPU time of this process's threads by role, in microseconds (from each thread's
/// schedstat, nanosecond run time): where a request's CPU goes.
struct ThreadCpu {
    qint64 caller = 0;  ///< the main thread: load generator, pool hand-offs, event consumers
    qint64 workers = 0; ///< engine or bare-client threads ("engine-N", "bare-N", "direct-N")
    qint64 http = 0;    ///< Qt's own HTTP threads, one per QNetworkAccessManager
    qint64 other = 0;

    ThreadCpu operator-(const ThreadCpu &before) const
    {
        return {caller - before.caller, workers - before.workers, http - before.http,
                other - before.other};
    }
};

ThreadCpu threadCpuMicros()
{
    ThreadCpu cpu;
    const QString self = QString::number(::getpid());
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task"))
                                  .entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tasks) {
        QFile schedstat(QStringLiteral("/proc/self/task/%1/schedstat").arg(tid));
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        if (!schedstat.open(QIODevice::ReadOnly) || !comm.open(QIODevice::ReadOnly))
            continue; // the thread ended meanwhile
        const qint64 micros = schedstat.readAll().split(' ').value(0).toLongLong() / 1000;
        const QByteArray name = comm.readAll().trimmed();
        if (tid == self)
            cpu.caller += micros;
        else if (name.startsWith("QNetworkAccessM"))
            cpu.http += micros;
        else if (name.startsWith("engine-") || name.startsWith("bare-") ||
                 name.startsWith("barepool-") || name.startsWith("direct-"))
            cpu.workers += micros;
        else
            cpu.other += micros;
    }
    return cpu;
}

struct Round {
    double rps = 0;
    /// Process CPU per completed request, µs (all threads).
    double cpuPerRequest = 0;
    /// The same by thread role, µs per request.
    double callerCpu = 0;
    double workerCpu = 0;
    double httpCpu = 0;
    /// The server's CPU per completed request, µs (0 without --server-pid).
    double serverCpuPerRequest = 0;
};

qint64 serverPid = 0;

/// Measures `completed()` over `measureMs` after `warmupMs` of load already running.
Round measure(const std::function<quint64()> &completed, int warmupMs, int measureMs)
{
    spin(warmupMs);
    const quint64 c0 = completed();
    const qint64 t0 = nowMicros();
    const qint64 cpu0 = processCpuMicros();
    const ThreadCpu threads0 = threadCpuMicros();
    const qint64 server0 = otherProcessCpuMicros(serverPid);
    spin(measureMs);
    const quint64 c1 = completed();
    const qint64 t1 = nowMicros();
    const qint64 cpu1 = processCpuMicros();
    const ThreadCpu threads = threadCpuMicros() - threads0;
    const qint64 server1 = otherProcessCpuMicros(serverPid);
    Round round;
    const double requests = static_cast<double>(c1 - c0);
    round.rps = requests / (static_cast<double>(t1 - t0) / 1e6);
    round.cpuPerRequest = requests > 0 ? static_cast<double>(cpu1 - cpu0) / requests : 0;
    round.serverCpuPerRequest =
        requests > 0 ? static_cast<double>(server1 - server0) / requests : 0;
    if (requests > 0) {
        round.callerCpu = static_cast<double>(threads.caller) / requests;
        round.workerCpu = static_cast<double>(threads.workers) / requests;
        round.httpCpu = static_cast<double>(threads.http) / requests;
    }
    return round;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_throughput"));
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("threads"), QStringLiteral("Engine / client threads (default 2, as run)."),
         QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("concurrency"), QStringLiteral("Requests in flight (default 64)."),
         QStringLiteral("N"), QStringLiteral("64")},
        {QStringLiteral("rounds"), QStringLiteral("Rounds of each (default 5)."),
         QStringLiteral("N"), QStringLiteral("5")},
        {QStringLiteral("warmup-ms"),
         QStringLiteral("Load before each measurement (default 1000)."), QStringLiteral("MS"),
         QStringLiteral("1000")},
        {QStringLiteral("measure-ms"), QStringLiteral("Measured time per round (default 5000)."),
         QStringLiteral("MS"), QStringLiteral("5000")},
        {QStringLiteral("server-pid"),
         QStringLiteral("The chaos server's process id, to report its CPU per request too."),
         QStringLiteral("PID")},
        {QStringLiteral("no-event-consumers"),
         QStringLiteral("Ablation: disconnect the recorder, metrics and alerts from the events.")},
        {QStringLiteral("with-direct"),
         QStringLiteral("Diagnostic: also run engines driven inside their own threads (no pool "
                        "hand-offs) in each round.")},
        {QStringLiteral("only"), QStringLiteral("Run only one kind (for profiling)."),
         QStringLiteral("engine|bare|barepool|direct")},
    });
    const QUrl server = parseServerArgument(
        parser, QStringLiteral("Engine vs bare QNetworkAccessManager requests/s at saturation."));
    const int threads = intOption(parser, QStringLiteral("threads"), 1);
    const int concurrency = intOption(parser, QStringLiteral("concurrency"), 1);
    const int rounds = intOption(parser, QStringLiteral("rounds"), 1);
    const int warmupMs = intOption(parser, QStringLiteral("warmup-ms"), 0);
    const int measureMs = intOption(parser, QStringLiteral("measure-ms"), 100);
    const QString only = parser.value(QStringLiteral("only"));
    if (parser.isSet(QStringLiteral("server-pid")))
        serverPid = intOption(parser, QStringLiteral("server-pid"), 1);
    if (!only.isEmpty() && only != u"engine" && only != u"bare" && only != u"barepool" &&
        only != u"direct") {
        std::fprintf(stderr, "bench_throughput: --only: engine, bare, barepool or direct\n");
        return 2;
    }

    EngineLoad::Options engineOptions;
    engineOptions.threads = threads;
    engineOptions.concurrency = concurrency;
    EngineLoad engine(server, engineOptions, {});
    QString error;
    if (!engine.startLab(&error)) {
        std::fprintf(stderr, "bench_throughput: %s\n", qPrintable(error));
        return 2;
    }
    if (parser.isSet(QStringLiteral("no-event-consumers")))
        QObject::disconnect(&engine.lab().events(), &EventStream::event, nullptr, nullptr);
    // The layout EnginePool gives each engine thread.
    const int perThread = (concurrency + threads - 1) / threads;
    const int managers = (perThread + QnamTransport::kConnectionsPerManager - 1) /
                         QnamTransport::kConnectionsPerManager;

    QList<BareRequest> requests;
    const PromptSet prompts = PromptSet::builtinShort();
    for (int i = 0; i < prompts.size(); ++i)
        requests.append(bareRequest(engineRequest(server, prompts.at(static_cast<quint64>(i)))));
    BareLoad bare(requests, threads, managers, concurrency);
    BarePoolLoad barePool(requests, threads, managers, concurrency);
    const bool eventConsumers = !parser.isSet(QStringLiteral("no-event-consumers"));
    const bool withDirect = parser.isSet(QStringLiteral("with-direct")) || only == u"direct";
    std::unique_ptr<DirectEngineLoad> direct;
    if (withDirect)
        direct = std::make_unique<DirectEngineLoad>(server, threads, managers, concurrency,
                                                    eventConsumers);

    std::printf("layout: %d threads x %d managers, %d requests in flight; %d rounds of %d ms "
                "(after %d ms warm-up)\n",
                threads, managers, concurrency, rounds, measureMs, warmupMs);
    std::vector<double> engineRps, bareRps, engineCpu, bareCpu, serverCpu, roundRatios, directRps,
        directCpu, directRatios, poolRps, poolCpu, workersRatios;
    // Per thread role (caller, workers, Qt HTTP), for each kind.
    std::map<QString, std::array<std::vector<double>, 3>> byRole;
    const auto noteRoles = [&byRole](const QString &kind, const Round &round) {
        byRole[kind][0].push_back(round.callerCpu);
        byRole[kind][1].push_back(round.workerCpu);
        byRole[kind][2].push_back(round.httpCpu);
    };
    quint64 engineNotAnswered = 0;
    const auto runEngine = [&] {
        const quint64 before = engine.completed() - engine.answeredByModel();
        engine.startLoad(Millis(3600 * 1000));
        const Round round = measure([&] { return engine.completed(); }, warmupMs, measureMs);
        if (!engine.stopLoadAndDrain(30000))
            std::fprintf(stderr, "bench_throughput: engine calls did not drain\n");
        engineNotAnswered += engine.completed() - engine.answeredByModel() - before;
        engineRps.push_back(round.rps);
        engineCpu.push_back(round.cpuPerRequest);
        noteRoles(QStringLiteral("engine pool"), round);
        serverCpu.push_back(round.serverCpuPerRequest);
        return round;
    };
    const auto runBare = [&] {
        bare.start();
        const Round round = measure([&] { return bare.completed(); }, warmupMs, measureMs);
        if (!bare.stopAndDrain(30000))
            std::fprintf(stderr, "bench_throughput: bare requests did not drain\n");
        bareRps.push_back(round.rps);
        bareCpu.push_back(round.cpuPerRequest);
        noteRoles(QStringLiteral("bare"), round);
        serverCpu.push_back(round.serverCpuPerRequest);
        return round;
    };
    const auto runBarePool = [&] {
        barePool.start();
        const Round round = measure([&] { return barePool.completed(); }, warmupMs, measureMs);
        if (!barePool.stopAndDrain(30000))
            std::fprintf(stderr, "bench_throughput: bare pool requests did not drain\n");
        poolRps.push_back(round.rps);
        poolCpu.push_back(round.cpuPerRequest);
        serverCpu.push_back(round.serverCpuPerRequest);
        noteRoles(QStringLiteral("bare, pool layout"), round);
        return round;
    };
    const auto runDirect = [&] {
        direct->start();
        const Round round = measure([&] { return direct->completed(); }, warmupMs, measureMs);
        if (!direct->stopAndDrain(30000))
            std::fprintf(stderr, "bench_throughput: direct engine calls did not drain\n");
        directRps.push_back(round.rps);
        directCpu.push_back(round.cpuPerRequest);
        noteRoles(QStringLiteral("direct engines"), round);
        return round;
    };
    for (int r = 0; r < rounds; ++r) {
        // Alternate which goes first, so that a drift in the machine's load favours neither.
        Round e, b;
        if (!only.isEmpty()) {
            const Round one = only == u"engine"     ? runEngine()
                              : only == u"bare"     ? runBare()
                              : only == u"barepool" ? runBarePool()
                                                    : runDirect();
            std::printf("round %d: %s %8.0f req/s (%5.0f us CPU/req: caller %.0f, workers %.0f, "
                        "Qt HTTP threads %.0f)\n",
                        r + 1, qPrintable(only), one.rps, one.cpuPerRequest, one.callerCpu,
                        one.workerCpu, one.httpCpu);
            std::fflush(stdout);
            continue;
        }
        // The verdict's pair (engine pool, bare clients in the pool's layout) back to back,
        // alternating which goes first; bare clients in worker threads alone after them.
        Round p;
        if (r % 2 == 0) {
            e = runEngine();
            p = runBarePool();
        } else {
            p = runBarePool();
            e = runEngine();
        }
        b = runBare();
        roundRatios.push_back(e.rps / p.rps);
        workersRatios.push_back(e.rps / b.rps);
        std::printf("round %d: engine %6.0f req/s (%4.0f us CPU/req)   bare, pool layout %6.0f "
                    "req/s (%4.0f us CPU/req)   ratio %.3f   [bare in worker threads %6.0f req/s "
                    "(%4.0f us CPU/req), ratio %.3f]",
                    r + 1, e.rps, e.cpuPerRequest, p.rps, p.cpuPerRequest, e.rps / p.rps, b.rps,
                    b.cpuPerRequest, e.rps / b.rps);
        if (serverPid > 0)
            std::printf("   server %3.0f/%3.0f/%3.0f us CPU/req", e.serverCpuPerRequest,
                        p.serverCpuPerRequest, b.serverCpuPerRequest);
        std::printf("\n");
        if (direct) {
            const Round d = runDirect();
            directRatios.push_back(d.rps / b.rps);
            std::printf("round %d: direct engines %6.0f req/s (%4.0f us CPU/req), ratio to bare "
                        "%.3f\n",
                        r + 1, d.rps, d.cpuPerRequest, d.rps / b.rps);
        }
        std::fflush(stdout);
    }
    if (!only.isEmpty())
        return 0;
    const double engineMedian = median(engineRps);
    const double poolMedian = median(poolRps);
    const double bareMedian = median(bareRps);
    // Each round's engine and bare-pool figures were taken back to back, so their ratio is
    // the least disturbed by the machine's load drifting; the verdict is on the median of
    // those: the engine pool against bare clients in the same thread layout (a caller thread
    // handing requests to worker threads and getting answers back).
    const double ratio = median(roundRatios);
    const double mediansRatio = engineMedian / poolMedian;
    const double workersRatio = median(workersRatios);
    const double engineCpuMedian = median(engineCpu);
    const double poolCpuMedian = median(poolCpu);
    const double bareCpuMedian = median(bareCpu);
    const double serverCpuMedian = median(serverCpu);
    // Where client and server share the same cores and nothing else runs, requests/s is
    // inversely proportional to the CPU a request costs on both sides together.
    const double cpuBoundRatio =
        (poolCpuMedian + serverCpuMedian) / (engineCpuMedian + serverCpuMedian);
    std::printf("median of the rounds' ratios, engine pool / bare clients in the pool's layout: "
                "%.3f (target >= 0.9); medians: engine %.0f req/s, bare %.0f req/s, ratio %.3f\n",
                ratio, engineMedian, poolMedian, mediansRatio);
    std::printf("context: engine pool / bare clients in worker threads alone (no caller thread, "
                "no hand-offs): median of the rounds' ratios %.3f (bare %.0f req/s)\n",
                workersRatio, bareMedian);
    std::printf("CPU per request: engine %.0f us, bare (pool layout) %.0f us, bare (worker "
                "threads) %.0f us, server %.0f us; ratio if CPU bound: (bare + server) / "
                "(engine + server) = %.3f\n",
                engineCpuMedian, poolCpuMedian, bareCpuMedian, serverCpuMedian, cpuBoundRatio);
    for (const auto &[kind, roles] : byRole)
        std::printf("CPU per request by thread, medians, %s: caller %.0f us, engine/client "
                    "threads %.0f us, Qt HTTP threads %.0f us\n",
                    qPrintable(kind), median(roles[0]), median(roles[1]), median(roles[2]));
    if (direct)
        std::printf("diagnostic, engines driven in their own threads (no pool hand-offs%s): "
                    "%.0f req/s, %.0f us CPU/req, median ratio to bare %.3f%s\n",
                    eventConsumers ? ", events queued to consumers" : ", no event consumers",
                    median(directRps), median(directCpu), median(directRatios),
                    direct->notAnswered() > 0 ? " (some calls not answered!)" : "");
    const quint64 bareFailures = bare.failed() + barePool.failed();
    if (engineNotAnswered > 0 || bareFailures > 0)
        std::printf("warning: %llu engine calls not answered by the model, %llu bare failures\n",
                    static_cast<unsigned long long>(engineNotAnswered),
                    static_cast<unsigned long long>(bareFailures));
    std::printf("RESULT throughput threads=%d managers=%d inflight=%d engine_rps=%.0f "
                "bare_rps=%.0f ratio=%.3f medians_ratio=%.3f workers_bare_rps=%.0f "
                "workers_ratio=%.3f engine_cpu_us=%.0f bare_cpu_us=%.0f workers_bare_cpu_us=%.0f "
                "server_cpu_us=%.0f cpu_bound_ratio=%.3f errors=%llu pass=%d\n",
                threads, managers, concurrency, engineMedian, poolMedian, ratio, mediansRatio,
                bareMedian, workersRatio, engineCpuMedian, poolCpuMedian, bareCpuMedian,
                serverCpuMedian, cpuBoundRatio,
                static_cast<unsigned long long>(engineNotAnswered + bareFailures),
                ratio >= 0.9 && engineNotAnswered == 0 && bareFailures == 0 ? 1 : 0);
    return 0;
}

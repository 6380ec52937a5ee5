#include "batch/batchlock.h"
#include "batch/batchrunner.h"
#include "batch/jobfile.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/configoption.h"
#include "metrics/metricscollector.h"
#include "runtime/lab.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <QTimer>
#include <cstdio>

namespace breakwater::cli {
namespace {

/// Beyond this a concurrency is a typo, not a batch.
constexpr int kMaxConcurrency = 1024;
/// How far past the config's total call budget a claim stays leased: the call has ended by
/// then, so a lease that runs out means its process is gone.
constexpr Millis kLeaseMargin{60'000};

QString clockText(Millis duration)
{
    const qint64 seconds = duration.count() / 1000;
    if (seconds >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(seconds / 3600)
            .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2")
        .arg(seconds / 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

/// "[00:12] 120 done  3 dead  170 pending  8 in flight  10.2 jobs/s  about 00:17 left"
QString progressLine(const BatchProgress &progress)
{
    const QueueCounts &counts = progress.counts;
    QString line = QStringLiteral("[%1] %2 done  %3 dead  %4 pending  %5 in flight")
                       .arg(clockText(progress.elapsed))
                       .arg(counts.done)
                       .arg(counts.dead)
                       .arg(counts.pending)
                       .arg(counts.inFlight);
    line += QStringLiteral("  %1 jobs/s").arg(progress.ratePerSecond(), 0, 'f', 1);
    if (const std::optional<Millis> left = progress.remaining())
        line += QStringLiteral("  about %1 left").arg(clockText(*left));
    return line;
}

bool writeResults(JobQueue &queue, const QString &path, QString *error)
{
    const std::optional<QList<JobResult>> results = queue.results();
    if (!results) {
        *error = queue.lastError();
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    for (const JobResult &result : *results) {
        const nlohmann::json line = {{"id", jsonString(result.id)}, {"result", result.result}};
        file.write(QByteArray::fromStdString(line.dump()) + '\n');
    }
    if (!file.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

struct BatchOptions {
    int concurrency = 4;
    int maxReceiveCount = 3;
    Millis retryDelay{5000};
    std::uint64_t seed = 1;
};

} // namespace

int runBatch(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption input(QStringLiteral("input"),
                                   QStringLiteral("Jobs to add, one JSON object a line: "
                                                  "{\"id\":\"…\",\"prompt\":\"…\"}. Without it, "
                                                  "the batch resumes what the database holds."),
                                   QStringLiteral("JOBS.jsonl"));
    const QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("The queue's SQLite file (default: %1).").arg(defaultDatabasePath()),
        QStringLiteral("FILE"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("Jobs in flight at once (default 4)."),
                                         QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption output(
        QStringLiteral("output"),
        QStringLiteral("When the queue is empty, write every completed job's result here, "
                       "one JSON line per job: {\"id\":…,\"result\":{call result}}."),
        QStringLiteral("RESULTS.jsonl"));
    const QCommandLineOption maxReceives(
        QStringLiteral("max-receive-count"),
        QStringLiteral("Receives after which a job that still ends degraded or failed moves to "
                       "the dead-letter queue (default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption retryDelay(
        QStringLiteral("retry-delay"),
        QStringLiteral("Seconds before a failed job is received again, doubling with each "
                       "receive up to 300 (default 5)."),
        QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Seed of the embedded chaos server and the jitter."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption quiet(QStringLiteral("quiet"),
                                   QStringLiteral("No live progress on stderr."));
    const QCommandLineOption metricsPort(
        QStringLiteral("metrics-port"),
        QStringLiteral("Serve Prometheus metrics (llm_dlq_messages among them) on "
                       "127.0.0.1:N/metrics while the batch runs (0: a free port, printed on "
                       "stderr)."),
        QStringLiteral("N"));
    parser.addOptions({input, db, configOption(), concurrency, output, maxReceives, retryDelay,
                       seed, quiet, metricsPort});
    if (auto exit = parseArguments(
            parser, QStringLiteral("batch"),
            QStringLiteral(
                "Processes background jobs through the resilience engine (SPEC.md section 9). "
                "A job whose call ends degraded or failed is received again later; after "
                "--max-receive-count receives it moves to the dead-letter queue (see "
                "'breakwater-cli dlq'). Every claim and result is committed to --db before "
                "the next step, so a killed batch loses no job: rerun it with the same --db "
                "to finish what was pending; completed jobs are never redone.\n"
                "Bad lines of --input (invalid JSON, missing or repeated id, empty prompt) "
                "are reported by line number and skipped. Optional job fields for the chaos "
                "server: \"chaos_fault\" (e.g. \"server_error\") and \"chaos_latency_ms\".\n"
                "Exit code 0 when every job in the queue is done, 1 when the dead-letter "
                "queue holds jobs, 2 on bad input (bad lines are skipped, the rest is "
                "processed, and the exit code is 2), 3 on an internal error."),
            arguments))
        return *exit;
    QTextStream err(stderr);
    const QString command = QStringLiteral("breakwater-cli batch: ");
    if (!parser.positionalArguments().isEmpty()) {
        err << command << "unexpected argument '" << parser.positionalArguments().first() << "'\n";
        return BadInput;
    }
    if (!checkFileOptions(parser, QStringLiteral("batch"), {"input", "db", "config", "output"}))
        return BadInput;
    BatchOptions options;
    bool ok = false;
    options.concurrency = parser.value(concurrency).toInt(&ok);
    if (!ok || options.concurrency < 1 || options.concurrency > kMaxConcurrency) {
        err << command << "--concurrency: must be a whole number from 1 to " << kMaxConcurrency
            << '\n';
        return BadInput;
    }
    options.maxReceiveCount = parser.value(maxReceives).toInt(&ok);
    if (!ok || options.maxReceiveCount < 1 || options.maxReceiveCount > 1000) {
        err << command << "--max-receive-count: must be a whole number from 1 to 1000\n";
        return BadInput;
    }
    const double retrySeconds = parser.value(retryDelay).toDouble(&ok);
    if (!ok || !(retrySeconds >= 0) || retrySeconds > 3600) {
        err << command << "--retry-delay: must be a number of seconds from 0 to 3600\n";
        return BadInput;
    }
    options.retryDelay = fromSeconds(retrySeconds);
    options.seed = parser.value(seed).toULongLong(&ok);
    if (!ok) {
        err << command << "--seed: must be a whole number >= 0\n";
        return BadInput;
    }
    int port = -1;
    if (parser.isSet(metricsPort)) {
        port = parser.value(metricsPort).toInt(&ok);
        if (!ok || port < 0 || port > 65535) {
            err << command << "--metrics-port: must be a port from 0 to 65535\n";
            return BadInput;
        }
    }
    if (!checkOutputPath(parser.value(output), QStringLiteral("batch"), QStringLiteral("--output")))
        return BadInput;
    std::optional<Config> config = loadConfigOption(parser, QStringLiteral("batch"));
    if (!config)
        return BadInput;

    // The input first: a typo in its name should not leave a new empty database behind.
    std::optional<ParsedJobs> jobs;
    const QString inputPath = parser.value(input);
    const QString inputLabel = QFileInfo(inputPath).fileName();
    if (parser.isSet(input)) {
        QString error;
        jobs = readJobFile(inputPath, &error);
        if (!jobs) {
            err << command << error << '\n';
            return BadInput;
        }
    }
    int skippedLines = 0;
    if (jobs) {
        for (const JobLineError &lineError : jobs->errors)
            err << lineError.toString(inputLabel) << '\n';
        skippedLines = static_cast<int>(jobs->errors.size());
    }

    const QString dbPath = parser.isSet(db) ? parser.value(db) : defaultDatabasePath();
    QString error;
    std::unique_ptr<Database> database = Database::open(dbPath, &error);
    if (!database) {
        err << command << error << '\n';
        return BadInput;
    }
    // One batch per queue: then every job still in flight belongs to a process that died.
    BatchLock lock(dbPath);
    if (!lock.tryLock(&error)) {
        err << command << error << '\n';
        return BadInput;
    }

    QueueOptions queueOptions;
    queueOptions.maxReceiveCount = options.maxReceiveCount;
    queueOptions.retryDelay = options.retryDelay;
    queueOptions.maxRetryDelay = std::max(queueOptions.maxRetryDelay, options.retryDelay);
    queueOptions.lease = config->timeouts.total + kLeaseMargin;
    JobQueue queue(*database, queueOptions);
    const std::optional<JobQueue::Recovered> recovered = queue.recoverInFlight();
    if (!recovered) {
        err << command << queue.lastError() << '\n';
        return InternalError;
    }
    if (recovered->requeued + recovered->deadLettered > 0) {
        err << "recovered " << recovered->requeued + recovered->deadLettered
            << " job(s) left in flight by a batch that stopped";
        if (recovered->deadLettered > 0)
            err << " (" << recovered->deadLettered << " had used their last receive: moved to "
                << "the dead-letter queue)";
        err << '\n';
    }
    if (jobs) {
        const std::optional<QList<EnqueueStatus>> statuses = queue.enqueue(jobs->jobs);
        if (!statuses) {
            err << command << queue.lastError() << '\n';
            return InternalError;
        }
        const EnqueueSummary enqueued = summarizeEnqueue(*jobs, *statuses);
        for (const JobLineError &conflict : enqueued.conflicts)
            err << conflict.toString(inputLabel) << '\n';
        skippedLines += static_cast<int>(enqueued.conflicts.size());
        err << inputLabel << ": " << enqueued.added << " new job(s)";
        if (enqueued.alreadyKnown > 0)
            err << ", " << enqueued.alreadyKnown << " already in the queue";
        if (skippedLines > 0)
            err << ", " << skippedLines << " line(s) skipped";
        err << '\n';
    }
    err.flush();

    Lab::Options labOptions;
    labOptions.seed = options.seed;
    labOptions.threads = 0;
    labOptions.concurrency = options.concurrency;
    Lab lab(*config, labOptions, LabWorld::real());
    if (!lab.start(&error)) {
        err << command << error << '\n';
        return InternalError;
    }
    if (port >= 0) {
        const quint16 bound = lab.serveMetrics(static_cast<quint16>(port));
        if (bound == 0) {
            err << command << "cannot serve metrics on 127.0.0.1:" << port << '\n';
            return InternalError;
        }
        err << "metrics on http://127.0.0.1:" << bound << "/metrics\n";
        err.flush();
    }
    DeadLetterQueue deadLetters(*database);
    lab.metricsCollector().setDeadLetterCount(std::max(0, deadLetters.count()));

    BatchRunner runner(
        queue, lab.clock(),
        [&lab](CallRequest request, Engine::Completion done) {
            lab.engines().submit(std::move(request), std::move(done));
        },
        BatchRunner::Options{options.concurrency});
    QObject::connect(&runner, &BatchRunner::jobSettled, &runner,
                     [&](const QString &, Settled how, const CallResult &) {
                         if (how == Settled::DeadLettered)
                             lab.metricsCollector().setDeadLetterCount(
                                 std::max(0, deadLetters.count()));
                     });
    const bool showProgress = !parser.isSet(quiet);
    QTimer progressTimer;
    progressTimer.setInterval(1000);
    QObject::connect(&progressTimer, &QTimer::timeout, &runner, [&] {
        err << progressLine(runner.progress()) << '\n';
        err.flush();
    });
    QObject::connect(&runner, &BatchRunner::finished, &runner, [] { QCoreApplication::quit(); });
    if (showProgress)
        progressTimer.start();
    runner.start();
    if (runner.isRunning())
        QCoreApplication::exec();
    progressTimer.stop();

    const BatchProgress progress = runner.progress();
    if (showProgress)
        err << progressLine(progress) << '\n';
    if (!runner.error().isEmpty()) {
        err << command << runner.error() << '\n';
        return InternalError;
    }
    if (parser.isSet(output) && !writeResults(queue, parser.value(output), &error)) {
        err << command << error << '\n';
        return InternalError;
    }
    const QueueCounts counts = progress.counts;
    err << counts.done << " done, " << counts.dead << " in the dead-letter queue";
    if (counts.dead > 0)
        err << " (see 'breakwater-cli dlq list --db " << dbPath << "')";
    err << '\n';
    if (skippedLines > 0)
        return BadInput;
    return counts.dead > 0 ? ExpectationsFailed : Success;
}

} // namespace breakwater::cli

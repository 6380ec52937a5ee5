// kill -9 loses no job: a real `breakwater-cli batch` child over a few hundred jobs against
// the embedded chaos server, with a high failure rate, is killed with SIGKILL several times at
// seeded random moments and restarted on the same database. In the end every job id is
// either in the results exactly once or in the dead-letter queue exactly once.
//
// Failures come from the jobs themselves: a job line may carry "chaos_fault", which batch
// sends as `x-chaos-fault` on every attempt, so those jobs fail on every receive and must end
// in the dead-letter queue; the others must end in the results unless kills took all their
// receives (then they are dead letters of class "interrupted").
#include "common/random.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#ifndef BREAKWATER_CLI
#error "BREAKWATER_CLI (the path of breakwater-cli) must be defined for this test"
#endif

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

constexpr int kJobs = 300;
constexpr int kKills = 5;
constexpr double kFailingShare = 0.4;
constexpr std::uint64_t kSeed = 20260301;

/// One model, one attempt per call, no cache and no breaker: each receive of a job is
/// exactly one request, and its outcome is the job's own fault.
const char *const kConfig = R"({
  "chain": [{"provider": "chaos", "model": "claude-haiku-4-5"}],
  "retry": {"max_attempts": 1},
  "cache": {"enabled": false},
  "breaker": {"consecutive_failures": 0, "failure_rate": 0},
  "timeouts": {"total_s": 10}
})";

const char *const kFaults[] = {"server_error", "overloaded", "unavailable", "rate_limited"};

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

struct Counts {
    QueueCounts queue;
    int results = 0;
    int deadLetters = 0;
};

Counts countsOf(Database &database)
{
    Counts counts;
    JobQueue queue(database);
    counts.queue = queue.counts();
    QSqlQuery query(database.connection());
    if (query.exec(u"SELECT COUNT(*) FROM results"_s) && query.next())
        counts.results = query.value(0).toInt();
    DeadLetterQueue deadLetters(database);
    counts.deadLetters = deadLetters.count();
    return counts;
}

} // namespace

class TestBatchCrash : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dbPath;
    QString m_jobsPath;
    QString m_configPath;
    QString m_outputPath;

    QStringList batchArguments(bool withOutput) const
    {
        QStringList arguments{u"batch"_s, u"--input"_s,       m_jobsPath,   u"--db"_s,
                              m_dbPath,   u"--config"_s,      m_configPath, u"--concurrency"_s,
                              u"8"_s,     u"--retry-delay"_s, u"0"_s,       u"--quiet"_s};
        if (withOutput)
            arguments += {u"--output"_s, m_outputPath};
        return arguments;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(BREAKWATER_CLI)), BREAKWATER_CLI);
        m_dbPath = m_dir.filePath(u"queue.db"_s);
        m_jobsPath = m_dir.filePath(u"jobs.jsonl"_s);
        m_configPath = m_dir.filePath(u"config.json"_s);
        m_outputPath = m_dir.filePath(u"results.jsonl"_s);
        QVERIFY(writeFile(m_configPath, kConfig));
    }

    void everyJobEndsInResultsOrTheDeadLetterQueueExactlyOnce()
    {
        SeededRandom random(kSeed);
        QSet<QString> failing;
        QByteArray lines;
        for (int i = 0; i < kJobs; ++i) {
            const std::string id = "job-" + std::to_string(i);
            nlohmann::json line = {{"id", id},
                                   {"prompt", "Summarise document " + std::to_string(i)},
                                   {"chaos_latency_ms", static_cast<int>(random.uniform(2, 20))}};
            if (random.uniform01() < kFailingShare) {
                line["chaos_fault"] = kFaults[static_cast<int>(random.uniform(0, 4))];
                failing.insert(QString::fromStdString(id));
            }
            lines += QByteArray::fromStdString(line.dump()) + '\n';
        }
        QVERIFY(writeFile(m_jobsPath, lines));

        // The test's own connection watches the child's progress (WAL: readers never block
        // the writer) and checks the file after each kill.
        QString error;
        std::unique_ptr<Database> database = Database::open(m_dbPath, &error);
        QVERIFY2(database, qPrintable(error));

        int killedMidBatch = 0;
        for (int kill = 0; kill < kKills; ++kill) {
            const Counts before = countsOf(*database);
            const int settledBefore = before.queue.done + before.queue.dead;
            const int target = settledBefore + 5 + static_cast<int>(random.uniform(0, 40));
            QProcess child;
            child.setProcessChannelMode(QProcess::ForwardedOutputChannel);
            child.start(QStringLiteral(BREAKWATER_CLI), batchArguments(false));
            QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
            QElapsedTimer guard;
            guard.start();
            for (;;) {
                if (child.waitForFinished(2) || guard.elapsed() > 15000)
                    break;
                const Counts now = countsOf(*database);
                if (now.queue.done + now.queue.dead >= target)
                    break;
            }
            // A seeded extra moment, so the kill lands anywhere in a receive, a call or a
            // commit, not just after a settle.
            QThread::usleep(static_cast<unsigned long>(random.uniform(0, 15000)));
            const bool wasRunning = child.state() == QProcess::Running;
            child.kill();
            QVERIFY(child.waitForFinished(5000));
            const Counts after = countsOf(*database);
            // Completion and result are one transaction, and so are the dead-letter move and
            // its entry: whenever the process dies, the tables agree.
            QCOMPARE(after.results, after.queue.done);
            QCOMPARE(after.deadLetters, after.queue.dead);
            QCOMPARE(after.queue.total(), kJobs);
            if (wasRunning && after.queue.pending + after.queue.inFlight > 0)
                ++killedMidBatch;
        }
        QVERIFY2(killedMidBatch >= 3, "the kills should land while jobs were still open");

        QProcess last;
        last.setProcessChannelMode(QProcess::ForwardedOutputChannel);
        last.start(QStringLiteral(BREAKWATER_CLI), batchArguments(true));
        QVERIFY(last.waitForStarted(5000));
        QVERIFY(last.waitForFinished(30000));
        QCOMPARE(last.exitStatus(), QProcess::NormalExit);
        // Some jobs always fail: the dead-letter queue is not empty.
        QCOMPARE(last.exitCode(), 1);

        QFile output(m_outputPath);
        QVERIFY(output.open(QIODevice::ReadOnly));
        QHash<QString, int> inResults;
        const QList<QByteArray> outputLines = output.readAll().split('\n');
        for (const QByteArray &line : outputLines) {
            if (line.isEmpty())
                continue;
            const nlohmann::json json = nlohmann::json::parse(line.toStdString());
            QVERIFY(json["result"].is_object());
            QVERIFY(!json["result"]["degraded"].get<bool>());
            ++inResults[QString::fromStdString(json["id"].get<std::string>())];
        }
        DeadLetterQueue deadLetters(*database);
        const std::optional<QList<DeadLetter>> entries = deadLetters.list();
        QVERIFY(entries);
        QHash<QString, int> inDeadLetters;
        QHash<QString, QString> deadClass;
        for (const DeadLetter &entry : *entries) {
            ++inDeadLetters[entry.id];
            deadClass.insert(entry.id, entry.errorClass);
        }

        int interrupted = 0;
        for (int i = 0; i < kJobs; ++i) {
            const QString id = u"job-%1"_s.arg(i);
            const int results = inResults.value(id);
            const int dead = inDeadLetters.value(id);
            QVERIFY2(
                results + dead == 1,
                qPrintable(u"%1: %2 results, %3 dead letters"_s.arg(id).arg(results).arg(dead)));
            if (failing.contains(id)) {
                QVERIFY2(dead == 1, qPrintable(id + u" always fails but has a result"_s));
            } else if (dead == 1) {
                // A good job only dies when kills took every one of its receives.
                QCOMPARE(deadClass.value(id), u"interrupted"_s);
                ++interrupted;
            }
        }
        QCOMPARE(inResults.size() + inDeadLetters.size(), kJobs);
        qInfo("%d results, %d dead letters (%d interrupted), %d kills mid-batch",
              static_cast<int>(inResults.size()), static_cast<int>(inDeadLetters.size()),
              interrupted, killedMidBatch);
    }
};

QTEST_GUILESS_MAIN(TestBatchCrash)
#include "tst_batchcrash.moc"

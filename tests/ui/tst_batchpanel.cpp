// The batch tab on a temporary database, against a started lab's embedded chaos server: a
// small job file (answers, jobs that fail through the chaos headers, bad lines) runs to the
// end with counts that add up and bad lines reported by number; a second Start redoes
// nothing; another batch's lock, an unreadable file and a lab change are handled.
#include "batch/batchlock.h"
#include "config/configloader.h"
#include "panels/batchpanel.h"
#include "runtime/lab.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

/// Bounded waits on real calls to the loopback chaos server.
constexpr int kBatchTimeoutMs = 30000;

std::unique_ptr<Lab> startedLab()
{
    ConfigParseResult parsed = parseConfig(defaultConfigJson(), u"test"_s);
    if (!parsed.config)
        qFatal("default config invalid");
    auto lab = std::make_unique<Lab>(*parsed.config, Lab::Options{}, LabWorld::real());
    QString error;
    if (!lab->start(&error))
        qFatal("lab did not start: %s", qPrintable(error));
    return lab;
}

QByteArray okJob(int n, int latencyMs = 0)
{
    return QStringLiteral(R"({"id":"ok-%1","prompt":"Summarise report %1","chaos_fault":"ok",)"
                          R"("chaos_latency_ms":%2})")
        .arg(n)
        .arg(latencyMs)
        .toUtf8();
}

QByteArray failingJob(int n)
{
    // 401 on every attempt of every model: never retried, so the call ends at once degraded.
    return QStringLiteral(R"({"id":"bad-%1","prompt":"Translate memo %1","chaos_fault":"auth",)"
                          R"("chaos_latency_ms":0})")
        .arg(n)
        .toUtf8();
}

} // namespace

class TestBatchPanel final : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

    QString writeJobs(const QList<QByteArray> &lines)
    {
        const QString path = m_dir->filePath(u"jobs.jsonl"_s);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write the job file");
        for (const QByteArray &line : lines)
            file.write(line + '\n');
        return path;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("BREAKWATER_DB", m_dir->filePath(u"breakwater.db"_s).toUtf8());
        QString error;
        m_database = Database::open(defaultDatabasePath(), &error);
        QVERIFY2(m_database, qPrintable(error));
    }

    void cleanup()
    {
        m_database.reset();
        m_dir.reset();
    }

    void runsAJobFileToTheEndWithCountsThatAddUp()
    {
        std::unique_ptr<Lab> lab = startedLab();
        BatchPanel panel(m_database.get(), lab.get());
        panel.show();
        const QString path = writeJobs({okJob(1), okJob(2), "{not json", okJob(3),
                                        R"({"prompt":"no id here"})", failingJob(1), okJob(4),
                                        okJob(1), failingJob(2), R"({"id":"empty","prompt":" "})"});
        panel.setFileChooser([&](const QString &) { return path; });
        QTest::mouseClick(child<QPushButton>(panel, u"browseJobFile"_s), Qt::LeftButton);
        QCOMPARE(panel.jobFile(), path);
        panel.setMaxReceiveCount(2);
        panel.setConcurrency(3);
        panel.setRetryDelaySeconds(0.0);
        QSignalSpy finished(&panel, &BatchPanel::batchFinished);
        QSignalSpy deadLettered(&panel, &BatchPanel::jobDeadLettered);

        QTest::mouseClick(child<QPushButton>(panel, u"startBatch"_s), Qt::LeftButton);
        QVERIFY(panel.isRunning());
        QVERIFY(!child<QPushButton>(panel, u"startBatch"_s)->isEnabled());
        QVERIFY(child<QPushButton>(panel, u"stopBatch"_s)->isEnabled());
        QVERIFY(!panel.estimateText().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kBatchTimeoutMs);
        QVERIFY(!panel.isRunning());

        const BatchPanel::Counts counts = panel.counts();
        QCOMPARE(counts.done, 4);
        QCOMPARE(counts.deadLettered, 2);
        QCOMPARE(counts.pending, 0);
        QCOMPARE(counts.inFlight, 0);
        // Each failing job was received twice, and failed twice.
        QCOMPARE(counts.failed, 4);
        QCOMPARE(deadLettered.count(), 2);
        QCOMPARE(counts.done + counts.deadLettered + counts.pending + counts.inFlight,
                 JobQueue(*m_database).counts().total());
        QCOMPARE(DeadLetterQueue(*m_database).count(), 2);

        auto *progress = child<QProgressBar>(panel, u"batchProgress"_s);
        QCOMPARE(progress->maximum(), 6);
        QCOMPARE(progress->value(), 6);
        QCOMPARE(progress->text(), u"6 of 6 jobs settled"_s);
        const QString countsText = child<QLabel>(panel, u"batchCounts"_s)->text();
        QVERIFY2(countsText.contains(u"4 done"_s) && countsText.contains(u"4 failed"_s) &&
                     countsText.contains(u"2 dead-lettered"_s) &&
                     countsText.contains(u"0 pending"_s),
                 qPrintable(countsText));

        const QStringList bad = panel.badLines();
        QCOMPARE(bad.size(), 4);
        QVERIFY2(bad.at(0).startsWith(u"jobs.jsonl:3:"_s), qPrintable(bad.at(0)));
        QVERIFY2(bad.at(1).startsWith(u"jobs.jsonl:5:"_s), qPrintable(bad.at(1)));
        QVERIFY2(bad.at(2).startsWith(u"jobs.jsonl:8:"_s), qPrintable(bad.at(2)));
        QVERIFY2(bad.at(3).startsWith(u"jobs.jsonl:10:"_s), qPrintable(bad.at(3)));
        QVERIFY(panel.statusText().contains(u"Finished: 4 done, 2 in the dead-letter queue"_s));
        QVERIFY(panel.statusText().contains(u"4 line(s)"_s));

        // A second Start with the same file: every job is known, nothing is run again.
        JobQueue queue(*m_database);
        const QDateTime completedAt = queue.job(u"ok-1"_s)->updatedAt;
        QVERIFY(panel.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kBatchTimeoutMs);
        QCOMPARE(panel.counts().done, 4);
        QCOMPARE(panel.counts().failed, 0);
        QCOMPARE(queue.job(u"ok-1"_s)->updatedAt, completedAt);
    }

    void anotherBatchOnTheSameFileIsRefused()
    {
        std::unique_ptr<Lab> lab = startedLab();
        BatchPanel panel(m_database.get(), lab.get());
        panel.setJobFile(writeJobs({okJob(1)}));
        BatchLock other(m_database->path());
        QString error;
        QVERIFY(other.tryLock(&error));
        QVERIFY(!panel.start());
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.statusText().contains(u"another batch"_s), qPrintable(panel.statusText()));
        QCOMPARE(JobQueue(*m_database).counts().total(), 0);
    }

    void anUnreadableFileTouchesNothing()
    {
        std::unique_ptr<Lab> lab = startedLab();
        BatchPanel panel(m_database.get(), lab.get());
        QCOMPARE(child<QProgressBar>(panel, u"batchProgress"_s)->text(),
                 u"The job queue is empty"_s);
        panel.setJobFile(m_dir->filePath(u"missing.jsonl"_s));
        QVERIFY(!panel.start());
        QVERIFY(panel.statusText().contains(u"missing.jsonl"_s));
        QCOMPARE(JobQueue(*m_database).counts().total(), 0);
    }

    void aLabChangeStopsTheBatchAndTheNextStartResumes()
    {
        std::unique_ptr<Lab> first = startedLab();
        std::unique_ptr<Lab> second = startedLab();
        BatchPanel panel(m_database.get(), first.get());
        // Slow answers: the calls are still in flight when the lab changes.
        panel.setJobFile(writeJobs({okJob(1, 3000), okJob(2, 3000), okJob(3, 3000)}));
        QSignalSpy finished(&panel, &BatchPanel::batchFinished);
        QVERIFY(panel.start());
        QTRY_COMPARE_WITH_TIMEOUT(panel.counts().inFlight, 3, kBatchTimeoutMs);
        panel.setLab(second.get());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kBatchTimeoutMs);
        QVERIFY(!panel.isRunning());
        QCOMPARE(JobQueue(*m_database).counts().done, 0);

        // The next Start (no file: resume only) finishes them on the new lab.
        panel.setJobFile(QString());
        QVERIFY(panel.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kBatchTimeoutMs);
        QCOMPARE(JobQueue(*m_database).counts().done, 3);
        QCOMPARE(panel.counts().done, 3);
    }
};

QTEST_MAIN(TestBatchPanel)
#include "tst_batchpanel.moc"

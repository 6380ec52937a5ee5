// The batch runner on a fake clock with scripted calls: bounded concurrency, retries after
// the queue's delay, the move to the dead-letter queue, resuming without redoing completed
// jobs, stopping, progress figures, and a storage error ending the run.
#include "../storage/queuetesting.h"
#include "batch/batchrunner.h"
#include "common/fakeclock.h"
#include "storage/deadletterqueue.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

/// Calls that wait for the test to answer them, as an engine would answer later.
struct ScriptedCalls {
    struct Call {
        CallRequest request;
        Engine::Completion done;
    };
    QList<Call> open;
    QStringList sent;
    int peak = 0;

    BatchRunner::Submit submit()
    {
        return [this](CallRequest request, Engine::Completion done) {
            sent.append(request.id);
            open.append(Call{std::move(request), std::move(done)});
            peak = std::max(peak, static_cast<int>(open.size()));
        };
    }
    /// Answers the oldest open call with `result`.
    void answer(CallResult result)
    {
        Call call = open.takeFirst();
        result.id = call.request.id;
        call.done(result);
    }
    void answerAll(const CallResult &result)
    {
        while (!open.isEmpty())
            answer(result);
    }
};

CallResult cancelled()
{
    CallResult result;
    result.source = sources::error;
    result.errorClass = Outcome::Cancelled;
    result.error = u"cancelled"_s;
    return result;
}

QList<NewJob> jobs(int count)
{
    QList<NewJob> list;
    for (int i = 1; i <= count; ++i)
        list.append(job(u"job-%1"_s.arg(i)));
    return list;
}

} // namespace

class TestBatchRunner : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;
    QDateTime m_origin = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);

    /// Wall time moving with the fake clock, as the queue must see it.
    WallClock wall()
    {
        return [this] {
            return m_origin.addMSecs(m_clock.now().count());
        };
    }

    QueueOptions options(int maxReceiveCount = 3)
    {
        QueueOptions options;
        options.maxReceiveCount = maxReceiveCount;
        options.retryDelay = Millis(5000);
        return options;
    }

private Q_SLOTS:
    void keepsAtMostConcurrencyCallsInFlight()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(10)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {3});
        QSignalSpy finished(&runner, &BatchRunner::finished);
        runner.start();
        QCOMPARE(calls.open.size(), 3);
        QCOMPARE(queue.counts().inFlight, 3);
        calls.answer(answered());
        QCOMPARE(calls.open.size(), 3);
        calls.answerAll(answered());
        QCOMPARE(calls.peak, 3);
        QCOMPARE(finished.count(), 1);
        QVERIFY(!runner.isRunning());
        QVERIFY(runner.error().isEmpty());
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 10, 0}));
        QCOMPARE(calls.sent.size(), 10);
        QCOMPARE(calls.sent.first(), u"job-1#1"_s);
    }

    void failingJobIsReceivedAgainAfterItsDelayThenDeadLettered()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(1)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {4});
        QSignalSpy settled(&runner, &BatchRunner::jobSettled);
        QSignalSpy finished(&runner, &BatchRunner::finished);
        runner.start();
        calls.answer(degraded());
        QVERIFY(calls.open.isEmpty());
        QCOMPARE(finished.count(), 0);
        m_clock.advance(Millis(4999));
        QVERIFY(calls.open.isEmpty());
        m_clock.advance(Millis(1));
        QCOMPARE(calls.open.size(), 1);
        QCOMPARE(calls.open.first().request.id, u"job-1#2"_s);
        calls.answer(degraded());
        m_clock.advance(Millis(10'000));
        QCOMPARE(calls.open.size(), 1);
        QCOMPARE(calls.open.first().request.id, u"job-1#3"_s);
        calls.answer(failedCall());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(settled.count(), 3);
        QCOMPARE(settled[0][1].value<Settled>(), Settled::WillRetry);
        QCOMPARE(settled[1][1].value<Settled>(), Settled::WillRetry);
        QCOMPARE(settled[2][1].value<Settled>(), Settled::DeadLettered);
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 0, 1}));
        DeadLetterQueue deadLetters(*temp.database);
        QCOMPARE(deadLetters.find(u"job-1"_s)->errorClass, u"bad_request"_s);
    }

    void otherJobsGoOnWhileOneWaitsOutItsDelay()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(3)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {1});
        runner.start();
        calls.answer(degraded()); // job-1 waits 5 s
        QCOMPARE(calls.open.first().request.id, u"job-2#1"_s);
        calls.answer(answered());
        calls.answer(answered()); // job-3
        QVERIFY(calls.open.isEmpty());
        QVERIFY(runner.isRunning());
        m_clock.advance(Millis(5000));
        QCOMPARE(calls.open.first().request.id, u"job-1#2"_s);
        calls.answer(answered());
        QVERIFY(!runner.isRunning());
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 3, 0}));
    }

    void resumingNeverRedoesACompletedJob()
    {
        TempDatabase temp;
        ScriptedCalls first;
        {
            JobQueue queue(*temp.database, options(), wall());
            QVERIFY(queue.enqueue(jobs(5)));
            BatchRunner runner(queue, m_clock, first.submit(), {5});
            runner.start();
            first.answer(answered());
            first.answer(answered());
            // The process dies here: three calls never come back.
        }
        std::unique_ptr<Database> reopened = temp.reopen();
        QVERIFY(reopened);
        JobQueue queue(*reopened, options(), wall());
        QCOMPARE(queue.recoverInFlight()->requeued, 3);
        // The same input again: nothing is added twice.
        const auto statuses = queue.enqueue(jobs(5));
        QVERIFY(statuses);
        QCOMPARE(statuses->count(EnqueueStatus::AlreadyKnown), 5);
        ScriptedCalls second;
        BatchRunner runner(queue, m_clock, second.submit(), {5});
        runner.start();
        QCOMPARE(second.sent, (QStringList{u"job-3#2"_s, u"job-4#2"_s, u"job-5#2"_s}));
        second.answerAll(answered());
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 5, 0}));
        QStringList ids;
        const std::optional<QList<JobResult>> results = queue.results();
        QVERIFY(results);
        for (const JobResult &result : *results)
            ids.append(result.id);
        QCOMPARE(ids, (QStringList{u"job-1"_s, u"job-2"_s, u"job-3"_s, u"job-4"_s, u"job-5"_s}));
        // A third run finds nothing to do.
        ScriptedCalls third;
        BatchRunner idle(queue, m_clock, third.submit(), {5});
        QSignalSpy finished(&idle, &BatchRunner::finished);
        idle.start();
        QVERIFY(third.sent.isEmpty());
        QCOMPARE(finished.count(), 1);
    }

    void stopGivesCancelledJobsBackWithoutCountingTheReceive()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(4)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {2});
        QSignalSpy finished(&runner, &BatchRunner::finished);
        runner.start();
        calls.answer(answered());
        runner.stop();
        QCOMPARE(finished.count(), 0);
        QCOMPARE(calls.open.size(), 2);
        calls.answer(cancelled());
        calls.answer(answered()); // finished before the cancel reached it
        QCOMPARE(finished.count(), 1);
        QCOMPARE(calls.sent.size(), 3);
        QCOMPARE(queue.counts(), (QueueCounts{2, 0, 2, 0}));
        QCOMPARE(queue.job(u"job-2"_s)->receiveCount, 0);
    }

    void progressGivesTheRateAndTheTimeLeft()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(10)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {2});
        QCOMPARE(runner.progress().remaining(), std::nullopt);
        runner.start();
        for (int i = 0; i < 4; ++i) {
            m_clock.advance(Millis(500));
            calls.answer(answered());
        }
        const BatchProgress progress = runner.progress();
        QCOMPARE(progress.settled, 4);
        QCOMPARE(progress.received, 6);
        QCOMPARE(progress.inFlight, 2);
        QCOMPARE(progress.counts, (QueueCounts{4, 2, 4, 0}));
        QCOMPARE(progress.elapsed, Millis(2000));
        QCOMPARE(progress.ratePerSecond(), 2.0);
        QCOMPARE(progress.remaining(), std::optional<Millis>(Millis(3000)));
    }

    void storageErrorEndsTheRunWithTheMessage()
    {
        TempDatabase temp;
        JobQueue queue(*temp.database, options(), wall());
        QVERIFY(queue.enqueue(jobs(3)));
        ScriptedCalls calls;
        BatchRunner runner(queue, m_clock, calls.submit(), {1});
        QSignalSpy finished(&runner, &BatchRunner::finished);
        runner.start();
        QSqlQuery sabotage(temp.database->connection());
        QVERIFY(sabotage.exec(u"DROP TABLE results"_s));
        calls.answer(answered());
        QCOMPARE(finished.count(), 1);
        QVERIFY2(runner.error().startsWith(temp.path + u": cannot complete job 'job-1'"_s),
                 qPrintable(runner.error()));
        QCOMPARE(calls.sent.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestBatchRunner)
#include "tst_batchrunner.moc"

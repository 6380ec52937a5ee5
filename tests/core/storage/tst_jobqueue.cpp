// The job queue's SQS-like semantics: idempotent enqueue, receive with a lease and a count,
// complete once, fail with backoff, move to the dead-letter queue after the maximum, and
// crash recovery.
#include "queuetesting.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

class TestJobQueue : public QObject {
    Q_OBJECT

private:
    static QueueOptions options(int maxReceiveCount = 3)
    {
        QueueOptions options;
        options.maxReceiveCount = maxReceiveCount;
        options.lease = Millis(60'000);
        options.retryDelay = Millis(5000);
        options.maxRetryDelay = Millis(300'000);
        return options;
    }

private Q_SLOTS:
    void enqueuedJobsArePendingAndVisibleAtOnce()
    {
        TempDatabase temp;
        QVERIFY2(temp.database, qPrintable(temp.error));
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        const auto statuses = queue.enqueue({job(u"a"_s), job(u"b"_s)});
        QVERIFY(statuses);
        QCOMPARE(*statuses, (QList<EnqueueStatus>{EnqueueStatus::Added, EnqueueStatus::Added}));
        QCOMPARE(queue.counts(), (QueueCounts{2, 0, 0, 0}));
        QCOMPARE(queue.nextVisibleAt(), std::optional<QDateTime>(wall.now));
        const std::optional<StoredJob> stored = queue.job(u"a"_s);
        QVERIFY(stored);
        QCOMPARE(stored->state, u"pending"_s);
        QCOMPARE(stored->receiveCount, 0);
        QCOMPARE(QString::fromStdString(stored->payload["prompt"].get<std::string>()),
                 QStringLiteral("prompt of a"));
    }

    void knownIdIsNeverAddedTwice()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s, u"first"_s)}));
        const auto statuses = queue.enqueue({job(u"a"_s, u"first"_s), job(u"a"_s, u"other"_s),
                                             job(u"b"_s), job(u"b"_s, u"another"_s)});
        QVERIFY(statuses);
        QCOMPARE(*statuses,
                 (QList<EnqueueStatus>{EnqueueStatus::AlreadyKnown, EnqueueStatus::Conflict,
                                       EnqueueStatus::Added, EnqueueStatus::Conflict}));
        QCOMPARE(queue.counts().total(), 2);
        QCOMPARE(queue.job(u"a"_s)->prompt, u"first"_s);
    }

    void receiveClaimsTheOldestVisibleJobAndCountsTheReceive()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"first"_s), job(u"second"_s)}));
        const std::optional<ReceivedJob> one = queue.receive();
        QVERIFY(one);
        QCOMPARE(one->id, u"first"_s);
        QCOMPARE(one->prompt, u"prompt of first"_s);
        QCOMPARE(one->receiveCount, 1);
        QCOMPARE(one->leaseExpiresAt, wall.now.addSecs(60));
        const std::optional<ReceivedJob> two = queue.receive();
        QVERIFY(two);
        QCOMPARE(two->id, u"second"_s);
        QVERIFY(one->lease != two->lease);
        QVERIFY(!queue.receive());
        QVERIFY(queue.lastError().isEmpty());
        QCOMPARE(queue.counts(), (QueueCounts{0, 2, 0, 0}));
        QCOMPARE(queue.job(u"first"_s)->state, u"in_flight"_s);
    }

    void jobWhoseLeaseRanOutIsReceivedAgainAndTheOldReceiptIsRefused()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        const std::optional<ReceivedJob> first = queue.receive();
        QVERIFY(first);
        wall.advance(Millis(59'999));
        QVERIFY(!queue.receive());
        wall.advance(Millis(1));
        const std::optional<ReceivedJob> second = queue.receive();
        QVERIFY(second);
        QCOMPARE(second->receiveCount, 2);
        QCOMPARE(queue.complete(*first, answered()), std::optional<Settled>(Settled::LeaseLost));
        QCOMPARE(queue.fail(*first, degraded()), std::optional<Settled>(Settled::LeaseLost));
        QCOMPARE(queue.complete(*second, answered()), std::optional<Settled>(Settled::Completed));
        QCOMPARE(queue.results()->size(), 1);
    }

    void completeStoresTheResultExactlyOnce()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        const CallResult result = answered(u"a#1"_s);
        QCOMPARE(queue.complete(*received, result), std::optional<Settled>(Settled::Completed));
        QCOMPARE(queue.complete(*received, result), std::optional<Settled>(Settled::LeaseLost));
        QCOMPARE(queue.fail(*received, degraded()), std::optional<Settled>(Settled::LeaseLost));
        const auto results = queue.results();
        QVERIFY(results);
        QCOMPARE(results->size(), 1);
        QCOMPARE(results->first().id, u"a"_s);
        QVERIFY(results->first().result == toJson(result));
        QCOMPARE(results->first().completedAt, wall.now);
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 1, 0}));
        // A done job is never received again, whatever time passes.
        wall.advance(Millis(10'000'000));
        QVERIFY(!queue.receive());
    }

    void failedJobIsVisibleAgainAfterItsBackoff_data()
    {
        QTest::addColumn<int>("receives");
        QTest::addColumn<int>("delaySeconds");
        QTest::newRow("after the first receive") << 1 << 5;
        QTest::newRow("after the second") << 2 << 10;
        QTest::newRow("after the third") << 3 << 20;
        QTest::newRow("after the seventh") << 7 << 300;
        QTest::newRow("capped") << 9 << 300;
    }

    void failedJobIsVisibleAgainAfterItsBackoff()
    {
        QFETCH(int, receives);
        QFETCH(int, delaySeconds);
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(100), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        for (int i = 1; i < receives; ++i) {
            const std::optional<ReceivedJob> received = queue.receive();
            QVERIFY(received);
            QCOMPARE(queue.fail(*received, degraded()), std::optional<Settled>(Settled::WillRetry));
            wall.now = *queue.nextVisibleAt();
        }
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        QCOMPARE(received->receiveCount, receives);
        QCOMPARE(queue.fail(*received, degraded()), std::optional<Settled>(Settled::WillRetry));
        QCOMPARE(queue.nextVisibleAt(), std::optional<QDateTime>(wall.now.addSecs(delaySeconds)));
        QCOMPARE(queue.job(u"a"_s)->state, u"pending"_s);
        wall.advance(Millis(delaySeconds * 1000 - 1));
        QVERIFY(!queue.receive());
        wall.advance(Millis(1));
        QVERIFY(queue.receive());
    }

    void jobMovesToTheDeadLetterQueueAfterMaxReceives_data()
    {
        QTest::addColumn<int>("maxReceiveCount");
        QTest::newRow("the seed's 3") << 3;
        QTest::newRow("1: no second chance") << 1;
        QTest::newRow("5") << 5;
    }

    void jobMovesToTheDeadLetterQueueAfterMaxReceives()
    {
        QFETCH(int, maxReceiveCount);
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(maxReceiveCount), wall.clock());
        NewJob newJob = job(u"doc-17"_s);
        newJob.payload["tenant"] = "acme";
        QVERIFY(queue.enqueue({newJob}));
        for (int receive = 1; receive <= maxReceiveCount; ++receive) {
            const std::optional<ReceivedJob> received = queue.receive();
            QVERIFY(received);
            QCOMPARE(received->receiveCount, receive);
            const Settled expected =
                receive == maxReceiveCount ? Settled::DeadLettered : Settled::WillRetry;
            QCOMPARE(queue.fail(*received, degraded(Outcome::Overloaded)),
                     std::optional<Settled>(expected));
            if (receive < maxReceiveCount)
                wall.now = *queue.nextVisibleAt();
        }
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 0, 1}));
        QVERIFY(!queue.nextVisibleAt());
        wall.advance(Millis(10'000'000));
        QVERIFY(!queue.receive());

        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QCOMPARE(deadLetters.count(), 1);
        const std::optional<DeadLetter> entry = deadLetters.find(u"doc-17"_s);
        QVERIFY(entry);
        QCOMPARE(entry->receiveCount, maxReceiveCount);
        QCOMPARE(entry->errorClass, u"overloaded"_s);
        QCOMPARE(entry->error, u"server error (HTTP 500)"_s);
        QCOMPARE(entry->failedAt, wall.now.addMSecs(-10'000'000));
        QVERIFY(entry->lastResult == toJson(degraded(Outcome::Overloaded)));
        QVERIFY(entry->job == newJob.payload);
    }

    void onlyAnAnswerFromAModelOrTheCacheCompletesAJob_data()
    {
        QTest::addColumn<CallResult>("result");
        QTest::addColumn<bool>("completes");
        CallResult fromCache = answered();
        fromCache.source = sources::cache;
        QTest::newRow("model answer") << answered() << true;
        QTest::newRow("cache answer") << fromCache << true;
        QTest::newRow("degraded answer") << degraded() << false;
        QTest::newRow("failed call") << failedCall() << false;
    }

    void onlyAnAnswerFromAModelOrTheCacheCompletesAJob()
    {
        QFETCH(CallResult, result);
        QFETCH(bool, completes);
        QCOMPARE(completesJob(result), completes);
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        QCOMPARE(queue.settle(*received, result),
                 std::optional<Settled>(completes ? Settled::Completed : Settled::WillRetry));
    }

    void failedCallWithoutErrorClassTakesTheLastFailedAttempts()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(1), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        CallResult result = degraded(Outcome::Timeout);
        result.errorClass.reset();
        result.error.clear();
        const std::optional<ReceivedJob> received = queue.receive();
        QCOMPARE(queue.fail(*received, result), std::optional<Settled>(Settled::DeadLettered));
        DeadLetterQueue deadLetters(*temp.database);
        QCOMPARE(deadLetters.find(u"a"_s)->errorClass, u"timeout"_s);
        QVERIFY(deadLetters.find(u"a"_s)->error.contains(u"degraded"_s));
    }

    void recoveryRequeuesJobsLeftInFlightWithTheirReceiveCount()
    {
        TempDatabase temp;
        ManualWallClock wall;
        std::optional<ReceivedJob> lost;
        {
            JobQueue queue(*temp.database, options(), wall.clock());
            QVERIFY(queue.enqueue({job(u"a"_s), job(u"b"_s), job(u"c"_s)}));
            const std::optional<ReceivedJob> a = queue.receive();
            QVERIFY(queue.fail(*a, degraded()));
            const std::optional<ReceivedJob> b = queue.receive();
            QCOMPARE(b->id, u"b"_s);
            QVERIFY(queue.complete(*b, answered()));
            QCOMPARE(queue.receive()->id, u"c"_s); // in flight when the process dies
            wall.now = *queue.nextVisibleAt();
            lost = queue.receive();
            QCOMPARE(lost->id, u"a"_s);
            QCOMPARE(lost->receiveCount, 2);
        }
        // The process died: a new one opens the file.
        std::unique_ptr<Database> reopened = temp.reopen();
        QVERIFY(reopened);
        JobQueue queue(*reopened, options(), wall.clock());
        const auto recovered = queue.recoverInFlight();
        QVERIFY(recovered);
        QCOMPARE(recovered->requeued, 2);
        QCOMPARE(recovered->deadLettered, 0);
        QCOMPARE(queue.counts(), (QueueCounts{2, 0, 1, 0}));
        QCOMPARE(queue.job(u"a"_s)->receiveCount, 2);
        QCOMPARE(queue.job(u"c"_s)->receiveCount, 1);
        // The dead process's receipt is worthless now.
        QCOMPARE(queue.complete(*lost, answered()), std::optional<Settled>(Settled::LeaseLost));
        const std::optional<ReceivedJob> again = queue.receive();
        QVERIFY(again);
        QCOMPARE(again->id, u"a"_s);
        QCOMPARE(again->receiveCount, 3);
    }

    void recoveryDeadLettersAJobInterruptedOnItsLastReceive()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(2), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        const std::optional<ReceivedJob> first = queue.receive();
        const CallResult firstResult = degraded(Outcome::RateLimited);
        QVERIFY(queue.fail(*first, firstResult));
        wall.now = *queue.nextVisibleAt();
        QVERIFY(queue.receive()); // the last receive; the process dies during the call
        const auto recovered = queue.recoverInFlight();
        QVERIFY(recovered);
        QCOMPARE(recovered->requeued, 0);
        QCOMPARE(recovered->deadLettered, 1);
        QCOMPARE(queue.counts(), (QueueCounts{0, 0, 0, 1}));
        DeadLetterQueue deadLetters(*temp.database);
        const std::optional<DeadLetter> entry = deadLetters.find(u"a"_s);
        QVERIFY(entry);
        QCOMPARE(entry->errorClass, u"interrupted"_s);
        QCOMPARE(entry->receiveCount, 2);
        QVERIFY(entry->lastResult == toJson(firstResult));
    }

    void expiredLeaseOnTheLastReceiveGoesToTheDeadLetterQueue()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(1), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s), job(u"b"_s)}));
        QCOMPARE(queue.receive()->id, u"a"_s);
        wall.advance(Millis(30'000));
        QCOMPARE(queue.receive()->id, u"b"_s);
        wall.advance(Millis(30'000));
        // a's lease ran out on its only receive: it is dead-lettered, not received again;
        // b's lease has 30 s to go.
        QVERIFY(!queue.receive());
        QVERIFY(queue.lastError().isEmpty());
        QCOMPARE(queue.job(u"a"_s)->state, u"dead"_s);
        QCOMPARE(queue.job(u"b"_s)->state, u"in_flight"_s);
        DeadLetterQueue deadLetters(*temp.database);
        QCOMPARE(deadLetters.find(u"a"_s)->errorClass, u"interrupted"_s);
    }

    void releaseGivesTheJobBackWithoutCountingTheReceive()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"a"_s)}));
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(queue.release(*received));
        QVERIFY(!queue.release(*received));
        QCOMPARE(queue.job(u"a"_s)->receiveCount, 0);
        QCOMPARE(queue.receive()->receiveCount, 1);
    }

    void resultsComeInTheOrderJobsWereAdded()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        QVERIFY(queue.enqueue({job(u"z"_s), job(u"a"_s), job(u"m"_s)}));
        QList<ReceivedJob> received;
        for (int i = 0; i < 3; ++i)
            received.append(*queue.receive());
        for (int i = 2; i >= 0; --i)
            QVERIFY(queue.complete(received[i], answered()));
        QStringList ids;
        const std::optional<QList<JobResult>> results = queue.results();
        QVERIFY(results);
        for (const JobResult &result : *results)
            ids.append(result.id);
        QCOMPARE(ids, (QStringList{u"z"_s, u"a"_s, u"m"_s}));
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "tst_jobqueue.moc"

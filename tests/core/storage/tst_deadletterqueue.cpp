// The dead-letter queue: list, find, redrive (receive count reset), purge, export.
#include "queuetesting.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QBuffer>
#include <QSqlQuery>
#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

class TestDeadLetterQueue : public QObject {
    Q_OBJECT

private:
    /// Sends each id through `maxReceiveCount` failed receives, one second apart.
    static void deadLetter(JobQueue &queue, ManualWallClock &wall, const QStringList &ids)
    {
        for (const QString &id : ids) {
            QVERIFY(queue.enqueue({job(id)}));
            for (int receive = 1; receive <= queue.options().maxReceiveCount; ++receive) {
                const std::optional<ReceivedJob> received = queue.receive();
                QVERIFY(received);
                QCOMPARE(received->id, id);
                QVERIFY(queue.fail(*received, degraded()));
                wall.now = queue.nextVisibleAt().value_or(wall.now);
            }
            wall.advance(Millis(1000));
        }
    }

    static QueueOptions options()
    {
        QueueOptions options;
        options.retryDelay = Millis(0);
        return options;
    }

private Q_SLOTS:
    void listsEntriesOldestFailureFirst()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"b"_s, u"a"_s, u"c"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        const auto entries = deadLetters.list();
        QVERIFY(entries);
        QStringList ids;
        for (const DeadLetter &entry : *entries)
            ids.append(entry.id);
        QCOMPARE(ids, (QStringList{u"b"_s, u"a"_s, u"c"_s}));
        QCOMPARE(deadLetters.list(1, 1)->first().id, u"a"_s);
        QCOMPARE(deadLetters.count(), 3);
        QVERIFY(!deadLetters.find(u"nope"_s));
        QVERIFY(deadLetters.lastError().isEmpty());
    }

    void redriveMovesJobsBackWithTheirReceiveCountReset()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"a"_s, u"b"_s, u"c"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QCOMPARE(deadLetters.redrive({u"a"_s, u"c"_s}), std::optional<int>(2));
        QCOMPARE(deadLetters.count(), 1);
        QCOMPARE(queue.counts(), (QueueCounts{2, 0, 0, 1}));
        QCOMPARE(queue.job(u"a"_s)->receiveCount, 0);
        QVERIFY(queue.job(u"a"_s)->lastResult.is_null());
        // A redriven job gets the full number of receives again.
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        QCOMPARE(received->id, u"a"_s);
        QCOMPARE(received->receiveCount, 1);
        QCOMPARE(queue.fail(*received, degraded()), std::optional<Settled>(Settled::WillRetry));
    }

    void redriveAllEmptiesTheQueue()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"a"_s, u"b"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QCOMPARE(deadLetters.redriveAll(), std::optional<int>(2));
        QCOMPARE(deadLetters.count(), 0);
        QCOMPARE(queue.counts(), (QueueCounts{2, 0, 0, 0}));
    }

    void redriveOfAnUnknownIdMovesNothing()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"a"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QVERIFY(!deadLetters.redrive({u"a"_s, u"ghost"_s}));
        QCOMPARE(deadLetters.unknownIds(), QStringList{u"ghost"_s});
        QVERIFY2(deadLetters.lastError().contains(u"'ghost'"_s),
                 qPrintable(deadLetters.lastError()));
        QCOMPARE(deadLetters.count(), 1);
        QCOMPARE(queue.job(u"a"_s)->state, u"dead"_s);
    }

    void redriveRestoresAJobRowThatWentMissing()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"a"_s});
        QSqlQuery remove(temp.database->connection());
        QVERIFY(remove.exec(u"DELETE FROM jobs WHERE id = 'a'"_s));
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QCOMPARE(deadLetters.redrive({u"a"_s}), std::optional<int>(1));
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        QCOMPARE(received->prompt, u"prompt of a"_s);
    }

    void purgeForgetsEntriesAndTheirJobs()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"a"_s, u"b"_s, u"c"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QVERIFY(!deadLetters.purge({u"ghost"_s}));
        QCOMPARE(deadLetters.count(), 3);
        QCOMPARE(deadLetters.purge({u"b"_s}), std::optional<int>(1));
        QCOMPARE(deadLetters.count(), 2);
        QCOMPARE(deadLetters.purgeAll(), std::optional<int>(2));
        QCOMPARE(deadLetters.count(), 0);
        QCOMPARE(queue.counts().total(), 0);
        // The id is forgotten: the same job can be added again.
        QCOMPARE(*queue.enqueue({job(u"a"_s)}), QList<EnqueueStatus>{EnqueueStatus::Added});
    }

    void exportWritesOneJsonLinePerEntryWithTheJobsId()
    {
        TempDatabase temp;
        ManualWallClock wall;
        JobQueue queue(*temp.database, options(), wall.clock());
        deadLetter(queue, wall, {u"doc-1"_s, u"doc-2"_s});
        DeadLetterQueue deadLetters(*temp.database, wall.clock());
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QCOMPARE(deadLetters.exportJsonLines(buffer, u"buffer"_s), std::optional<int>(2));
        const QList<QByteArray> lines = buffer.data().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines.last().isEmpty());
        const nlohmann::json first = nlohmann::json::parse(lines[0].toStdString());
        QCOMPARE(QString::fromStdString(first["id"].get<std::string>()), QStringLiteral("doc-1"));
        QCOMPARE(first["receive_count"].get<int>(), 3);
        QCOMPARE(QString::fromStdString(first["error_class"].get<std::string>()),
                 QStringLiteral("server_error"));
        QCOMPARE(QString::fromStdString(first["failed_at"].get<std::string>()),
                 QStringLiteral("2026-03-01T12:00:00.000Z"));
        QCOMPARE(QString::fromStdString(first["job"]["prompt"].get<std::string>()),
                 QStringLiteral("prompt of doc-1"));
        QCOMPARE(QString::fromStdString(first["last_result"]["source"].get<std::string>()),
                 QStringLiteral("degraded"));
        QCOMPARE(QString::fromStdString(
                     nlohmann::json::parse(lines[1].toStdString())["id"].get<std::string>()),
                 QStringLiteral("doc-2"));
    }
};

QTEST_GUILESS_MAIN(TestDeadLetterQueue)
#include "tst_deadletterqueue.moc"

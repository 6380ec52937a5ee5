// The SQLite file: connection settings, schema migrations from an older version, refusal of
// files it cannot use, and one connection per thread.
#include "storage/database.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"
#include "storage/runhistory.h"
#include "storage/schema.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

/// The schema as version 1 shipped it, written out by hand: what an old file holds.
const QStringList kVersion1Schema = {
    u"CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
    "prompt TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending' "
    "CHECK (state IN ('pending', 'in_flight', 'done', 'dead')), receive_count INTEGER NOT NULL "
    "DEFAULT 0, visible_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER "
    "NOT NULL)"_s,
    u"CREATE INDEX jobs_by_state ON jobs (state, visible_at)"_s,
    u"CREATE TABLE results (job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE, "
    "result TEXT NOT NULL, completed_at INTEGER NOT NULL)"_s,
    u"CREATE TABLE dead_letters (job_id TEXT PRIMARY KEY, failed_at INTEGER NOT NULL, error "
    "TEXT NOT NULL, error_class TEXT, receive_count INTEGER NOT NULL, last_result TEXT, job "
    "TEXT NOT NULL)"_s,
};

/// Runs statements on a raw connection of its own (not through Database), then closes it.
void writeByHand(const QString &path, const QStringList &statements)
{
    const QString name = u"by-hand"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const QString &statement : statements)
            QVERIFY2(query.exec(statement),
                     qPrintable(statement + u": "_s + query.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

QVariant scalar(Database &database, const QString &sql)
{
    QSqlQuery query(database.connection());
    if (!query.exec(sql) || !query.next())
        return QVariant();
    return query.value(0);
}

QDateTime fixedTime()
{
    return QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
}

} // namespace

class TestDatabase : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void migrationsAreNumberedFromOneWithoutGaps()
    {
        int expected = 1;
        for (const Migration &migration : schemaMigrations()) {
            QCOMPARE(migration.version, expected++);
            QVERIFY(!migration.statements.isEmpty());
        }
        QCOMPARE(Database::schemaVersion(), expected - 1);
    }

    void newFileIsCreatedAtTheCurrentVersionInWalMode()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"sub/folder/new.db"_s);
        QString error;
        std::unique_ptr<Database> database = Database::open(path, &error);
        QVERIFY2(database, qPrintable(error));
        QVERIFY(QFile::exists(path));
        QCOMPARE(scalar(*database, u"PRAGMA user_version"_s).toInt(), Database::schemaVersion());
        QCOMPARE(scalar(*database, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        // 2 is FULL: a commit is on disk before it returns.
        QCOMPARE(scalar(*database, u"PRAGMA synchronous"_s).toInt(), 2);
        QCOMPARE(scalar(*database, u"PRAGMA foreign_keys"_s).toInt(), 1);
        QCOMPARE(scalar(*database, u"PRAGMA busy_timeout"_s).toInt(), Database::kBusyTimeoutMs);
    }

    void versionOneFileIsMigratedWithItsDataKept()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"old.db"_s);
        QStringList statements = kVersion1Schema;
        statements += {
            u"INSERT INTO jobs (id, prompt, payload, state, receive_count, visible_at, "
            "created_at, updated_at) VALUES ('waiting', 'p1', '{\"id\":\"waiting\",\"prompt\":"
            "\"p1\"}', 'pending', 1, 0, 0, 0)"_s,
            u"INSERT INTO jobs (id, prompt, payload, state, receive_count, visible_at, "
            "created_at, updated_at) VALUES ('finished', 'p2', '{\"id\":\"finished\",\"prompt\":"
            "\"p2\"}', 'done', 1, 0, 0, 0)"_s,
            u"INSERT INTO results (job_id, result, completed_at) VALUES ('finished', "
            "'{\"source\":\"claude-haiku-4-5\",\"text\":\"hi\"}', 5)"_s,
            u"INSERT INTO jobs (id, prompt, payload, state, receive_count, visible_at, "
            "created_at, updated_at) VALUES ('failed', 'p3', '{\"id\":\"failed\",\"prompt\":"
            "\"p3\"}', 'dead', 3, 0, 0, 0)"_s,
            u"INSERT INTO dead_letters (job_id, failed_at, error, error_class, receive_count, "
            "last_result, job) VALUES ('failed', 7, 'HTTP 503', 'server_error', 3, NULL, "
            "'{\"id\":\"failed\",\"prompt\":\"p3\"}')"_s,
            u"PRAGMA user_version = 1"_s,
        };
        writeByHand(path, statements);

        QString error;
        std::unique_ptr<Database> database = Database::open(path, &error);
        QVERIFY2(database, qPrintable(error));
        QCOMPARE(scalar(*database, u"PRAGMA user_version"_s).toInt(), Database::schemaVersion());

        JobQueue queue(*database, {}, [] { return fixedTime(); });
        QCOMPARE(queue.counts(), (QueueCounts{1, 0, 1, 1}));
        const std::optional<QList<JobResult>> results = queue.results();
        QVERIFY(results);
        QCOMPARE(results->size(), 1);
        QCOMPARE(results->first().id, u"finished"_s);
        QCOMPARE(QString::fromStdString(results->first().result["text"].get<std::string>()),
                 QStringLiteral("hi"));
        // The new lease column works on the old rows: the pending job is received, its
        // receive count carried on from version 1.
        const std::optional<ReceivedJob> received = queue.receive();
        QVERIFY(received);
        QCOMPARE(received->id, u"waiting"_s);
        QCOMPARE(received->receiveCount, 2);
        QVERIFY(!received->lease.isEmpty());

        DeadLetterQueue deadLetters(*database);
        const std::optional<DeadLetter> entry = deadLetters.find(u"failed"_s);
        QVERIFY(entry);
        QCOMPARE(entry->error, u"HTTP 503"_s);
        QCOMPARE(entry->receiveCount, 3);
        QVERIFY(entry->lastResult.is_null());

        // Version 2 added the runs table.
        RunHistory history(*database);
        QVERIFY2(history.save({{"scenario", "s"}, {"totals", {{"requests", 1}}}}, u"x"_s),
                 qPrintable(history.lastError()));
    }

    void versionTwoRunsGetTheirShareAnsweredByAModel()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"runs.db"_s);
        QStringList statements = kVersion1Schema;
        // Version 2 as it shipped, taken from the migrations themselves.
        statements += schemaMigrations().at(1).statements;
        const auto run = [](int id, const char *report, int requests) {
            return u"INSERT INTO runs (id, scenario, label, started_at, saved_at, duration_s, "
                   "requests, success_rate, degraded_share, p99_s, attempts_per_request, report) "
                   "VALUES (%1, 's', 'x', '2026-03-01T10:00:00.000Z', 0, 60, %3, 0, 0, 0, 0, "
                   "'%2')"_s.arg(id)
                       .arg(QString::fromUtf8(report))
                       .arg(requests);
        };
        statements += {
            // Saved before answered_by_model: 90 successes, 30 of them from the cache.
            run(1, R"({"totals":{"requests":100,"succeeded":90,"by_source":{"cache":30}}})", 100),
            run(2, R"({"totals":{"requests":200,"answered_by_model":150,"succeeded":190}})", 200),
            run(3, "not json at all", 10),
            run(4, R"({"totals":{"requests":0}})", 0),
            u"PRAGMA user_version = 2"_s,
        };
        writeByHand(path, statements);

        QString error;
        std::unique_ptr<Database> database = Database::open(path, &error);
        QVERIFY2(database, qPrintable(error));
        QCOMPARE(scalar(*database, u"PRAGMA user_version"_s).toInt(), Database::schemaVersion());
        const auto rate = [&database](int id) {
            return scalar(*database, u"SELECT model_rate FROM runs WHERE id = %1"_s.arg(id))
                .toDouble();
        };
        QCOMPARE(rate(1), 0.6);
        QCOMPARE(rate(2), 0.75);
        QCOMPARE(rate(3), 0.0); // a damaged report does not stop the migration
        QCOMPARE(rate(4), 0.0);
        RunHistory history(*database);
        const auto runs = history.list();
        QVERIFY(runs);
        QCOMPARE(runs->size(), 4);
    }

    void failedMigrationLeavesTheFileAtItsVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"clash.db"_s);
        // A table in the way of version 2's `runs`: the migration must fail as a whole.
        QStringList statements = kVersion1Schema;
        statements += {u"CREATE TABLE runs (whatever TEXT)"_s, u"PRAGMA user_version = 1"_s};
        writeByHand(path, statements);

        QString error;
        QVERIFY(!Database::open(path, &error));
        QVERIFY2(error.startsWith(path + u": migration to schema version 2"_s), qPrintable(error));

        const QString name = u"inspect"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(u"PRAGMA user_version"_s) && query.next());
            QCOMPARE(query.value(0).toInt(), 1);
            // The ALTER TABLEs before the failing statement were rolled back too.
            QVERIFY(!query.exec(u"SELECT lease FROM jobs"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    void newerSchemaVersionIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"future.db"_s);
        writeByHand(path, {u"CREATE TABLE t (x)"_s, u"PRAGMA user_version = 99"_s});
        QString error;
        QVERIFY(!Database::open(path, &error));
        QVERIFY2(error.startsWith(path + u": schema version 99 is newer"_s), qPrintable(error));
    }

    void fileThatIsNotADatabaseIsRefusedByName()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"notes.db"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        QString error;
        QVERIFY(!Database::open(path, &error));
        QVERIFY2(error.startsWith(path + u": cannot open the database"_s), qPrintable(error));
        QVERIFY2(error.contains(u"not a database"_s), qPrintable(error));
    }

    void folderIsRefused()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(!Database::open(dir.path(), &error));
        QVERIFY2(error.contains(u"is a folder"_s), qPrintable(error));
    }

    void eachThreadGetsItsOwnConnection()
    {
        QTemporaryDir dir;
        QString error;
        std::unique_ptr<Database> database = Database::open(dir.filePath(u"t.db"_s), &error);
        QVERIFY2(database, qPrintable(error));
        const QString mainName = database->connection().connectionName();
        QCOMPARE(database->connection().connectionName(), mainName);

        QString threadName;
        bool threadOpen = false;
        int threadCount = -1;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            QSqlDatabase connection = database->connection();
            threadName = connection.connectionName();
            threadOpen = connection.isOpen();
            JobQueue queue(*database);
            queue.enqueue({NewJob{u"from-thread"_s, u"p"_s, {{"id", "from-thread"}}}});
            threadCount = queue.counts().total();
        }));
        thread->start();
        QVERIFY(thread->wait(10000));
        QVERIFY(threadOpen);
        QVERIFY(threadName != mainName);
        QCOMPARE(threadCount, 1);
        // Written in one thread, seen from another (same file, WAL).
        JobQueue queue(*database);
        QCOMPARE(queue.counts().pending, 1);
    }

    void defaultPathFollowsTheEnvironment()
    {
        qputenv("BREAKWATER_DB", "/tmp/somewhere/else.db");
        QCOMPARE(defaultDatabasePath(), u"/tmp/somewhere/else.db"_s);
        qunsetenv("BREAKWATER_DB");
        QVERIFY(defaultDatabasePath().endsWith(u"/breakwater/breakwater.db"_s));
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"

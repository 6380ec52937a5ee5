#pragma once

#include <QDateTime>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>

class QSqlError;
class QSqlQuery;

namespace breakwater {

/// Wall-clock time for what is stored (lease expiries, failed_at, saved_at): a process that
/// reopens the file must read the same instants, which a monotonic clock cannot give.
/// Injected so that tests control it.
using WallClock = std::function<QDateTime()>;

/// QDateTime::currentDateTimeUtc().
WallClock systemWallClock();

/// Where the CLI and the dashboard keep their queue, dead letters and run history when no
/// file is named: $BREAKWATER_DB when set, else `<generic data dir>/breakwater/breakwater.db`
/// (~/.local/share/breakwater/breakwater.db on Linux), shared by both executables.
QString defaultDatabasePath();

/// The SQLite file Breakwater keeps its state in (SPEC.md section 9): the job queue, results,
/// the dead-letter queue and saved runs. Opening applies the schema migrations in order
/// (PRAGMA user_version), each in its own transaction.
///
/// Every connection runs in WAL mode with synchronous=FULL (a commit is on disk before it
/// returns, so neither kill -9 nor a power cut loses a committed claim or result; the fsync
/// per commit is nothing next to an LLM call), foreign keys on and a busy timeout, so that a
/// batch, the dashboard and the `dlq` command can share one file.
///
/// Threads: connection() gives each thread its own named QSqlDatabase connection (Qt
/// connections must stay in the thread that opened them). Destroy the Database only after
/// every thread that used it has stopped using it.
class Database final {
public:
    /// How long a statement waits for another connection's write lock before failing.
    static constexpr int kBusyTimeoutMs = 5000;

    /// The newest schema version this build knows.
    static int schemaVersion();

    /// Opens (creating it and its folder when absent) the file at `path` and migrates it to
    /// schemaVersion(). nullptr with `error` ("FILE: what failed: why") on failure.
    static std::unique_ptr<Database> open(const QString &path, QString *error);

    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    const QString &path() const { return m_path; }
    /// This thread's connection, opened and configured on first use. Not open (check
    /// isOpen()) with `error` set when the file cannot be opened.
    QSqlDatabase connection(QString *error = nullptr);
    /// "FILE: what: the driver's message", the form of every storage error.
    QString describe(const QString &what, const QSqlError &error) const;
    /// "FILE: what", for problems that are not the driver's.
    QString describe(const QString &what) const;

private:
    explicit Database(QString path);
    bool configure(QSqlDatabase &connection, QString *error);
    bool migrate(QString *error);

    QString m_path;
    /// Unique per Database for the life of the process: connection names derive from it.
    quint64 m_serial;
    QMutex m_mutex;
    QStringList m_connectionNames;
};

/// A write transaction taken with BEGIN IMMEDIATE: it holds the write lock from the start,
/// so two writers never deadlock upgrading read locks. Rolls back unless committed.
class WriteTransaction final {
public:
    WriteTransaction(Database &database, QSqlDatabase connection);
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;
    ~WriteTransaction();

    /// False with `error` set when the lock cannot be taken (busy past the timeout).
    bool begin(QString *error);
    bool commit(QString *error);
    void rollback();

private:
    Database &m_database;
    QSqlDatabase m_connection;
    bool m_open = false;
};

/// Runs a prepared query; on failure sets `error` to "FILE: what: why" and returns false.
bool execQuery(Database &database, QSqlQuery &query, const QString &what, QString *error);
/// Prepares and runs `sql` without parameters.
bool execSql(Database &database, QSqlDatabase connection, const QString &sql, const QString &what,
             QString *error);

/// Milliseconds since the Unix epoch, the form every instant is stored in.
qint64 toEpochMs(const QDateTime &time);
/// The inverse of toEpochMs, in UTC.
QDateTime fromEpochMs(qint64 ms);

} // namespace breakwater

#include "database.h"

#include "storage/schema.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <atomic>

namespace breakwater {
namespace {

std::atomic<quint64> g_nextDatabaseSerial{1};
std::atomic<quint64> g_nextConnectionSerial{1};

/// This thread's connection name for each Database (by serial). Serials are never reused,
/// so an entry left behind by a destroyed Database can never be picked up by a new one.
QHash<quint64, QString> &threadConnectionNames()
{
    static thread_local QHash<quint64, QString> names;
    return names;
}

QString sqlErrorText(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.driverText() : error.databaseText();
    return text.isEmpty() ? QStringLiteral("unknown database error") : text;
}

/// PRAGMA user_version, or -1 with `error` set.
int userVersion(Database &database, QSqlDatabase connection, QString *error)
{
    QSqlQuery query(connection);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        if (error)
            *error = database.describe(QStringLiteral("cannot read the schema version"),
                                       query.lastError());
        return -1;
    }
    return query.value(0).toInt();
}

} // namespace

WallClock systemWallClock()
{
    return [] {
        return QDateTime::currentDateTimeUtc();
    };
}

QString defaultDatabasePath()
{
    const QString fromEnvironment = qEnvironmentVariable("BREAKWATER_DB");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    // Generic, not per-application: the CLI and the dashboard have different application
    // names but must share one history and one dead-letter queue.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base)
        .filePath(QStringLiteral("breakwater/breakwater.db"));
}

qint64 toEpochMs(const QDateTime &time)
{
    return time.toMSecsSinceEpoch();
}

QDateTime fromEpochMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

int Database::schemaVersion()
{
    return schemaMigrations().back().version;
}

Database::Database(QString path)
    : m_path(std::move(path)), m_serial(g_nextDatabaseSerial.fetch_add(1))
{}

Database::~Database()
{
    QMutexLocker lock(&m_mutex);
    for (const QString &name : std::as_const(m_connectionNames))
        QSqlDatabase::removeDatabase(name);
}

std::unique_ptr<Database> Database::open(const QString &path, QString *error)
{
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("no database file given");
        return nullptr;
    }
    const QFileInfo info(path);
    if (info.exists() && info.isDir()) {
        if (error)
            *error = QStringLiteral("%1: is a folder, not a database file").arg(path);
        return nullptr;
    }
    if (!QDir().mkpath(info.absolutePath())) {
        if (error)
            *error =
                QStringLiteral("%1: cannot create the folder %2").arg(path, info.absolutePath());
        return nullptr;
    }
    std::unique_ptr<Database> database(new Database(path));
    QString reason;
    if (!database->connection(&reason).isOpen() || !database->migrate(&reason)) {
        if (error)
            *error = reason;
        return nullptr;
    }
    return database;
}

QSqlDatabase Database::connection(QString *error)
{
    QHash<quint64, QString> &names = threadConnectionNames();
    if (const auto found = names.constFind(m_serial); found != names.constEnd())
        return QSqlDatabase::database(*found, false);

    const QString name = QStringLiteral("breakwater-db%1-conn%2")
                             .arg(m_serial)
                             .arg(g_nextConnectionSerial.fetch_add(1));
    {
        QMutexLocker lock(&m_mutex);
        m_connectionNames.append(name);
    }
    QSqlDatabase connection = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    connection.setDatabaseName(m_path);
    if (!connection.open()) {
        if (error)
            *error = describe(QStringLiteral("cannot open the database"), connection.lastError());
        connection.close();
        return connection;
    }
    if (!configure(connection, error)) {
        connection.close();
        return connection;
    }
    names.insert(m_serial, name);
    return connection;
}

bool Database::configure(QSqlDatabase &connection, QString *error)
{
    QSqlQuery query(connection);
    // The busy timeout first: switching to WAL itself may wait for another writer.
    if (!query.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs))) {
        if (error)
            *error = describe(QStringLiteral("cannot open the database"), query.lastError());
        return false;
    }
    // The first statement that reads the file: "file is not a database" shows up here.
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next()) {
        if (error)
            *error = describe(QStringLiteral("cannot open the database"), query.lastError());
        return false;
    }
    const QString mode = query.value(0).toString().toLower();
    query.finish();
    if (mode != QStringLiteral("wal")) {
        if (error)
            *error =
                describe(QStringLiteral("cannot switch to WAL journal mode (got '%1')").arg(mode));
        return false;
    }
    for (const QString &pragma : {QStringLiteral("PRAGMA synchronous = FULL"),
                                  QStringLiteral("PRAGMA foreign_keys = ON")}) {
        if (!query.exec(pragma)) {
            if (error)
                *error =
                    describe(QStringLiteral("cannot configure the connection (%1)").arg(pragma),
                             query.lastError());
            return false;
        }
    }
    return true;
}

bool Database::migrate(QString *error)
{
    QSqlDatabase db = connection(error);
    if (!db.isOpen())
        return false;
    const int found = userVersion(*this, db, error);
    if (found < 0)
        return false;
    if (found > schemaVersion()) {
        if (error)
            *error = describe(QStringLiteral("schema version %1 is newer than this build of "
                                             "Breakwater understands (%2); use a newer build")
                                  .arg(found)
                                  .arg(schemaVersion()));
        return false;
    }
    for (const Migration &migration : schemaMigrations()) {
        if (migration.version <= found)
            continue;
        WriteTransaction transaction(*this, db);
        if (!transaction.begin(error))
            return false;
        // Another process may have migrated while this one waited for the write lock.
        const int current = userVersion(*this, db, error);
        if (current < 0)
            return false;
        if (current >= migration.version)
            continue;
        const QString what = QStringLiteral("migration to schema version %1 (%2) failed")
                                 .arg(migration.version)
                                 .arg(migration.summary);
        for (const QString &statement : migration.statements) {
            if (!execSql(*this, db, statement, what, error))
                return false;
        }
        if (!execSql(*this, db, QStringLiteral("PRAGMA user_version = %1").arg(migration.version),
                     what, error) ||
            !transaction.commit(error))
            return false;
    }
    return true;
}

QString Database::describe(const QString &what, const QSqlError &error) const
{
    return QStringLiteral("%1: %2: %3").arg(m_path, what, sqlErrorText(error));
}

QString Database::describe(const QString &what) const
{
    return QStringLiteral("%1: %2").arg(m_path, what);
}

WriteTransaction::WriteTransaction(Database &database, QSqlDatabase connection)
    : m_database(database), m_connection(std::move(connection))
{}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

bool WriteTransaction::begin(QString *error)
{
    QSqlQuery query(m_connection);
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        if (error)
            *error = m_database.describe(QStringLiteral("cannot start a write transaction"),
                                         query.lastError());
        return false;
    }
    m_open = true;
    return true;
}

bool WriteTransaction::commit(QString *error)
{
    if (!m_open) {
        if (error)
            *error = m_database.describe(QStringLiteral("cannot commit: no transaction is open"));
        return false;
    }
    QSqlQuery query(m_connection);
    if (!query.exec(QStringLiteral("COMMIT"))) {
        if (error)
            *error = m_database.describe(QStringLiteral("cannot commit"), query.lastError());
        rollback();
        return false;
    }
    m_open = false;
    return true;
}

void WriteTransaction::rollback()
{
    if (!m_open)
        return;
    QSqlQuery query(m_connection);
    query.exec(QStringLiteral("ROLLBACK"));
    m_open = false;
}

bool execQuery(Database &database, QSqlQuery &query, const QString &what, QString *error)
{
    if (query.exec())
        return true;
    if (error)
        *error = database.describe(what, query.lastError());
    return false;
}

bool execSql(Database &database, QSqlDatabase connection, const QString &sql, const QString &what,
             QString *error)
{
    QSqlQuery query(connection);
    if (query.exec(sql))
        return true;
    if (error)
        *error = database.describe(what, query.lastError());
    return false;
}

} // namespace breakwater

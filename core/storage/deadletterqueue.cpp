#include "deadletterqueue.h"

#include "common/jsonqt.h"
#include "storage/jsoncolumn.h"

#include <QIODevice>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace breakwater {
namespace {

const QString kSelectEntry =
    QStringLiteral("SELECT job_id, failed_at, error, error_class, receive_count, last_result, job "
                   "FROM dead_letters");

DeadLetter readEntry(const QSqlQuery &query)
{
    DeadLetter entry;
    entry.id = query.value(0).toString();
    entry.failedAt = fromEpochMs(query.value(1).toLongLong());
    entry.error = query.value(2).toString();
    entry.errorClass = query.value(3).toString();
    entry.receiveCount = query.value(4).toInt();
    entry.lastResult = jsonFromText(query.value(5).toString());
    entry.job = jsonFromText(query.value(6).toString());
    return entry;
}

QString idList(const QStringList &ids)
{
    QStringList quoted;
    for (const QString &id : ids)
        quoted.append(QLatin1Char('\'') + id + QLatin1Char('\''));
    return quoted.join(QStringLiteral(", "));
}

} // namespace

nlohmann::json DeadLetter::toJson() const
{
    return {
        {"id", jsonString(id)},
        {"failed_at", jsonString(failedAt.toUTC().toString(Qt::ISODateWithMs))},
        {"error", jsonString(error)},
        {"error_class", errorClass.isEmpty() ? nlohmann::json() : jsonString(errorClass)},
        {"receive_count", receiveCount},
        {"last_result", lastResult},
        {"job", job},
    };
}

DeadLetterQueue::DeadLetterQueue(Database &database, WallClock now)
    : m_database(database), m_now(std::move(now))
{}

std::optional<QList<DeadLetter>> DeadLetterQueue::list(int limit, int offset)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(kSelectEntry + QStringLiteral(" ORDER BY failed_at, job_id LIMIT ? OFFSET ?"));
    query.addBindValue(limit < 0 ? -1 : limit);
    query.addBindValue(std::max(0, offset));
    if (!execQuery(m_database, query, QStringLiteral("cannot read the dead-letter queue"),
                   &m_lastError))
        return std::nullopt;
    QList<DeadLetter> entries;
    while (query.next())
        entries.append(readEntry(query));
    return entries;
}

std::optional<DeadLetter> DeadLetterQueue::find(const QString &id)
{
    m_lastError.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.prepare(kSelectEntry + QStringLiteral(" WHERE job_id = ?"));
    query.addBindValue(id);
    if (!execQuery(m_database, query, QStringLiteral("cannot read the dead-letter queue"),
                   &m_lastError) ||
        !query.next())
        return std::nullopt;
    return readEntry(query);
}

int DeadLetterQueue::count()
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return -1;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM dead_letters")) || !query.next()) {
        m_lastError = m_database.describe(QStringLiteral("cannot count the dead-letter queue"),
                                          query.lastError());
        return -1;
    }
    return query.value(0).toInt();
}

std::optional<QStringList> DeadLetterQueue::allIds()
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT job_id FROM dead_letters ORDER BY failed_at, job_id"))) {
        m_lastError = m_database.describe(QStringLiteral("cannot read the dead-letter queue"),
                                          query.lastError());
        return std::nullopt;
    }
    QStringList ids;
    while (query.next())
        ids.append(query.value(0).toString());
    return ids;
}

std::optional<QStringList> DeadLetterQueue::missing(const QStringList &ids)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT 1 FROM dead_letters WHERE job_id = ?"));
    QStringList absent;
    for (const QString &id : ids) {
        query.bindValue(0, id);
        if (!execQuery(m_database, query, QStringLiteral("cannot read the dead-letter queue"),
                       &m_lastError))
            return std::nullopt;
        if (!query.next())
            absent.append(id);
        query.finish();
    }
    return absent;
}

std::optional<int> DeadLetterQueue::redrive(const QStringList &ids)
{
    m_unknownIds.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const std::optional<QStringList> absent = missing(ids);
    if (!absent)
        return std::nullopt;
    m_unknownIds = *absent;
    if (!absent->isEmpty()) {
        m_lastError = m_database.describe(
            QStringLiteral("not in the dead-letter queue: %1").arg(idList(*absent)));
        return std::nullopt;
    }
    const qint64 now = toEpochMs(m_now());
    const QString what = QStringLiteral("cannot redrive");
    QSqlQuery requeue(db);
    requeue.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'pending', receive_count = 0, visible_at = ?, lease = NULL, "
        "last_result = NULL, last_error = NULL, updated_at = ? WHERE id = ?"));
    QSqlQuery restore(db);
    restore.prepare(QStringLiteral(
        "INSERT INTO jobs (id, prompt, payload, state, receive_count, visible_at, created_at, "
        "updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)"));
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM dead_letters WHERE job_id = ?"));
    int moved = 0;
    for (const QString &id : ids) {
        requeue.bindValue(0, now);
        requeue.bindValue(1, now);
        requeue.bindValue(2, id);
        if (!execQuery(m_database, requeue, what, &m_lastError))
            return std::nullopt;
        if (requeue.numRowsAffected() == 0) {
            // The job row is gone (edited by hand?): the entry keeps the job as given.
            const std::optional<DeadLetter> entry = find(id);
            if (!entry)
                return std::nullopt;
            restore.bindValue(0, id);
            restore.bindValue(1, qstringFrom(entry->job.value("prompt", nlohmann::json())));
            restore.bindValue(2, jsonText(entry->job));
            restore.bindValue(3, now);
            restore.bindValue(4, now);
            restore.bindValue(5, now);
            if (!execQuery(m_database, restore, what, &m_lastError))
                return std::nullopt;
        }
        remove.bindValue(0, id);
        if (!execQuery(m_database, remove, what, &m_lastError))
            return std::nullopt;
        moved += remove.numRowsAffected();
    }
    if (!transaction.commit(&m_lastError))
        return std::nullopt;
    return moved;
}

std::optional<int> DeadLetterQueue::redriveAll()
{
    const std::optional<QStringList> ids = allIds();
    if (!ids)
        return std::nullopt;
    return redrive(*ids);
}

std::optional<int> DeadLetterQueue::purge(const QStringList &ids)
{
    m_unknownIds.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const std::optional<QStringList> absent = missing(ids);
    if (!absent)
        return std::nullopt;
    m_unknownIds = *absent;
    if (!absent->isEmpty()) {
        m_lastError = m_database.describe(
            QStringLiteral("not in the dead-letter queue: %1").arg(idList(*absent)));
        return std::nullopt;
    }
    const QString what = QStringLiteral("cannot purge");
    QSqlQuery removeEntry(db);
    removeEntry.prepare(QStringLiteral("DELETE FROM dead_letters WHERE job_id = ?"));
    QSqlQuery removeJob(db);
    removeJob.prepare(QStringLiteral("DELETE FROM jobs WHERE id = ? AND state = 'dead'"));
    int purged = 0;
    for (const QString &id : ids) {
        removeEntry.bindValue(0, id);
        removeJob.bindValue(0, id);
        if (!execQuery(m_database, removeEntry, what, &m_lastError) ||
            !execQuery(m_database, removeJob, what, &m_lastError))
            return std::nullopt;
        purged += removeEntry.numRowsAffected();
    }
    if (!transaction.commit(&m_lastError))
        return std::nullopt;
    return purged;
}

std::optional<int> DeadLetterQueue::purgeAll()
{
    const std::optional<QStringList> ids = allIds();
    if (!ids)
        return std::nullopt;
    return purge(*ids);
}

std::optional<int> DeadLetterQueue::exportJsonLines(QIODevice &device, const QString &deviceName)
{
    const std::optional<QList<DeadLetter>> entries = list();
    if (!entries)
        return std::nullopt;
    for (const DeadLetter &entry : *entries) {
        const QByteArray line = QByteArray::fromStdString(entry.toJson().dump()) + '\n';
        if (device.write(line) != line.size()) {
            m_lastError =
                QStringLiteral("%1: cannot write: %2").arg(deviceName, device.errorString());
            return std::nullopt;
        }
    }
    return static_cast<int>(entries->size());
}

} // namespace breakwater

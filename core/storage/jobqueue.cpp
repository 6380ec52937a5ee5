#include "jobqueue.h"

#include "common/jsonqt.h"
#include "storage/jsoncolumn.h"
#include "storage/schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace breakwater {
namespace {

/// Why a degraded or failed result did not complete its job, for the dead letter.
QString failureText(const CallResult &result)
{
    if (!result.error.isEmpty())
        return result.error;
    if (result.degraded)
        return QStringLiteral("degraded answer: no model or cache answered");
    return QStringLiteral("the call failed (source %1)").arg(result.source);
}

/// The error class of a failed result: its own, else the last failed attempt's outcome.
QString failureClass(const CallResult &result)
{
    if (result.errorClass)
        return outcomeName(*result.errorClass);
    for (auto attempt = result.attempts.crbegin(); attempt != result.attempts.crend(); ++attempt) {
        if (attempt->outcome != Outcome::Success)
            return outcomeName(attempt->outcome);
    }
    return QString();
}

QString interruptedText(int received, int maximum)
{
    return QStringLiteral("received %1 of %2 times; the process handling the last receive stopped "
                          "before it finished")
        .arg(received)
        .arg(maximum);
}

} // namespace

bool completesJob(const CallResult &result)
{
    return result.success && !result.degraded;
}

JobQueue::JobQueue(Database &database, QueueOptions options, WallClock now)
    : m_database(database), m_options(options), m_now(std::move(now))
{}

std::optional<QList<EnqueueStatus>> JobQueue::enqueue(const QList<NewJob> &jobs)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const qint64 now = toEpochMs(this->now());
    const QString what = QStringLiteral("cannot add jobs");
    QSqlQuery find(db);
    find.prepare(QStringLiteral("SELECT prompt FROM jobs WHERE id = ?"));
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
        "INSERT INTO jobs (id, prompt, payload, state, receive_count, visible_at, created_at, "
        "updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)"));
    QList<EnqueueStatus> statuses;
    statuses.reserve(jobs.size());
    for (const NewJob &job : jobs) {
        find.bindValue(0, job.id);
        if (!execQuery(m_database, find, what, &m_lastError))
            return std::nullopt;
        if (find.next()) {
            statuses.append(find.value(0).toString() == job.prompt ? EnqueueStatus::AlreadyKnown
                                                                   : EnqueueStatus::Conflict);
            find.finish();
            continue;
        }
        find.finish();
        insert.bindValue(0, job.id);
        insert.bindValue(1, job.prompt);
        insert.bindValue(2, jsonText(job.payload));
        insert.bindValue(3, now);
        insert.bindValue(4, now);
        insert.bindValue(5, now);
        if (!execQuery(m_database, insert, what, &m_lastError))
            return std::nullopt;
        statuses.append(EnqueueStatus::Added);
    }
    if (!transaction.commit(&m_lastError))
        return std::nullopt;
    return statuses;
}

std::optional<ReceivedJob> JobQueue::receive()
{
    m_lastError.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const QDateTime nowTime = now();
    const qint64 now = toEpochMs(nowTime);
    const QString what = QStringLiteral("cannot receive a job");
    for (;;) {
        QSqlQuery next(db);
        next.prepare(QStringLiteral(
            "SELECT id, prompt, payload, state, receive_count, last_result, last_error FROM jobs "
            "WHERE state IN ('pending', 'in_flight') AND visible_at <= ? "
            "ORDER BY visible_at, seq LIMIT 1"));
        next.addBindValue(now);
        if (!execQuery(m_database, next, what, &m_lastError))
            return std::nullopt;
        if (!next.next()) {
            next.finish();
            transaction.commit(&m_lastError);
            return std::nullopt;
        }
        ReceivedJob job;
        job.id = next.value(0).toString();
        job.prompt = next.value(1).toString();
        job.payload = jsonFromText(next.value(2).toString());
        const bool leaseRanOut = next.value(3).toString() == jobstates::inFlight;
        const int received = next.value(4).toInt();
        const nlohmann::json lastResult = jsonFromText(next.value(5).toString());
        const QString lastError = next.value(6).toString();
        next.finish();

        if (received >= m_options.maxReceiveCount) {
            // One more receive would pass the maximum: the job goes where SQS would send it.
            QString error;
            QString errorClass;
            if (leaseRanOut) {
                error = interruptedText(received, m_options.maxReceiveCount);
                errorClass = QStringLiteral("interrupted");
            } else {
                error = lastError.isEmpty()
                            ? QStringLiteral("received %1 times without completing").arg(received)
                            : lastError;
                errorClass = qstringFrom(lastResult.value("error_class", nlohmann::json()));
            }
            if (!deadLetter(job.id, error, errorClass, received, lastResult, job.payload, now))
                return std::nullopt;
            continue;
        }

        job.receiveCount = received + 1;
        job.lease = QUuid::createUuid().toString(QUuid::WithoutBraces);
        job.leaseExpiresAt = nowTime.addMSecs(m_options.lease.count());
        QSqlQuery claim(db);
        claim.prepare(QStringLiteral(
            "UPDATE jobs SET state = 'in_flight', receive_count = ?, visible_at = ?, lease = ?, "
            "updated_at = ? WHERE id = ?"));
        claim.addBindValue(job.receiveCount);
        claim.addBindValue(toEpochMs(job.leaseExpiresAt));
        claim.addBindValue(job.lease);
        claim.addBindValue(now);
        claim.addBindValue(job.id);
        if (!execQuery(m_database, claim, what, &m_lastError) || !transaction.commit(&m_lastError))
            return std::nullopt;
        return job;
    }
}

std::optional<Settled> JobQueue::complete(const ReceivedJob &job, const CallResult &result)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const qint64 now = toEpochMs(this->now());
    const QString what = QStringLiteral("cannot complete job '%1'").arg(job.id);
    QSqlQuery done(db);
    done.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'done', lease = NULL, last_error = NULL, visible_at = ?, "
        "updated_at = ? WHERE id = ? AND state = 'in_flight' AND lease = ?"));
    done.addBindValue(now);
    done.addBindValue(now);
    done.addBindValue(job.id);
    done.addBindValue(job.lease);
    if (!execQuery(m_database, done, what, &m_lastError))
        return std::nullopt;
    if (done.numRowsAffected() != 1)
        return Settled::LeaseLost;
    QSqlQuery store(db);
    store.prepare(
        QStringLiteral("INSERT INTO results (job_id, result, completed_at) VALUES (?, ?, ?)"));
    store.addBindValue(job.id);
    store.addBindValue(jsonText(toJson(result)));
    store.addBindValue(now);
    if (!execQuery(m_database, store, what, &m_lastError) || !transaction.commit(&m_lastError))
        return std::nullopt;
    return Settled::Completed;
}

std::optional<Settled> JobQueue::fail(const ReceivedJob &job, const CallResult &result)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const QDateTime nowTime = now();
    const qint64 now = toEpochMs(nowTime);
    const QString what = QStringLiteral("cannot record the failure of job '%1'").arg(job.id);
    QSqlQuery find(db);
    find.prepare(QStringLiteral("SELECT receive_count, payload FROM jobs "
                                "WHERE id = ? AND state = 'in_flight' AND lease = ?"));
    find.addBindValue(job.id);
    find.addBindValue(job.lease);
    if (!execQuery(m_database, find, what, &m_lastError))
        return std::nullopt;
    if (!find.next())
        return Settled::LeaseLost;
    const int received = find.value(0).toInt();
    const nlohmann::json payload = jsonFromText(find.value(1).toString());
    find.finish();

    const nlohmann::json resultJson = toJson(result);
    const QString error = failureText(result);
    if (received >= m_options.maxReceiveCount) {
        if (!deadLetter(job.id, error, failureClass(result), received, resultJson, payload, now) ||
            !transaction.commit(&m_lastError))
            return std::nullopt;
        return Settled::DeadLettered;
    }
    QSqlQuery retry(db);
    retry.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'pending', visible_at = ?, lease = NULL, last_result = ?, "
        "last_error = ?, updated_at = ? WHERE id = ?"));
    retry.addBindValue(toEpochMs(nowTime.addMSecs(retryDelayAfter(received).count())));
    retry.addBindValue(jsonText(resultJson));
    retry.addBindValue(error);
    retry.addBindValue(now);
    retry.addBindValue(job.id);
    if (!execQuery(m_database, retry, what, &m_lastError) || !transaction.commit(&m_lastError))
        return std::nullopt;
    return Settled::WillRetry;
}

std::optional<Settled> JobQueue::settle(const ReceivedJob &job, const CallResult &result)
{
    return completesJob(result) ? complete(job, result) : fail(job, result);
}

bool JobQueue::release(const ReceivedJob &job)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return false;
    const qint64 now = toEpochMs(this->now());
    QSqlQuery release(db);
    release.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'pending', receive_count = MAX(receive_count - 1, 0), "
        "visible_at = ?, lease = NULL, updated_at = ? "
        "WHERE id = ? AND state = 'in_flight' AND lease = ?"));
    release.addBindValue(now);
    release.addBindValue(now);
    release.addBindValue(job.id);
    release.addBindValue(job.lease);
    if (!execQuery(m_database, release, QStringLiteral("cannot release job '%1'").arg(job.id),
                   &m_lastError))
        return false;
    return release.numRowsAffected() == 1;
}

std::optional<JobQueue::Recovered> JobQueue::recoverInFlight()
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    WriteTransaction transaction(m_database, db);
    if (!transaction.begin(&m_lastError))
        return std::nullopt;
    const qint64 now = toEpochMs(this->now());
    const QString what = QStringLiteral("cannot recover jobs left in flight");
    Recovered recovered;

    QSqlQuery spent(db);
    spent.prepare(QStringLiteral("SELECT id, receive_count, payload, last_result FROM jobs "
                                 "WHERE state = 'in_flight' AND receive_count >= ? ORDER BY seq"));
    spent.addBindValue(m_options.maxReceiveCount);
    if (!execQuery(m_database, spent, what, &m_lastError))
        return std::nullopt;
    struct Spent {
        QString id;
        int received;
        nlohmann::json payload;
        nlohmann::json lastResult;
    };
    QList<Spent> spentJobs;
    while (spent.next())
        spentJobs.append(Spent{spent.value(0).toString(), spent.value(1).toInt(),
                               jsonFromText(spent.value(2).toString()),
                               jsonFromText(spent.value(3).toString())});
    spent.finish();
    for (const Spent &job : spentJobs) {
        if (!deadLetter(job.id, interruptedText(job.received, m_options.maxReceiveCount),
                        QStringLiteral("interrupted"), job.received, job.lastResult, job.payload,
                        now))
            return std::nullopt;
        ++recovered.deadLettered;
    }

    QSqlQuery requeue(db);
    requeue.prepare(QStringLiteral("UPDATE jobs SET state = 'pending', visible_at = ?, "
                                   "lease = NULL, updated_at = ? WHERE state = 'in_flight'"));
    requeue.addBindValue(now);
    requeue.addBindValue(now);
    if (!execQuery(m_database, requeue, what, &m_lastError))
        return std::nullopt;
    recovered.requeued = requeue.numRowsAffected();
    if (!transaction.commit(&m_lastError))
        return std::nullopt;
    return recovered;
}

QueueCounts JobQueue::counts()
{
    QueueCounts counts;
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return counts;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT state, COUNT(*) FROM jobs GROUP BY state"))) {
        m_lastError = m_database.describe(QStringLiteral("cannot count jobs"), query.lastError());
        return counts;
    }
    while (query.next()) {
        const QString state = query.value(0).toString();
        const int count = query.value(1).toInt();
        if (state == jobstates::pending)
            counts.pending = count;
        else if (state == jobstates::inFlight)
            counts.inFlight = count;
        else if (state == jobstates::done)
            counts.done = count;
        else if (state == jobstates::dead)
            counts.dead = count;
    }
    return counts;
}

std::optional<QDateTime> JobQueue::nextVisibleAt()
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT MIN(visible_at) FROM jobs WHERE state = 'pending'"))) {
        m_lastError =
            m_database.describe(QStringLiteral("cannot read the queue"), query.lastError());
        return std::nullopt;
    }
    if (!query.next() || query.isNull(0))
        return std::nullopt;
    return fromEpochMs(query.value(0).toLongLong());
}

std::optional<StoredJob> JobQueue::job(const QString &id)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT id, prompt, payload, state, receive_count, visible_at, "
                                 "created_at, updated_at, last_result FROM jobs WHERE id = ?"));
    query.addBindValue(id);
    if (!execQuery(m_database, query, QStringLiteral("cannot read job '%1'").arg(id),
                   &m_lastError) ||
        !query.next())
        return std::nullopt;
    StoredJob job;
    job.id = query.value(0).toString();
    job.prompt = query.value(1).toString();
    job.payload = jsonFromText(query.value(2).toString());
    job.state = query.value(3).toString();
    job.receiveCount = query.value(4).toInt();
    job.visibleAt = fromEpochMs(query.value(5).toLongLong());
    job.createdAt = fromEpochMs(query.value(6).toLongLong());
    job.updatedAt = fromEpochMs(query.value(7).toLongLong());
    job.lastResult = jsonFromText(query.value(8).toString());
    return job;
}

std::optional<QList<JobResult>> JobQueue::results()
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT r.job_id, r.result, r.completed_at FROM results r "
                                   "JOIN jobs j ON j.id = r.job_id ORDER BY j.seq"))) {
        m_lastError =
            m_database.describe(QStringLiteral("cannot read the results"), query.lastError());
        return std::nullopt;
    }
    QList<JobResult> results;
    while (query.next())
        results.append(JobResult{query.value(0).toString(), jsonFromText(query.value(1).toString()),
                                 fromEpochMs(query.value(2).toLongLong())});
    return results;
}

bool JobQueue::deadLetter(const QString &id, const QString &error, const QString &errorClass,
                          int receiveCount, const nlohmann::json &lastResult,
                          const nlohmann::json &job, qint64 now)
{
    const QString what = QStringLiteral("cannot move job '%1' to the dead-letter queue").arg(id);
    QSqlDatabase db = m_database.connection(&m_lastError);
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO dead_letters (job_id, failed_at, error, error_class, "
        "receive_count, last_result, job) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(id);
    insert.addBindValue(now);
    insert.addBindValue(error);
    insert.addBindValue(errorClass.isEmpty() ? QVariant() : QVariant(errorClass));
    insert.addBindValue(receiveCount);
    insert.addBindValue(lastResult.is_null() ? QVariant() : QVariant(jsonText(lastResult)));
    insert.addBindValue(jsonText(job));
    if (!execQuery(m_database, insert, what, &m_lastError))
        return false;
    QSqlQuery update(db);
    update.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'dead', lease = NULL, last_result = ?, last_error = ?, "
        "updated_at = ? WHERE id = ?"));
    update.addBindValue(lastResult.is_null() ? QVariant() : QVariant(jsonText(lastResult)));
    update.addBindValue(error);
    update.addBindValue(now);
    update.addBindValue(id);
    return execQuery(m_database, update, what, &m_lastError);
}

Millis JobQueue::retryDelayAfter(int receiveCount) const
{
    Millis delay = m_options.retryDelay;
    for (int i = 1; i < receiveCount && delay < m_options.maxRetryDelay; ++i)
        delay *= 2;
    return std::min(delay, m_options.maxRetryDelay);
}

} // namespace breakwater

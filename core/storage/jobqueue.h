#pragma once

#include "common/clock.h"
#include "engine/callresult.h"
#include "storage/database.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater {

/// How the queue treats jobs that end degraded or failed (SPEC.md section 9, the seed's SQS
/// redrive policy).
struct QueueOptions {
    /// Receives after which a job that still failed moves to the dead-letter queue.
    int maxReceiveCount = 3;
    /// How long a received job stays claimed before another receive may take it back; must
    /// outlast the longest call (the config's timeouts.total_s).
    Millis lease{Millis(150'000)};
    /// The wait before a failed job is visible again: retryDelay × 2^(receives − 1), capped.
    Millis retryDelay{Millis(5000)};
    Millis maxRetryDelay{Millis(300'000)};
};

/// A job to add: its `id`, its `prompt`, and the whole JSON line as given.
struct NewJob {
    QString id;
    QString prompt;
    nlohmann::json payload = nlohmann::json::object();
};

/// What enqueue() did with one job.
enum class EnqueueStatus {
    Added,
    /// The id is known with the same prompt: nothing changed (a resumed batch).
    AlreadyKnown,
    /// The id is known with another prompt: refused, the stored job is kept.
    Conflict,
};

/// A job claimed by receive(): the caller runs it, then settles it with complete() or
/// fail(), quoting `lease` (the receipt of this receive).
struct ReceivedJob {
    QString id;
    QString prompt;
    nlohmann::json payload;
    /// Receives so far, this one included.
    int receiveCount = 0;
    QString lease;
    QDateTime leaseExpiresAt;
};

/// How a job ended up after complete() or fail().
enum class Settled {
    Completed,
    /// Back to pending, visible again after the retry delay.
    WillRetry,
    DeadLettered,
    /// The lease ran out and the job was received again since: this receive's result is
    /// dropped (the job is never settled twice).
    LeaseLost,
};

/// Jobs by state.
struct QueueCounts {
    int pending = 0;
    int inFlight = 0;
    int done = 0;
    int dead = 0;

    int total() const { return pending + inFlight + done + dead; }
    bool operator==(const QueueCounts &other) const
    {
        return pending == other.pending && inFlight == other.inFlight && done == other.done &&
               dead == other.dead;
    }
};

/// One job as stored, for inspection.
struct StoredJob {
    QString id;
    QString prompt;
    nlohmann::json payload;
    /// "pending", "in_flight", "done" or "dead".
    QString state;
    int receiveCount = 0;
    QDateTime visibleAt;
    QDateTime createdAt;
    QDateTime updatedAt;
    /// The last degraded or failed call result, null when none.
    nlohmann::json lastResult;
};

/// A completed job's result.
struct JobResult {
    QString id;
    nlohmann::json result;
    QDateTime completedAt;
};

/// Whether a call result completes a job: an answer from a model or the cache. A degraded
/// answer or a failed call sends the job back to be received again.
bool completesJob(const CallResult &result);

/// The durable job queue of `batch`, SQS-like: jobs are received (claimed with a lease and
/// a receive count), then completed (result stored) or failed (visible again after a
/// backoff, or moved to the dead-letter queue after `maxReceiveCount` receives). Every
/// change is one transaction committed before the call returns: a claim is on disk before
/// the call it starts, a result together with its completion. Works on its Database's
/// connection for the calling thread; use one JobQueue per thread.
class JobQueue final {
public:
    JobQueue(Database &database, QueueOptions options = {}, WallClock now = systemWallClock());
    JobQueue(const JobQueue &) = delete;
    JobQueue &operator=(const JobQueue &) = delete;

    const QueueOptions &options() const { return m_options; }
    /// The queue's wall clock: what visible_at and lease expiries are compared with.
    QDateTime now() const { return m_now(); }
    /// The message of the last failed operation ("FILE: what: why").
    const QString &lastError() const { return m_lastError; }

    /// Adds jobs in one transaction; an id already known is never added twice. One status
    /// per job, in order; nullopt on a database error.
    std::optional<QList<EnqueueStatus>> enqueue(const QList<NewJob> &jobs);

    /// Claims the next visible job: pending and due, or in flight with its lease run out.
    /// A job already received `maxReceiveCount` times that comes back this way (its
    /// process died during the last receive) goes to the dead-letter queue instead. nullopt
    /// when nothing is visible now, or on a database error (lastError() set).
    std::optional<ReceivedJob> receive();
    /// Stores the result and marks the job done, in one transaction.
    std::optional<Settled> complete(const ReceivedJob &job, const CallResult &result);
    /// Records a degraded or failed result: back to pending after the backoff, or into the
    /// dead-letter queue once the job has been received `maxReceiveCount` times.
    std::optional<Settled> fail(const ReceivedJob &job, const CallResult &result);
    /// complete() when completesJob(result), else fail().
    std::optional<Settled> settle(const ReceivedJob &job, const CallResult &result);
    /// Gives a job back without counting this receive (the caller stopped before an
    /// answer, e.g. a cancelled call). False when the lease was lost or on error.
    bool release(const ReceivedJob &job);

    /// What recoverInFlight() did.
    struct Recovered {
        /// Back to pending with their receive count kept.
        int requeued = 0;
        /// Already received `maxReceiveCount` times: to the dead-letter queue, error class
        /// "interrupted".
        int deadLettered = 0;
    };
    /// The crash-recovery step: every in-flight job goes back to pending, visible now, its
    /// receive count kept; one already received `maxReceiveCount` times goes to the
    /// dead-letter queue instead (as SQS moves a message that one more receive would take
    /// past the maximum). Only correct when no other process is working on this queue (the
    /// batch command holds a lock file for that). nullopt on error.
    std::optional<Recovered> recoverInFlight();

    QueueCounts counts();
    /// When the next pending job becomes visible; nullopt when none is pending (or error).
    std::optional<QDateTime> nextVisibleAt();
    std::optional<StoredJob> job(const QString &id);
    /// Every completed job's result, in the order the jobs were added.
    std::optional<QList<JobResult>> results();

private:
    /// Moves a job to the dead-letter queue inside an open transaction.
    bool deadLetter(const QString &id, const QString &error, const QString &errorClass,
                    int receiveCount, const nlohmann::json &lastResult, const nlohmann::json &job,
                    qint64 now);
    Millis retryDelayAfter(int receiveCount) const;

    Database &m_database;
    QueueOptions m_options;
    WallClock m_now;
    QString m_lastError;
};

} // namespace breakwater

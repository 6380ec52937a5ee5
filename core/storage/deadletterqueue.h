#pragma once

#include "storage/database.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>

class QIODevice;

namespace breakwater {

/// One job that failed `max_receive_count` receives (SPEC.md section 9).
struct DeadLetter {
    /// The job's id.
    QString id;
    QDateTime failedAt;
    QString error;
    /// An error class of SPEC.md section 3, "interrupted" (the process stopped during the
    /// last receive), or empty when unknown.
    QString errorClass;
    int receiveCount = 0;
    /// The call result of the last receive (SPEC.md section 4); null when that receive was
    /// interrupted before any result.
    nlohmann::json lastResult;
    /// The job as it was given (its JSON line).
    nlohmann::json job;

    /// {"id","failed_at" (ISO 8601 UTC),"error","error_class","receive_count","last_result",
    /// "job"}: the form of `dlq show` and of each `dlq export` line.
    nlohmann::json toJson() const;
};

/// The dead-letter queue of the job queue in the same Database: inspect, redrive (back to
/// the queue with the receive count reset), purge, export. The `dlq` command and the
/// dashboard's dead-letter tab both work through it. One instance per thread.
class DeadLetterQueue final {
public:
    explicit DeadLetterQueue(Database &database, WallClock now = systemWallClock());
    DeadLetterQueue(const DeadLetterQueue &) = delete;
    DeadLetterQueue &operator=(const DeadLetterQueue &) = delete;

    /// The message of the last failed operation ("FILE: what: why").
    const QString &lastError() const { return m_lastError; }
    /// The ids the last redrive() or purge() refused because they are not in the queue.
    const QStringList &unknownIds() const { return m_unknownIds; }

    /// Entries, oldest failure first; `limit` < 0 for all. nullopt on error.
    std::optional<QList<DeadLetter>> list(int limit = -1, int offset = 0);
    /// One entry; nullopt when absent (lastError() empty) or on error (lastError() set).
    std::optional<DeadLetter> find(const QString &id);
    /// Entries in the queue (`llm_dlq_messages`); -1 on error.
    int count();

    /// Moves these entries back to the job queue: pending, visible now, receive count 0.
    /// All or nothing: when an id is not in the queue nothing moves and lastError() names
    /// it. Returns how many moved; nullopt on error.
    std::optional<int> redrive(const QStringList &ids);
    /// Redrives every entry.
    std::optional<int> redriveAll();
    /// Deletes these entries and their jobs (a later batch with the same id adds it anew).
    /// All or nothing, as redrive().
    std::optional<int> purge(const QStringList &ids);
    std::optional<int> purgeAll();

    /// Writes every entry as one JSON line (toJson()), oldest first. Returns how many;
    /// nullopt on error (a write error is described with `deviceName`).
    std::optional<int> exportJsonLines(QIODevice &device, const QString &deviceName);

private:
    std::optional<QStringList> allIds();
    /// Ids of `ids` with no entry; nullopt on error.
    std::optional<QStringList> missing(const QStringList &ids);

    Database &m_database;
    WallClock m_now;
    QString m_lastError;
    QStringList m_unknownIds;
};

} // namespace breakwater

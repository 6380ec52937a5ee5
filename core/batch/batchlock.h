#pragma once

#include <QLockFile>
#include <QString>

namespace breakwater {

/// One batch at a time per queue file: `<db>.batch-lock` beside it, held while a batch runs.
/// Holding it is what makes JobQueue::recoverInFlight() safe: every job still in flight then
/// belongs to a process that died. A lock left by a killed process is taken over (its pid is
/// gone); age alone never makes a lock stale, however long a batch runs.
class BatchLock final {
public:
    explicit BatchLock(const QString &databasePath);
    BatchLock(const BatchLock &) = delete;
    BatchLock &operator=(const BatchLock &) = delete;

    /// False with `error` ("FILE: another batch is running on it (pid N on HOST)") when a live
    /// process holds it.
    bool tryLock(QString *error);
    void unlock() { m_lock.unlock(); }

private:
    QString m_databasePath;
    QLockFile m_lock;
};

} // namespace breakwater

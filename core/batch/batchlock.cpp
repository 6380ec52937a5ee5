#include "batchlock.h"

namespace breakwater {

BatchLock::BatchLock(const QString &databasePath)
    : m_databasePath(databasePath), m_lock(databasePath + QStringLiteral(".batch-lock"))
{
    m_lock.setStaleLockTime(0);
}

bool BatchLock::tryLock(QString *error)
{
    if (m_lock.tryLock(0))
        return true;
    if (error) {
        qint64 pid = 0;
        QString host;
        QString application;
        if (m_lock.getLockInfo(&pid, &host, &application))
            *error = QStringLiteral("%1: another batch is running on it (pid %2 on %3)")
                         .arg(m_databasePath)
                         .arg(pid)
                         .arg(host);
        else
            *error =
                QStringLiteral("%1: cannot take the batch lock %1.batch-lock").arg(m_databasePath);
    }
    return false;
}

} // namespace breakwater

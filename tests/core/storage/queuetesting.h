#pragma once

// Shared by the storage and batch suites: a database in a temporary folder, a wall clock
// the test moves, and call results of each kind.
#include "engine/callresult.h"
#include "storage/database.h"
#include "storage/jobqueue.h"

#include <QTemporaryDir>
#include <memory>

namespace breakwater::testing {

/// Wall time that only moves when the test says so.
struct ManualWallClock {
    QDateTime now = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);

    WallClock clock()
    {
        return [this] {
            return now;
        };
    }
    void advance(Millis step) { now = now.addMSecs(step.count()); }
};

/// A fresh database file in its own temporary folder.
struct TempDatabase {
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("queue.db"));
    QString error;
    std::unique_ptr<Database> database = Database::open(path, &error);

    /// Opens the file again: what a restarted process sees.
    std::unique_ptr<Database> reopen()
    {
        QString reopenError;
        return Database::open(path, &reopenError);
    }
};

inline NewJob job(const QString &id, const QString &prompt = QString())
{
    const QString text = prompt.isEmpty() ? QStringLiteral("prompt of ") + id : prompt;
    return NewJob{id, text, {{"id", id.toStdString()}, {"prompt", text.toStdString()}}};
}

inline CallResult answered(const QString &id = QStringLiteral("call"))
{
    CallResult result;
    result.id = id;
    result.success = true;
    result.source = QStringLiteral("claude-haiku-4-5");
    result.text = QStringLiteral("an answer");
    AttemptRecord attempt;
    attempt.model = result.source;
    attempt.httpStatus = 200;
    result.attempts.append(attempt);
    return result;
}

inline CallResult degraded(Outcome errorClass = Outcome::ServerError)
{
    CallResult result;
    result.id = QStringLiteral("call");
    result.success = true;
    result.degraded = true;
    result.source = sources::degraded;
    result.text = QStringLiteral("I am unable to process this request right now.");
    result.error = QStringLiteral("server error (HTTP 500)");
    result.errorClass = errorClass;
    AttemptRecord attempt;
    attempt.model = QStringLiteral("claude-sonnet-4-5");
    attempt.outcome = errorClass;
    attempt.httpStatus = 500;
    result.attempts.append(attempt);
    return result;
}

inline CallResult failedCall()
{
    CallResult result;
    result.id = QStringLiteral("call");
    result.success = false;
    result.source = sources::error;
    result.error = QStringLiteral("invalid request");
    result.errorClass = Outcome::BadRequest;
    return result;
}

} // namespace breakwater::testing

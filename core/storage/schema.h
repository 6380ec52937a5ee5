#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace breakwater {

/// One step of the schema's history: the statements that take a file from version
/// `version - 1` to `version`. Steps only ever get appended; a released step never changes.
struct Migration {
    int version = 0;
    QString summary;
    QStringList statements;
};

/// Every migration, in version order, starting at 1 (PRAGMA user_version 0 is an empty file).
const std::vector<Migration> &schemaMigrations();

/// Names of the job states as stored in `jobs.state`.
namespace jobstates {
inline const QString pending = QStringLiteral("pending");
inline const QString inFlight = QStringLiteral("in_flight");
inline const QString done = QStringLiteral("done");
inline const QString dead = QStringLiteral("dead");
} // namespace jobstates

} // namespace breakwater

#include "schema.h"

namespace breakwater {

// Instants are INTEGER milliseconds since the Unix epoch (UTC), except runs.started_at,
// which keeps the report's own ISO 8601 text. JSON columns hold compact JSON text.
const std::vector<Migration> &schemaMigrations()
{
    static const std::vector<Migration> migrations = {
        {1,
         QStringLiteral("job queue, results and dead-letter queue"),
         {
             QStringLiteral("CREATE TABLE jobs ("
                            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " id TEXT NOT NULL UNIQUE,"
                            " prompt TEXT NOT NULL,"
                            " payload TEXT NOT NULL,"
                            " state TEXT NOT NULL DEFAULT 'pending'"
                            "  CHECK (state IN ('pending', 'in_flight', 'done', 'dead')),"
                            " receive_count INTEGER NOT NULL DEFAULT 0,"
                            // pending: when it may be received; in_flight: when its lease runs out.
                            " visible_at INTEGER NOT NULL,"
                            " created_at INTEGER NOT NULL,"
                            " updated_at INTEGER NOT NULL)"),
             QStringLiteral("CREATE INDEX jobs_by_state ON jobs (state, visible_at)"),
             QStringLiteral("CREATE TABLE results ("
                            " job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,"
                            " result TEXT NOT NULL,"
                            " completed_at INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE dead_letters ("
                            " job_id TEXT PRIMARY KEY,"
                            " failed_at INTEGER NOT NULL,"
                            " error TEXT NOT NULL,"
                            " error_class TEXT,"
                            " receive_count INTEGER NOT NULL,"
                            " last_result TEXT,"
                            " job TEXT NOT NULL)"),
         }},
        {2,
         QStringLiteral("job leases, last failed results and run history"),
         {
             // The receipt of the current receive: a completion carrying an older one is
             // refused, so a job whose lease ran out is never settled twice.
             QStringLiteral("ALTER TABLE jobs ADD COLUMN lease TEXT"),
             // The last degraded or failed call result, for the dead letter a crash may make.
             QStringLiteral("ALTER TABLE jobs ADD COLUMN last_result TEXT"),
             QStringLiteral("ALTER TABLE jobs ADD COLUMN last_error TEXT"),
             QStringLiteral("CREATE TABLE runs ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " scenario TEXT NOT NULL,"
                            " label TEXT NOT NULL,"
                            " started_at TEXT NOT NULL,"
                            " saved_at INTEGER NOT NULL,"
                            " duration_s REAL NOT NULL,"
                            " requests INTEGER NOT NULL,"
                            " success_rate REAL NOT NULL,"
                            " degraded_share REAL NOT NULL,"
                            " p99_s REAL NOT NULL,"
                            " attempts_per_request REAL NOT NULL,"
                            // The report without its series, and the series apart: listing
                            // and comparing never parse the (large) series.
                            " report TEXT NOT NULL,"
                            " series TEXT)"),
             QStringLiteral("CREATE INDEX runs_by_start ON runs (started_at)"),
         }},
        {3,
         QStringLiteral("runs: the share answered by a model"),
         {
             QStringLiteral("ALTER TABLE runs ADD COLUMN model_rate REAL NOT NULL DEFAULT 0"),
             // Runs saved before: answered_by_model when the report has it, else its successes
             // less the cache's answers (the same count). A damaged report keeps 0.
             QStringLiteral(
                 "UPDATE runs SET model_rate = CASE WHEN requests > 0 AND json_valid(report) THEN"
                 " MAX(0, COALESCE(json_extract(report, '$.totals.answered_by_model'),"
                 " COALESCE(json_extract(report, '$.totals.succeeded'), 0)"
                 " - COALESCE(json_extract(report, '$.totals.by_source.cache'), 0)))"
                 " * 1.0 / requests ELSE 0 END"),
         }},
    };
    return migrations;
}

} // namespace breakwater

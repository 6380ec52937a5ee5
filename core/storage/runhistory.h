#pragma once

#include "storage/database.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater {

/// The figures two runs are compared by, read from a run report (SPEC.md section 6).
///
/// - modelRate = totals.answered_by_model / totals.requests (the share answered by a model,
///   neither the cache nor the degraded text: the figure runs are judged by first);
///   successRate = totals.succeeded / totals.requests; degradedShare = totals.degraded /
///   totals.requests; p99Seconds = latency_s.p99; attemptsPerRequest = totals.attempts /
///   totals.requests (attempts actually sent: short-circuits are not attempts).
/// - The dead model and the outage start: the model and `t_s` of the first timeline note
///   that names a model; without one, the first series point where a model's errors are
///   at least 3 and at least half its attempts (the first error burst), at that point's
///   start.
/// - wastedCalls: attempts sent to the dead model that failed with a provider-side error,
///   the classes that count against a breaker (rate_limited, server_error, overloaded,
///   timeout, connection, malformed), over the whole run; what a breaker is there to save.
///   With no dead model, the same count over every model.
/// - timeToFailoverSeconds: from the outage start to the end of the first series point,
///   ending after it, in which any answer came from another model or the cache. An upper
///   bound, exact to `series.step_s`. Unset without an outage start or such an answer.
/// - breakerOpenedAfterSeconds: from the outage start to the dead model's first breaker
///   transition to open at or after it (exact). Unset when it never opened.
struct RunFigures {
    qint64 requests = 0;
    double modelRate = 0.0;
    double successRate = 0.0;
    double degradedShare = 0.0;
    double p99Seconds = 0.0;
    double attemptsPerRequest = 0.0;
    qint64 wastedCalls = 0;
    QString deadModel;
    std::optional<double> outageAtSeconds;
    std::optional<double> timeToFailoverSeconds;
    std::optional<double> breakerOpenedAfterSeconds;
};

/// The figures of a report; zeros for what it lacks (never throws).
RunFigures runFigures(const nlohmann::json &report);

/// One line of a side-by-side comparison.
struct ComparisonRow {
    /// "model_rate", "success_rate", "degraded_share", "p99_s", "attempts_per_request",
    /// "wasted_calls", "time_to_failover_s", "breaker_opened_after_s".
    QString key;
    /// For display: "success rate", "p99 latency (s)", …
    QString label;
    std::optional<double> a;
    std::optional<double> b;
    bool higherIsBetter = false;

    /// -1 when run A is better, 1 when B is, 0 when equal or either value is missing.
    int better() const;
};

/// Two runs side by side (typically one scenario under two policy presets).
struct RunComparison {
    RunFigures a;
    RunFigures b;
    QList<ComparisonRow> rows;
};

RunComparison compareRuns(const nlohmann::json &reportA, const nlohmann::json &reportB);

/// A saved run as listed: no report parsing needed.
struct SavedRunSummary {
    qint64 id = 0;
    QString scenario;
    /// The config or policy preset it ran with, as given when saved.
    QString label;
    /// The report's started_at (ISO 8601 UTC).
    QString startedAt;
    QDateTime savedAt;
    double durationSeconds = 0.0;
    qint64 requests = 0;
    double modelRate = 0.0;
    double successRate = 0.0;
    double degradedShare = 0.0;
    double p99Seconds = 0.0;
    double attemptsPerRequest = 0.0;
};

/// A saved run with its whole report, series included.
struct SavedRun {
    SavedRunSummary summary;
    nlohmann::json report;
};

/// Finished runs kept in the Database (table `runs`), for the dashboard's history tab and
/// `run` (unless --no-save). One instance per thread.
class RunHistory final {
public:
    explicit RunHistory(Database &database, WallClock now = systemWallClock());
    RunHistory(const RunHistory &) = delete;
    RunHistory &operator=(const RunHistory &) = delete;

    /// The message of the last failed operation.
    const QString &lastError() const { return m_lastError; }

    /// Saves a finished run's report (SPEC.md section 6, series included) under `label`.
    /// Returns its id; nullopt when the report is not one (no `totals` object) or on error.
    std::optional<qint64> save(const nlohmann::json &report, const QString &label);
    /// Saved runs, newest start first; `limit` < 0 for all.
    std::optional<QList<SavedRunSummary>> list(int limit = -1);
    /// One run; nullopt when absent (lastError() empty) or on error.
    std::optional<SavedRun> load(qint64 id);
    /// Deletes one run; false when absent (lastError() empty) or on error.
    bool remove(qint64 id);

private:
    Database &m_database;
    WallClock m_now;
    QString m_lastError;
};

/// Opens the database at `path` (defaultDatabasePath() for the default) and saves the
/// report: what `breakwater-cli run` calls unless --no-save. Returns the run's id; nullopt
/// with `error` ("FILE: what: why") on failure.
std::optional<qint64> saveRun(const QString &path, const nlohmann::json &report,
                              const QString &label, QString *error);

} // namespace breakwater

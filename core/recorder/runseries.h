#pragma once

#include "breaker/breakerstate.h"
#include "common/clock.h"
#include "common/errorclass.h"
#include "recorder/latencyhistogram.h"
#include "recorder/recordersnapshot.h"
#include "recorder/timeseries.h"

#include <QStringList>
#include <nlohmann/json.hpp>
#include <vector>

namespace breakwater {

/// The time series of one run (SPEC.md section 6 `series`, section 10 charts): per point,
/// requests, failed, attempt errors, attempts, retries, short-circuits, in-flight, end-to-end
/// p50/p95/p99, answers by source, and per model attempts, successes, errors (hence error
/// rate) and breaker state.
///
/// Events are added to an open step; advanceTo() closes it when time passes its end and
/// appends it to a TimeSeries, which halves its resolution when full. How each metric merges
/// when two points become one:
/// - counts (requests, failed, errors, attempts, retries, short_circuited, by_source, per
///   model attempts/successes/errors) add up, so every column's total stays exact;
/// - error_rate is never stored: it is errors / (successes + errors) of the merged counts;
/// - latency p50/p95/p99 of a point come from the histogram of the calls that finished in
///   it; merged points take the max of the two (an upper bound that never hides a spike; the
///   exact run-wide percentiles are the report's `latency_s`);
/// - in_flight is the peak during the point; merged: the max;
/// - breaker is the most severe state held during the point (breakerSeverity()); merged: the
///   max.
/// A copyable value; not thread-safe.
class RunSeries final {
public:
    /// What a finished call's answer was.
    enum class Answer { Model, Cache, Degraded, Failed };

    RunSeries(Millis step, int capacity);

    /// Adds a model's columns and returns its index (existing points get zeros / closed).
    int addModel(const QString &label);
    /// Closes every open step that ended at or before `elapsed` (time since the origin).
    void advanceTo(Millis elapsed);
    /// Forgets every point; the open step restarts at 0 with the initial step.
    void clear();

    void addCallFinished(Answer answer, int model, Millis latency);
    void addAttemptStarted(int model);
    void addAttemptFinished(int model, Outcome outcome);
    void addRetry();
    void addShortCircuit();
    /// Sets the in-flight gauge (the open step keeps its peak).
    void setInFlight(std::int64_t inFlight);
    /// Sets a model's breaker state (the open step keeps the most severe).
    void setBreakerState(int model, BreakerState state);

    /// This series advanced to `elapsed`, with the open step written in as a (partial) last
    /// point when any time or event has gone into it: what the report shows at `elapsed`.
    RunSeries completedAt(Millis elapsed) const;
    /// The completed points, for live charts.
    SeriesView view() const;
    /// The `series` object of the report: the completed points only (see completedAt()).
    nlohmann::json toJson() const;

    int size() const { return m_series.size(); }
    Millis step() const { return m_series.step(); }
    int capacity() const { return m_series.capacity(); }
    const QStringList &models() const { return m_models; }

private:
    struct ModelColumns {
        int answers;
        int attempts;
        int successes;
        int errors;
        int breaker;
    };

    void closeOpenStep();
    void resetOpenStep();
    void add(int column, double amount);
    void raise(int column, double value);

    TimeSeries m_series;
    QStringList m_models;
    std::vector<ModelColumns> m_modelColumns;
    int m_requests;
    int m_failed;
    int m_errors;
    int m_attempts;
    int m_retries;
    int m_shortCircuited;
    int m_inFlight;
    int m_p50;
    int m_p95;
    int m_p99;
    int m_cache;
    int m_degraded;

    // The open step: [m_openStart, m_openEnd) from the origin.
    Millis m_openStart{0};
    Millis m_openEnd{0};
    std::vector<double> m_open;
    LatencyHistogram m_openLatency;
    std::int64_t m_openEvents = 0;
    // Gauges carried from one step to the next.
    std::int64_t m_currentInFlight = 0;
    std::vector<BreakerState> m_breakerStates;
};

} // namespace breakwater

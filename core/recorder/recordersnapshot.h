#pragma once

#include "breaker/breakerstate.h"
#include "common/clock.h"
#include "common/errorclass.h"
#include "errors/classifiederror.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <cstdint>

namespace breakwater {

// Plain values a reader (dashboard, progress line) gets from RunRecorder::snapshot(). Times
// `tSeconds` are seconds since the recorder's start().

/// One scheduled retry, for the retry-delay scatter chart.
struct RetryDelayPoint {
    double tSeconds = 0.0;
    Millis delay{0};
    DelaySource source = DelaySource::Backoff;
    /// The outcome that caused the retry.
    Outcome reason = Outcome::ServerError;
};

/// A breaker state change of one model.
struct BreakerTransitionRecord {
    double tSeconds = 0.0;
    BreakerState from = BreakerState::Closed;
    BreakerState to = BreakerState::Closed;
};

/// An alert that started or stopped firing.
struct AlertRecord {
    double tSeconds = 0.0;
    QString name;
    bool firing = false;
    double value = 0.0;
    QString message;
};

/// A timeline note ("primary down"), a marker on every chart.
struct TimelineRecord {
    double tSeconds = 0.0;
    QString model;
    QString note;
};

/// Run totals (SPEC.md section 6 `totals`, plus live extras).
struct RecorderTotals {
    /// Calls started (CallStarted).
    std::int64_t started = 0;
    /// Calls finished (CallFinished): each has a result, so requests = succeeded + degraded +
    /// failed.
    std::int64_t requests = 0;
    /// Answered by a model or the cache.
    std::int64_t succeeded = 0;
    /// Answered by a model (a fresh answer, not the cache): the figure that tells whether
    /// users were served by a real model. Part of `succeeded`.
    std::int64_t answeredByModel = 0;
    /// Answered with the degraded text.
    std::int64_t degraded = 0;
    /// Ended with `source: error` (an invalid request or a cancelled call).
    std::int64_t failed = 0;
    /// Attempts sent to a model (AttemptStarted).
    std::int64_t attempts = 0;
    std::int64_t retries = 0;
    /// Attempts not sent because the breaker was open.
    std::int64_t shortCircuited = 0;
    /// Attempts not sent because the model's bulkhead was full.
    std::int64_t bulkheadFull = 0;
    /// Fallback hops along the chain.
    std::int64_t fallbacks = 0;
    /// started − finished (never below 0).
    std::int64_t inFlight = 0;
};

/// Answers from one source: a model label, "cache" or "degraded".
struct SourceFigures {
    QString source;
    std::int64_t answers = 0;
    /// Answers per second over the rolling window.
    double perSecond = 0.0;
};

/// One model's breaker card: live window figures and run totals.
struct ModelFigures {
    QString model;
    BreakerState state = BreakerState::Closed;
    /// When the model entered `state` (0 if it never changed).
    double stateSinceSeconds = 0.0;
    /// Attempts that came back with an outcome (success or an error class) in the window.
    std::int64_t callsInWindow = 0;
    std::int64_t errorsInWindow = 0;
    /// errorsInWindow / callsInWindow × 100; 0 when the window is empty.
    double errorPercentInWindow = 0.0;
    std::int64_t shortCircuitedInWindow = 0;
    /// Attempt latency percentiles over the window.
    Millis p50InWindow{0};
    Millis p99InWindow{0};
    /// Whole-run counts.
    std::int64_t attempts = 0;
    std::int64_t successes = 0;
    std::int64_t errors = 0;
    std::int64_t shortCircuited = 0;
    std::int64_t retries = 0;
    /// The most recent scheduled retries on this model, oldest first (bounded).
    QList<RetryDelayPoint> recentRetryDelays;
};

/// The completed points of the run's time series, as shared copies (cheap to take).
/// Counts are per point; latency percentiles are in seconds; breaker values are
/// breakerSeverity() codes; a model's error rate at a point is
/// modelErrors / (modelSuccesses + modelErrors). See RunSeries for how points merge when the
/// step doubles.
struct SeriesView {
    Millis step{1000};
    int points = 0;
    QList<double> requests;
    QList<double> failed;
    QList<double> errors;
    QList<double> attempts;
    QList<double> retries;
    QList<double> shortCircuited;
    QList<double> inFlight;
    QList<double> latencyP50;
    QList<double> latencyP95;
    QList<double> latencyP99;
    /// Model labels in chain order, then "cache" and "degraded"; parallel to bySource.
    QStringList sources;
    QList<QList<double>> bySource;
    /// Model labels in chain order; parallel to the per-model lists.
    QStringList models;
    QList<QList<double>> modelAttempts;
    QList<QList<double>> modelSuccesses;
    QList<QList<double>> modelErrors;
    QList<QList<double>> modelBreaker;
};

/// Everything a live reader needs, as plain values: no pointer into the recorder.
struct RecorderSnapshot {
    double elapsedSeconds = 0.0;
    RecorderTotals totals;
    /// Model labels in chain order, then "cache" and "degraded".
    QList<SourceFigures> sources;
    /// Calls finished per second over the rolling window.
    double throughputPerSecond = 0.0;
    /// The rolling window's length.
    Millis window{0};
    /// End-to-end latency over the whole run.
    Millis latencyP50{0};
    Millis latencyP95{0};
    Millis latencyP99{0};
    Millis latencyMax{0};
    QList<ModelFigures> models;
    /// Names of the alerts firing now.
    QStringList firingAlerts;
    /// Kept timeline notes, oldest first (bounded).
    QList<TimelineRecord> timeline;
    SeriesView series;
};

/// Orders breaker states for charts and for merging series points: closed 0, forced closed 1,
/// half-open 2, open 3, forced open 4 (the higher, the less traffic gets through).
int breakerSeverity(BreakerState state);
/// The inverse of breakerSeverity (rounded, clamped).
BreakerState breakerStateFromSeverity(double severity);

} // namespace breakwater

Q_DECLARE_METATYPE(breakwater::RecorderSnapshot)

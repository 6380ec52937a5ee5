#pragma once

#include "common/clock.h"
#include "engine/events.h"
#include "recorder/latencyhistogram.h"
#include "recorder/recordersnapshot.h"
#include "recorder/ringbuffer.h"
#include "recorder/rollingwindow.h"
#include "recorder/runseries.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <array>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace breakwater {

/// Sizes of the recorder's windows, series and logs; the defaults suit a run of any length.
struct RecorderOptions {
    /// Width of one series point until the series first halves.
    Millis seriesStep{1000};
    /// Points kept per series before adjacent points merge (rounded up to even).
    int seriesCapacity = 3600;
    /// The rolling window for live rates: windowBuckets × windowBucket (Hystrix: 10 × 1 s).
    Millis windowBucket{1000};
    int windowBuckets = 10;
    /// Breaker transitions kept per model; older ones are dropped and counted.
    int maxBreakerTransitions = 1000;
    int maxAlerts = 1000;
    int maxTimelineNotes = 1000;
    /// Scheduled retries kept per model for the scatter chart.
    int recentRetryDelays = 500;
};

/// Records one run from the engine's event stream: totals, per-model counts by error class,
/// short-circuits, retry delays with their source, breaker transitions, alerts, timeline
/// notes, end-to-end and per-attempt latency percentiles, rolling live figures and the time
/// series (RunSeries). The CLI `run` report (SPEC.md section 6) and the dashboard (section
/// 10) are both built from it. Every structure is bounded: histograms are fixed, windows
/// are rings, logs keep their last N, series halve their resolution.
///
/// Threads: the recorder lives in one thread and every call (record, snapshot, reportJson)
/// must be made on it; connect EventStream::event to record() and events from engines in
/// other threads arrive queued, in order. No locks. Event times are taken to be on `clock`.
/// Models: the chain's labels, in order; a label first seen in an event is added after them
/// (up to kMaxModels; beyond that only the totals count it).
class RunRecorder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunRecorder)

public:
    static constexpr int kMaxModels = 32;

    RunRecorder(Clock &clock, const QStringList &modelLabels, RecorderOptions options = {},
                QObject *parent = nullptr);
    ~RunRecorder() override;

    /// Forgets everything recorded and makes now the origin of every `t_s` and series point.
    void reset();
    /// reset(), named for the start of a run.
    void start() { reset(); }

    /// The live figures (rolls the windows and series forward to now first). Cheap enough
    /// to poll 10 times a second: series columns are shared, not copied.
    RecorderSnapshot snapshot();
    /// The keys of the run report (SPEC.md section 6) the recorder owns: duration_s, totals,
    /// latency_s, models, alerts, timeline, series (including the partial last step), and
    /// `dropped` (items pushed out of the bounded logs). The caller adds scenario, seed,
    /// started_at and expect.
    nlohmann::json reportJson() const;

    const RecorderTotals &totals() const { return m_totals; }
    QStringList modelLabels() const;
    /// Time since the origin.
    Millis elapsed() const;
    const RecorderOptions &options() const { return m_options; }

public Q_SLOTS:
    /// Takes one event from the stream.
    void record(const breakwater::EngineEvent &event);

private:
    static constexpr int kErrorClassCount = static_cast<int>(std::size(kErrorClasses));
    static constexpr int kDelaySourceCount = 3;

    /// Counts of one rolling bucket for one model.
    struct ModelBucket {
        std::int64_t outcomes = 0;
        std::int64_t errors = 0;
        std::int64_t shortCircuited = 0;
        LatencyHistogram latency;
        void reset();
    };
    /// Answers of one rolling bucket: one count per model, then cache, then degraded.
    struct AnswersBucket {
        std::int64_t requests = 0;
        std::array<std::int64_t, kMaxModels + 2> bySource{};
        void reset();
    };
    struct ModelState {
        ModelState(const QString &label, const Clock &clock, const RecorderOptions &options);
        QString label;
        std::int64_t attempts = 0;
        std::int64_t probes = 0;
        std::int64_t successes = 0;
        std::int64_t cancelled = 0;
        std::array<std::int64_t, kErrorClassCount> errors{};
        std::int64_t shortCircuited = 0;
        std::int64_t bulkheadFull = 0;
        std::int64_t answers = 0;
        std::array<std::int64_t, kDelaySourceCount> retriesBySource{};
        LatencyHistogram retryDelays;
        LatencyHistogram attemptLatency;
        BreakerState state = BreakerState::Closed;
        double stateSinceSeconds = 0.0;
        /// Transitions into open or forced open, dropped ones included.
        std::int64_t opened = 0;
        RingBuffer<BreakerTransitionRecord> transitions;
        RingBuffer<RetryDelayPoint> recentRetries;
        RollingWindow<ModelBucket> window;
    };

    void onEvent(const CallStarted &event);
    void onEvent(const AttemptStarted &event);
    void onEvent(const AttemptFinished &event);
    void onEvent(const RetryScheduled &event);
    void onEvent(const ShortCircuited &event);
    void onEvent(const FallbackHop &event);
    void onEvent(const StreamDelta &event);
    void onEvent(const BreakerTransition &event);
    void onEvent(const CallFinished &event);
    void onEvent(const AlertChanged &event);
    void onEvent(const TimelineNote &event);

    /// The model's index, adding it when first seen; -1 past kMaxModels or for an empty label.
    int modelIndex(const QString &label);
    ModelState *model(const QString &label);
    double secondsSinceOrigin(Millis at) const;
    /// The window span rates are divided by: the window, or less early in a run.
    double rateSpanSeconds() const;
    nlohmann::json modelJson(const ModelState &state) const;

    Clock &m_clock;
    RecorderOptions m_options;
    Millis m_origin{0};
    RecorderTotals m_totals;
    std::vector<std::unique_ptr<ModelState>> m_models;
    QHash<QString, int> m_modelIndex;
    LatencyHistogram m_latency;
    RollingWindow<AnswersBucket> m_answersWindow;
    std::int64_t m_cacheAnswers = 0;
    std::int64_t m_degradedAnswers = 0;
    RingBuffer<AlertRecord> m_alerts;
    /// Alerts firing now, in the order they started.
    QStringList m_firing;
    RingBuffer<TimelineRecord> m_timeline;
    RunSeries m_series;
};

} // namespace breakwater

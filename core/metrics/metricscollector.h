#pragma once

#include "breaker/breakerstate.h"
#include "engine/events.h"
#include "metrics/metricsregistry.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

namespace breakwater {

/// Keeps the SPEC.md section 8 metrics of a MetricsRegistry up to date from the engine's
/// event stream: connect EventStream::event to record(). Registers its families in the
/// registry on construction. Lives in one thread (record() arrives queued from others).
///
/// Counting rules: `llm_calls_total` and `llm_call_duration_seconds` count attempts that were
/// actually sent, status "error" for every outcome but success; an attempt the caller
/// cancelled is neither (it says nothing about the provider) and goes to
/// `llm_attempts_cancelled_total`. An attempt never sent counts in
/// `llm_short_circuited_total` (breaker open) or `llm_bulkhead_rejected_total` (bulkhead
/// full), never in `llm_calls_total`.
class MetricsCollector final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsCollector)

public:
    /// Attempt durations (seconds): LLM calls run from tens of milliseconds to minutes.
    static const QList<double> attemptBuckets;
    /// End-to-end durations (seconds): retries and fallbacks make calls longer.
    static const QList<double> requestBuckets;
    /// Retry delays (seconds): backoff from a fraction of a second up to retry-after minutes.
    static const QList<double> retryDelayBuckets;

    /// `models`: the chain's model labels, whose every series is created at zero at once.
    explicit MetricsCollector(MetricsRegistry &registry, const QStringList &models = {},
                              QObject *parent = nullptr);

    /// Creates every per-model series of these models at zero (breaker state closed).
    void addModels(const QStringList &models);
    /// The models seen so far, in the order they became known.
    QStringList models() const { return m_models; }
    /// Sets `llm_dlq_messages`.
    void setDeadLetterCount(int count);

public Q_SLOTS:
    /// Updates the registry from one event.
    void record(const breakwater::EngineEvent &event);

private:
    void registerFamilies();
    void ensureModel(const QString &model);
    void ensureSource(const QString &source);
    void setBreakerState(const QString &model, BreakerState state);
    void onAttemptFinished(const AttemptFinished &event);
    void onShortCircuited(const ShortCircuited &event);
    void onRetryScheduled(const RetryScheduled &event);
    void onBreakerTransition(const BreakerTransition &event);
    void onCallFinished(const CallFinished &event);
    void onAlertChanged(const AlertChanged &event);

    /// The series every call updates, found once per model and source.
    struct ModelSeries {
        MetricsRegistry::SeriesRef success;
        MetricsRegistry::SeriesRef error;
        MetricsRegistry::SeriesRef duration;
    };
    const ModelSeries &seriesOf(const QString &model);

    MetricsRegistry &m_registry;
    QStringList m_models;
    QHash<QString, ModelSeries> m_modelSeries;
    QSet<QString> m_sources;
    QHash<QString, MetricsRegistry::SeriesRef> m_responses;
    MetricsRegistry::SeriesRef m_requestDuration;
};

} // namespace breakwater

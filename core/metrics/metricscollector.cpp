#include "metricscollector.h"

#include "metrics/metricnames.h"
#include "metrics/metricsregistry.h"

#include <array>

namespace breakwater {
namespace {

template <class... Handlers> struct Overloaded : Handlers... {
    using Handlers::operator()...;
};
template <class... Handlers> Overloaded(Handlers...) -> Overloaded<Handlers...>;

constexpr std::array kBreakerStates = {BreakerState::Closed, BreakerState::Open,
                                       BreakerState::HalfOpen, BreakerState::ForcedOpen,
                                       BreakerState::ForcedClosed};
constexpr std::array kDelaySources = {DelaySource::Backoff, DelaySource::RetryAfter,
                                      DelaySource::RetryAfterMs};

const QString kSuccess = QStringLiteral("success");
const QString kError = QStringLiteral("error");

/// Outcomes of attempts that never reached a server; they are not "calls".
bool wasSent(Outcome outcome)
{
    return outcome != Outcome::ShortCircuited && outcome != Outcome::BulkheadFull;
}

} // namespace

const QList<double> MetricsCollector::attemptBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                        5,    10,  30,   60,  120};
const QList<double> MetricsCollector::requestBuckets = {0.1, 0.25, 0.5, 1,   2.5, 5,
                                                        10,  30,   60,  120, 300, 600};
const QList<double> MetricsCollector::retryDelayBuckets = {0.1, 0.25, 0.5, 1,  2,  4,
                                                           8,   16,   32,  60, 120};

MetricsCollector::MetricsCollector(MetricsRegistry &registry, const QStringList &models,
                                   QObject *parent)
    : QObject(parent), m_registry(registry)
{
    registerFamilies();
    addModels(models);
}

void MetricsCollector::registerFamilies()
{
    using namespace metricnames;
    const QStringList model{QStringLiteral("model")};
    m_registry.addCounter(callsTotal,
                          QStringLiteral("LLM API attempts actually sent, by model and status "
                                         "(success or error)."),
                          {QStringLiteral("model"), QStringLiteral("status")});
    m_registry.addHistogram(callDuration, QStringLiteral("Duration of each sent LLM attempt."),
                            model, attemptBuckets);
    m_registry.addCounter(callErrors,
                          QStringLiteral("Failed LLM attempts by model and error class."),
                          {QStringLiteral("model"), QStringLiteral("class")});
    m_registry.addCounter(attemptsCancelled,
                          QStringLiteral("Sent LLM attempts aborted because the call was "
                                         "cancelled."),
                          model);
    m_registry.addCounter(retries,
                          QStringLiteral("Retries scheduled, by model and the error class "
                                         "that caused them."),
                          {QStringLiteral("model"), QStringLiteral("reason")});
    m_registry.addHistogram(retryDelay,
                            QStringLiteral("Scheduled retry delays, by where the delay came "
                                           "from (backoff, retry-after, retry-after-ms)."),
                            {QStringLiteral("source")}, retryDelayBuckets);
    m_registry.addGauge(breakerState,
                        QStringLiteral("Circuit breaker state per model: 1 for the current "
                                       "state, 0 for the others."),
                        {QStringLiteral("model"), QStringLiteral("state")});
    m_registry.addCounter(breakerTransitions,
                          QStringLiteral("Circuit breaker transitions, by model and the state "
                                         "entered."),
                          {QStringLiteral("model"), QStringLiteral("state")});
    m_registry.addCounter(shortCircuited,
                          QStringLiteral("Attempts not sent because the model's circuit "
                                         "breaker was open."),
                          model);
    m_registry.addCounter(bulkheadRejected,
                          QStringLiteral("Attempts not sent because the model's concurrency "
                                         "limit (bulkhead) was full."),
                          model);
    m_registry.addCounter(responses,
                          QStringLiteral("Finished calls by the source of the answer: a model, "
                                         "cache, degraded or error."),
                          {QStringLiteral("source")});
    m_registry.addHistogram(requestDuration,
                            QStringLiteral("End-to-end duration of each call, retries and "
                                           "fallbacks included."),
                            {}, requestBuckets);
    m_registry.addGauge(dlqMessages, QStringLiteral("Messages in the dead-letter queue."));
    m_registry.addGauge(alertsFiring,
                        QStringLiteral("In-process alert rules: 1 while firing, 0 otherwise."),
                        {QStringLiteral("alertname")});

    for (const DelaySource source : kDelaySources)
        m_registry.touch(retryDelay, {delaySourceName(source)});
    m_requestDuration = m_registry.series(requestDuration);
    m_registry.touch(dlqMessages);
    m_registry.touch(alertsFiring, {alertnames::highErrorRate});
    m_registry.touch(alertsFiring, {alertnames::authFailure});
    for (const QString &source : {sources::cache, sources::degraded, sources::error})
        ensureSource(source);
}

void MetricsCollector::addModels(const QStringList &models)
{
    for (const QString &model : models)
        ensureModel(model);
}

void MetricsCollector::ensureModel(const QString &model)
{
    if (model.isEmpty() || m_modelSeries.contains(model))
        return;
    m_models.append(model);
    using namespace metricnames;
    m_modelSeries.insert(model, ModelSeries{m_registry.series(callsTotal, {model, kSuccess}),
                                            m_registry.series(callsTotal, {model, kError}),
                                            m_registry.series(callDuration, {model})});
    for (const Outcome errorClass : kErrorClasses) {
        m_registry.touch(callErrors, {model, outcomeName(errorClass)});
        m_registry.touch(retries, {model, outcomeName(errorClass)});
    }
    m_registry.touch(attemptsCancelled, {model});
    m_registry.touch(shortCircuited, {model});
    m_registry.touch(bulkheadRejected, {model});
    for (const BreakerState state : kBreakerStates)
        m_registry.touch(breakerTransitions, {model, breakerStateName(state)});
    // A breaker starts closed; a later transition event corrects this if it is not.
    setBreakerState(model, BreakerState::Closed);
    ensureSource(model);
}

void MetricsCollector::ensureSource(const QString &source)
{
    if (source.isEmpty() || m_sources.contains(source))
        return;
    m_sources.insert(source);
    m_responses.insert(source, m_registry.series(metricnames::responses, {source}));
}

const MetricsCollector::ModelSeries &MetricsCollector::seriesOf(const QString &model)
{
    auto found = m_modelSeries.constFind(model);
    if (found == m_modelSeries.cend()) {
        ensureModel(model);
        found = m_modelSeries.constFind(model);
    }
    return *found;
}

void MetricsCollector::setBreakerState(const QString &model, BreakerState state)
{
    for (const BreakerState candidate : kBreakerStates) {
        m_registry.set(metricnames::breakerState, {model, breakerStateName(candidate)},
                       candidate == state ? 1.0 : 0.0);
    }
}

void MetricsCollector::setDeadLetterCount(int count)
{
    m_registry.set(metricnames::dlqMessages, {}, count);
}

void MetricsCollector::record(const EngineEvent &event)
{
    std::visit(Overloaded{
                   [this](const AttemptFinished &e) { onAttemptFinished(e); },
                   [this](const ShortCircuited &e) { onShortCircuited(e); },
                   [this](const RetryScheduled &e) { onRetryScheduled(e); },
                   [this](const BreakerTransition &e) { onBreakerTransition(e); },
                   [this](const CallFinished &e) { onCallFinished(e); },
                   [this](const AlertChanged &e) { onAlertChanged(e); },
                   [this](const AttemptStarted &e) { ensureModel(e.model); },
                   [](const auto &) {},
               },
               event);
}

void MetricsCollector::onAttemptFinished(const AttemptFinished &event)
{
    if (!wasSent(event.outcome) || event.model.isEmpty())
        return;
    const ModelSeries &series = seriesOf(event.model);
    using namespace metricnames;
    if (event.outcome == Outcome::Cancelled) {
        m_registry.increment(attemptsCancelled, {event.model});
        return;
    }
    const bool success = event.outcome == Outcome::Success;
    m_registry.increment(success ? series.success : series.error);
    m_registry.observe(series.duration, toSeconds(event.duration));
    if (!success)
        m_registry.increment(callErrors, {event.model, outcomeName(event.outcome)});
}

void MetricsCollector::onShortCircuited(const ShortCircuited &event)
{
    ensureModel(event.model);
    m_registry.increment(event.reason == Outcome::BulkheadFull ? metricnames::bulkheadRejected
                                                               : metricnames::shortCircuited,
                         {event.model});
}

void MetricsCollector::onRetryScheduled(const RetryScheduled &event)
{
    ensureModel(event.model);
    m_registry.increment(metricnames::retries, {event.model, outcomeName(event.reason)});
    m_registry.observe(metricnames::retryDelay, {delaySourceName(event.source)},
                       toSeconds(event.delay));
}

void MetricsCollector::onBreakerTransition(const BreakerTransition &event)
{
    ensureModel(event.model);
    setBreakerState(event.model, event.to);
    m_registry.increment(metricnames::breakerTransitions,
                         {event.model, breakerStateName(event.to)});
}

void MetricsCollector::onCallFinished(const CallFinished &event)
{
    if (!event.result.source.isEmpty()) {
        ensureSource(event.result.source);
        m_registry.increment(m_responses.value(event.result.source));
    }
    m_registry.observe(m_requestDuration, toSeconds(event.result.duration));
}

void MetricsCollector::onAlertChanged(const AlertChanged &event)
{
    m_registry.set(metricnames::alertsFiring, {event.name}, event.firing ? 1.0 : 0.0);
}

} // namespace breakwater

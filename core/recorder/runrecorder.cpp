#include "runrecorder.h"

#include "engine/callresult.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

constexpr int kCacheSlot = RunRecorder::kMaxModels;
constexpr int kDegradedSlot = RunRecorder::kMaxModels + 1;
constexpr DelaySource kDelaySources[] = {DelaySource::Backoff, DelaySource::RetryAfter,
                                         DelaySource::RetryAfterMs};

/// Seconds rounded to the millisecond, so reports do not print 0.30000000000000004.
double rounded(double seconds)
{
    return std::round(seconds * 1000.0) / 1000.0;
}

double roundedSeconds(Millis duration)
{
    return rounded(toSeconds(duration));
}

int errorClassIndex(Outcome outcome)
{
    const auto *found = std::find(std::begin(kErrorClasses), std::end(kErrorClasses), outcome);
    return found == std::end(kErrorClasses)
               ? -1
               : static_cast<int>(std::distance(std::begin(kErrorClasses), found));
}

nlohmann::json percentilesJson(const LatencyHistogram &histogram)
{
    return {
        {"p50", roundedSeconds(histogram.percentile(50))},
        {"p95", roundedSeconds(histogram.percentile(95))},
        {"p99", roundedSeconds(histogram.percentile(99))},
        {"max", roundedSeconds(histogram.max())},
    };
}

} // namespace

void RunRecorder::ModelBucket::reset()
{
    outcomes = 0;
    errors = 0;
    shortCircuited = 0;
    latency.reset();
}

void RunRecorder::AnswersBucket::reset()
{
    requests = 0;
    bySource.fill(0);
}

RunRecorder::ModelState::ModelState(const QString &label, const Clock &clock,
                                    const RecorderOptions &options)
    : label(label), transitions(options.maxBreakerTransitions),
      recentRetries(options.recentRetryDelays),
      window(clock, options.windowBuckets, options.windowBucket)
{}

RunRecorder::RunRecorder(Clock &clock, const QStringList &modelLabels, RecorderOptions options,
                         QObject *parent)
    : QObject(parent), m_clock(clock), m_options(options), m_origin(clock.now()),
      m_answersWindow(clock, options.windowBuckets, options.windowBucket),
      m_alerts(options.maxAlerts), m_timeline(options.maxTimelineNotes),
      m_series(options.seriesStep, options.seriesCapacity)
{
    qRegisterMetaType<breakwater::EngineEvent>();
    for (const QString &label : modelLabels)
        modelIndex(label);
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::reset()
{
    m_origin = m_clock.now();
    m_totals = RecorderTotals();
    for (auto &state : m_models)
        state = std::make_unique<ModelState>(state->label, m_clock, m_options);
    m_latency.reset();
    m_answersWindow.reset();
    m_cacheAnswers = 0;
    m_degradedAnswers = 0;
    m_alerts.clear();
    m_firing.clear();
    m_timeline.clear();
    m_series.clear();
}

QStringList RunRecorder::modelLabels() const
{
    QStringList labels;
    for (const auto &state : m_models)
        labels.append(state->label);
    return labels;
}

Millis RunRecorder::elapsed() const
{
    return std::max(Millis(0), m_clock.now() - m_origin);
}

double RunRecorder::secondsSinceOrigin(Millis at) const
{
    return rounded(toSeconds(std::max(Millis(0), at - m_origin)));
}

int RunRecorder::modelIndex(const QString &label)
{
    if (const auto found = m_modelIndex.constFind(label); found != m_modelIndex.constEnd())
        return found.value();
    if (label.isEmpty() || static_cast<int>(m_models.size()) >= kMaxModels)
        return -1;
    const int index = m_series.addModel(label);
    m_models.push_back(std::make_unique<ModelState>(label, m_clock, m_options));
    m_modelIndex.insert(label, index);
    return index;
}

RunRecorder::ModelState *RunRecorder::model(const QString &label)
{
    const int index = modelIndex(label);
    return index < 0 ? nullptr : m_models[static_cast<std::size_t>(index)].get();
}

void RunRecorder::record(const EngineEvent &event)
{
    m_series.advanceTo(elapsed());
    std::visit([this](const auto &value) { onEvent(value); }, event);
}

void RunRecorder::onEvent(const CallStarted &)
{
    ++m_totals.started;
    ++m_totals.inFlight;
    m_series.setInFlight(m_totals.inFlight);
}

void RunRecorder::onEvent(const AttemptStarted &event)
{
    ++m_totals.attempts;
    const int index = modelIndex(event.model);
    m_series.addAttemptStarted(index);
    if (index < 0)
        return;
    ModelState &state = *m_models[static_cast<std::size_t>(index)];
    ++state.attempts;
    if (event.probe)
        ++state.probes;
}

void RunRecorder::onEvent(const AttemptFinished &event)
{
    const int index = modelIndex(event.model);
    m_series.addAttemptFinished(index, event.outcome);
    if (index < 0)
        return;
    ModelState &state = *m_models[static_cast<std::size_t>(index)];
    state.attemptLatency.record(event.duration);
    ModelBucket &bucket = state.window.current();
    bucket.latency.record(event.duration);
    if (event.outcome == Outcome::Success) {
        ++state.successes;
        ++bucket.outcomes;
    } else if (const int errorClass = errorClassIndex(event.outcome); errorClass >= 0) {
        ++state.errors[static_cast<std::size_t>(errorClass)];
        ++bucket.outcomes;
        ++bucket.errors;
    } else if (event.outcome == Outcome::Cancelled) {
        ++state.cancelled;
    }
}

void RunRecorder::onEvent(const RetryScheduled &event)
{
    ++m_totals.retries;
    m_series.addRetry();
    ModelState *state = model(event.model);
    if (!state)
        return;
    state->retryDelays.record(event.delay);
    ++state->retriesBySource[static_cast<std::size_t>(event.source)];
    state->recentRetries.push(
        RetryDelayPoint{secondsSinceOrigin(event.at), event.delay, event.source, event.reason});
}

void RunRecorder::onEvent(const ShortCircuited &event)
{
    ModelState *state = model(event.model);
    if (event.reason == Outcome::BulkheadFull) {
        ++m_totals.bulkheadFull;
        if (state)
            ++state->bulkheadFull;
        return;
    }
    ++m_totals.shortCircuited;
    m_series.addShortCircuit();
    if (state) {
        ++state->shortCircuited;
        ++state->window.current().shortCircuited;
    }
}

void RunRecorder::onEvent(const FallbackHop &)
{
    ++m_totals.fallbacks;
}

void RunRecorder::onEvent(const StreamDelta &)
{
    // Streamed text changes no figure: the attempt's outcome and duration come at its end.
}

void RunRecorder::onEvent(const BreakerTransition &event)
{
    const int index = modelIndex(event.model);
    if (index < 0)
        return;
    ModelState &state = *m_models[static_cast<std::size_t>(index)];
    const double t = secondsSinceOrigin(event.at);
    state.state = event.to;
    state.stateSinceSeconds = t;
    if (event.to == BreakerState::Open || event.to == BreakerState::ForcedOpen)
        ++state.opened;
    state.transitions.push(BreakerTransitionRecord{t, event.from, event.to});
    m_series.setBreakerState(index, event.to);
}

void RunRecorder::onEvent(const CallFinished &event)
{
    const CallResult &result = event.result;
    ++m_totals.requests;
    m_totals.inFlight = std::max<std::int64_t>(0, m_totals.inFlight - 1);
    m_series.setInFlight(m_totals.inFlight);
    m_latency.record(result.duration);

    AnswersBucket &bucket = m_answersWindow.current();
    ++bucket.requests;
    RunSeries::Answer answer = RunSeries::Answer::Model;
    int index = -1;
    if (result.source == sources::error) {
        ++m_totals.failed;
        answer = RunSeries::Answer::Failed;
    } else if (result.degraded || result.source == sources::degraded) {
        ++m_totals.degraded;
        ++m_degradedAnswers;
        ++bucket.bySource[kDegradedSlot];
        answer = RunSeries::Answer::Degraded;
    } else if (result.source == sources::cache) {
        ++m_totals.succeeded;
        ++m_cacheAnswers;
        ++bucket.bySource[kCacheSlot];
        answer = RunSeries::Answer::Cache;
    } else {
        ++m_totals.succeeded;
        ++m_totals.answeredByModel;
        index = modelIndex(result.source);
        if (index >= 0) {
            ++m_models[static_cast<std::size_t>(index)]->answers;
            ++bucket.bySource[static_cast<std::size_t>(index)];
        }
    }
    m_series.addCallFinished(answer, index, result.duration);
}

void RunRecorder::onEvent(const AlertChanged &event)
{
    m_alerts.push(AlertRecord{secondsSinceOrigin(event.at), event.name, event.firing, event.value,
                              event.message});
    m_firing.removeAll(event.name);
    if (event.firing)
        m_firing.append(event.name);
}

void RunRecorder::onEvent(const TimelineNote &event)
{
    m_timeline.push(TimelineRecord{secondsSinceOrigin(event.at), event.model, event.note});
}

double RunRecorder::rateSpanSeconds() const
{
    const Millis window = m_answersWindow.length();
    return toSeconds(std::clamp(elapsed(), m_answersWindow.bucketWidth(), window));
}

RecorderSnapshot RunRecorder::snapshot()
{
    m_series.advanceTo(elapsed());

    RecorderSnapshot snapshot;
    snapshot.elapsedSeconds = toSeconds(elapsed());
    snapshot.totals = m_totals;
    snapshot.window = m_answersWindow.length();

    std::int64_t windowRequests = 0;
    std::array<std::int64_t, kMaxModels + 2> windowAnswers{};
    m_answersWindow.forEachLive([&](const AnswersBucket &bucket) {
        windowRequests += bucket.requests;
        for (std::size_t i = 0; i < windowAnswers.size(); ++i)
            windowAnswers[i] += bucket.bySource[i];
    });
    const double span = rateSpanSeconds();
    snapshot.throughputPerSecond = static_cast<double>(windowRequests) / span;
    const auto source = [&](const QString &name, std::int64_t answers, int slot) {
        snapshot.sources.append(SourceFigures{
            name, answers,
            static_cast<double>(windowAnswers[static_cast<std::size_t>(slot)]) / span});
    };
    for (std::size_t i = 0; i < m_models.size(); ++i)
        source(m_models[i]->label, m_models[i]->answers, static_cast<int>(i));
    source(sources::cache, m_cacheAnswers, kCacheSlot);
    source(sources::degraded, m_degradedAnswers, kDegradedSlot);

    snapshot.latencyP50 = m_latency.percentile(50);
    snapshot.latencyP95 = m_latency.percentile(95);
    snapshot.latencyP99 = m_latency.percentile(99);
    snapshot.latencyMax = m_latency.max();

    for (const auto &state : m_models) {
        ModelFigures figures;
        figures.model = state->label;
        figures.state = state->state;
        figures.stateSinceSeconds = state->stateSinceSeconds;
        LatencyHistogram windowLatency;
        state->window.forEachLive([&](const ModelBucket &bucket) {
            figures.callsInWindow += bucket.outcomes;
            figures.errorsInWindow += bucket.errors;
            figures.shortCircuitedInWindow += bucket.shortCircuited;
            windowLatency.merge(bucket.latency);
        });
        figures.errorPercentInWindow = figures.callsInWindow == 0
                                           ? 0.0
                                           : 100.0 * static_cast<double>(figures.errorsInWindow) /
                                                 static_cast<double>(figures.callsInWindow);
        figures.p50InWindow = windowLatency.percentile(50);
        figures.p99InWindow = windowLatency.percentile(99);
        figures.attempts = state->attempts;
        figures.successes = state->successes;
        for (std::int64_t count : state->errors)
            figures.errors += count;
        figures.shortCircuited = state->shortCircuited;
        figures.retries = state->retryDelays.count();
        figures.recentRetryDelays = state->recentRetries.toList();
        snapshot.models.append(figures);
    }

    snapshot.firingAlerts = m_firing;
    snapshot.timeline = m_timeline.toList();
    snapshot.series = m_series.view();
    return snapshot;
}

nlohmann::json RunRecorder::modelJson(const ModelState &state) const
{
    nlohmann::json errors = nlohmann::json::object();
    for (int i = 0; i < kErrorClassCount; ++i)
        errors[outcomeName(kErrorClasses[i]).toStdString()] =
            state.errors[static_cast<std::size_t>(i)];
    nlohmann::json delaySources = nlohmann::json::object();
    for (DelaySource source : kDelaySources)
        delaySources[delaySourceName(source).toStdString()] =
            state.retriesBySource[static_cast<std::size_t>(source)];
    nlohmann::json breaker = nlohmann::json::array();
    state.transitions.forEach([&breaker](const BreakerTransitionRecord &transition) {
        breaker.push_back({{"t_s", transition.tSeconds},
                           {"from", breakerStateName(transition.from).toStdString()},
                           {"to", breakerStateName(transition.to).toStdString()}});
    });
    return {
        {"attempts", state.attempts},
        {"successes", state.successes},
        {"errors", errors},
        {"short_circuited", state.shortCircuited},
        {"retry_delay_s",
         {{"count", state.retryDelays.count()},
          {"p50", roundedSeconds(state.retryDelays.percentile(50))},
          {"max", roundedSeconds(state.retryDelays.max())},
          {"by_source", delaySources}}},
        {"breaker", breaker},
        {"breaker_dropped", state.transitions.dropped()},
        {"opened", state.opened},
        {"state", breakerStateName(state.state).toStdString()},
        {"answers", state.answers},
        {"probes", state.probes},
        {"cancelled", state.cancelled},
        {"bulkhead_full", state.bulkheadFull},
        {"latency_s", percentilesJson(state.attemptLatency)},
    };
}

nlohmann::json RunRecorder::reportJson() const
{
    const Millis now = elapsed();

    nlohmann::json bySource = nlohmann::json::object();
    nlohmann::json models = nlohmann::json::object();
    for (const auto &state : m_models) {
        bySource[state->label.toStdString()] = state->answers;
        models[state->label.toStdString()] = modelJson(*state);
    }
    bySource["cache"] = m_cacheAnswers;
    bySource["degraded"] = m_degradedAnswers;

    nlohmann::json latency = percentilesJson(m_latency);
    latency["mean"] = rounded(m_latency.mean() / 1000.0);

    nlohmann::json alerts = nlohmann::json::array();
    m_alerts.forEach([&alerts](const AlertRecord &alert) {
        alerts.push_back({{"t_s", alert.tSeconds},
                          {"name", alert.name.toStdString()},
                          {"state", alert.firing ? "firing" : "resolved"},
                          {"value", alert.value},
                          {"message", alert.message.toStdString()}});
    });
    nlohmann::json timeline = nlohmann::json::array();
    m_timeline.forEach([&timeline](const TimelineRecord &note) {
        nlohmann::json entry = {{"t_s", note.tSeconds}, {"note", note.note.toStdString()}};
        if (!note.model.isEmpty())
            entry["model"] = note.model.toStdString();
        timeline.push_back(entry);
    });

    return {
        {"duration_s", roundedSeconds(now)},
        {"totals",
         {{"requests", m_totals.requests},
          {"answered_by_model", m_totals.answeredByModel},
          {"succeeded", m_totals.succeeded},
          {"degraded", m_totals.degraded},
          {"failed", m_totals.failed},
          {"attempts", m_totals.attempts},
          {"retries", m_totals.retries},
          {"short_circuited", m_totals.shortCircuited},
          {"by_source", bySource},
          {"started", m_totals.started},
          {"in_flight", m_totals.inFlight},
          {"bulkhead_full", m_totals.bulkheadFull},
          {"fallbacks", m_totals.fallbacks}}},
        {"latency_s", latency},
        {"models", models},
        {"alerts", alerts},
        {"timeline", timeline},
        {"series", m_series.completedAt(now).toJson()},
        {"dropped", {{"alerts", m_alerts.dropped()}, {"timeline", m_timeline.dropped()}}},
    };
}

} // namespace breakwater

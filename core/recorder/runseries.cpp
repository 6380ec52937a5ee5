#include "runseries.h"

#include "engine/callresult.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

bool isErrorClass(Outcome outcome)
{
    return std::find(std::begin(kErrorClasses), std::end(kErrorClasses), outcome) !=
           std::end(kErrorClasses);
}

double roundedSeconds(double seconds)
{
    return std::round(seconds * 1000.0) / 1000.0;
}

nlohmann::json counts(const QList<double> &values)
{
    nlohmann::json array = nlohmann::json::array();
    for (double value : values)
        array.push_back(static_cast<std::int64_t>(std::llround(value)));
    return array;
}

nlohmann::json seconds(const QList<double> &values)
{
    nlohmann::json array = nlohmann::json::array();
    for (double value : values)
        array.push_back(roundedSeconds(value));
    return array;
}

} // namespace

int breakerSeverity(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return 0;
    case BreakerState::ForcedClosed:
        return 1;
    case BreakerState::HalfOpen:
        return 2;
    case BreakerState::Open:
        return 3;
    case BreakerState::ForcedOpen:
        return 4;
    }
    return 0;
}

BreakerState breakerStateFromSeverity(double severity)
{
    constexpr BreakerState kBySeverity[] = {BreakerState::Closed, BreakerState::ForcedClosed,
                                            BreakerState::HalfOpen, BreakerState::Open,
                                            BreakerState::ForcedOpen};
    const long index = std::clamp(std::lround(severity), 0L, 4L);
    return kBySeverity[index];
}

RunSeries::RunSeries(Millis step, int capacity) : m_series(step, capacity)
{
    m_requests = m_series.addColumn(MergeRule::Sum);
    m_failed = m_series.addColumn(MergeRule::Sum);
    m_errors = m_series.addColumn(MergeRule::Sum);
    m_attempts = m_series.addColumn(MergeRule::Sum);
    m_retries = m_series.addColumn(MergeRule::Sum);
    m_shortCircuited = m_series.addColumn(MergeRule::Sum);
    m_inFlight = m_series.addColumn(MergeRule::Max);
    m_p50 = m_series.addColumn(MergeRule::Max);
    m_p95 = m_series.addColumn(MergeRule::Max);
    m_p99 = m_series.addColumn(MergeRule::Max);
    m_cache = m_series.addColumn(MergeRule::Sum);
    m_degraded = m_series.addColumn(MergeRule::Sum);
    m_open.assign(static_cast<std::size_t>(m_series.columnCount()), 0.0);
    m_openEnd = m_series.step();
}

int RunSeries::addModel(const QString &label)
{
    ModelColumns columns{};
    columns.answers = m_series.addColumn(MergeRule::Sum);
    columns.attempts = m_series.addColumn(MergeRule::Sum);
    columns.successes = m_series.addColumn(MergeRule::Sum);
    columns.errors = m_series.addColumn(MergeRule::Sum);
    columns.breaker = m_series.addColumn(MergeRule::Max);
    m_models.append(label);
    m_modelColumns.push_back(columns);
    m_breakerStates.push_back(BreakerState::Closed);
    m_open.resize(static_cast<std::size_t>(m_series.columnCount()), 0.0);
    return static_cast<int>(m_modelColumns.size()) - 1;
}

void RunSeries::advanceTo(Millis elapsed)
{
    while (elapsed >= m_openEnd)
        closeOpenStep();
}

void RunSeries::clear()
{
    m_series.clear();
    m_currentInFlight = 0;
    std::fill(m_breakerStates.begin(), m_breakerStates.end(), BreakerState::Closed);
    m_openStart = Millis(0);
    m_openEnd = m_series.step();
    resetOpenStep();
}

void RunSeries::closeOpenStep()
{
    // The step's own histogram gives exact (to 1 %) percentiles; merging takes the max later.
    m_open[static_cast<std::size_t>(m_p50)] = toSeconds(m_openLatency.percentile(50));
    m_open[static_cast<std::size_t>(m_p95)] = toSeconds(m_openLatency.percentile(95));
    m_open[static_cast<std::size_t>(m_p99)] = toSeconds(m_openLatency.percentile(99));
    m_series.add(m_openStart, m_open);
    m_openStart = m_openEnd;
    // After a halving the step is wider: the next open step runs to the end of its slot.
    const Millis step = m_series.step();
    m_openEnd = (m_openStart / step + 1) * step;
    resetOpenStep();
}

void RunSeries::resetOpenStep()
{
    std::fill(m_open.begin(), m_open.end(), 0.0);
    m_openLatency.reset();
    m_openEvents = 0;
    m_open[static_cast<std::size_t>(m_inFlight)] = static_cast<double>(m_currentInFlight);
    for (std::size_t i = 0; i < m_modelColumns.size(); ++i)
        m_open[static_cast<std::size_t>(m_modelColumns[i].breaker)] =
            breakerSeverity(m_breakerStates[i]);
}

void RunSeries::add(int column, double amount)
{
    m_open[static_cast<std::size_t>(column)] += amount;
    ++m_openEvents;
}

void RunSeries::raise(int column, double value)
{
    double &slot = m_open[static_cast<std::size_t>(column)];
    slot = std::max(slot, value);
    ++m_openEvents;
}

void RunSeries::addCallFinished(Answer answer, int model, Millis latency)
{
    add(m_requests, 1);
    m_openLatency.record(latency);
    switch (answer) {
    case Answer::Model:
        if (model >= 0 && model < static_cast<int>(m_modelColumns.size()))
            add(m_modelColumns[static_cast<std::size_t>(model)].answers, 1);
        break;
    case Answer::Cache:
        add(m_cache, 1);
        break;
    case Answer::Degraded:
        add(m_degraded, 1);
        break;
    case Answer::Failed:
        add(m_failed, 1);
        break;
    }
}

void RunSeries::addAttemptStarted(int model)
{
    add(m_attempts, 1);
    if (model >= 0 && model < static_cast<int>(m_modelColumns.size()))
        add(m_modelColumns[static_cast<std::size_t>(model)].attempts, 1);
}

void RunSeries::addAttemptFinished(int model, Outcome outcome)
{
    const bool error = isErrorClass(outcome);
    if (error)
        add(m_errors, 1);
    if (model < 0 || model >= static_cast<int>(m_modelColumns.size()))
        return;
    const ModelColumns &columns = m_modelColumns[static_cast<std::size_t>(model)];
    if (error)
        add(columns.errors, 1);
    else if (outcome == Outcome::Success)
        add(columns.successes, 1);
}

void RunSeries::addRetry()
{
    add(m_retries, 1);
}

void RunSeries::addShortCircuit()
{
    add(m_shortCircuited, 1);
}

void RunSeries::setInFlight(std::int64_t inFlight)
{
    m_currentInFlight = inFlight;
    raise(m_inFlight, static_cast<double>(inFlight));
}

void RunSeries::setBreakerState(int model, BreakerState state)
{
    if (model < 0 || model >= static_cast<int>(m_modelColumns.size()))
        return;
    m_breakerStates[static_cast<std::size_t>(model)] = state;
    raise(m_modelColumns[static_cast<std::size_t>(model)].breaker, breakerSeverity(state));
}

RunSeries RunSeries::completedAt(Millis elapsed) const
{
    RunSeries copy = *this;
    copy.advanceTo(elapsed);
    if (elapsed > copy.m_openStart || copy.m_openEvents > 0)
        copy.closeOpenStep();
    return copy;
}

SeriesView RunSeries::view() const
{
    SeriesView view;
    view.step = m_series.step();
    view.points = m_series.size();
    view.requests = m_series.column(m_requests);
    view.failed = m_series.column(m_failed);
    view.errors = m_series.column(m_errors);
    view.attempts = m_series.column(m_attempts);
    view.retries = m_series.column(m_retries);
    view.shortCircuited = m_series.column(m_shortCircuited);
    view.inFlight = m_series.column(m_inFlight);
    view.latencyP50 = m_series.column(m_p50);
    view.latencyP95 = m_series.column(m_p95);
    view.latencyP99 = m_series.column(m_p99);
    view.models = m_models;
    view.sources = m_models;
    view.sources << sources::cache << sources::degraded;
    for (const ModelColumns &columns : m_modelColumns) {
        view.bySource.append(m_series.column(columns.answers));
        view.modelAttempts.append(m_series.column(columns.attempts));
        view.modelSuccesses.append(m_series.column(columns.successes));
        view.modelErrors.append(m_series.column(columns.errors));
        view.modelBreaker.append(m_series.column(columns.breaker));
    }
    view.bySource.append(m_series.column(m_cache));
    view.bySource.append(m_series.column(m_degraded));
    return view;
}

nlohmann::json RunSeries::toJson() const
{
    nlohmann::json bySource = nlohmann::json::object();
    nlohmann::json models = nlohmann::json::object();
    for (std::size_t i = 0; i < m_modelColumns.size(); ++i) {
        const ModelColumns &columns = m_modelColumns[i];
        const std::string label = m_models.at(static_cast<qsizetype>(i)).toStdString();
        bySource[label] = counts(m_series.column(columns.answers));
        const QList<double> &successes = m_series.column(columns.successes);
        const QList<double> &errors = m_series.column(columns.errors);
        nlohmann::json errorRate = nlohmann::json::array();
        nlohmann::json breaker = nlohmann::json::array();
        for (int p = 0; p < m_series.size(); ++p) {
            const double outcomes = successes[p] + errors[p];
            errorRate.push_back(outcomes > 0 ? std::round(errors[p] / outcomes * 1e4) / 1e4 : 0.0);
            breaker.push_back(
                breakerStateName(breakerStateFromSeverity(m_series.column(columns.breaker)[p]))
                    .toStdString());
        }
        models[label] = {
            {"attempts", counts(m_series.column(columns.attempts))},
            {"successes", counts(successes)},
            {"errors", counts(errors)},
            {"error_rate", errorRate},
            {"breaker", breaker},
        };
    }
    bySource["cache"] = counts(m_series.column(m_cache));
    bySource["degraded"] = counts(m_series.column(m_degraded));
    return {
        {"step_s", roundedSeconds(toSeconds(m_series.step()))},
        {"points", m_series.size()},
        {"requests", counts(m_series.column(m_requests))},
        {"failed", counts(m_series.column(m_failed))},
        {"errors", counts(m_series.column(m_errors))},
        {"attempts", counts(m_series.column(m_attempts))},
        {"retries", counts(m_series.column(m_retries))},
        {"short_circuited", counts(m_series.column(m_shortCircuited))},
        {"in_flight", counts(m_series.column(m_inFlight))},
        {"latency_s",
         {{"p50", seconds(m_series.column(m_p50))},
          {"p95", seconds(m_series.column(m_p95))},
          {"p99", seconds(m_series.column(m_p99))}}},
        {"by_source", bySource},
        {"models", models},
    };
}

} // namespace breakwater

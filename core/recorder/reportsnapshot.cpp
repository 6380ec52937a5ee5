#include "reportsnapshot.h"

#include "common/jsonqt.h"
#include "engine/callresult.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

const nlohmann::json &field(const nlohmann::json &object, const char *key)
{
    static const nlohmann::json kNull;
    if (!object.is_object())
        return kNull;
    const auto found = object.find(key);
    return found == object.end() ? kNull : *found;
}

const nlohmann::json &field(const nlohmann::json &object, const QString &key)
{
    return field(object, key.toStdString().c_str());
}

double number(const nlohmann::json &value)
{
    if (!value.is_number())
        return 0.0;
    const double n = value.get<double>();
    return std::isfinite(n) ? n : 0.0;
}

std::int64_t count(const nlohmann::json &value)
{
    const double n = number(value);
    // Beyond 2^62 a count is corrupt, not a run.
    return n > 0.0 && n < 4.6e18 ? static_cast<std::int64_t>(std::llround(n)) : 0;
}

Millis millis(const nlohmann::json &seconds)
{
    const double s = number(seconds);
    return s > 0.0 && s < 1e9 ? fromSeconds(s) : Millis(0);
}

/// A numeric array padded with zeros or cut to `points`.
QList<double> column(const nlohmann::json &values, int points)
{
    QList<double> list(points, 0.0);
    if (!values.is_array())
        return list;
    const int n = std::min(points, static_cast<int>(values.size()));
    for (int i = 0; i < n; ++i)
        list[i] = number(values[static_cast<std::size_t>(i)]);
    return list;
}

QList<double> breakerColumn(const nlohmann::json &values, int points)
{
    QList<double> list(points, 0.0);
    if (!values.is_array())
        return list;
    const int n = std::min(points, static_cast<int>(values.size()));
    for (int i = 0; i < n; ++i) {
        const std::optional<BreakerState> state =
            breakerStateFromName(qstringFrom(values[static_cast<std::size_t>(i)]));
        list[i] = breakerSeverity(state.value_or(BreakerState::Closed));
    }
    return list;
}

/// Model labels: those of `order` the report has, then the others by name.
QStringList orderedModels(const nlohmann::json &report, const QStringList &order)
{
    QStringList found;
    auto collect = [&found](const nlohmann::json &object) {
        if (!object.is_object())
            return;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString name = QString::fromStdString(it.key());
            if (name != sources::cache && name != sources::degraded && !found.contains(name))
                found.append(name);
        }
    };
    collect(field(report, "models"));
    collect(field(field(report, "series"), "models"));
    collect(field(field(report, "totals"), "by_source"));
    found.sort();
    QStringList models;
    for (const QString &name : order) {
        if (found.contains(name) && !models.contains(name))
            models.append(name);
    }
    for (const QString &name : std::as_const(found)) {
        if (!models.contains(name))
            models.append(name);
    }
    return models;
}

ModelFigures modelFigures(const QString &label, const nlohmann::json &model)
{
    ModelFigures figures;
    figures.model = label;
    figures.state =
        breakerStateFromName(qstringFrom(field(model, "state"))).value_or(BreakerState::Closed);
    const nlohmann::json &transitions = field(model, "breaker");
    if (transitions.is_array() && !transitions.empty())
        figures.stateSinceSeconds = number(field(transitions.back(), "t_s"));
    figures.attempts = count(field(model, "attempts"));
    figures.successes = count(field(model, "successes"));
    const nlohmann::json &errors = field(model, "errors");
    if (errors.is_object()) {
        for (const auto &value : errors)
            figures.errors += count(value);
    }
    figures.shortCircuited = count(field(model, "short_circuited"));
    figures.retries = count(field(field(model, "retry_delay_s"), "count"));
    return figures;
}

} // namespace

std::int64_t answeredByModel(const nlohmann::json &totals)
{
    if (field(totals, "answered_by_model").is_number())
        return count(field(totals, "answered_by_model"));
    // Saved before the figure existed: every success not from the cache came from a model.
    return std::max<std::int64_t>(0, count(field(totals, "succeeded")) -
                                         count(field(field(totals, "by_source"), "cache")));
}

RecorderSnapshot snapshotFromReport(const nlohmann::json &report, const QStringList &modelOrder)
{
    RecorderSnapshot snapshot;
    const QStringList models = orderedModels(report, modelOrder);
    QStringList sourceNames = models;
    sourceNames << sources::cache << sources::degraded;

    const nlohmann::json &totals = field(report, "totals");
    RecorderTotals &t = snapshot.totals;
    t.requests = count(field(totals, "requests"));
    t.started = totals.contains("started") ? count(field(totals, "started")) : t.requests;
    t.succeeded = count(field(totals, "succeeded"));
    t.answeredByModel = answeredByModel(totals);
    t.degraded = count(field(totals, "degraded"));
    t.failed = count(field(totals, "failed"));
    t.attempts = count(field(totals, "attempts"));
    t.retries = count(field(totals, "retries"));
    t.shortCircuited = count(field(totals, "short_circuited"));
    t.bulkheadFull = count(field(totals, "bulkhead_full"));
    t.fallbacks = count(field(totals, "fallbacks"));
    t.inFlight = count(field(totals, "in_flight"));
    const nlohmann::json &bySource = field(totals, "by_source");
    for (const QString &source : std::as_const(sourceNames))
        snapshot.sources.append(SourceFigures{source, count(field(bySource, source)), 0.0});

    const nlohmann::json &latency = field(report, "latency_s");
    snapshot.latencyP50 = millis(field(latency, "p50"));
    snapshot.latencyP95 = millis(field(latency, "p95"));
    snapshot.latencyP99 = millis(field(latency, "p99"));
    snapshot.latencyMax = millis(field(latency, "max"));

    const nlohmann::json &reportModels = field(report, "models");
    for (const QString &model : models)
        snapshot.models.append(modelFigures(model, field(reportModels, model)));

    const nlohmann::json &timeline = field(report, "timeline");
    if (timeline.is_array()) {
        for (const nlohmann::json &note : timeline)
            snapshot.timeline.append(TimelineRecord{number(field(note, "t_s")),
                                                    qstringFrom(field(note, "model")),
                                                    qstringFrom(field(note, "note"))});
    }
    // Alerts in the order they fired; those still firing when the run ended.
    const nlohmann::json &alerts = field(report, "alerts");
    if (alerts.is_array()) {
        for (const nlohmann::json &alert : alerts) {
            const QString name = qstringFrom(field(alert, "name"));
            snapshot.firingAlerts.removeAll(name);
            if (qstringFrom(field(alert, "state")) == QStringLiteral("firing"))
                snapshot.firingAlerts.append(name);
        }
    }

    const nlohmann::json &series = field(report, "series");
    SeriesView &view = snapshot.series;
    const Millis step = millis(field(series, "step_s"));
    view.step = step.count() > 0 ? step : Millis(1000);
    const nlohmann::json &requests = field(series, "requests");
    const int fromArray = requests.is_array() ? static_cast<int>(requests.size()) : 0;
    const std::int64_t declared = count(field(series, "points"));
    // A corrupt `points` must not size the columns: the arrays bound it.
    view.points = field(series, "points").is_number()
                      ? static_cast<int>(std::min<std::int64_t>(declared, fromArray))
                      : fromArray;
    const int points = view.points;
    view.requests = column(requests, points);
    view.failed = column(field(series, "failed"), points);
    view.errors = column(field(series, "errors"), points);
    view.attempts = column(field(series, "attempts"), points);
    view.retries = column(field(series, "retries"), points);
    view.shortCircuited = column(field(series, "short_circuited"), points);
    view.inFlight = column(field(series, "in_flight"), points);
    const nlohmann::json &seriesLatency = field(series, "latency_s");
    view.latencyP50 = column(field(seriesLatency, "p50"), points);
    view.latencyP95 = column(field(seriesLatency, "p95"), points);
    view.latencyP99 = column(field(seriesLatency, "p99"), points);
    view.sources = sourceNames;
    const nlohmann::json &seriesBySource = field(series, "by_source");
    for (const QString &source : std::as_const(sourceNames))
        view.bySource.append(column(field(seriesBySource, source), points));
    view.models = models;
    const nlohmann::json &seriesModels = field(series, "models");
    for (const QString &model : models) {
        const nlohmann::json &columns = field(seriesModels, model);
        view.modelAttempts.append(column(field(columns, "attempts"), points));
        view.modelSuccesses.append(column(field(columns, "successes"), points));
        view.modelErrors.append(column(field(columns, "errors"), points));
        view.modelBreaker.append(breakerColumn(field(columns, "breaker"), points));
    }

    const double duration = number(field(report, "duration_s"));
    snapshot.elapsedSeconds =
        std::max(duration > 0.0 ? duration : 0.0, points * toSeconds(view.step));
    return snapshot;
}

} // namespace breakwater

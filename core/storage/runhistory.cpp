#include "runhistory.h"

#include "common/errorclass.h"
#include "common/jsonqt.h"
#include "recorder/reportsnapshot.h"
#include "storage/jsoncolumn.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <cmath>

namespace breakwater {
namespace {

/// Errors in a first-burst point: enough that one unlucky call is not an outage.
constexpr double kBurstMinErrors = 3.0;

const nlohmann::json &member(const nlohmann::json &object, const char *key)
{
    static const nlohmann::json absent;
    if (!object.is_object())
        return absent;
    const auto found = object.find(key);
    return found == object.end() ? absent : *found;
}

double number(const nlohmann::json &object, const char *key)
{
    const nlohmann::json &value = member(object, key);
    return value.is_number() ? value.get<double>() : 0.0;
}

/// Item `index` of a numeric array; 0 when out of range or not a number.
double at(const nlohmann::json &array, std::size_t index)
{
    if (!array.is_array() || index >= array.size() || !array[index].is_number())
        return 0.0;
    return array[index].get<double>();
}

double share(double part, double whole)
{
    return whole > 0.0 ? part / whole : 0.0;
}

std::size_t seriesPoints(const nlohmann::json &series)
{
    const nlohmann::json &requests = member(series, "requests");
    return requests.is_array() ? requests.size() : 0;
}

/// The first timeline note naming a model, else the first error burst in the series.
void findOutage(const nlohmann::json &report, RunFigures &figures)
{
    const nlohmann::json &timeline = member(report, "timeline");
    if (timeline.is_array()) {
        for (const nlohmann::json &note : timeline) {
            const QString model = qstringFrom(member(note, "model"));
            if (!model.isEmpty() && member(note, "t_s").is_number()) {
                figures.deadModel = model;
                figures.outageAtSeconds = number(note, "t_s");
                return;
            }
        }
    }
    const nlohmann::json &series = member(report, "series");
    const nlohmann::json &models = member(series, "models");
    const double step = number(series, "step_s");
    if (!models.is_object() || step <= 0.0)
        return;
    const std::size_t points = seriesPoints(series);
    for (std::size_t i = 0; i < points; ++i) {
        for (const auto &[name, columns] : models.items()) {
            const double errors = at(member(columns, "errors"), i);
            const double attempts = at(member(columns, "attempts"), i);
            if (errors >= kBurstMinErrors && errors * 2.0 >= attempts) {
                figures.deadModel = QString::fromStdString(name);
                figures.outageAtSeconds = static_cast<double>(i) * step;
                return;
            }
        }
    }
}

qint64 providerSideErrors(const nlohmann::json &model)
{
    const nlohmann::json &errors = member(model, "errors");
    double total = 0.0;
    for (Outcome errorClass : kErrorClasses) {
        if (countsAgainstBreaker(errorClass))
            total += number(errors, outcomeName(errorClass).toStdString().c_str());
    }
    return static_cast<qint64>(std::llround(total));
}

void findFailover(const nlohmann::json &report, RunFigures &figures)
{
    if (!figures.outageAtSeconds)
        return;
    const double outage = *figures.outageAtSeconds;
    const std::string dead = figures.deadModel.toStdString();
    const nlohmann::json &series = member(report, "series");
    const nlohmann::json &bySource = member(series, "by_source");
    const double step = number(series, "step_s");
    if (bySource.is_object() && step > 0.0) {
        const std::size_t points = seriesPoints(series);
        for (std::size_t i = 0; i < points; ++i) {
            const double end = static_cast<double>(i + 1) * step;
            if (end <= outage)
                continue;
            double fallbackAnswers = 0.0;
            for (const auto &[source, column] : bySource.items()) {
                if (source != dead && source != "degraded")
                    fallbackAnswers += at(column, i);
            }
            if (fallbackAnswers > 0.0) {
                figures.timeToFailoverSeconds = end - outage;
                break;
            }
        }
    }
    const nlohmann::json &transitions =
        member(member(member(report, "models"), dead.c_str()), "breaker");
    if (transitions.is_array()) {
        for (const nlohmann::json &transition : transitions) {
            const double openedAt = number(transition, "t_s");
            if (qstringFrom(member(transition, "to")) == QStringLiteral("open") &&
                openedAt >= outage) {
                figures.breakerOpenedAfterSeconds = openedAt - outage;
                break;
            }
        }
    }
}

SavedRunSummary readSummary(const QSqlQuery &query)
{
    SavedRunSummary summary;
    summary.id = query.value(0).toLongLong();
    summary.scenario = query.value(1).toString();
    summary.label = query.value(2).toString();
    summary.startedAt = query.value(3).toString();
    summary.savedAt = fromEpochMs(query.value(4).toLongLong());
    summary.durationSeconds = query.value(5).toDouble();
    summary.requests = query.value(6).toLongLong();
    summary.successRate = query.value(7).toDouble();
    summary.degradedShare = query.value(8).toDouble();
    summary.p99Seconds = query.value(9).toDouble();
    summary.attemptsPerRequest = query.value(10).toDouble();
    summary.modelRate = query.value(11).toDouble();
    return summary;
}

const QString kSummaryColumns =
    QStringLiteral("id, scenario, label, started_at, saved_at, duration_s, requests, success_rate, "
                   "degraded_share, p99_s, attempts_per_request, model_rate");

ComparisonRow row(const char *key, const char *label, std::optional<double> a,
                  std::optional<double> b, bool higherIsBetter)
{
    return ComparisonRow{QString::fromLatin1(key), QString::fromLatin1(label), a, b,
                         higherIsBetter};
}

} // namespace

RunFigures runFigures(const nlohmann::json &report)
{
    RunFigures figures;
    const nlohmann::json &totals = member(report, "totals");
    const double requests = number(totals, "requests");
    figures.requests = static_cast<qint64>(std::llround(requests));
    figures.modelRate = share(static_cast<double>(answeredByModel(totals)), requests);
    figures.successRate = share(number(totals, "succeeded"), requests);
    figures.degradedShare = share(number(totals, "degraded"), requests);
    figures.p99Seconds = number(member(report, "latency_s"), "p99");
    figures.attemptsPerRequest = share(number(totals, "attempts"), requests);
    findOutage(report, figures);
    const nlohmann::json &models = member(report, "models");
    if (models.is_object()) {
        for (const auto &[name, model] : models.items()) {
            if (figures.deadModel.isEmpty() || QString::fromStdString(name) == figures.deadModel)
                figures.wastedCalls += providerSideErrors(model);
        }
    }
    findFailover(report, figures);
    return figures;
}

int ComparisonRow::better() const
{
    if (!a || !b || *a == *b)
        return 0;
    const bool aHigher = *a > *b;
    return aHigher == higherIsBetter ? -1 : 1;
}

RunComparison compareRuns(const nlohmann::json &reportA, const nlohmann::json &reportB)
{
    RunComparison comparison{runFigures(reportA), runFigures(reportB), {}};
    const RunFigures &a = comparison.a;
    const RunFigures &b = comparison.b;
    comparison.rows = {
        row("model_rate", "answered by a model", a.modelRate, b.modelRate, true),
        row("success_rate", "success rate", a.successRate, b.successRate, true),
        row("degraded_share", "degraded share", a.degradedShare, b.degradedShare, false),
        row("p99_s", "p99 latency (s)", a.p99Seconds, b.p99Seconds, false),
        row("attempts_per_request", "attempts per request", a.attemptsPerRequest,
            b.attemptsPerRequest, false),
        row("wasted_calls", "wasted calls to the dead provider", static_cast<double>(a.wastedCalls),
            static_cast<double>(b.wastedCalls), false),
        row("time_to_failover_s", "time to fail over (s)", a.timeToFailoverSeconds,
            b.timeToFailoverSeconds, false),
        row("breaker_opened_after_s", "breaker opened after (s)", a.breakerOpenedAfterSeconds,
            b.breakerOpenedAfterSeconds, false),
    };
    return comparison;
}

RunHistory::RunHistory(Database &database, WallClock now)
    : m_database(database), m_now(std::move(now))
{}

std::optional<qint64> RunHistory::save(const nlohmann::json &report, const QString &label)
{
    m_lastError.clear();
    if (!member(report, "totals").is_object()) {
        m_lastError = m_database.describe(
            QStringLiteral("cannot save the run: not a run report (no 'totals' object)"));
        return std::nullopt;
    }
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    const QDateTime now = m_now();
    const RunFigures figures = runFigures(report);
    nlohmann::json stored = report;
    nlohmann::json series;
    if (const auto found = stored.find("series"); found != stored.end()) {
        series = std::move(*found);
        stored.erase(found);
    }
    QString scenario = qstringFrom(member(report, "scenario"));
    if (scenario.isEmpty())
        scenario = QStringLiteral("(unnamed)");
    QString startedAt = qstringFrom(member(report, "started_at"));
    if (startedAt.isEmpty())
        startedAt = now.toUTC().toString(Qt::ISODateWithMs);

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
        "INSERT INTO runs (scenario, label, started_at, saved_at, duration_s, requests, "
        "success_rate, degraded_share, p99_s, attempts_per_request, model_rate, report, series) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(scenario);
    insert.addBindValue(label);
    insert.addBindValue(startedAt);
    insert.addBindValue(toEpochMs(now));
    insert.addBindValue(number(report, "duration_s"));
    insert.addBindValue(figures.requests);
    insert.addBindValue(figures.successRate);
    insert.addBindValue(figures.degradedShare);
    insert.addBindValue(figures.p99Seconds);
    insert.addBindValue(figures.attemptsPerRequest);
    insert.addBindValue(figures.modelRate);
    insert.addBindValue(jsonText(stored));
    insert.addBindValue(series.is_null() ? QVariant() : QVariant(jsonText(series)));
    if (!execQuery(m_database, insert, QStringLiteral("cannot save the run"), &m_lastError))
        return std::nullopt;
    return insert.lastInsertId().toLongLong();
}

std::optional<QList<SavedRunSummary>> RunHistory::list(int limit)
{
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM runs ORDER BY started_at DESC, id DESC LIMIT ?")
                      .arg(kSummaryColumns));
    query.addBindValue(limit < 0 ? -1 : limit);
    if (!execQuery(m_database, query, QStringLiteral("cannot list saved runs"), &m_lastError))
        return std::nullopt;
    QList<SavedRunSummary> runs;
    while (query.next())
        runs.append(readSummary(query));
    return runs;
}

std::optional<SavedRun> RunHistory::load(qint64 id)
{
    m_lastError.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT %1, report, series FROM runs WHERE id = ?").arg(kSummaryColumns));
    query.addBindValue(id);
    if (!execQuery(m_database, query, QStringLiteral("cannot load saved run %1").arg(id),
                   &m_lastError) ||
        !query.next())
        return std::nullopt;
    SavedRun run{readSummary(query), jsonFromText(query.value(12).toString())};
    if (!run.report.is_object()) {
        m_lastError = m_database.describe(
            QStringLiteral("saved run %1: the stored report is damaged").arg(id));
        return std::nullopt;
    }
    const nlohmann::json series = jsonFromText(query.value(13).toString());
    if (!series.is_null())
        run.report["series"] = series;
    return run;
}

bool RunHistory::remove(qint64 id)
{
    m_lastError.clear();
    QSqlDatabase db = m_database.connection(&m_lastError);
    if (!db.isOpen())
        return false;
    QSqlQuery query(db);
    query.prepare(QStringLiteral("DELETE FROM runs WHERE id = ?"));
    query.addBindValue(id);
    if (!execQuery(m_database, query, QStringLiteral("cannot delete saved run %1").arg(id),
                   &m_lastError))
        return false;
    return query.numRowsAffected() == 1;
}

std::optional<qint64> saveRun(const QString &path, const nlohmann::json &report,
                              const QString &label, QString *error)
{
    std::unique_ptr<Database> database = Database::open(path, error);
    if (!database)
        return std::nullopt;
    RunHistory history(*database);
    const std::optional<qint64> id = history.save(report, label);
    if (!id && error)
        *error = history.lastError();
    return id;
}

} // namespace breakwater

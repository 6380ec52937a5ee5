// Every scenario bundled in the Qt resource (":/scenarios/") runs headless through
// ScenarioRun in virtual time (docs/architecture.md, "Virtual time": the real chaos server's
// handler in process, on a fake clock, so a minute costs a fraction of a second), meets its
// own expectations, shows the behaviour it exists to show, and writes a report that matches
// docs/formats.md ("Run report"). The real sockets are covered by the loopback, transport and
// CLI suites.
#include "config/configloader.h"
#include "load/promptset.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "runtime/virtualtime.h"
#include "common/fakeclock.h"
#include "scenario/scenario.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QSet>
#include <algorithm>
#include <QTest>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

// Load stops at the scenario's duration; calls still in flight then end by their own limits,
// well within this much more virtual time.
constexpr Millis kFinishWithin{10 * 60 * 1000};

const char *const kPrimary = "claude-sonnet-4-5";
const char *const kFallback = "claude-haiku-4-5";

const QStringList kErrorClasses = {u"rate_limited"_s, u"server_error"_s,     u"overloaded"_s,
                                   u"timeout"_s,      u"connection"_s,       u"malformed"_s,
                                   u"content_filter"_s, u"context_overflow"_s, u"auth"_s,
                                   u"bad_request"_s};
const QSet<QString> kBreakerStates = {u"closed"_s, u"open"_s, u"half_open"_s};

QString resourcePath(const QString &name)
{
    return u":/scenarios/"_s + name;
}

// ---- docs/formats.md, "Run report", checked key by key ----------------------------------------------

/// Collects every mismatch between a report and the schema, each with its JSON path.
class ReportSchema final {
public:
    QStringList problems;

    const json *member(const json &object, const char *key, const QString &path)
    {
        if (!object.is_object() || !object.contains(key)) {
            problems.append(path + u"."_s + QString::fromLatin1(key) + u": missing"_s);
            return nullptr;
        }
        return &object.at(key);
    }

    void count(const json &object, const char *key, const QString &path)
    {
        if (const json *value = member(object, key, path)) {
            if (!value->is_number_integer() || value->get<qint64>() < 0)
                problems.append(path + u"."_s + QString::fromLatin1(key) +
                                u": must be a whole number >= 0"_s);
        }
    }

    void number(const json &object, const char *key, const QString &path)
    {
        if (const json *value = member(object, key, path)) {
            if (!value->is_number() || value->get<double>() < 0)
                problems.append(path + u"."_s + QString::fromLatin1(key) +
                                u": must be a number >= 0"_s);
        }
    }

    void string(const json &object, const char *key, const QString &path)
    {
        if (const json *value = member(object, key, path)) {
            if (!value->is_string())
                problems.append(path + u"."_s + QString::fromLatin1(key) + u": must be a string"_s);
        }
    }

    void check(bool condition, const QString &problem)
    {
        if (!condition)
            problems.append(problem);
    }

    void validate(const json &report, const QStringList &models)
    {
        check(report.is_object(), u"report: must be an object"_s);
        if (!report.is_object())
            return;
        string(report, "scenario", u"report"_s);
        count(report, "seed", u"report"_s);
        string(report, "started_at", u"report"_s);
        if (report.contains("started_at") && report["started_at"].is_string()) {
            const QString startedAt =
                QString::fromStdString(report["started_at"].get<std::string>());
            const QDateTime parsed = QDateTime::fromString(startedAt, Qt::ISODateWithMs);
            check(parsed.isValid() && parsed.timeSpec() == Qt::UTC,
                  u"report.started_at: must be an ISO 8601 UTC time, got "_s + startedAt);
        }
        number(report, "duration_s", u"report"_s);
        validateTotals(report, models);
        validateLatency(report);
        validateModels(report, models);
        validateAlerts(report);
        validateTimeline(report);
        validateSeries(report, models);
        validateExpect(report);
    }

private:
    void validateTotals(const json &report, const QStringList &models)
    {
        const json *totals = member(report, "totals", u"report"_s);
        if (!totals)
            return;
        const QString path = u"report.totals"_s;
        for (const char *key : {"requests", "succeeded", "degraded", "failed", "attempts",
                                "retries", "short_circuited"})
            count(*totals, key, path);
        const json *bySource = member(*totals, "by_source", path);
        if (!bySource || !problems.isEmpty())
            return;
        qint64 answers = 0;
        QStringList sources = models;
        sources << u"cache"_s << u"degraded"_s;
        for (const QString &source : sources) {
            count(*bySource, source.toUtf8().constData(), path + u".by_source"_s);
            if (bySource->contains(source.toStdString()))
                answers += bySource->at(source.toStdString()).get<qint64>();
        }
        if (!problems.isEmpty())
            return;
        const auto at = [totals](const char *key) {
            return totals->at(key).get<qint64>();
        };
        // Every call finished: each ended as an answer, the degraded text or an error.
        check(at("succeeded") + at("degraded") + at("failed") == at("requests"),
              u"report.totals: succeeded + degraded + failed != requests"_s);
        check(answers == at("succeeded") + at("degraded"),
              u"report.totals.by_source: sums to %1, not succeeded + degraded (%2)"_s.arg(answers)
                  .arg(at("succeeded") + at("degraded")));
        check(bySource->at("degraded").get<qint64>() == at("degraded"),
              u"report.totals.by_source.degraded != totals.degraded"_s);
    }

    void validateLatency(const json &report)
    {
        const json *latency = member(report, "latency_s", u"report"_s);
        if (!latency)
            return;
        for (const char *key : {"p50", "p95", "p99", "max"})
            number(*latency, key, u"report.latency_s"_s);
        if (!problems.isEmpty())
            return;
        const auto at = [latency](const char *key) {
            return latency->at(key).get<double>();
        };
        check(at("p50") <= at("p95") && at("p95") <= at("p99") && at("p99") <= at("max") + 1e-9,
              u"report.latency_s: percentiles out of order"_s);
    }

    void validateModels(const json &report, const QStringList &models)
    {
        const json *modelsJson = member(report, "models", u"report"_s);
        if (!modelsJson)
            return;
        qint64 attempts = 0;
        qint64 retries = 0;
        for (const QString &model : models) {
            const QString path = u"report.models."_s + model;
            const json *entry = member(*modelsJson, model.toUtf8().constData(), u"report.models"_s);
            if (!entry)
                continue;
            for (const char *key : {"attempts", "successes", "short_circuited"})
                count(*entry, key, path);
            if (const json *errors = member(*entry, "errors", path)) {
                for (const QString &errorClass : kErrorClasses)
                    count(*errors, errorClass.toUtf8().constData(), path + u".errors"_s);
            }
            if (const json *delays = member(*entry, "retry_delay_s", path)) {
                count(*delays, "count", path + u".retry_delay_s"_s);
                number(*delays, "p50", path + u".retry_delay_s"_s);
                number(*delays, "max", path + u".retry_delay_s"_s);
            }
            if (const json *breaker = member(*entry, "breaker", path))
                validateTransitions(*breaker, path + u".breaker"_s);
            if (problems.isEmpty()) {
                attempts += entry->at("attempts").get<qint64>();
                retries += entry->at("retry_delay_s").at("count").get<qint64>();
            }
        }
        if (!problems.isEmpty())
            return;
        const json &totals = report.at("totals");
        check(attempts == totals.at("attempts").get<qint64>(),
              u"report.models: attempts sum to %1, totals.attempts is %2"_s.arg(attempts).arg(
                  totals.at("attempts").get<qint64>()));
        check(retries == totals.at("retries").get<qint64>(),
              u"report.models: retry delays sum to %1, totals.retries is %2"_s.arg(retries).arg(
                  totals.at("retries").get<qint64>()));
    }

    void validateTransitions(const json &breaker, const QString &path)
    {
        if (!breaker.is_array()) {
            problems.append(path + u": must be an array"_s);
            return;
        }
        double previous = 0;
        QString state = u"closed"_s;
        for (std::size_t i = 0; i < breaker.size(); ++i) {
            const QString at = path + u"[%1]"_s.arg(i);
            const json &transition = breaker[i];
            number(transition, "t_s", at);
            string(transition, "from", at);
            string(transition, "to", at);
            if (!problems.isEmpty())
                return;
            const QString from = QString::fromStdString(transition["from"].get<std::string>());
            const QString to = QString::fromStdString(transition["to"].get<std::string>());
            check(kBreakerStates.contains(from) && kBreakerStates.contains(to),
                  at + u": unknown state"_s);
            // The transitions chain: each starts where the last one ended.
            check(from == state, at + u": from %1, but the breaker was %2"_s.arg(from, state));
            check(transition["t_s"].get<double>() >= previous, at + u": t_s goes back in time"_s);
            previous = transition["t_s"].get<double>();
            state = to;
        }
    }

    void validateAlerts(const json &report)
    {
        const json *alerts = member(report, "alerts", u"report"_s);
        if (!alerts)
            return;
        if (!alerts->is_array()) {
            problems.append(u"report.alerts: must be an array"_s);
            return;
        }
        for (std::size_t i = 0; i < alerts->size(); ++i) {
            const QString at = u"report.alerts[%1]"_s.arg(i);
            number((*alerts)[i], "t_s", at);
            string((*alerts)[i], "name", at);
            string((*alerts)[i], "state", at);
            if (problems.isEmpty()) {
                const std::string state = (*alerts)[i]["state"].get<std::string>();
                check(state == "firing" || state == "resolved",
                      at + u".state: must be firing or resolved"_s);
            }
        }
    }

    void validateTimeline(const json &report)
    {
        const json *timeline = member(report, "timeline", u"report"_s);
        if (!timeline)
            return;
        if (!timeline->is_array()) {
            problems.append(u"report.timeline: must be an array"_s);
            return;
        }
        for (std::size_t i = 0; i < timeline->size(); ++i) {
            number((*timeline)[i], "t_s", u"report.timeline[%1]"_s.arg(i));
            string((*timeline)[i], "note", u"report.timeline[%1]"_s.arg(i));
        }
    }

    void numberArray(const json &value, const QString &path, std::optional<std::size_t> size)
    {
        if (!value.is_array()) {
            problems.append(path + u": must be an array"_s);
            return;
        }
        for (const json &point : value) {
            if (!point.is_number()) {
                problems.append(path + u": must hold numbers only"_s);
                return;
            }
        }
        if (size && value.size() != *size)
            problems.append(path + u": %1 points, requests has %2"_s.arg(value.size()).arg(*size));
    }

    void validateSeries(const json &report, const QStringList &models)
    {
        const json *series = member(report, "series", u"report"_s);
        if (!series)
            return;
        number(*series, "step_s", u"report.series"_s);
        const json *requests = member(*series, "requests", u"report.series"_s);
        if (!requests)
            return;
        numberArray(*requests, u"report.series.requests"_s, std::nullopt);
        if (!problems.isEmpty())
            return;
        const std::size_t points = requests->size();
        check(points > 0, u"report.series.requests: empty"_s);
        if (const json *errors = member(*series, "errors", u"report.series"_s))
            numberArray(*errors, u"report.series.errors"_s, points);
        const json *bySource = member(*series, "by_source", u"report.series"_s);
        if (!bySource)
            return;
        QStringList sources = models;
        sources << u"cache"_s << u"degraded"_s;
        for (const QString &source : sources) {
            if (const json *column =
                    member(*bySource, source.toUtf8().constData(), u"report.series.by_source"_s))
                numberArray(*column, u"report.series.by_source."_s + source, points);
        }
    }

    void validateExpect(const json &report)
    {
        const json *expect = member(report, "expect", u"report"_s);
        if (!expect)
            return;
        const json *passed = member(*expect, "passed", u"report.expect"_s);
        const json *failures = member(*expect, "failures", u"report.expect"_s);
        if (!passed || !failures)
            return;
        check(passed->is_boolean(), u"report.expect.passed: must be a boolean"_s);
        check(failures->is_array(), u"report.expect.failures: must be an array"_s);
        if (passed->is_boolean() && failures->is_array()) {
            for (const json &failure : *failures)
                check(failure.is_string(), u"report.expect.failures: must hold strings"_s);
            check(passed->get<bool>() == failures->empty(),
                  u"report.expect: passed disagrees with failures"_s);
        }
    }
};

// ---- what each scenario is there to show, beyond its expectations -----------------------

qint64 intAt(const json &report, std::initializer_list<const char *> path)
{
    const json *node = &report;
    for (const char *key : path) {
        if (!node->is_object() || !node->contains(key))
            return 0;
        node = &node->at(key);
    }
    return node->is_number() ? node->get<qint64>() : 0;
}

qint64 errorsOf(const json &report, const char *model, const char *errorClass)
{
    return intAt(report, {"models", model, "errors", errorClass});
}

/// When the timeline note `note` was shown, in the run's seconds (-1 when it was not).
double noteTime(const json &report, const char *note)
{
    for (const json &entry : report.at("timeline")) {
        if (entry.value("note", std::string()) == note)
            return entry.value("t_s", 0.0);
    }
    return -1.0;
}

std::optional<double> firstTransition(const json &report, const char *model, const char *state)
{
    for (const json &transition : report.at("models").at(model).at("breaker")) {
        if (transition.value("to", std::string()) == state)
            return transition.value("t_s", 0.0);
    }
    return std::nullopt;
}

int transitionsTo(const json &report, const char *model, const char *state)
{
    int count = 0;
    for (const json &transition : report.at("models").at(model).at("breaker"))
        count += transition.value("to", std::string()) == state ? 1 : 0;
    return count;
}

using PointCheck = std::function<QStringList(const json &report)>;

/// Checks keyed by scenario name; a scenario without one is held to its expectations only.
QMap<QString, PointCheck> pointChecks()
{
    QMap<QString, PointCheck> checks;
    checks.insert(u"steady"_s, [](const json &report) {
        QStringList failures;
        if (intAt(report, {"totals", "retries"}) == 0)
            failures << u"the background noise never needed a retry"_s;
        return failures;
    });
    checks.insert(u"primary-outage"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "server_error") == 0)
            failures << u"the primary never answered 503"_s;
        if (report.at("models").at(kPrimary).value("state", std::string()) != "closed")
            failures << u"the primary's breaker did not close again after the outage"_s;
        // The error-rate alert fires during the outage (between "primary down" and "primary
        // back") and is resolved by the end of the run.
        const json &timeline = report.at("timeline");
        const double down = timeline.size() > 0 ? timeline.at(0).value("t_s", 0.0) : 0.0;
        const double back = timeline.size() > 1 ? timeline.at(1).value("t_s", 0.0) : 0.0;
        std::optional<double> firstFiring;
        std::string lastState;
        for (const json &alert : report.at("alerts")) {
            if (alert.value("name", std::string()) != "HighErrorRate")
                continue;
            lastState = alert.value("state", std::string());
            if (lastState == "firing" && !firstFiring)
                firstFiring = alert.value("t_s", 0.0);
        }
        if (!firstFiring || *firstFiring < down || *firstFiring > back)
            failures << u"HighErrorRate did not fire during the outage"_s;
        if (lastState != "resolved")
            failures << u"HighErrorRate was still firing at the end"_s;
        return failures;
    });
    checks.insert(u"rate-limit-storm"_s, [](const json &report) {
        QStringList failures;
        const json &delays = report.at("models").at(kPrimary).at("retry_delay_s");
        const qint64 hinted = intAt(delays, {"by_source", "retry-after"}) +
                              intAt(delays, {"by_source", "retry-after-ms"});
        if (errorsOf(report, kPrimary, "rate_limited") == 0)
            failures << u"the primary never answered 429"_s;
        // Only 429s fail the primary here, and every one carries the server's hint.
        if (hinted == 0 || hinted != delays.at("count").get<qint64>())
            failures << u"%1 of %2 retry delays on the primary followed retry-after"_s.arg(hinted)
                            .arg(delays.at("count").get<qint64>());
        return failures;
    });
    checks.insert(u"overload-fallback"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "overloaded") == 0 ||
            errorsOf(report, kFallback, "overloaded") == 0)
            failures << u"the models never answered 529"_s;
        return failures;
    });
    checks.insert(u"slow-provider"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "timeout") == 0)
            failures << u"no call to the slow primary timed out"_s;
        return failures;
    });
    checks.insert(u"context-overflow"_s, [](const json &report) {
        QStringList failures;
        const qint64 requests = intAt(report, {"totals", "requests"});
        // Every prompt overflows once and is then truncated: no backoff, no retry delay.
        if (errorsOf(report, kPrimary, "context_overflow") < requests * 9 / 10)
            failures << u"fewer than 90 % of the long prompts overflowed the primary's window"_s;
        if (intAt(report, {"totals", "retries"}) != 0)
            failures << u"a context overflow was retried with a delay instead of truncated"_s;
        return failures;
    });
    checks.insert(u"bad-key"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "auth") == 0)
            failures << u"the primary never answered 401"_s;
        // The chaos server adds no other fault here, but a loaded machine may time out an
        // attempt or two; those may be retried, the 401s never.
        qint64 otherErrors = 0;
        for (const QString &errorClass : kErrorClasses) {
            if (errorClass != u"auth"_s)
                otherErrors += errorsOf(report, kPrimary, errorClass.toUtf8().constData());
        }
        const qint64 retries = intAt(report, {"models", kPrimary, "retry_delay_s", "count"});
        if (retries > otherErrors)
            failures << u"%1 retries on the primary, but only %2 errors other than 401"_s
                            .arg(retries)
                            .arg(otherErrors);
        return failures;
    });
    checks.insert(u"flapping"_s, [](const json &report) {
        QStringList failures;
        // Four down periods: the breaker opens, probes and closes again each time.
        const int opened = transitionsTo(report, kPrimary, "open");
        const int probed = transitionsTo(report, kPrimary, "half_open");
        const int closed = transitionsTo(report, kPrimary, "closed");
        if (opened < 4 || probed < 4 || closed < 3)
            failures << u"the breaker cycled too little: %1 opens, %2 half-opens, %3 closes"_s
                            .arg(opened)
                            .arg(probed)
                            .arg(closed);
        return failures;
    });
    checks.insert(u"midstream"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "timeout") == 0)
            failures << u"no stalled stream was cut off by the idle timeout"_s;
        if (errorsOf(report, kPrimary, "overloaded") == 0)
            failures << u"no stream ended with an error event"_s;
        if (errorsOf(report, kPrimary, "malformed") + errorsOf(report, kPrimary, "connection") == 0)
            failures << u"no stream was cut off before its end"_s;
        return failures;
    });
    checks.insert(u"brownout"_s, [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "overloaded") == 0)
            failures << u"the primary never answered 529"_s;
        if (errorsOf(report, kFallback, "rate_limited") == 0)
            failures << u"the fallback never answered 429"_s;
        if (intAt(report, {"totals", "retries"}) == 0)
            failures << u"the brownout was never retried"_s;
        return failures;
    });
    checks.insert(u"total-outage"_s, [](const json &report) {
        QStringList failures;
        const double down = noteTime(report, "everything down");
        const double back = noteTime(report, "everything back");
        for (const char *model : {kPrimary, kFallback}) {
            const std::optional<double> opened = firstTransition(report, model, "open");
            if (!opened || *opened < down || *opened > down + 2.0)
                failures << u"%1's breaker did not open within 2 s of the outage"_s.arg(
                                QString::fromLatin1(model));
        }
        // During the outage no provider is hammered: about one attempt per call.
        const json &series = report.at("series");
        const double step = series.at("step_s").get<double>();
        double attempts = 0;
        double calls = 0;
        for (auto i = static_cast<std::size_t>(down / step);
             i < static_cast<std::size_t>(back / step); ++i) {
            calls += series.at("requests").at(i).get<double>();
            for (const char *model : {kPrimary, kFallback})
                attempts += series.at("models").at(model).at("attempts").at(i).get<double>();
        }
        if (calls == 0 || attempts / calls > 1.5)
            failures << u"%1 attempts per call during the outage"_s.arg(attempts / calls);
        // Models answer again as soon as the providers are back.
        const auto afterReturn = static_cast<std::size_t>((back + 2.0) / step);
        const double answered = series.at("by_source").at(kPrimary).at(afterReturn).get<double>() +
                                series.at("by_source").at(kFallback).at(afterReturn).get<double>();
        if (answered < 0.9 * series.at("requests").at(afterReturn).get<double>())
            failures << u"models were not answering 2 s after the return"_s;
        return failures;
    });
    const auto timedOutPrimary = [](const json &report) {
        QStringList failures;
        if (errorsOf(report, kPrimary, "timeout") == 0)
            failures << u"no call left the primary on a time limit"_s;
        return failures;
    };
    checks.insert(u"silent-primary"_s, timedOutPrimary);
    checks.insert(u"slow-first-token"_s, timedOutPrimary);
    checks.insert(u"stalled-stream"_s, timedOutPrimary);
    checks.insert(u"no-terminator"_s, [](const json &report) {
        QStringList failures;
        // Accepted at once: one attempt per call, no retry.
        if (intAt(report, {"totals", "attempts"}) != intAt(report, {"totals", "requests"}) ||
            intAt(report, {"totals", "retries"}) != 0)
            failures << u"%1 attempts and %2 retries for %3 calls"_s
                            .arg(intAt(report, {"totals", "attempts"}))
                            .arg(intAt(report, {"totals", "retries"}))
                            .arg(intAt(report, {"totals", "requests"}));
        return failures;
    });
    checks.insert(u"content-filter"_s, [](const json &report) {
        QStringList failures;
        const qint64 refused = errorsOf(report, kPrimary, "content_filter");
        if (refused == 0)
            failures << u"nothing was refused on content grounds"_s;
        // Reported, not retried, not sent to the fallback.
        if (refused != intAt(report, {"totals", "failed"}))
            failures << u"%1 refusals but %2 failed calls"_s.arg(refused).arg(
                            intAt(report, {"totals", "failed"}));
        if (intAt(report, {"models", kFallback, "attempts"}) != 0)
            failures << u"refused requests went to the fallback"_s;
        return failures;
    });
    return checks;
}

} // namespace

class TestBundledScenarios : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyScenarioIsBundled()
    {
        // The suite is data-driven over the resource; an empty list would pass vacuously.
        const QStringList files = QDir(u":/scenarios"_s).entryList({u"*.json"_s}, QDir::Files);
        for (const char *name :
             {"steady", "primary-outage", "rate-limit-storm", "overload-fallback", "slow-provider",
              "context-overflow", "bad-key", "flapping", "midstream", "brownout", "total-outage",
              "silent-primary", "slow-first-token", "stalled-stream", "no-terminator",
              "content-filter"})
            QVERIFY2(files.contains(QString::fromLatin1(name) + u".json"_s), name);
    }

    void runsAndMeetsItsExpectations_data()
    {
        QTest::addColumn<QString>("file");
        const QStringList files = QDir(u":/scenarios"_s).entryList({u"*.json"_s}, QDir::Files);
        for (const QString &file : files)
            QTest::newRow(file.toUtf8().constData()) << file;
    }

    void runsAndMeetsItsExpectations()
    {
        QFETCH(QString, file);
        const ScenarioParseResult parsed = loadScenarioFile(resourcePath(file));
        QStringList errors;
        for (const ValidationError &error : parsed.errors)
            errors.append(error.toString());
        QVERIFY2(parsed.scenario, qPrintable(errors.join(u'\n')));
        const Scenario &scenario = *parsed.scenario;
        QCOMPARE(scenario.name + u".json"_s, file);
        QVERIFY2(scenario.description.size() > 80, "a stakeholder needs a real description");
        QVERIFY2(!scenario.expect.isEmpty(), "a bundled scenario must expect something");

        const ConfigParseResult config = configForScenario(defaultConfigJson(), scenario, file);
        QVERIFY(config.config);
        QString promptError;
        const std::optional<PromptSet> prompts =
            PromptSet::forLoad(scenario.load, scenario.seed, &promptError);
        QVERIFY2(prompts, qPrintable(promptError));

        ScenarioRun::Options options;
        options.threads = 0;
        options.chaosThread = false;
        auto clock = std::make_shared<FakeClock>();
        ScenarioRun run(*config.config, scenario, *prompts, options, LabWorld::inProcess(clock));
        QString error;
        QElapsedTimer wall;
        wall.start();
        QVERIFY2(run.start(&error), qPrintable(error));
        QVERIFY2(runInVirtualTime(*clock, [&run] { return run.isFinished(); },
                                  scenario.duration + kFinishWithin),
                 "the run did not finish");
        qInfo().noquote() << file << u"ran in %1 s"_s.arg(wall.elapsed() / 1000.0, 0, 'f', 2);

        const json report = run.report();
        ReportSchema schema;
        schema.validate(report, run.lab().modelLabels());
        QVERIFY2(schema.problems.isEmpty(), qPrintable(schema.problems.join(u'\n')));
        QCOMPARE(QString::fromStdString(report.at("scenario").get<std::string>()), scenario.name);
        QCOMPARE(report.at("seed").get<std::uint64_t>(), scenario.seed);
        // Every step with a note is a marker in the report's timeline.
        const auto noted = std::count_if(scenario.timeline.cbegin(), scenario.timeline.cend(),
                                         [](const ChaosTimelineEntry &step) {
                                             return !step.note.isEmpty();
                                         });
        QCOMPARE(report.at("timeline").size(), static_cast<std::size_t>(noted));

        const ExpectationVerdict verdict = run.verdict();
        QVERIFY2(verdict.passed, qPrintable(verdict.failures.join(u'\n')));
        const QMap<QString, PointCheck> checks = pointChecks();
        if (checks.contains(scenario.name)) {
            const QStringList failures = checks.value(scenario.name)(report);
            QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        }
    }
};

QTEST_GUILESS_MAIN(TestBundledScenarios)
#include "tst_bundledscenarios.moc"

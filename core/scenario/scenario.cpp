#include "scenario.h"

#include "config/jsonreader.h"
#include "load/promptset.h"

#include <QDir>
#include <QFileInfo>

namespace breakwater {
namespace {

const QString kBuiltinPrefix = QStringLiteral("builtin:");
const QString kUniquePrompts = QStringLiteral("builtin:unique");
const QStringList kBuiltinPromptSets = {QStringLiteral("unique"), QStringLiteral("short"),
                                        QStringLiteral("long"), QStringLiteral("mixed")};

/// A share in [0, 1], or nullopt when absent or invalid (the error then names `key`).
std::optional<double> readShare(JsonReader &reader, std::string_view key)
{
    const nlohmann::json *value = reader.raw(key);
    if (!value)
        return std::nullopt;
    if (!value->is_number() || value->get<double>() < 0 || value->get<double>() > 1) {
        reader.fieldError(key, QStringLiteral("must be a number between 0 and 1"));
        return std::nullopt;
    }
    return value->get<double>();
}

void readLoad(JsonReader &reader, LoadProfile &load, const QString &scenarioFile)
{
    load.concurrency = reader.integer("concurrency", load.concurrency, Range{1, 10000});
    load.rps = reader.number("rps", load.rps, Range{0, 100000});
    load.ramp = reader.seconds("ramp_s", load.ramp);
    load.prompts = reader.string("prompts", load.prompts, StringRule::NonEmpty);
    load.stream = reader.boolean("stream", load.stream);
    // A field that would change nothing is a mistake worth naming, not a silent no-op.
    if (const std::optional<double> repeatRate = readShare(reader, "repeat_rate")) {
        load.repeatRate = *repeatRate;
        if (load.prompts != kUniquePrompts)
            reader.fieldError("repeat_rate",
                              QStringLiteral("applies to builtin:unique only (the prompts of "
                                             "'%1' all repeat anyway)")
                                  .arg(load.prompts));
    }
    if (reader.has("think_s")) {
        load.think = reader.seconds("think_s", load.think);
        if (load.rps > 0)
            reader.fieldError("think_s", QStringLiteral("applies to a closed loop only (rps: 0); "
                                                        "an open loop sends at its rate"));
    }
    if (load.prompts.startsWith(kBuiltinPrefix)) {
        const QString set = load.prompts.mid(kBuiltinPrefix.size());
        if (!kBuiltinPromptSets.contains(set))
            reader.fieldError("prompts", QStringLiteral("unknown built-in prompt set '%1' (%2)")
                                             .arg(set, joinAlternatives(kBuiltinPromptSets)));
    } else if (!load.prompts.isEmpty()) {
        // A prompt file is found relative to the scenario file.
        const QFileInfo prompts(QFileInfo(scenarioFile).dir(), load.prompts);
        QString problem;
        if (!prompts.isFile()) {
            reader.fieldError("prompts", QStringLiteral("no prompt file '%1'").arg(load.prompts));
        } else {
            load.prompts = prompts.absoluteFilePath();
            // Read now, so that validate (and a run's start) name an empty or undecodable
            // prompt file with the scenario field that points at it.
            if (!PromptSet::load(load.prompts, &problem))
                reader.fieldError("prompts", problem);
        }
    }
}

QMap<QString, double> readShares(JsonReader &reader, std::string_view key)
{
    QMap<QString, double> shares;
    if (reader.has(key) && !reader.json().at(std::string(key)).is_object()) {
        reader.raw(key);
        reader.fieldError(key, QStringLiteral("must be an object of source → share"));
        return shares;
    }
    // Each source's problem at its own path: expect.source_share_min.cache.
    reader.object(key, [&shares](JsonReader &map) {
        for (auto it = map.json().begin(); it != map.json().end(); ++it) {
            const std::string &source = it.key();
            map.raw(source);
            if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1)
                map.fieldError(source, QStringLiteral("must be a number from 0 to 1"));
            else
                shares.insert(QString::fromStdString(source), it->get<double>());
        }
    });
    return shares;
}

void readExpect(JsonReader &reader, Expectations &expect)
{
    const Range share{0, 1};
    auto optionalNumber = [&](std::string_view key, Range range) -> std::optional<double> {
        if (!reader.has(key)) {
            reader.raw(key);
            return std::nullopt;
        }
        const double value = reader.number(key, -1, range);
        return value < 0 ? std::nullopt : std::optional<double>(value);
    };
    expect.modelRateMin = readShare(reader, "model_rate_min");
    expect.successRateMin = optionalNumber("success_rate_min", share);
    expect.degradedMax = optionalNumber("degraded_max", share);
    expect.failedMax = optionalNumber("failed_max", share);
    expect.p50SecondsMax = optionalNumber("p50_s_max", Range{0, kMaxSeconds});
    expect.p99SecondsMax = optionalNumber("p99_s_max", Range{0, kMaxSeconds});
    if (reader.has("requests_min"))
        expect.requestsMin = reader.integer("requests_min", 0, Range{0, 1e9});
    expect.sourceShareMin = readShares(reader, "source_share_min");
    expect.sourceShareMax = readShares(reader, "source_share_max");
    expect.breakerOpened = reader.strings("breaker_opened", {}, StringRule::NonEmpty);
    expect.breakerStayedClosed = reader.strings("breaker_stayed_closed", {}, StringRule::NonEmpty);
    expect.alertsFired = reader.strings("alerts_fired", {}, StringRule::NonEmpty);
    expect.alertsAbsent = reader.strings("alerts_absent", {}, StringRule::NonEmpty);
}

double numberAt(const nlohmann::json &json, std::initializer_list<const char *> path)
{
    const nlohmann::json *node = &json;
    for (const char *key : path) {
        if (!node->is_object() || !node->contains(key))
            return 0.0;
        node = &(*node)[key];
    }
    return node->is_number() ? node->get<double>() : 0.0;
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', 4);
}

} // namespace

bool Expectations::isEmpty() const
{
    return !modelRateMin && !successRateMin && !degradedMax && !failedMax && !p50SecondsMax &&
           !p99SecondsMax && !requestsMin && sourceShareMin.isEmpty() && sourceShareMax.isEmpty() &&
           breakerOpened.isEmpty() && breakerStayedClosed.isEmpty() && alertsFired.isEmpty() &&
           alertsAbsent.isEmpty();
}

ScenarioParseResult parseScenario(const nlohmann::json &json, const QString &file)
{
    ScenarioParseResult result;
    if (!json.is_object()) {
        result.errors.append({file, QString(), QStringLiteral("must be a JSON object")});
        return result;
    }
    // Its config patch is merged and copied, both recursive: deep input must stop here.
    if (isNestedDeeperThan(json)) {
        result.errors.append({file, QString(), tooDeepMessage()});
        return result;
    }
    Scenario scenario;
    JsonReader reader(json, file, result.errors);
    scenario.name = reader.string("name", QFileInfo(file).baseName(), StringRule::NonEmpty);
    scenario.description = reader.string("description");
    scenario.duration = reader.seconds("duration_s", scenario.duration, Range::above(0, 24 * 3600));
    scenario.seed = static_cast<std::uint64_t>(
        reader.integer64("seed", static_cast<qint64>(scenario.seed), Range{0, 9007199254740992.0}));
    reader.object("load", [&](JsonReader &load) { readLoad(load, scenario.load, file); });
    if (const nlohmann::json *patch = reader.raw("config")) {
        if (!patch->is_object()) {
            reader.fieldError("config", QStringLiteral("must be an object (merged over the base config)"));
        } else {
            scenario.configPatch = *patch;
            // Checked here against the default config, so its mistakes name their path now;
            // the run checks it again over the config it is actually given.
            QList<ValidationError> configErrors =
                parseConfig(mergePatch(defaultConfigJson(), *patch), file).errors;
            for (ValidationError &error : configErrors) {
                error.path = error.path.isEmpty() ? QStringLiteral("config")
                                                  : QStringLiteral("config.") + error.path;
                result.errors.append(error);
            }
        }
    }
    reader.object("chaos", [&](JsonReader &chaos) {
        if (const nlohmann::json *baseline = chaos.raw("baseline")) {
            ChaosProfileParseResult parsed =
                parseChaosProfile(*baseline, file, chaos.pathOf("baseline"));
            result.errors.append(parsed.errors);
            if (parsed.profile)
                scenario.baseline = *parsed.profile;
        }
        if (const nlohmann::json *timeline = chaos.raw("timeline")) {
            ChaosTimelineParseResult parsed =
                parseChaosTimeline(*timeline, file, chaos.pathOf("timeline"));
            result.errors.append(parsed.errors);
            if (parsed.timeline)
                scenario.timeline = *parsed.timeline;
        }
    });
    reader.object("expect", [&](JsonReader &expect) { readExpect(expect, scenario.expect); });
    reader.finish();
    for (int i = 0; i < scenario.timeline.size(); ++i) {
        if (scenario.timeline[i].at > scenario.duration)
            result.errors.append({file, QStringLiteral("chaos.timeline[%1].at_s").arg(i),
                                  QStringLiteral("must be <= duration_s (%1)")
                                      .arg(toSeconds(scenario.duration))});
    }
    if (result.errors.isEmpty())
        result.scenario = std::move(scenario);
    return result;
}

ScenarioParseResult loadScenarioFile(const QString &path)
{
    nlohmann::json json;
    if (auto error = readJsonFile(path, json))
        return {std::nullopt, {*error}};
    return parseScenario(json, path);
}

ExpectationVerdict evaluateExpectations(const Expectations &expect, const nlohmann::json &report)
{
    ExpectationVerdict verdict;
    auto fail = [&](const QString &line) {
        verdict.passed = false;
        verdict.failures.append(line);
    };
    const double requests = numberAt(report, {"totals", "requests"});
    auto share = [&](double count) { return requests > 0 ? count / requests : 0.0; };

    if (expect.requestsMin && requests < *expect.requestsMin)
        fail(QStringLiteral("requests %1 < requests_min %2").arg(requests).arg(*expect.requestsMin));
    const double modelRate = share(numberAt(report, {"totals", "answered_by_model"}));
    if (expect.modelRateMin && modelRate < *expect.modelRateMin)
        fail(QStringLiteral("answered by a model %1 < model_rate_min %2 (cache %3, degraded %4, "
                            "failed %5)")
                 .arg(formatNumber(modelRate), formatNumber(*expect.modelRateMin),
                      formatNumber(share(numberAt(report, {"totals", "by_source", "cache"}))),
                      formatNumber(share(numberAt(report, {"totals", "degraded"}))),
                      formatNumber(share(numberAt(report, {"totals", "failed"})))));
    const double successRate = share(numberAt(report, {"totals", "succeeded"}));
    if (expect.successRateMin && successRate < *expect.successRateMin)
        fail(QStringLiteral("success rate %1 < success_rate_min %2")
                 .arg(formatNumber(successRate), formatNumber(*expect.successRateMin)));
    const double degraded = share(numberAt(report, {"totals", "degraded"}));
    if (expect.degradedMax && degraded > *expect.degradedMax)
        fail(QStringLiteral("degraded share %1 > degraded_max %2")
                 .arg(formatNumber(degraded), formatNumber(*expect.degradedMax)));
    const double failed = share(numberAt(report, {"totals", "failed"}));
    if (expect.failedMax && failed > *expect.failedMax)
        fail(QStringLiteral("failed share %1 > failed_max %2")
                 .arg(formatNumber(failed), formatNumber(*expect.failedMax)));
    const double p50 = numberAt(report, {"latency_s", "p50"});
    if (expect.p50SecondsMax && p50 > *expect.p50SecondsMax)
        fail(QStringLiteral("p50 latency %1 s > p50_s_max %2 s")
                 .arg(formatNumber(p50), formatNumber(*expect.p50SecondsMax)));
    const double p99 = numberAt(report, {"latency_s", "p99"});
    if (expect.p99SecondsMax && p99 > *expect.p99SecondsMax)
        fail(QStringLiteral("p99 latency %1 s > p99_s_max %2 s")
                 .arg(formatNumber(p99), formatNumber(*expect.p99SecondsMax)));

    const nlohmann::json bySource =
        report.contains("totals") ? report["totals"].value("by_source", nlohmann::json::object())
                                  : nlohmann::json::object();
    auto sourceShare = [&](const QString &source) {
        const std::string key = source.toStdString();
        return share(bySource.contains(key) && bySource[key].is_number() ? bySource[key].get<double>()
                                                                          : 0.0);
    };
    for (auto it = expect.sourceShareMin.begin(); it != expect.sourceShareMin.end(); ++it) {
        if (sourceShare(it.key()) < it.value())
            fail(QStringLiteral("share of answers from %1 is %2 < %3")
                     .arg(it.key(), formatNumber(sourceShare(it.key())), formatNumber(it.value())));
    }
    for (auto it = expect.sourceShareMax.begin(); it != expect.sourceShareMax.end(); ++it) {
        if (sourceShare(it.key()) > it.value())
            fail(QStringLiteral("share of answers from %1 is %2 > %3")
                     .arg(it.key(), formatNumber(sourceShare(it.key())), formatNumber(it.value())));
    }

    auto breakerOpened = [&](const QString &model) {
        const std::string key = model.toStdString();
        if (!report.contains("models") || !report["models"].contains(key))
            return false;
        const nlohmann::json &transitions = report["models"][key].value("breaker", nlohmann::json::array());
        for (const nlohmann::json &transition : transitions) {
            if (transition.value("to", std::string()) == "open")
                return true;
        }
        return false;
    };
    for (const QString &model : expect.breakerOpened) {
        if (!breakerOpened(model))
            fail(QStringLiteral("the breaker of %1 never opened").arg(model));
    }
    for (const QString &model : expect.breakerStayedClosed) {
        if (breakerOpened(model))
            fail(QStringLiteral("the breaker of %1 opened").arg(model));
    }

    auto alertFired = [&](const QString &name) {
        for (const nlohmann::json &alert : report.value("alerts", nlohmann::json::array())) {
            if (alert.value("name", std::string()) == name.toStdString() &&
                alert.value("state", std::string()) == "firing")
                return true;
        }
        return false;
    };
    for (const QString &name : expect.alertsFired) {
        if (!alertFired(name))
            fail(QStringLiteral("alert %1 never fired").arg(name));
    }
    for (const QString &name : expect.alertsAbsent) {
        if (alertFired(name))
            fail(QStringLiteral("alert %1 fired").arg(name));
    }
    return verdict;
}

} // namespace breakwater

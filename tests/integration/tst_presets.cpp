// The policy presets of resources/config/presets: each is a whole config `run --config`
// accepts, carries its library's published defaults, names its source in the README, and
// the same scenario with the same seed behaves differently under two of them where their
// policies differ.
#include "config/configloader.h"
#include "load/promptset.h"
#include "runtime/scenariorun.h"
#include "scenario/scenario.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <nlohmann/json.hpp>
#include <optional>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

constexpr double kTimeScale = 0.1;
constexpr int kFinishTimeoutMs = 30000;
const char *const kPrimary = "claude-sonnet-4-5";

const QStringList kPresets = {u"seed-article"_s, u"hystrix"_s, u"resilience4j"_s, u"polly-v8"_s,
                              u"litellm-router"_s};

QString presetPath(const QString &name)
{
    return u":/config/presets/"_s + name + u".json"_s;
}

QStringList errorLines(const QList<ValidationError> &errors)
{
    QStringList lines;
    for (const ValidationError &error : errors)
        lines.append(error.toString());
    return lines;
}

std::optional<json> presetJson(const QString &name)
{
    json value;
    if (readJsonFile(presetPath(name), value))
        return std::nullopt;
    return value;
}

// Twenty seconds (two at the test's scale) of steady traffic against a primary that fails a
// share of its calls with a 500: every policy retries or falls back, each in its own way.
json comparisonScenario(double serverErrors)
{
    json scenario = json::parse(R"({
      "name": "preset-comparison", "duration_s": 20, "seed": 42,
      "load": {"concurrency": 20, "rps": 10, "ramp_s": 2, "prompts": "builtin:short"},
      "chaos": {"baseline": {"models": {
        "*": {"latency_ms": {"p50": 100, "p99": 400}},
        "claude-sonnet-4-5": {"latency_ms": {"p50": 100, "p99": 400}}}}},
      "expect": {"success_rate_min": 0.99}
    })");
    scenario["chaos"]["baseline"]["models"][kPrimary]["faults"]["server_error"] = serverErrors;
    return scenario;
}

/// Runs the comparison scenario over `preset` as the base config; the report, or nullopt.
std::optional<json> runUnder(const QString &preset, double serverErrors)
{
    const ScenarioParseResult scenario =
        parseScenario(comparisonScenario(serverErrors), u"comparison"_s);
    const std::optional<json> base = presetJson(preset);
    if (!scenario.scenario || !base)
        return std::nullopt;
    const ConfigParseResult config = configForScenario(*base, *scenario.scenario, preset);
    const std::optional<PromptSet> prompts =
        PromptSet::forLoad(scenario.scenario->load, scenario.scenario->seed);
    if (!config.config || !prompts)
        return std::nullopt;
    ScenarioRun::Options options;
    options.threads = 2;
    options.timeScale = kTimeScale;
    ScenarioRun run(*config.config, *scenario.scenario, *prompts, options, LabWorld::real());
    QSignalSpy finished(&run, &ScenarioRun::finished);
    QString error;
    if (!run.start(&error) || !finished.wait(kFinishTimeoutMs))
        return std::nullopt;
    return run.report();
}

qint64 intAt(const json &report, std::initializer_list<const char *> path)
{
    const json *node = &report;
    for (const char *key : path)
        node = &node->at(key);
    return node->get<qint64>();
}

double attemptsPerRequest(const json &report)
{
    return static_cast<double>(intAt(report, {"models", kPrimary, "attempts"})) /
           static_cast<double>(intAt(report, {"totals", "requests"}));
}

bool breakerOpened(const json &report, const char *model)
{
    for (const json &transition : report.at("models").at(model).at("breaker")) {
        if (transition.at("to") == "open")
            return true;
    }
    return false;
}

} // namespace

class TestPresets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPresetIsBundled()
    {
        const QStringList files =
            QDir(u":/config/presets"_s).entryList({u"*.json"_s}, QDir::Files, QDir::Name);
        QStringList names;
        for (const QString &file : files)
            names.append(file.chopped(5));
        names.sort();
        QStringList expected = kPresets;
        expected.sort();
        QCOMPARE(names, expected);
    }

    void everyPresetParses_data()
    {
        QTest::addColumn<QString>("preset");
        for (const QString &preset : kPresets)
            QTest::newRow(preset.toUtf8().constData()) << preset;
    }

    void everyPresetParses()
    {
        QFETCH(QString, preset);
        json value;
        const std::optional<ValidationError> readError = readJsonFile(presetPath(preset), value);
        QVERIFY2(!readError, qPrintable(readError ? readError->toString() : QString()));
        const ConfigParseResult parsed = parseConfig(value, preset);
        QVERIFY2(parsed.config, qPrintable(errorLines(parsed.errors).join(u'\n')));
        // A preset is a whole config: it names every section, so that reading it shows the
        // whole policy and nothing silently comes from the built-in default.
        for (const char *section : {"providers", "chain", "retry", "breaker", "timeouts", "context",
                                    "cache", "degraded_text", "alert", "metrics"})
            QVERIFY2(value.contains(section), section);
        QCOMPARE(parsed.config->chain.size(), 2);
    }

    void presetCarriesItsLibraryDefaults_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("maxAttempts");
        QTest::addColumn<int>("initialMs");
        QTest::addColumn<int>("maxMs");
        QTest::addColumn<double>("multiplier");
        QTest::addColumn<QString>("jitter");
        QTest::addColumn<bool>("honorRetryAfter");
        QTest::addColumn<int>("consecutiveFailures");
        QTest::addColumn<QString>("window");
        QTest::addColumn<int>("windowSize");
        QTest::addColumn<int>("minimumCalls");
        QTest::addColumn<double>("failureRate");
        QTest::addColumn<int>("openMs");
        QTest::addColumn<int>("halfOpenProbes");
        QTest::addColumn<int>("slowCallMs");
        QTest::addColumn<double>("slowCallRate");
        QTest::addColumn<int>("attemptTimeoutMs");
        QTest::addColumn<int>("maxConcurrency");

        // tenacity wait_exponential_jitter(initial=1, max=60, jitter=2), stop_after_attempt(5);
        // breaker failure_threshold 5, recovery_timeout 60; timeout=30.
        QTest::newRow("seed-article")
            << u"seed-article"_s << 5 << 1000 << 60000 << 2.0 << u"additive"_s << false << 5
            << u"count"_s << 20 << 10 << 0.0 << 60000 << 1 << 0 << 0.0 << 30000 << 0;
        // No retries; 50 % of at least 20 calls in a 10 s rolling window; 5 s sleep window;
        // 1 s execution timeout; a 10-thread pool per command.
        QTest::newRow("hystrix") << u"hystrix"_s << 1 << 1000 << 60000 << 2.0 << u"none"_s << false
                                 << 0 << u"time"_s << 10 << 20 << 0.5 << 5000 << 1 << 0 << 0.0
                                 << 1000 << 10;
        // Retry: 3 attempts, fixed 500 ms. CircuitBreaker: 50 % of the last 100 calls, at
        // least 100; 60 s open; 10 calls half-open; slow calls (60 s) at 100 %.
        QTest::newRow("resilience4j")
            << u"resilience4j"_s << 3 << 500 << 500 << 1.0 << u"none"_s << false << 0 << u"count"_s
            << 100 << 100 << 0.5 << 60000 << 10 << 60000 << 1.0 << 30000 << 0;
        // Retry: 3 retries (4 attempts), constant 2 s, no jitter. Breaker: ratio 0.1 over
        // 30 s with at least 100 calls, 5 s break. Timeout 30 s.
        QTest::newRow("polly-v8") << u"polly-v8"_s << 4 << 2000 << 2000 << 1.0 << u"none"_s << false
                                  << 0 << u"time"_s << 30 << 100 << 0.1 << 5000 << 1 << 0 << 0.0
                                  << 30000 << 0;
        // num_retries 2 (3 attempts), SDK-style 0.5 s doubling to 8 s with up to 25 % off,
        // retry-after honoured up to 60 s; cooldown after more than allowed_fails (3) failures
        // or over 50 % of at least 5 calls in a minute, for cooldown_time 5 s; timeout 6000 s.
        QTest::newRow("litellm-router")
            << u"litellm-router"_s << 3 << 500 << 8000 << 2.0 << u"equal"_s << true << 4
            << u"time"_s << 60 << 5 << 0.5 << 5000 << 1 << 0 << 0.0 << 6000000 << 0;
    }

    void presetCarriesItsLibraryDefaults()
    {
        QFETCH(QString, preset);
        QFETCH(int, maxAttempts);
        QFETCH(int, initialMs);
        QFETCH(int, maxMs);
        QFETCH(double, multiplier);
        QFETCH(QString, jitter);
        QFETCH(bool, honorRetryAfter);
        QFETCH(int, consecutiveFailures);
        QFETCH(QString, window);
        QFETCH(int, windowSize);
        QFETCH(int, minimumCalls);
        QFETCH(double, failureRate);
        QFETCH(int, openMs);
        QFETCH(int, halfOpenProbes);
        QFETCH(int, slowCallMs);
        QFETCH(double, slowCallRate);
        QFETCH(int, attemptTimeoutMs);
        QFETCH(int, maxConcurrency);

        const std::optional<json> value = presetJson(preset);
        QVERIFY(value);
        const ConfigParseResult parsed = parseConfig(*value, preset);
        QVERIFY(parsed.config);
        const Config &config = *parsed.config;
        QCOMPARE(config.retry.maxAttempts, maxAttempts);
        QCOMPARE(config.retry.initial.count(), initialMs);
        QCOMPARE(config.retry.max.count(), maxMs);
        QCOMPARE(config.retry.multiplier, multiplier);
        QCOMPARE(jitterModeName(config.retry.jitter), jitter);
        QCOMPARE(config.retry.honorRetryAfter, honorRetryAfter);
        QCOMPARE(config.breaker.consecutiveFailures, consecutiveFailures);
        QCOMPARE(windowKindName(config.breaker.window), window);
        QCOMPARE(config.breaker.windowSize, windowSize);
        QCOMPARE(config.breaker.minimumCalls, minimumCalls);
        QCOMPARE(config.breaker.failureRate, failureRate);
        QCOMPARE(config.breaker.openDuration.count(), openMs);
        QCOMPARE(config.breaker.halfOpenProbes, halfOpenProbes);
        QCOMPARE(config.breaker.slowCall.count(), slowCallMs);
        QCOMPARE(config.breaker.slowCallRate, slowCallRate);
        QCOMPARE(config.timeouts.attempt.count(), attemptTimeoutMs);
        for (const ChainEntry &entry : config.chain)
            QCOMPARE(entry.maxConcurrency, maxConcurrency);
    }

    void everyPresetNamesItsSourceInTheReadme()
    {
        const QByteArray sourceDir = qgetenv("BREAKWATER_SOURCE_DIR");
        if (sourceDir.isEmpty())
            QSKIP("BREAKWATER_SOURCE_DIR is not set (run through ctest)");
        QFile readme(QDir(QString::fromLocal8Bit(sourceDir))
                         .filePath(u"resources/config/presets/README.md"_s));
        QVERIFY2(readme.open(QIODevice::ReadOnly), qPrintable(readme.fileName()));
        const QStringList lines = QString::fromUtf8(readme.readAll()).split(u'\n');
        for (const QString &preset : kPresets) {
            const QString file = preset + u".json"_s;
            bool sourced = false;
            for (const QString &line : lines)
                sourced = sourced || (line.contains(file) && line.contains(u"https://"_s));
            QVERIFY2(sourced, qPrintable(file + u" has no line with its source URL"_s));
        }
    }

    void noRetriesUnderHystrixWhereTheSeedRecipeRetries()
    {
        // Few enough failures that five in a row, which would open the seed recipe's breaker
        // for the rest of the run, practically never happen.
        const std::optional<json> seedReport = runUnder(u"seed-article"_s, 0.08);
        const std::optional<json> hystrixReport = runUnder(u"hystrix"_s, 0.08);
        QVERIFY(seedReport);
        QVERIFY(hystrixReport);
        const json &seed = *seedReport;
        const json &hystrix = *hystrixReport;
        QVERIFY(seed.at("seed") == hystrix.at("seed"));
        QVERIFY(intAt(hystrix, {"models", kPrimary, "errors", "server_error"}) > 0);
        QVERIFY(intAt(seed, {"models", kPrimary, "errors", "server_error"}) > 0);

        // Hystrix gives each failure straight to the fallback; the seed recipe retries it.
        QCOMPARE(intAt(hystrix, {"totals", "retries"}), 0);
        QVERIFY(intAt(seed, {"totals", "retries"}) > 0);
        QVERIFY2(attemptsPerRequest(seed) > attemptsPerRequest(hystrix),
                 qPrintable(u"attempts per request on the primary: seed %1, hystrix %2"_s
                                .arg(attemptsPerRequest(seed))
                                .arg(attemptsPerRequest(hystrix))));
        // Without retries, each failed call ends on the fallback.
        QVERIFY(intAt(hystrix, {"totals", "by_source", "claude-haiku-4-5"}) >=
                intAt(hystrix, {"models", kPrimary, "errors", "server_error"}));
        QVERIFY(intAt(hystrix, {"totals", "succeeded"}) == intAt(hystrix, {"totals", "requests"}));
    }

    void fixedDelaysAndBreakerThresholdsFollowThePreset()
    {
        const std::optional<json> resilience4j = runUnder(u"resilience4j"_s, 0.25);
        const std::optional<json> polly = runUnder(u"polly-v8"_s, 0.25);
        QVERIFY(resilience4j);
        QVERIFY(polly);
        const json &r4jDelays = resilience4j->at("models").at(kPrimary).at("retry_delay_s");
        const json &pollyDelays = polly->at("models").at(kPrimary).at("retry_delay_s");
        QVERIFY(r4jDelays.at("count").get<int>() > 0);
        QVERIFY(pollyDelays.at("count").get<int>() > 0);
        // Fixed waits with no jitter: every delay is the preset's, scaled (0.5 s and 2 s).
        QCOMPARE(r4jDelays.at("p50").get<double>(), 0.5 * kTimeScale);
        QCOMPARE(r4jDelays.at("max").get<double>(), 0.5 * kTimeScale);
        QCOMPARE(pollyDelays.at("p50").get<double>(), 2.0 * kTimeScale);
        QCOMPARE(pollyDelays.at("max").get<double>(), 2.0 * kTimeScale);
        // One failure in four: above Polly's 10 % ratio, far below resilience4j's 50 %.
        QVERIFY(breakerOpened(*polly, kPrimary));
        QVERIFY(!breakerOpened(*resilience4j, kPrimary));
    }
};

QTEST_GUILESS_MAIN(TestPresets)
#include "tst_presets.moc"

// The dashboard's plain helpers: which providers are real, the request estimate shown before
// a real run, the last-guard redaction of keys in exports, the series CSV, and the command
// line of `breakwater`.
#include "config/configloader.h"
#include "dashboardoptions.h"
#include "exports.h"
#include "runsafety.h"
#include "theme.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

Config configWithChain(const nlohmann::json &chain)
{
    nlohmann::json json = defaultConfigJson();
    json["chain"] = chain;
    const ConfigParseResult parsed = parseConfig(json, u"test"_s);
    return parsed.config.value_or(Config());
}

} // namespace

class TestDashboardSupport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realProvidersAreTheOnesNotEmbedded()
    {
        const Config simulated = *parseConfig(defaultConfigJson(), u"default"_s).config;
        QVERIFY(realProviders(simulated).isEmpty());
        const Config mixed = configWithChain(
            nlohmann::json::array({{{"provider", "openai"}, {"model", "gpt-4.1"}},
                                   {{"provider", "chaos"}, {"model", "claude-haiku-4-5"}},
                                   {{"provider", "openai"}, {"model", "gpt-4.1-mini"}}}));
        QCOMPARE(realProviders(mixed), QStringList{u"openai"_s});
    }

    void estimatesRequestsFromTheLoad_data()
    {
        QTest::addColumn<double>("rps");
        QTest::addColumn<int>("concurrency");
        QTest::addColumn<int>("durationS");
        QTest::addColumn<int>("rampS");
        QTest::addColumn<qint64>("expected");
        QTest::addColumn<int>("thinkMs");
        QTest::newRow("open loop with ramp") << 20.0 << 20 << 60 << 5 << qint64(1150) << 0;
        QTest::newRow("open loop, no ramp") << 10.0 << 5 << 30 << 0 << qint64(300) << 0;
        QTest::newRow("ramp longer than the run") << 10.0 << 5 << 10 << 20 << qint64(25) << 0;
        QTest::newRow("closed loop") << 0.0 << 8 << 60 << 0 << qint64(480) << 0;
        // Each worker: a call (about a second) and 3 s of thought, four seconds a round.
        QTest::newRow("closed loop with think time") << 0.0 << 8 << 60 << 0 << qint64(120) << 3000;
    }
    void estimatesRequestsFromTheLoad()
    {
        QFETCH(double, rps);
        QFETCH(int, concurrency);
        QFETCH(int, durationS);
        QFETCH(int, rampS);
        QFETCH(qint64, expected);
        QFETCH(int, thinkMs);
        Scenario scenario;
        scenario.load.think = Millis(thinkMs);
        scenario.load.rps = rps;
        scenario.load.concurrency = concurrency;
        scenario.load.ramp = std::chrono::seconds(rampS);
        scenario.duration = std::chrono::seconds(durationS);
        QCOMPARE(estimatedRequests(scenario), expected);
    }

    void theQuestionNamesProvidersAndCount()
    {
        const Config config = configWithChain(
            nlohmann::json::array({{{"provider", "anthropic"}, {"model", "claude-sonnet-4-6"}}}));
        Scenario scenario;
        scenario.load.rps = 20;
        scenario.load.ramp = 5s;
        scenario.duration = 60s;
        const QString question = realRunQuestion(config, scenario);
        QVERIFY(question.contains(u"claude-sonnet-4-6 (anthropic, https://api.anthropic.com)"_s));
        QVERIFY(question.contains(u"About 1,150 requests (20 requests per second for 60 s)"_s));
        QVERIFY(question.contains(u"up to %1 times"_s.arg(RetryPolicy().maxAttempts)));
    }

    void keysInTheEnvironmentAreRedacted()
    {
        qputenv("BREAKWATER_TEST_KEY", "sk-test-123456");
        nlohmann::json json = defaultConfigJson();
        json["providers"]["openai"]["api_key_env"] = "BREAKWATER_TEST_KEY";
        const Config config = *parseConfig(json, u"test"_s).config;
        const QStringList keys = apiKeysInUse(config);
        QVERIFY(keys.contains(u"sk-test-123456"_s));
        const QByteArray out = redactSecrets("a sk-test-123456 b sk-test-123456", keys);
        QCOMPARE(out, QByteArray("a [redacted] b [redacted]"));
        qunsetenv("BREAKWATER_TEST_KEY");
        QVERIFY(!apiKeysInUse(config).contains(u"sk-test-123456"_s));
    }

    void seriesCsvHasARowPerPointAndAColumnPerSeries()
    {
        SeriesView series;
        series.step = 2000ms;
        series.points = 2;
        series.requests = {10, 12};
        series.failed = {0, 1};
        series.errors = {1, 3};
        series.attempts = {11, 15};
        series.retries = {1, 2};
        series.shortCircuited = {0, 4};
        series.inFlight = {3, 5};
        series.latencyP50 = {0.5, 0.6};
        series.latencyP95 = {1.5, 1.6};
        series.latencyP99 = {2.5, 2.6};
        series.sources = {u"m"_s, u"cache"_s, u"degraded"_s};
        series.bySource = {{10, 8}, {0, 3}, {0, 1}};
        series.models = {u"m"_s};
        series.modelAttempts = {{11, 4}};
        series.modelSuccesses = {{10, 0}};
        series.modelErrors = {{1, 0}};
        series.modelBreaker = {{0, 3}};
        const QList<QByteArray> lines = seriesCsv(series).split('\n');
        QCOMPARE(lines.size(), 4); // header, two rows, the empty rest after the last CRLF
        QCOMPARE(lines[0].trimmed(),
                 QByteArray("t_s,requests,failed,errors,attempts,retries,short_circuited,"
                            "in_flight,latency_p50_s,latency_p95_s,latency_p99_s,answers:m,"
                            "answers:cache,answers:degraded,attempts:m,successes:m,errors:m,"
                            "error_rate:m,breaker:m"));
        QCOMPARE(lines[1].trimmed(),
                 QByteArray("0,10,0,1,11,1,0,3,0.5,1.5,2.5,10,0,0,11,10,1,0.09090909091,closed"));
        // No outcome in the point: the rate is empty, not 0.
        QCOMPARE(lines[2].trimmed(), QByteArray("2,12,1,3,15,2,4,5,0.6,1.6,2.6,8,3,1,4,0,0,,open"));
    }

    void presenterTypeGrowsWithTheScreen_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<double>("scale");
        QTest::newRow("small laptop") << 1024 << 1.15;
        QTest::newRow("1280 projector") << 1280 << 1280 / 1100.0;
        QTest::newRow("1600") << 1600 << 1600 / 1100.0;
        QTest::newRow("full HD") << 1920 << 1.6;
    }
    void presenterTypeGrowsWithTheScreen()
    {
        QFETCH(int, width);
        QFETCH(double, scale);
        QCOMPARE(Theme::presenterScaleFor(width), scale);
        QCOMPARE(Theme(true, scale).scale(), scale);
        QCOMPARE(Theme(false, scale).scale(), 1.0);
    }

    void parsesTheCommandLine()
    {
        const DashboardArguments parsed = parseDashboardArguments(
            {u"breakwater"_s, u"--scenario"_s, u"s.json"_s, u"--autostart"_s, u"--presenter"_s,
             u"--screenshot"_s, u"/tmp/x.png"_s, u"--screenshot-after"_s, u"2.5"_s,
             u"--time-scale"_s, u"0.2"_s, u"--config"_s, u"c.json"_s});
        QVERIFY(parsed.options);
        QCOMPARE(parsed.options->scenarioPath, u"s.json"_s);
        QCOMPARE(parsed.options->configPath, u"c.json"_s);
        QVERIFY(parsed.options->autostart);
        QVERIFY(parsed.options->presenter);
        QCOMPARE(parsed.options->screenshotPath, u"/tmp/x.png"_s);
        QCOMPARE(parsed.options->screenshotAfter, 2.5);
        QCOMPARE(parsed.options->timeScale, 0.2);
    }

    void rejectsBadFlagsWithExitCodeTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown") << QStringList{u"--frobnicate"_s} << u"frobnicate"_s;
        QTest::newRow("time scale zero")
            << QStringList{u"--time-scale"_s, u"0"_s} << u"--time-scale"_s;
        QTest::newRow("time scale text")
            << QStringList{u"--time-scale"_s, u"fast"_s} << u"--time-scale"_s;
        QTest::newRow("negative wait")
            << QStringList{u"--screenshot-after"_s, u"-1"_s} << u"--screenshot-after"_s;
        QTest::newRow("stray argument") << QStringList{u"file.json"_s} << u"file.json"_s;
    }
    void rejectsBadFlagsWithExitCodeTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        arguments.prepend(u"breakwater"_s);
        const DashboardArguments parsed = parseDashboardArguments(arguments);
        QVERIFY(!parsed.options);
        QCOMPARE(parsed.exitCode, 2);
        QVERIFY2(parsed.message.contains(message), qPrintable(parsed.message));
    }
};

QTEST_GUILESS_MAIN(TestDashboardSupport)
#include "tst_dashboardsupport.moc"

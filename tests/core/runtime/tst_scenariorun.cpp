// ScenarioRun's recorder step: scaled with the time scale (floored), so a fast run still
// gets points enough for its charts, and the report's series.step_s says the step used.
#include "config/configloader.h"
#include "recorder/runrecorder.h"
#include "runtime/scenariorun.h"

#include <QSignalSpy>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

Scenario scenario(int durationS)
{
    const ScenarioParseResult parsed = parseScenario(
        {{"name", "step"},
         {"duration_s", durationS},
         {"seed", 3},
         {"load", {{"concurrency", 4}, {"rps", 40}, {"ramp_s", 0}, {"prompts", "builtin:short"}}}},
        u"step.json"_s);
    return parsed.scenario.value_or(Scenario{});
}

Config config()
{
    return parseConfig(defaultConfigJson(), u"default"_s).config.value_or(Config{});
}

} // namespace

class TestScenarioRun final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recorderStepFollowsTheTimeScale_data()
    {
        QTest::addColumn<double>("timeScale");
        QTest::addColumn<bool>("scale");
        QTest::addColumn<int>("expectedMs");
        QTest::newRow("real time") << 1.0 << true << 1000;
        QTest::newRow("ten times faster") << 0.1 << true << 100;
        QTest::newRow("four times faster") << 0.25 << true << 250;
        QTest::newRow("twenty times faster stops at the floor") << 0.05 << true << 100;
        QTest::newRow("slowed down, as many points") << 2.0 << true << 2000;
        QTest::newRow("unscaled when asked") << 0.1 << false << 1000;
    }
    void recorderStepFollowsTheTimeScale()
    {
        QFETCH(double, timeScale);
        QFETCH(bool, scale);
        QFETCH(int, expectedMs);
        ScenarioRun::Options options;
        options.threads = 0;
        options.timeScale = timeScale;
        options.scaleSeriesStep = scale;
        QCOMPARE(ScenarioRun::seriesStepFor(options), Millis(expectedMs));
        ScenarioRun run(config(), scenario(60), PromptSet::builtinShort(), options,
                        LabWorld::real());
        QCOMPARE(run.recorder().options().seriesStep, Millis(expectedMs));
    }

    void floorNeverWidensAFinerStepAskedFor()
    {
        ScenarioRun::Options options;
        options.timeScale = 0.1;
        options.seriesStep = Millis(50);
        QCOMPARE(ScenarioRun::seriesStepFor(options), Millis(50));
    }

    void aFastRunReportsItsScaledStepWithAPointPerStep()
    {
        // 4 s of scenario at 0.1: 0.4 s of real time, recorded in 0.1 s steps.
        ScenarioRun::Options options;
        options.threads = 0;
        options.timeScale = 0.1;
        ScenarioRun run(config(), scenario(4), PromptSet::builtinShort(), options,
                        LabWorld::real());
        QSignalSpy finished(&run, &ScenarioRun::finished);
        QString error;
        QVERIFY2(run.start(&error), qPrintable(error));
        QVERIFY(finished.wait(10000));
        const json report = run.report();
        QCOMPARE(report["series"]["step_s"].get<double>(), 0.1);
        const json &requests = report["series"]["requests"];
        QVERIFY2(requests.size() >= 4, requests.dump().c_str());
        double total = 0;
        for (const json &count : requests)
            total += count.get<double>();
        QCOMPARE(total, report["totals"]["requests"].get<double>());
        QVERIFY(total > 0);
    }
};

QTEST_GUILESS_MAIN(TestScenarioRun)
#include "tst_scenariorun.moc"

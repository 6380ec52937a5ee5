// A scenario's traffic fields (load.prompts default, load.repeat_rate, load.think_s) and the
// model-rate expectation: parsed with errors naming their JSON path, scaled with time, and
// judged against a report's totals.answered_by_model.
#include "scenario/scenario.h"
#include "scenario/timescale.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

/// The scenario's problems as "path: message" lines.
QStringList problems(const json &scenario)
{
    QStringList lines;
    for (const ValidationError &error : parseScenario(scenario, u"s.json"_s).errors)
        lines.append(error.path + u": "_s + error.message);
    return lines;
}

json report(int requests, int byModel, int cache, int degraded)
{
    return {{"totals",
             {{"requests", requests},
              {"answered_by_model", byModel},
              {"succeeded", byModel + cache},
              {"degraded", degraded},
              {"failed", requests - byModel - cache - degraded},
              {"by_source", {{"m", byModel}, {"cache", cache}, {"degraded", degraded}}}}}};
}

} // namespace

class TestScenario : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aScenarioWithoutPromptsSendsDistinctOnes()
    {
        const ScenarioParseResult parsed = parseScenario(json::object(), u"s.json"_s);
        QVERIFY(parsed.scenario);
        const LoadProfile &load = parsed.scenario->load;
        QCOMPARE(load.prompts, u"builtin:unique"_s);
        QCOMPARE(load.repeatRate, 0.1);
        QCOMPARE(load.think, Millis(0));
    }

    void trafficFieldsAreRead()
    {
        const json input = {{"load", {{"rps", 0}, {"think_s", 2.5}, {"repeat_rate", 0.25}}},
                            {"expect", {{"model_rate_min", 0.97}}}};
        const ScenarioParseResult parsed = parseScenario(input, u"s.json"_s);
        QVERIFY2(parsed.scenario, qPrintable(problems(input).join(u'\n')));
        QCOMPARE(parsed.scenario->load.think, Millis(2500));
        QCOMPARE(parsed.scenario->load.repeatRate, 0.25);
        QCOMPARE(parsed.scenario->expect.modelRateMin, std::optional<double>(0.97));
        QVERIFY(!parsed.scenario->expect.isEmpty());
        QVERIFY(parseScenario({{"load", {{"prompts", "builtin:unique"}, {"repeat_rate", 0}}}},
                              u"s.json"_s)
                    .scenario);
    }

    void badTrafficFieldsNameTheirPath_data()
    {
        QTest::addColumn<QByteArray>("scenario");
        QTest::addColumn<QString>("expected");
        QTest::newRow("repeat rate above one")
            << QByteArray(R"({"load": {"repeat_rate": 1.5}})")
            << u"load.repeat_rate: must be a number between 0 and 1"_s;
        QTest::newRow("repeat rate negative")
            << QByteArray(R"({"load": {"repeat_rate": -0.1}})")
            << u"load.repeat_rate: must be a number between 0 and 1"_s;
        QTest::newRow("repeat rate not a number")
            << QByteArray(R"({"load": {"repeat_rate": "often"}})")
            << u"load.repeat_rate: must be a number between 0 and 1"_s;
        QTest::newRow("repeat rate on a fixed set")
            << QByteArray(R"({"load": {"prompts": "builtin:short", "repeat_rate": 0.2}})")
            << u"load.repeat_rate: applies to builtin:unique only (the prompts of "
               u"'builtin:short' all repeat anyway)"_s;
        QTest::newRow("negative think time") << QByteArray(R"({"load": {"rps": 0, "think_s": -1}})")
                                             << u"load.think_s: must be a number >= 0"_s;
        QTest::newRow("think time in an open loop")
            << QByteArray(R"({"load": {"rps": 10, "think_s": 1}})")
            << u"load.think_s: applies to a closed loop only (rps: 0); an open loop sends at "
               u"its rate"_s;
        QTest::newRow("model rate above one")
            << QByteArray(R"({"expect": {"model_rate_min": 2}})")
            << u"expect.model_rate_min: must be a number between 0 and 1"_s;
        QTest::newRow("model rate null") << QByteArray(R"({"expect": {"model_rate_min": null}})")
                                         << u"expect.model_rate_min: must be a number between "
                                            u"0 and 1"_s;
        QTest::newRow("unknown built-in set")
            << QByteArray(R"({"load": {"prompts": "builtin:huge"}})")
            << u"load.prompts: unknown built-in prompt set 'huge' (unique, short, long or "
               u"mixed)"_s;
    }
    void badTrafficFieldsNameTheirPath()
    {
        QFETCH(QByteArray, scenario);
        QFETCH(QString, expected);
        const QStringList found = problems(json::parse(scenario.toStdString()));
        QVERIFY2(found == QStringList{expected}, qPrintable(found.join(u'\n')));
    }

    void modelRateExpectationFailsWithWhereTheRestWent()
    {
        Expectations expect;
        expect.modelRateMin = 0.99;
        QVERIFY(evaluateExpectations(expect, report(1000, 995, 5, 0)).passed);
        // The cache answered almost everything: "100 % ok", but few users got a model.
        const ExpectationVerdict verdict = evaluateExpectations(expect, report(1000, 250, 700, 50));
        QVERIFY(!verdict.passed);
        QCOMPARE(verdict.failures,
                 QStringList{u"answered by a model 0.25 < model_rate_min 0.99 (cache 0.7, "
                             u"degraded 0.05, failed 0)"_s});
        // Judged on its own figure: the same run passes a success-rate expectation.
        Expectations success;
        success.successRateMin = 0.9;
        QVERIFY(evaluateExpectations(success, report(1000, 250, 700, 50)).passed);
    }

    void thinkTimeScalesWithTime()
    {
        Scenario scenario;
        scenario.load.rps = 0;
        scenario.load.think = Millis(3000);
        QCOMPARE(timeScaled(scenario, 0.1).load.think, Millis(300));
        QCOMPARE(timeScaled(scenario, 2.0).load.think, Millis(6000));
        // A think time stays one however fast the run: 0 would turn it off.
        scenario.load.think = Millis(4);
        QCOMPARE(timeScaled(scenario, 0.01).load.think, Millis(1));
        scenario.load.think = Millis(0);
        QCOMPARE(timeScaled(scenario, 0.1).load.think, Millis(0));
        // The repeat rate is a share, not a rate per second: unchanged.
        scenario.load.repeatRate = 0.3;
        QCOMPARE(timeScaled(scenario, 0.1).load.repeatRate, 0.3);
    }
};

QTEST_GUILESS_MAIN(TestScenario)
#include "tst_scenario.moc"

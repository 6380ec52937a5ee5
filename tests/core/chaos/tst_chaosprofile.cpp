#include "chaos/chaosprofile.h"
#include "common/random.h"

#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <vector>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

QStringList describe(const QList<ValidationError> &errors)
{
    QStringList lines;
    for (const ValidationError &error : errors)
        lines.append(error.toString());
    return lines;
}

bool hasErrorAt(const QList<ValidationError> &errors, const QString &path, const QString &fragment)
{
    return std::any_of(errors.cbegin(), errors.cend(), [&](const ValidationError &error) {
        return error.path == path && error.message.contains(fragment);
    });
}

const json kSpecExample = json::parse(R"({"models": {"claude-sonnet-4-5": {
   "latency_ms": {"p50":600,"p99":2500}, "ttft_ms": 300, "tokens_per_s": 80, "context_window": 8000,
   "faults": {"rate_limited":0.05,"server_error":0.02,"unavailable":0.02,"overloaded":0.03,
              "timeout":0.01,"reset":0.01,"malformed":0.0,"auth":0.0,
              "stream_error":0.0,"stream_stall":0.0,"stream_truncate":0.0,
              "stream_no_terminator":0.04,"content_filter":0.005},
   "retry_after_s": 2, "limits": {"rpm": 600, "tpm": 200000}}}})");

} // namespace

class TestChaosProfile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesTheSpecExample()
    {
        const ChaosProfileParseResult result = parseChaosProfile(kSpecExample, u"p.json"_s);
        QVERIFY2(result.profile, qPrintable(describe(result.errors).join(u'\n')));
        const ChaosModelProfile *model = result.profile->find(u"claude-sonnet-4-5"_s);
        QVERIFY(model);
        QCOMPARE(model->latency.p50Ms, 600.0);
        QCOMPARE(model->latency.p99Ms, 2500.0);
        QCOMPARE(model->ttftMs, 300.0);
        QCOMPARE(model->tokensPerSecond, 80.0);
        QCOMPARE(model->contextWindow, 8000);
        QCOMPARE(model->faultRate(ChaosFault::RateLimited), 0.05);
        QCOMPARE(model->faultRate(ChaosFault::Overloaded), 0.03);
        QCOMPARE(model->faultRate(ChaosFault::Reset), 0.01);
        QCOMPARE(model->faultRate(ChaosFault::StreamNoTerminator), 0.04);
        QCOMPARE(model->faultRate(ChaosFault::ContentFilter), 0.005);
        QCOMPARE(model->retryAfterS, 2.0);
        QCOMPARE(model->rpm, 600);
        QCOMPARE(model->tpm, 200000);
    }

    void leavesOutFieldsAtTheirDefaults()
    {
        const ChaosProfileParseResult result =
            parseChaosProfile(json::parse(R"({"models":{"m":{"faults":{"timeout":0.5}}}})"));
        QVERIFY(result.profile);
        const ChaosModelProfile &model = result.profile->models.value(u"m"_s);
        QCOMPARE(model.faultRate(ChaosFault::Timeout), 0.5);
        for (ChaosFault fault : allChaosFaults()) {
            if (fault != ChaosFault::Timeout)
                QCOMPARE(model.faultRate(fault), 0.0);
        }
        QCOMPARE(model.latency.p50Ms, 0.0);
        QCOMPARE(model.contextWindow, 200000);
        QCOMPARE(model.rpm, 0);
        QCOMPARE(model.retryAfterS, 1.0);
        QVERIFY(parseChaosProfile(json::object()).profile);
    }

    void fillsTheMissingEndOfTheLatencyRange()
    {
        const auto parsed = parseChaosProfile(json::parse(
            R"({"models":{"a":{"latency_ms":{"p50":100}},"b":{"latency_ms":{"p99":40}}}})"));
        QVERIFY(parsed.profile);
        QCOMPARE(parsed.profile->models.value(u"a"_s).latency.p99Ms, 100.0);
        QCOMPARE(parsed.profile->models.value(u"b"_s).latency.p50Ms, 40.0);
    }

    void matchesUnlistedModelsWithTheWildcardAndNothingElse()
    {
        ChaosProfile profile;
        profile.models.insert(u"a"_s, ChaosModelProfile{});
        QVERIFY(profile.find(u"a"_s));
        QVERIFY(!profile.find(u"b"_s));
        ChaosModelProfile any;
        any.contextWindow = 42;
        profile.models.insert(kChaosAnyModel, any);
        QCOMPARE(profile.find(u"b"_s)->contextWindow, 42);
        QCOMPARE(profile.find(u"a"_s)->contextWindow, 200000);
        QVERIFY(defaultChaosProfile().find(u"anything"_s));
    }

    void reportsEveryProblemWithItsJsonPath_data()
    {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("rate above 1") << u"{\"models\":{\"m\":{\"faults\":{\"timeout\":1.5}}}}"_s
                                      << u"models.m.faults.timeout"_s << u"<= 1"_s;
        QTest::newRow("negative rate") << u"{\"models\":{\"m\":{\"faults\":{\"reset\":-0.1}}}}"_s
                                       << u"models.m.faults.reset"_s << u">= 0"_s;
        QTest::newRow("unknown fault")
            << u"{\"models\":{\"m\":{\"faults\":{\"timout\":0.1}}}}"_s << u"models.m.faults"_s
            << u"unknown field 'timout' (did you mean 'timeout'?)"_s;
        QTest::newRow("wildcard path") << u"{\"models\":{\"*\":{\"ttft_ms\":\"fast\"}}}"_s
                                       << u"models[\"*\"].ttft_ms"_s << u"number"_s;
        QTest::newRow("p99 below p50")
            << u"{\"models\":{\"m\":{\"latency_ms\":{\"p50\":500,\"p99\":100}}}}"_s
            << u"models.m.latency_ms.p99"_s << u">= p50"_s;
        QTest::newRow("zero median")
            << u"{\"models\":{\"m\":{\"latency_ms\":{\"p50\":0,\"p99\":100}}}}"_s
            << u"models.m.latency_ms.p50"_s << u"> 0"_s;
        QTest::newRow("window not integer") << u"{\"models\":{\"m\":{\"context_window\":1.5}}}"_s
                                            << u"models.m.context_window"_s << u"integer"_s;
        QTest::newRow("window zero") << u"{\"models\":{\"m\":{\"context_window\":0}}}"_s
                                     << u"models.m.context_window"_s << u">= 1"_s;
        QTest::newRow("negative rpm") << u"{\"models\":{\"m\":{\"limits\":{\"rpm\":-1}}}}"_s
                                      << u"models.m.limits.rpm"_s << u">= 0"_s;
        QTest::newRow("unknown limit") << u"{\"models\":{\"m\":{\"limits\":{\"rpd\":1}}}}"_s
                                       << u"models.m.limits"_s << u"unknown field 'rpd'"_s;
        QTest::newRow("unknown model field") << u"{\"models\":{\"m\":{\"latency\":1}}}"_s
                                             << u"models.m"_s << u"unknown field 'latency'"_s;
        QTest::newRow("unknown top field")
            << u"{\"model\":{}}"_s << QString() << u"unknown field 'model'"_s;
        QTest::newRow("models not object") << u"{\"models\":[]}"_s << u"models"_s << u"object"_s;
        QTest::newRow("entry not object")
            << u"{\"models\":{\"m\":3}}"_s << u"models.m"_s << u"object"_s;
        QTest::newRow("profile not object") << u"[1]"_s << QString() << u"object"_s;
    }
    void reportsEveryProblemWithItsJsonPath()
    {
        QFETCH(QString, profile);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const ChaosProfileParseResult result =
            parseChaosProfile(json::parse(profile.toStdString()));
        QVERIFY(!result.profile);
        QVERIFY2(hasErrorAt(result.errors, path, message),
                 qPrintable(describe(result.errors).join(u'\n')));
    }

    void collectsSeveralErrorsAtOnceUnderTheGivenPath()
    {
        const ChaosProfileParseResult result = parseChaosProfile(
            json::parse(R"({"models":{"a":{"faults":{"auth":2}},"b":{"tokens_per_s":-1}}})"),
            u"scenario.json"_s, u"chaos.baseline"_s);
        QCOMPARE(result.errors.size(), 2);
        QVERIFY(hasErrorAt(result.errors, u"chaos.baseline.models.a.faults.auth"_s, u"<= 1"_s));
        QVERIFY(hasErrorAt(result.errors, u"chaos.baseline.models.b.tokens_per_s"_s, u">= 0"_s));
        QVERIFY(result.errors.front().toString().startsWith(u"scenario.json: chaos.baseline."_s));
    }

    void roundTripsThroughItsJsonForm()
    {
        const ChaosProfile profile = *parseChaosProfile(kSpecExample).profile;
        const json written = chaosProfileToJson(profile);
        QVERIFY(written["models"]["claude-sonnet-4-5"]["latency_ms"]["p50"] == json(600));
        QVERIFY(written["models"]["claude-sonnet-4-5"]["faults"]["rate_limited"] == json(0.05));
        QCOMPARE(written["models"]["claude-sonnet-4-5"]["faults"].size(), std::size_t(13));
        QVERIFY(written["models"]["claude-sonnet-4-5"]["faults"]["stream_no_terminator"] ==
                json(0.04));
        QVERIFY(written["models"]["claude-sonnet-4-5"]["faults"]["content_filter"] == json(0.005));
        const ChaosProfileParseResult again = parseChaosProfile(written);
        QVERIFY(again.profile);
        QVERIFY(chaosProfileToJson(*again.profile) == written);
    }

    void patchesAModelEntryDeeply()
    {
        const ChaosModelProfile base =
            *parseChaosProfile(kSpecExample).profile->find(u"claude-sonnet-4-5"_s);
        const ChaosModelPatchResult patched = patchChaosModel(
            base, json::parse(R"({"faults":{"unavailable":1.0,"content_filter":0.5},)"
                              R"("limits":{"rpm":5}})"));
        QVERIFY(patched.model);
        QCOMPARE(patched.model->faultRate(ChaosFault::Unavailable), 1.0);
        QCOMPARE(patched.model->faultRate(ChaosFault::ContentFilter), 0.5);
        QCOMPARE(patched.model->faultRate(ChaosFault::StreamNoTerminator), 0.04);
        QCOMPARE(patched.model->faultRate(ChaosFault::RateLimited), 0.05);
        QCOMPARE(patched.model->rpm, 5);
        QCOMPARE(patched.model->tpm, 200000);
        QCOMPARE(patched.model->latency.p99Ms, 2500.0);

        // null removes a field: it takes its default again.
        const auto cleared = patchChaosModel(base, json::parse(R"({"limits":null})"));
        QVERIFY(cleared.model);
        QCOMPARE(cleared.model->rpm, 0);
    }

    void movesTheOtherLatencyEndWhenAPatchCrossesIt()
    {
        ChaosModelProfile base;
        base.latency = LatencySpec{600, 2500};
        const auto raised = patchChaosModel(base, json::parse(R"({"latency_ms":{"p50":3000}})"));
        QVERIFY(raised.model);
        QCOMPARE(raised.model->latency.p99Ms, 3000.0);
        const auto lowered = patchChaosModel(base, json::parse(R"({"latency_ms":{"p99":100}})"));
        QVERIFY(lowered.model);
        QCOMPARE(lowered.model->latency.p50Ms, 100.0);
        const auto both =
            patchChaosModel(base, json::parse(R"({"latency_ms":{"p50":300,"p99":200}})"));
        QVERIFY(!both.model);
    }

    void refusesABadPatchWithPathsUnderTheGivenRoot()
    {
        const auto patched = patchChaosModel(
            ChaosModelProfile{}, json::parse(R"({"faults":{"reset":7}})"), {}, u"set"_s);
        QVERIFY(!patched.model);
        QVERIFY(hasErrorAt(patched.errors, u"set.faults.reset"_s, u"<= 1"_s));
        QVERIFY(!patchChaosModel(ChaosModelProfile{}, json(3)).model);
    }

    void parsesATimeline()
    {
        const ChaosTimelineParseResult result = parseChaosTimeline(json::parse(
            R"([{"at_s":15,"model":"claude-sonnet-4-5","set":{"faults":{"unavailable":1.0}},"note":"primary down"},
                {"at_s":35.5,"model":"claude-sonnet-4-5","set":{"faults":{"unavailable":0.0}}}])"));
        QVERIFY2(result.timeline, qPrintable(describe(result.errors).join(u'\n')));
        QCOMPARE(result.timeline->size(), 2);
        QCOMPARE(result.timeline->at(0).at, Millis(15000));
        QCOMPARE(result.timeline->at(0).note, u"primary down"_s);
        QCOMPARE(result.timeline->at(1).at, Millis(35500));
        QVERIFY(result.timeline->at(1).set["faults"]["unavailable"] == json(0.0));
    }

    void reportsTimelineProblemsWithTheirPaths_data()
    {
        QTest::addColumn<QString>("timeline");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("negative at")
            << u"[{\"at_s\":-1,\"model\":\"m\"}]"_s << u"chaos.timeline[0].at_s"_s << u">= 0"_s;
        QTest::newRow("missing at") << u"[{\"model\":\"m\"}]"_s << u"chaos.timeline[0]"_s
                                    << u"missing required field 'at_s'"_s;
        QTest::newRow("missing model") << u"[{\"at_s\":1},{\"at_s\":2}]"_s << u"chaos.timeline[1]"_s
                                       << u"missing required field 'model'"_s;
        QTest::newRow("bad set")
            << u"[{\"at_s\":1,\"model\":\"m\",\"set\":{\"faults\":{\"auth\":3}}}]"_s
            << u"chaos.timeline[0].set.faults.auth"_s << u"<= 1"_s;
        QTest::newRow("unknown field") << u"[{\"at\":1,\"at_s\":1,\"model\":\"m\"}]"_s
                                       << u"chaos.timeline[0]"_s << u"unknown field 'at'"_s;
        QTest::newRow("not array") << u"{}"_s << u"chaos.timeline"_s << u"array"_s;
        QTest::newRow("item not object") << u"[3]"_s << u"chaos.timeline[0]"_s << u"object"_s;
    }
    void reportsTimelineProblemsWithTheirPaths()
    {
        QFETCH(QString, timeline);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const ChaosTimelineParseResult result = parseChaosTimeline(
            json::parse(timeline.toStdString()), u"s.json"_s, u"chaos.timeline"_s);
        QVERIFY(!result.timeline);
        QVERIFY2(hasErrorAt(result.errors, path, message),
                 qPrintable(describe(result.errors).join(u'\n')));
    }

    void loadsAProfileFileAndLabelsItsErrors()
    {
        QTemporaryDir dir;
        const QString good = dir.filePath(u"good.json"_s);
        const QString bad = dir.filePath(u"bad.json"_s);
        const QString broken = dir.filePath(u"broken.json"_s);
        const auto write = [](const QString &path, const QByteArray &text) {
            QFile file(path);
            return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
        };
        QVERIFY(write(good, QByteArray::fromStdString(kSpecExample.dump())));
        QVERIFY(write(bad, R"({"models":{"m":{"faults":{"auth":9}}}})"));
        QVERIFY(write(broken, "{\"models\": "));
        QVERIFY(loadChaosProfileFile(good).profile);
        const ChaosProfileParseResult invalid = loadChaosProfileFile(bad);
        QVERIFY(!invalid.profile);
        QCOMPARE(invalid.errors.front().toString(),
                 bad + u": models.m.faults.auth: must be a number <= 1"_s);
        const ChaosProfileParseResult unreadable = loadChaosProfileFile(broken);
        QVERIFY(!unreadable.profile);
        QCOMPARE(unreadable.errors.front().file, broken);
        QVERIFY(!loadChaosProfileFile(dir.filePath(u"missing.json"_s)).errors.isEmpty());
    }

    void namesEveryFaultBothWays()
    {
        for (ChaosFault fault : allChaosFaults())
            QCOMPARE(chaosFaultFromName(chaosFaultName(fault)), std::optional<ChaosFault>(fault));
        QCOMPARE(chaosFaultName(ChaosFault::StreamTruncate), u"stream_truncate"_s);
        QCOMPARE(chaosFaultName(ChaosFault::StreamNoTerminator), u"stream_no_terminator"_s);
        QCOMPARE(chaosFaultName(ChaosFault::ContentFilter), u"content_filter"_s);
        QCOMPARE(allChaosFaults().back(), ChaosFault::ContentFilter);
        QVERIFY(!chaosFaultFromName(u"ok"));
    }

    void computesTheStandardNormalQuantile()
    {
        QCOMPARE(standardNormalQuantile(0.5), 0.0);
        QVERIFY(std::abs(standardNormalQuantile(0.99) - 2.3263478740) < 1e-7);
        QVERIFY(std::abs(standardNormalQuantile(0.975) - 1.9599639845) < 1e-7);
        QVERIFY(std::abs(standardNormalQuantile(0.01) + 2.3263478740) < 1e-7);
        QVERIFY(std::abs(standardNormalQuantile(0.001) + 3.0902323062) < 1e-6);
    }

    void samplesLatencyWhoseMedianAndP99MatchTheProfile()
    {
        const LatencySpec spec{600, 2500};
        QVERIFY(std::abs(sampleLatencyMs(spec, 0.5) - 600) < 1e-6);
        QVERIFY(std::abs(sampleLatencyMs(spec, 0.99) - 2500) < 1e-3);
        SeededRandom random(7);
        std::vector<double> samples;
        for (int i = 0; i < 20000; ++i)
            samples.push_back(sampleLatencyMs(spec, random.uniform01()));
        std::sort(samples.begin(), samples.end());
        const double median = samples[samples.size() / 2];
        const double p99 = samples[samples.size() * 99 / 100];
        QVERIFY2(std::abs(median - 600) < 30, qPrintable(QString::number(median)));
        QVERIFY2(std::abs(p99 - 2500) < 250, qPrintable(QString::number(p99)));
        QVERIFY(samples.front() > 0);
    }

    void samplesAFixedLatencyWithoutSpreadAndNoneWithoutLatency()
    {
        QCOMPARE(sampleLatencyMs(LatencySpec{250, 250}, 0.999), 250.0);
        QCOMPARE(sampleLatencyMs(LatencySpec{}, 0.3), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestChaosProfile)
#include "tst_chaosprofile.moc"

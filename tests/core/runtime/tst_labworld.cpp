// The world a Lab runs in: the real one listens on loopback as before; the in-process one
// answers through the chaos server's handler on a FakeClock, with no socket, and refuses
// what it cannot run.
#include "chaos/chaosserver.h"
#include "common/fakeclock.h"
#include "config/configloader.h"
#include "runtime/lab.h"
#include "runtime/virtualtime.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

Config configFrom(const char *overlay)
{
    const ConfigParseResult parsed =
        parseConfig(mergePatch(defaultConfigJson(), nlohmann::json::parse(overlay)), u"test"_s);
    if (!parsed.config)
        qFatal("test config is invalid");
    return *parsed.config;
}

Lab::Options oneThread()
{
    Lab::Options options;
    options.threads = 0;
    options.chaosThread = false;
    return options;
}

} // namespace

class TestLabWorld final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theRealWorldReachesTheChaosServerOverLoopback()
    {
        Lab lab(configFrom("{}"), oneThread(), LabWorld::real());
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));
        QVERIFY(lab.chaos());
        QVERIFY(lab.chaos()->isListening());
    }

    void aCallInProcessIsAnsweredOnTheFakeClockWithoutListening()
    {
        auto clock = std::make_shared<FakeClock>();
        Lab lab(configFrom(R"({"retry": {"max_attempts": 1}})"), oneThread(),
                LabWorld::inProcess(clock));
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));
        QVERIFY(lab.chaos());
        QVERIFY(!lab.chaos()->isListening());
        QCOMPARE(&lab.clock(), clock.get());
        lab.chaos()->controller().patchModel(u"claude-sonnet-4-5"_s,
                                             {{"latency_ms", {{"p50", 750}, {"p99", 750}}}});

        std::optional<CallResult> result;
        CallRequest request;
        request.prompt = u"hello"_s;
        lab.engines().submit(request, [&result](const CallResult &done) { result = done; });
        QVERIFY(runInVirtualTime(*clock, [&] { return result.has_value(); }));
        QCOMPARE(result->source, u"claude-sonnet-4-5"_s);
        QVERIFY(!result->text.isEmpty());
        // The answer took its latency on the fake clock, and no real time.
        QCOMPARE(clock->now(), Millis(750));
        QCOMPARE(lab.chaos()->controller().stats().value(u"claude-sonnet-4-5"_s).requests,
                 qint64(1));
    }

    void inProcessRefusesEngineThreads()
    {
        Lab::Options options = oneThread();
        options.threads = 2;
        Lab lab(configFrom("{}"), options, LabWorld::inProcess(std::make_shared<FakeClock>()));
        QString error;
        QVERIFY(!lab.start(&error));
        QVERIFY2(error.contains(u"threads"_s), qPrintable(error));
    }

    void inProcessRefusesAProviderOtherThanTheEmbeddedOne()
    {
        const Config config = configFrom(R"({"chain": [
            {"provider": "chaos", "model": "claude-sonnet-4-5"},
            {"provider": "anthropic", "model": "claude-haiku-4-5"}]})");
        QCOMPARE(inProcessProblem(configFrom("{}")), QString());
        QVERIFY(inProcessProblem(config).startsWith(u"chain[1].provider: 'anthropic'"_s));
        Lab lab(config, oneThread(), LabWorld::inProcess(std::make_shared<FakeClock>()));
        QString error;
        QVERIFY(!lab.start(&error));
        QCOMPARE(error, inProcessProblem(config));
    }
};

QTEST_GUILESS_MAIN(TestLabWorld)
#include "tst_labworld.moc"

#include "chaos/chaoscontroller.h"
#include "chaos/chaosrequesthandler.h"
#include "chaostestsupport.h"
#include "common/fakeclock.h"

#include <QSignalSpy>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace breakwater::test;
using nlohmann::json;

namespace {

const QDateTime kWallNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);

const json kBaseline = json::parse(R"({"models":{
    "claude-sonnet-4-5":{"latency_ms":{"p50":600,"p99":2500},"faults":{"rate_limited":0.05}},
    "*":{"context_window":1000}}})");

ChaosProfile baseline()
{
    return *parseChaosProfile(kBaseline).profile;
}

ChaosProfile mixedFaults()
{
    ChaosModelProfile model;
    model.latency = {100, 900};
    model.setFaultRate(ChaosFault::RateLimited, 0.2);
    model.setFaultRate(ChaosFault::Overloaded, 0.1);
    model.setFaultRate(ChaosFault::Reset, 0.05);
    model.setFaultRate(ChaosFault::StreamStall, 0.05);
    ChaosProfile profile;
    profile.models.insert(kChaosAnyModel, model);
    return profile;
}

ChaosCall callFor(const QString &model)
{
    ChaosCall call;
    call.model = model;
    call.inputTokens = 10;
    call.outputTokens = 40;
    return call;
}

} // namespace

class TestChaosControl final : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;
    std::unique_ptr<ChaosController> m_controller;
    std::unique_ptr<ChaosRequestHandler> m_handler;

    std::shared_ptr<RecordingResponder> send(const QByteArray &method, const QByteArray &path,
                                             const QByteArray &body = {})
    {
        auto responder = std::make_shared<RecordingResponder>();
        m_handler->handleRequest(makeRequest(method, path, body), responder);
        return responder;
    }

    std::shared_ptr<RecordingResponder> sendJson(const QByteArray &method, const QByteArray &path,
                                                 const json &body)
    {
        return send(method, path, jsonBody(body));
    }

    const ChaosModelProfile &entry(const QString &model) const
    {
        return *m_controller->profile().find(model);
    }

private Q_SLOTS:
    void init()
    {
        m_handler.reset();
        m_controller = std::make_unique<ChaosController>(m_clock, 11, baseline());
        m_handler = std::make_unique<ChaosRequestHandler>(*m_controller, [] { return kWallNow; });
    }

    void showsTheCurrentProfile()
    {
        const auto reply = send("GET", "/chaos/profile");
        QCOMPARE(reply->status, 200);
        const json profile = reply->json();
        QVERIFY(profile["models"]["claude-sonnet-4-5"]["latency_ms"]["p99"] == 2500);
        QVERIFY(profile["models"]["claude-sonnet-4-5"]["faults"]["rate_limited"] == 0.05);
        QVERIFY(profile["models"]["*"]["context_window"] == 1000);
    }

    void replacesTheProfileWithAValidOne()
    {
        QSignalSpy changed(m_controller.get(), &ChaosController::profileChanged);
        const auto reply = sendJson("PUT", "/chaos/profile",
                                    json::parse(R"({"models":{"a":{"faults":{"auth":1}}}})"));
        QCOMPARE(reply->status, 200);
        QCOMPARE(changed.size(), 1);
        QVERIFY(m_controller->profile().find(u"a"_s));
        QVERIFY(!m_controller->profile().find(u"claude-sonnet-4-5"_s));
        QCOMPARE(entry(u"a"_s).faultRate(ChaosFault::Auth), 1.0);
        // The baseline is untouched.
        QVERIFY(m_controller->baseline().find(u"claude-sonnet-4-5"_s));
    }

    void refusesAnInvalidProfileListingEveryErrorWithItsPath()
    {
        QSignalSpy changed(m_controller.get(), &ChaosController::profileChanged);
        const auto reply = sendJson(
            "PUT", "/chaos/profile",
            json::parse(R"({"models":{"a":{"faults":{"auth":3}},"b":{"limits":{"rpm":-2}}}})"));
        QCOMPARE(reply->status, 400);
        const json body = reply->json();
        QCOMPARE(body["errors"].size(), std::size_t(2));
        QVERIFY(body["errors"][0]["path"] == "models.a.faults.auth");
        QVERIFY(body["errors"][1]["path"] == "models.b.limits.rpm");
        QVERIFY(body["error"]["message"] == "invalid profile");
        QCOMPARE(changed.size(), 0);
        QVERIFY(m_controller->profile().find(u"claude-sonnet-4-5"_s));
    }

    void refusesABodyThatIsNotJson()
    {
        const auto reply = send("PUT", "/chaos/profile", "{\"models\":");
        QCOMPARE(reply->status, 400);
        QVERIFY(QString::fromStdString(reply->json()["error"]["message"].get<std::string>())
                    .contains(u"not valid JSON"_s));
        QCOMPARE(send("PATCH", "/chaos/models/x", "nope")->status, 400);
        QCOMPARE(send("POST", "/chaos/timeline", "")->status, 400);
        // Found by fuzz_httprequest: a number beyond double is out_of_range, not parse_error,
        // and used to escape the handler.
        QCOMPARE(send("PUT", "/chaos/profile", R"({"models":{"*":{"ttft_ms":1e400}}})")->status, 400);
    }

    void patchesOneModelDeeply()
    {
        const auto reply = sendJson("PATCH", "/chaos/models/claude-sonnet-4-5",
                                    json::parse(R"({"faults":{"unavailable":1.0}})"));
        QCOMPARE(reply->status, 200);
        QVERIFY(reply->json()["faults"]["unavailable"] == 1.0);
        const ChaosModelProfile &model = entry(u"claude-sonnet-4-5"_s);
        QCOMPARE(model.faultRate(ChaosFault::Unavailable), 1.0);
        QCOMPARE(model.faultRate(ChaosFault::RateLimited), 0.05);
        QCOMPARE(model.latency.p99Ms, 2500.0);
    }

    void patchesAnUnlistedModelStartingFromTheWildcard()
    {
        QVERIFY(
            sendJson("PATCH", "/chaos/models/claude-haiku-4-5", json::parse(R"({"ttft_ms":50})"))
                ->status == 200);
        QVERIFY(m_controller->profile().models.contains(u"claude-haiku-4-5"_s));
        QCOMPARE(entry(u"claude-haiku-4-5"_s).contextWindow, 1000); // from "*"
        QCOMPARE(entry(u"claude-haiku-4-5"_s).ttftMs, 50.0);
        // The wildcard itself, percent-encoded in the path.
        QVERIFY(sendJson("PATCH", "/chaos/models/%2A", json::parse(R"({"context_window":7})"))
                    ->status == 200);
        QCOMPARE(entry(u"someone-else"_s).contextWindow, 7);
        QCOMPARE(entry(u"claude-haiku-4-5"_s).contextWindow, 1000);
    }

    void refusesAnInvalidPatchAndKeepsTheEntry()
    {
        const auto reply = sendJson("PATCH", "/chaos/models/claude-sonnet-4-5",
                                    json::parse(R"({"faults":{"timout":0.5}})"));
        QCOMPARE(reply->status, 400);
        QVERIFY2(reply->json()["errors"][0]["path"] == "faults", reply->body.constData());
        QVERIFY2(reply->body.contains("unknown field 'timout'"), reply->body.constData());
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::Timeout), 0.0);
    }

    void showsOneModelsEntry()
    {
        QVERIFY(send("GET", "/chaos/models/anything")->json()["context_window"] == 1000);
        ChaosProfile strict;
        strict.models.insert(u"a"_s, ChaosModelProfile{});
        m_controller->setProfile(strict);
        QCOMPARE(send("GET", "/chaos/models/b")->status, 404);
    }

    void countsEveryRequestAndHowItWasAnswered()
    {
        m_controller->patchModel(u"claude-sonnet-4-5"_s,
                                 json::parse(R"({"faults":{"rate_limited":0}})"));
        for (int i = 0; i < 3; ++i)
            m_handler->handleRequest(chatRequest(WireFormat::Anthropic, "claude-sonnet-4-5", "hi"),
                                     std::make_shared<RecordingResponder>());
        m_handler->handleRequest(chatRequest(WireFormat::OpenAI, "claude-sonnet-4-5", "hi", false,
                                             HttpHeaders{{"x-chaos-fault", "overloaded"}}),
                                 std::make_shared<RecordingResponder>());
        m_handler->handleRequest(chatRequest(WireFormat::OpenAI, "other", "hi", false,
                                             HttpHeaders{{"x-chaos-fault", "timeout"}}),
                                 std::make_shared<RecordingResponder>());
        const json stats = send("GET", "/chaos/stats")->json();
        const json &sonnet = stats["models"]["claude-sonnet-4-5"];
        QVERIFY(sonnet["requests"] == 4);
        QVERIFY(sonnet["answers"]["ok"] == 3);
        QVERIFY(sonnet["answers"]["overloaded"] == 1);
        QVERIFY(sonnet["answers"]["rate_limited"] == 0);
        QVERIFY(sonnet["answers"].contains("stream_truncate"));
        QVERIFY(sonnet["answers"]["stream_no_terminator"] == 0);
        QVERIFY(sonnet["answers"]["content_filter"] == 0);
        QVERIFY(stats["models"]["other"]["answers"]["timeout"] == 1);
    }

    void resetRestoresTheBaselineZeroesStatsAndStopsTheTimeline()
    {
        m_controller->patchModel(u"claude-sonnet-4-5"_s,
                                 json::parse(R"({"faults":{"overloaded":1}})"));
        m_controller->decide(callFor(u"claude-sonnet-4-5"_s));
        QVERIFY(sendJson("POST", "/chaos/timeline",
                         json::parse(R"({"timeline":[{"at_s":10,"model":"x","set":{}}]})"))
                    ->status == 200);
        QCOMPARE(m_controller->pendingTimelineSteps(), 1);
        QSignalSpy changed(m_controller.get(), &ChaosController::profileChanged);
        const auto reply = send("POST", "/chaos/reset");
        QCOMPARE(reply->status, 200);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::Overloaded), 0.0);
        QVERIFY(m_controller->stats().isEmpty());
        QCOMPARE(m_controller->pendingTimelineSteps(), 0);
        QVERIFY(send("GET", "/chaos/stats")->json()["models"].empty());
    }

    void appliesTimelineStepsAtTheirTimesFromNow()
    {
        m_clock.advance(Millis(100000)); // "from now", not from the clock's origin
        QSignalSpy changed(m_controller.get(), &ChaosController::profileChanged);
        QSignalSpy steps(m_controller.get(), &ChaosController::timelineStepApplied);
        const auto reply = sendJson("POST", "/chaos/timeline", json::parse(R"({"timeline":[
            {"at_s":15,"model":"claude-sonnet-4-5","set":{"faults":{"unavailable":1.0}},"note":"primary down"},
            {"at_s":35,"model":"claude-sonnet-4-5","set":{"faults":{"unavailable":0.0}},"note":"primary back"}]})"));
        QCOMPARE(reply->status, 200);
        QVERIFY(reply->json()["scheduled"] == 2);

        m_clock.advance(Millis(14999));
        QCOMPARE(steps.size(), 0);
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::Unavailable), 0.0);
        m_clock.advance(Millis(1));
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.at(0).at(0).toString(), u"claude-sonnet-4-5"_s);
        QCOMPARE(steps.at(0).at(1).toString(), u"primary down"_s);
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::Unavailable), 1.0);
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::RateLimited), 0.05);
        QCOMPARE(changed.size(), 1);
        // Taken down: every request fails, whatever else the profile says.
        for (int i = 0; i < 50; ++i) {
            const ChaosDecision decision = m_controller->decide(callFor(u"claude-sonnet-4-5"_s));
            QCOMPARE(decision.verdict, ChaosDecision::Verdict::Fault);
            QCOMPARE(decision.fault, ChaosFault::Unavailable);
        }
        m_clock.advance(Millis(20000));
        QCOMPARE(steps.size(), 2);
        QCOMPARE(steps.at(1).at(1).toString(), u"primary back"_s);
        QCOMPARE(entry(u"claude-sonnet-4-5"_s).faultRate(ChaosFault::Unavailable), 0.0);
        QCOMPARE(m_controller->pendingTimelineSteps(), 0);
    }

    void aNewTimelineReplacesTheRunningOneAndDeleteStopsIt()
    {
        QSignalSpy steps(m_controller.get(), &ChaosController::timelineStepApplied);
        sendJson("POST", "/chaos/timeline",
                 json::parse(R"({"timeline":[{"at_s":5,"model":"a","note":"first"}]})"));
        sendJson("POST", "/chaos/timeline",
                 json::parse(R"({"timeline":[{"at_s":8,"model":"a","note":"second"}]})"));
        m_clock.advance(Millis(10000));
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.at(0).at(1).toString(), u"second"_s);
        sendJson("POST", "/chaos/timeline",
                 json::parse(R"({"timeline":[{"at_s":1,"model":"a","note":"third"}]})"));
        QCOMPARE(send("DELETE", "/chaos/timeline")->status, 200);
        m_clock.advance(Millis(10000));
        QCOMPARE(steps.size(), 1);
    }

    void refusesAnInvalidTimelineWithPaths_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("path");
        QTest::newRow("negative time")
            << QByteArray(R"({"timeline":[{"at_s":1,"model":"a"},{"at_s":-3,"model":"a"}]})")
            << u"timeline[1].at_s"_s;
        QTest::newRow("bad set")
            << QByteArray(R"({"timeline":[{"at_s":1,"model":"a","set":{"faults":{"reset":2}}}]})")
            << u"timeline[0].set.faults.reset"_s;
        QTest::newRow("no timeline") << QByteArray(R"({"steps":[]})") << QString();
        QTest::newRow("not an array") << QByteArray(R"({"timeline":{}})") << u"timeline"_s;
    }
    void refusesAnInvalidTimelineWithPaths()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, path);
        const auto reply = send("POST", "/chaos/timeline", body);
        QCOMPARE(reply->status, 400);
        bool found = false;
        const json answer = reply->json();
        for (const json &error : answer["errors"])
            found = found || QString::fromStdString(error["path"].get<std::string>()) == path;
        QVERIFY2(found, reply->body.constData());
        QCOMPARE(m_controller->pendingTimelineSteps(), 0);
    }

    void answersUnknownControlPathsAndMethods()
    {
        QCOMPARE(send("GET", "/chaos/nothing")->status, 404);
        const auto reply = send("DELETE", "/chaos/profile");
        QCOMPARE(reply->status, 405);
        QCOMPARE(reply->headers.value("allow"), QByteArray("GET, PUT"));
        QCOMPARE(send("GET", "/chaos/reset")->status, 405);
        QCOMPARE(send("POST", "/chaos/stats")->status, 405);
    }

    void givesTheSameFaultsAndLatenciesForTheSameSeed()
    {
        const auto run = [this](std::uint64_t seed) {
            ChaosController controller(m_clock, seed, mixedFaults());
            QList<QPair<int, qint64>> outcomes;
            for (int i = 0; i < 300; ++i) {
                ChaosCall call = callFor(i % 3 == 0 ? u"a"_s : u"b"_s);
                call.stream = i % 2 == 0;
                const ChaosDecision decision = controller.decide(call);
                const int kind = decision.verdict == ChaosDecision::Verdict::Fault
                                     ? 100 + static_cast<int>(decision.fault)
                                     : static_cast<int>(decision.verdict);
                outcomes.append({kind, decision.latency.count()});
            }
            return outcomes;
        };
        const auto first = run(2024);
        QCOMPARE(run(2024), first);
        QVERIFY(run(2025) != first);
        // The rates show: about 40 % faulty over 300 requests.
        const auto faulty = std::count_if(first.cbegin(), first.cend(),
                                          [](const auto &outcome) { return outcome.first >= 100; });
        QVERIFY2(faulty > 80 && faulty < 160, qPrintable(QString::number(faulty)));
    }

    void givesTheSameAnswersByteForByteForTheSameSeed()
    {
        const auto run = [this] {
            ChaosController controller(m_clock, 99, mixedFaults());
            ChaosRequestHandler handler(controller, [] { return kWallNow; });
            QList<QByteArray> transcript;
            for (int i = 0; i < 40; ++i) {
                auto responder = std::make_shared<RecordingResponder>();
                handler.handleRequest(
                    chatRequest(i % 2 ? WireFormat::Anthropic : WireFormat::OpenAI, "m",
                                "prompt " + std::to_string(i % 5), i % 4 == 0),
                    responder);
                m_clock.advance(Millis(1000)); // past every latency
                QByteArray line = QByteArray::number(responder->status) + ' ' +
                                  QByteArray::number(static_cast<int>(responder->end)) + ' ';
                for (const auto &[name, value] : responder->headers.fields())
                    line += name + '=' + value + ';';
                transcript.append(line + responder->body);
            }
            return transcript;
        };
        const QList<QByteArray> first = run();
        QCOMPARE(run(), first);
    }

    void restartsTheRandomSequenceOnReset()
    {
        ChaosController controller(m_clock, 5, mixedFaults());
        QList<qint64> before;
        for (int i = 0; i < 20; ++i)
            before.append(controller.decide(callFor(u"m"_s)).latency.count());
        controller.reset();
        QList<qint64> after;
        for (int i = 0; i < 20; ++i)
            after.append(controller.decide(callFor(u"m"_s)).latency.count());
        QCOMPARE(after, before);
    }

    void sendsStreamFaultsOnlyWhereTheyCanActAndCrowdsOutLesserRates()
    {
        ChaosModelProfile model;
        model.setFaultRate(ChaosFault::ServerError, 1.0);
        model.setFaultRate(ChaosFault::RateLimited, 0.5);
        ChaosProfile profile;
        profile.models.insert(u"m"_s, model);
        m_controller->setProfile(profile);
        for (int i = 0; i < 30; ++i)
            QCOMPARE(m_controller->decide(callFor(u"m"_s)).fault, ChaosFault::ServerError);
        ChaosCall forced = callFor(u"m"_s);
        forced.forcedOk = true;
        QCOMPARE(m_controller->decide(forced).verdict, ChaosDecision::Verdict::Ok);
        forced.forcedOk = false;
        forced.forcedFault = ChaosFault::Auth;
        QCOMPARE(m_controller->decide(forced).fault, ChaosFault::Auth);
    }

    void setBaselineChangesWhatResetReturnsTo()
    {
        ChaosProfile other;
        other.models.insert(u"z"_s, ChaosModelProfile{});
        m_controller->setBaseline(other);
        QVERIFY(m_controller->profile().find(u"z"_s));
        m_controller->setProfile(baseline());
        m_controller->reset();
        QVERIFY(m_controller->profile().find(u"z"_s));
        QVERIFY(!m_controller->profile().find(u"claude-sonnet-4-5"_s));
    }
};

QTEST_GUILESS_MAIN(TestChaosControl)
#include "tst_chaoscontrol.moc"

#include "chaos/answertext.h"
#include "chaos/chaosserver.h"
#include "chaostestsupport.h"
#include "common/fakeclock.h"
#include "engine/truncation.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <sys/resource.h>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace breakwater::test;
using nlohmann::json;

namespace {

const QDateTime kWallNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);
const std::string kPrompt = "Tell me about breakwaters and harbours.";

qsizetype deltaEvents(const QByteArray &body)
{
    const QList<SseEvent> events = parseSse(body);
    return std::count_if(events.cbegin(), events.cend(), [](const SseEvent &event) {
        return event.event == "content_block_delta";
    });
}

const char *formatName(WireFormat format)
{
    return format == WireFormat::Anthropic ? "anthropic" : "openai";
}

void addFormats()
{
    QTest::addColumn<int>("format");
    for (WireFormat format : {WireFormat::Anthropic, WireFormat::OpenAI})
        QTest::newRow(formatName(format)) << static_cast<int>(format);
}

/// The terminator each dialect ends a complete stream with.
QByteArray terminator(WireFormat format)
{
    return format == WireFormat::Anthropic ? QByteArray("message_stop") : QByteArray("[DONE]");
}

bool isJson(const QByteArray &bytes)
{
    return json::accept(bytes.constBegin(), bytes.constEnd());
}

ChaosProfile profileWith(const std::function<void(ChaosModelProfile &)> &edit)
{
    ChaosModelProfile model;
    edit(model);
    ChaosProfile profile;
    profile.models.insert(kChaosAnyModel, model);
    return profile;
}

} // namespace

class TestChaosFaults final : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;
    std::unique_ptr<ChaosServer> m_server;

    quint16 startServer(ChaosProfile profile = defaultChaosProfile(), std::uint64_t seed = 7)
    {
        m_server.reset();
        m_server = std::make_unique<ChaosServer>(m_clock, seed, std::move(profile),
                                                 HttpServerOptions{}, [] { return kWallNow; });
        return m_server->listen() ? m_server->port() : 0;
    }

    /// Sends a chat request on a new raw connection.
    std::unique_ptr<RawClient> sendChat(WireFormat format, bool stream, const QByteArray &fault,
                                        HttpHeaders headers = {})
    {
        auto client = std::make_unique<RawClient>();
        if (!client->connectTo(m_server->port()))
            return nullptr;
        if (!fault.isEmpty())
            headers.add("x-chaos-fault", fault);
        client->send(
            rawRequest(chatRequest(format, "claude-sonnet-4-5", kPrompt, stream, headers)));
        return client;
    }

    /// Lets the event loop run `ms` with nothing expected to happen.
    static void settle(int ms = 20) { QTest::qWait(ms); }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void resetIsSeenAsAConnectionReset_data() { addFormats(); }
    void resetIsSeenAsAConnectionReset()
    {
        QFETCH(int, format);
        QVERIFY(startServer());
        for (bool stream : {false, true}) {
            auto client = sendChat(static_cast<WireFormat>(format), stream, "reset");
            QVERIFY(client);
            QTRY_VERIFY_WITH_TIMEOUT((client->poll(), client->reset || client->eof), 500);
            QVERIFY2(client->reset, "the client saw an orderly close, not a reset");
            QVERIFY(client->received.isEmpty());
        }
    }

    void timeoutAcceptsAndNeverAnswers_data() { addFormats(); }
    void timeoutAcceptsAndNeverAnswers()
    {
        QFETCH(int, format);
        QVERIFY(startServer());
        auto client = sendChat(static_cast<WireFormat>(format), false, "timeout");
        QTRY_COMPARE_WITH_TIMEOUT(
            m_server->controller().stats().value(u"claude-sonnet-4-5"_s).requests, qint64(1), 500);
        m_clock.advance(Millis(3600 * 1000));
        settle();
        QVERIFY(!client->poll());
        QVERIFY(client->received.isEmpty());
        QVERIFY(!client->eof && !client->reset);
        QCOMPARE(m_server->httpServer().connectionCount(), 1);
        QCOMPARE(m_server->handler().answersInProgress(), 0);
        // The client gives up; the server lets the connection go.
        client->disconnect();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->httpServer().connectionCount(), 0, 500);
    }

    void streamStallStopsMidStreamAndKeepsTheSocketOpen_data() { addFormats(); }
    void streamStallStopsMidStreamAndKeepsTheSocketOpen()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());
        auto client = sendChat(wire, true, "stream_stall");
        QTRY_VERIFY_WITH_TIMEOUT(client->response().body.contains("\n\n"), 500);
        settle();
        client->poll();
        const QByteArray sofar = client->received;
        const RawResponse response = parseRawResponse(sofar);
        QCOMPARE(response.status, 200);
        QVERIFY(response.chunked);
        QVERIFY(!response.bodyComplete);
        QVERIFY(!response.body.contains(terminator(wire)));
        QVERIFY(parseSse(response.body).size() >= 2); // mid-stream: deltas were sent first
        m_clock.advance(Millis(600 * 1000));
        settle();
        QVERIFY(!client->poll());
        QCOMPARE(client->received, sofar);
        QVERIFY(!client->eof && !client->reset);
    }

    void streamTruncateClosesWithoutTheTerminator_data() { addFormats(); }
    void streamTruncateClosesWithoutTheTerminator()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());
        auto client = sendChat(wire, true, "stream_truncate");
        QTRY_VERIFY_WITH_TIMEOUT((client->poll(), client->eof || client->reset), 500);
        QVERIFY(!client->reset);
        const RawResponse response = parseRawResponse(client->received);
        QCOMPARE(response.status, 200);
        QVERIFY(!response.bodyComplete); // no last chunk
        QVERIFY(!response.body.contains(terminator(wire)));
        QVERIFY(response.body.contains(wire == WireFormat::Anthropic ? "content_block_delta"
                                                                     : "\"content\""));
    }

    void streamNoTerminatorEndsTheBodyCleanlyWithoutTheTerminator_data() { addFormats(); }
    void streamNoTerminatorEndsTheBodyCleanlyWithoutTheTerminator()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());
        auto client = sendChat(wire, true, "stream_no_terminator");
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500); // the last chunk came
        const RawResponse response = client->response();
        QCOMPARE(response.status, 200);
        QVERIFY(response.chunked);
        QVERIFY(!response.body.contains(terminator(wire)));
        QVERIFY(response.body.contains(wire == WireFormat::Anthropic
                                           ? "\"stop_reason\":\"end_turn\""
                                           : "\"finish_reason\":\"stop\""));
        settle();
        QVERIFY(!client->poll() && !client->eof && !client->reset); // the connection stays
    }

    void streamErrorSendsTheApisErrorEvent_data() { addFormats(); }
    void streamErrorSendsTheApisErrorEvent()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());
        auto client = sendChat(wire, true, "stream_error");
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500);
        const RawResponse response = client->response();
        QVERIFY(!response.body.contains(terminator(wire)));
        const QList<SseEvent> events = parseSse(response.body);
        const json last = json::parse(events.back().data.toStdString());
        if (wire == WireFormat::Anthropic) {
            QCOMPARE(events.back().event, QByteArray("error"));
            QVERIFY(
                last ==
                json::parse(
                    R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
        } else {
            QVERIFY(last["error"]["type"] == "server_error");
            QVERIFY(last["error"].contains("code"));
        }
        QVERIFY(events.size() >= 3);
        QVERIFY(!client->eof); // the connection itself stays usable
    }

    void malformedAnswersA200ThatIsNotJson_data() { addFormats(); }
    void malformedAnswersA200ThatIsNotJson()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());
        auto client = sendChat(wire, false, "malformed");
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500);
        RawResponse response = client->response();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(!response.body.isEmpty());
        QVERIFY(!isJson(response.body));

        auto streamClient = sendChat(wire, true, "malformed");
        QTRY_VERIFY_WITH_TIMEOUT(streamClient->response().bodyComplete, 500);
        response = streamClient->response();
        QVERIFY(!response.body.contains(terminator(wire)));
        const QList<SseEvent> events = parseSse(response.body);
        QVERIFY(!isJson(events.back().data));
        for (qsizetype i = 0; i + 1 < events.size(); ++i)
            QVERIFY(isJson(events.at(i).data));
    }

    void streamFaultsActOnTheBodyOfNonStreamingAnswers_data() { addFormats(); }
    void streamFaultsActOnTheBodyOfNonStreamingAnswers()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        QVERIFY(startServer());

        auto stall = sendChat(wire, false, "stream_stall");
        QTRY_VERIFY_WITH_TIMEOUT(!stall->response().body.isEmpty(), 500);
        m_clock.advance(Millis(600 * 1000));
        settle();
        RawResponse response = stall->response();
        QCOMPARE(response.status, 200);
        QVERIFY(!response.bodyComplete);
        QVERIFY(response.body.size() < response.headers.value("content-length").toInt());
        QVERIFY(!stall->eof && !stall->reset);

        auto truncate = sendChat(wire, false, "stream_truncate");
        QTRY_VERIFY_WITH_TIMEOUT((truncate->poll(), truncate->eof), 500);
        response = parseRawResponse(truncate->received);
        QVERIFY(!response.bodyComplete);
        QVERIFY(!response.body.isEmpty());

        auto error = sendChat(wire, false, "stream_error");
        QTRY_VERIFY_WITH_TIMEOUT(error->response().bodyComplete, 500);
        QCOMPARE(error->response().status, wire == WireFormat::Anthropic ? 529 : 500);
    }

    void errorFaultsAnswerBeforeAnyStreamBegins_data() { addFormats(); }
    void errorFaultsAnswerBeforeAnyStreamBegins()
    {
        QFETCH(int, format);
        QVERIFY(startServer());
        auto client = sendChat(static_cast<WireFormat>(format), true, "overloaded");
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500);
        const RawResponse response = client->response();
        QCOMPARE(response.status, format == static_cast<int>(WireFormat::Anthropic) ? 529 : 503);
        QVERIFY(!response.chunked);
        QVERIFY(isJson(response.body));
    }

    void latencyDelaysTheAnswerOnTheInjectedClock()
    {
        QVERIFY(startServer(profileWith([](ChaosModelProfile &m) { m.latency = {2000, 2000}; })));
        auto client = sendChat(WireFormat::Anthropic, false, {});
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), 1, 500);
        m_clock.advance(Millis(1999));
        settle();
        QVERIFY(client->response().status == 0);
        m_clock.advance(Millis(1));
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500);
        QCOMPARE(client->response().status, 200);
        QCOMPARE(m_server->handler().answersInProgress(), 0);

        // x-chaos-latency-ms overrides the profile for one request.
        auto quick =
            sendChat(WireFormat::OpenAI, false, {}, HttpHeaders{{"x-chaos-latency-ms", "10"}});
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), 1, 500);
        m_clock.advance(Millis(10));
        QTRY_VERIFY_WITH_TIMEOUT(quick->response().bodyComplete, 500);
        QCOMPARE(quick->response().headers.value("openai-processing-ms"), QByteArray("10"));
    }

    void delaysFaultsByTheLatencyToo()
    {
        QVERIFY(startServer(profileWith([](ChaosModelProfile &m) { m.latency = {500, 500}; })));
        auto client = sendChat(WireFormat::Anthropic, false, "reset");
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), 1, 500);
        settle();
        client->poll();
        QVERIFY(!client->reset);
        m_clock.advance(Millis(500));
        QTRY_VERIFY_WITH_TIMEOUT((client->poll(), client->reset), 500);
    }

    void pacesStreamsByTimeToFirstTokenAndTokensPerSecond()
    {
        const ChaosProfile profile = profileWith([](ChaosModelProfile &m) {
            m.ttftMs = 300;
            m.tokensPerSecond = 10; // 100 ms a token
        });
        QVERIFY(startServer(profile));
        const AnswerText answer =
            generateAnswerText(QString::fromStdString(kPrompt), u"claude-sonnet-4-5"_s, 7, 1024);
        // After the first delta, each next one waits for its own tokens at 10 a second.
        qint64 pacedMs = 0;
        for (qsizetype i = 1; i < answer.pieces.size(); ++i)
            pacedMs += estimateTokens(answer.pieces.at(i)) * 100;

        auto client = sendChat(WireFormat::Anthropic, true, {});
        QTRY_VERIFY_WITH_TIMEOUT(client->response().body.contains("ping"), 500);
        settle();
        QVERIFY(!client->response().body.contains("content_block_delta"));
        m_clock.advance(Millis(299));
        settle();
        QVERIFY(!client->response().body.contains("content_block_delta"));
        m_clock.advance(Millis(1));
        QTRY_COMPARE_WITH_TIMEOUT(deltaEvents(client->response().body), 1, 500);
        m_clock.advance(Millis(pacedMs - 1));
        settle();
        QVERIFY(!client->response().bodyComplete);
        QCOMPARE(deltaEvents(client->response().body),
                 static_cast<qsizetype>(answer.pieces.size()) - 1);
        m_clock.advance(Millis(1));
        QTRY_VERIFY_WITH_TIMEOUT(client->response().bodyComplete, 500);
        QVERIFY(client->response().body.contains("message_stop"));
    }

    void stopsPacingWhenTheClientHangsUp()
    {
        QVERIFY(startServer(profileWith([](ChaosModelProfile &m) { m.tokensPerSecond = 1; })));
        auto client = sendChat(WireFormat::OpenAI, true, {});
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), 1, 500);
        client->disconnect();
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), 0, 500);
        QCOMPARE(m_clock.pendingTimers(), 0);
    }

    void aQtNetworkClientReadsAnswersStreamsAndFaults()
    {
        QVERIFY(startServer());
        QNetworkAccessManager manager;
        const auto post = [&](const QByteArray &fault, bool stream) {
            QNetworkRequest request(m_server->baseUrl().resolved(QUrl(u"/v1/messages"_s)));
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            if (!fault.isEmpty())
                request.setRawHeader("x-chaos-fault", fault);
            return manager.post(request, jsonBody(anthropicBody("m", kPrompt, stream)));
        };
        std::unique_ptr<QNetworkReply> ok(post({}, false));
        QTRY_VERIFY_WITH_TIMEOUT(ok->isFinished(), 500);
        QCOMPARE(ok->error(), QNetworkReply::NoError);
        QVERIFY(isJson(ok->readAll()));

        std::unique_ptr<QNetworkReply> stream(post({}, true));
        QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 500);
        QCOMPARE(stream->error(), QNetworkReply::NoError);
        QVERIFY(stream->readAll().contains("event: message_stop"));

        std::unique_ptr<QNetworkReply> overloaded(post("overloaded", false));
        QTRY_VERIFY_WITH_TIMEOUT(overloaded->isFinished(), 500);
        QCOMPARE(overloaded->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 529);

        std::unique_ptr<QNetworkReply> reset(post("reset", false));
        QTRY_VERIFY_WITH_TIMEOUT(reset->isFinished(), 500);
        QVERIFY(reset->error() != QNetworkReply::NoError);
        QVERIFY(reset->attribute(QNetworkRequest::HttpStatusCodeAttribute).isNull());

        std::unique_ptr<QNetworkReply> unterminated(post("stream_no_terminator", true));
        QTRY_VERIFY_WITH_TIMEOUT(unterminated->isFinished(), 500);
        QCOMPARE(unterminated->error(), QNetworkReply::NoError);
        const QByteArray unterminatedBody = unterminated->readAll();
        QVERIFY(unterminatedBody.contains("event: message_delta"));
        QVERIFY(!unterminatedBody.contains("message_stop"));

        std::unique_ptr<QNetworkReply> refused(post("content_filter", false));
        QTRY_VERIFY_WITH_TIMEOUT(refused->isFinished(), 500);
        QCOMPARE(refused->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(refused->readAll().contains("\"stop_reason\":\"refusal\""));

        std::unique_ptr<QNetworkReply> truncated(post("stream_truncate", true));
        QTRY_VERIFY_WITH_TIMEOUT(truncated->isFinished(), 500);
        QVERIFY(truncated->error() != QNetworkReply::NoError ||
                !truncated->readAll().contains("message_stop"));
    }

    void holdsAThousandConnectionsWithDelayedAnswers()
    {
        constexpr int kConnections = 1000;
        // Both ends live in this process: about 2,000 descriptors. Raise the soft limit
        // (often 1,024) as far as the hard one allows.
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);
        const rlim_t wanted = 2 * kConnections + 256;
        if (limit.rlim_cur < wanted) {
            limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
            ::setrlimit(RLIMIT_NOFILE, &limit);
        }
        if (limit.rlim_cur < wanted)
            QSKIP("the open-files limit is below 2,256 and cannot be raised");
        QVERIFY(startServer(profileWith([](ChaosModelProfile &m) { m.latency = {5000, 5000}; })));
        const QByteArray request =
            rawRequest(chatRequest(WireFormat::Anthropic, "m", "hello", false));
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < kConnections; ++i) {
            auto client = std::make_unique<RawClient>();
            QVERIFY(client->connectTo(m_server->port()));
            QVERIFY(client->send(request));
            clients.push_back(std::move(client));
            if (i % 100 == 99)
                QCoreApplication::processEvents();
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->handler().answersInProgress(), kConnections, 5000);
        QCOMPARE(m_server->httpServer().connectionCount(), kConnections);
        for (auto &client : clients) {
            client->poll();
            QVERIFY(client->received.isEmpty() && !client->eof && !client->reset);
        }
        m_clock.advance(Millis(5000));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(clients.begin(), clients.end(),
                        [](auto &client) { return client->response().bodyComplete; }),
            5000);
        for (auto &client : clients) {
            QCOMPARE(client->response().status, 200);
            QVERIFY(isJson(client->response().body));
        }
        QCOMPARE(m_server->httpServer().connectionCount(), kConnections);
        QCOMPARE(m_server->controller().stats().value(u"m"_s).answers.value(u"ok"_s),
                 qint64(kConnections));
    }
};

QTEST_GUILESS_MAIN(TestChaosFaults)
#include "tst_chaosfaults.moc"

#include "chaos/answertext.h"
#include "chaos/chaoscontroller.h"
#include "chaos/chaosrequesthandler.h"
#include "chaostestsupport.h"
#include "common/fakeclock.h"
#include "engine/truncation.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace breakwater::test;
using nlohmann::json;

namespace {

const QDateTime kWallNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);
const std::string kPrompt = "Why is the sea salty? Answer briefly.";

QString text(const json &value)
{
    return QString::fromStdString(value.get<std::string>());
}

} // namespace

class TestChaosWire final : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;
    std::unique_ptr<ChaosController> m_controller;
    std::unique_ptr<ChaosRequestHandler> m_handler;

    void makeServer(ChaosProfile profile = defaultChaosProfile(), std::uint64_t seed = 42)
    {
        m_handler.reset();
        m_controller = std::make_unique<ChaosController>(m_clock, seed, std::move(profile));
        m_handler = std::make_unique<ChaosRequestHandler>(*m_controller, [] { return kWallNow; });
    }

    std::shared_ptr<RecordingResponder> send(const HttpServerRequest &request)
    {
        auto responder = std::make_shared<RecordingResponder>();
        m_handler->handleRequest(request, responder);
        return responder;
    }

    std::shared_ptr<RecordingResponder> sendChat(WireFormat format, const std::string &model,
                                                 bool stream = false, HttpHeaders headers = {})
    {
        return send(chatRequest(format, model, kPrompt, stream, headers));
    }

private Q_SLOTS:
    void init() { makeServer(); }

    void answersAnthropicMessagesWithTheMessageShape()
    {
        const auto reply = sendChat(WireFormat::Anthropic, "claude-sonnet-4-5");
        QCOMPARE(reply->end, RecordingResponder::End::Responded);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(reply->headers.value("request-id").startsWith("req_"));
        const json body = reply->json();
        QVERIFY(text(body["id"]).startsWith(u"msg_01"_s));
        QVERIFY(body["type"] == "message");
        QVERIFY(body["role"] == "assistant");
        QVERIFY(body["model"] == "claude-sonnet-4-5");
        QVERIFY(body["content"].size() == 1);
        QVERIFY(body["content"][0]["type"] == "text");
        const QString answer = text(body["content"][0]["text"]);
        QVERIFY(!answer.isEmpty());
        QVERIFY(body["stop_reason"] == "end_turn");
        QVERIFY(body["stop_sequence"].is_null());
        QCOMPARE(body["usage"]["input_tokens"].get<int>(),
                 estimateTokens(QString::fromStdString(kPrompt)));
        QCOMPARE(body["usage"]["output_tokens"].get<int>(), estimateTokens(answer));
        QVERIFY(body["usage"]["output_tokens"].get<int>() >= 20);
    }

    void streamsAnthropicEventsInTheApisOrder()
    {
        const auto json200 = sendChat(WireFormat::Anthropic, "m")->json();
        makeServer(); // same seed: same answer
        const auto reply = sendChat(WireFormat::Anthropic, "m", true);
        QCOMPARE(reply->end, RecordingResponder::End::StreamEnded);
        QVERIFY(reply->streaming);
        QCOMPARE(reply->headers.value("content-type"),
                 QByteArray("text/event-stream; charset=utf-8"));
        const QList<SseEvent> events = parseSse(reply->body);
        QVERIFY(events.size() >= 7);
        QCOMPARE(events.at(0).event, QByteArray("message_start"));
        QCOMPARE(events.at(1).event, QByteArray("content_block_start"));
        QCOMPARE(events.at(2).event, QByteArray("ping"));
        QCOMPARE(events.at(events.size() - 3).event, QByteArray("content_block_stop"));
        QCOMPARE(events.at(events.size() - 2).event, QByteArray("message_delta"));
        QCOMPARE(events.back().event, QByteArray("message_stop"));
        QString streamed;
        for (qsizetype i = 3; i < events.size() - 3; ++i) {
            QCOMPARE(events.at(i).event, QByteArray("content_block_delta"));
            const json delta = json::parse(events.at(i).data.toStdString());
            QVERIFY(delta["type"] == "content_block_delta");
            QVERIFY(delta["delta"]["type"] == "text_delta");
            streamed += text(delta["delta"]["text"]);
        }
        QCOMPARE(streamed, text(json200["content"][0]["text"]));
        for (const SseEvent &event : events) {
            const json data = json::parse(event.data.toStdString());
            QCOMPARE(QByteArray::fromStdString(data["type"].get<std::string>()), event.event);
        }
        const json start = json::parse(events.front().data.toStdString());
        QVERIFY(start["message"]["usage"]["input_tokens"] == json200["usage"]["input_tokens"]);
        const json end = json::parse(events.at(events.size() - 2).data.toStdString());
        QVERIFY(end["delta"]["stop_reason"] == "end_turn");
        QVERIFY(end["usage"]["output_tokens"] == json200["usage"]["output_tokens"]);
    }

    void answersOpenAiChatCompletionsWithTheCompletionShape()
    {
        const auto reply = sendChat(WireFormat::OpenAI, "gpt-4.1");
        QCOMPARE(reply->status, 200);
        QVERIFY(reply->headers.value("x-request-id").startsWith("req_"));
        const json body = reply->json();
        QVERIFY(text(body["id"]).startsWith(u"chatcmpl-"_s));
        QVERIFY(body["object"] == "chat.completion");
        QCOMPARE(body["created"].get<qint64>(), kWallNow.toSecsSinceEpoch());
        QVERIFY(body["model"] == "gpt-4.1");
        QVERIFY(body["choices"][0]["index"] == 0);
        QVERIFY(body["choices"][0]["message"]["role"] == "assistant");
        QVERIFY(body["choices"][0]["finish_reason"] == "stop");
        const QString answer = text(body["choices"][0]["message"]["content"]);
        const int prompt = estimateTokens(QString::fromStdString(kPrompt));
        QCOMPARE(body["usage"]["prompt_tokens"].get<int>(), prompt);
        QCOMPARE(body["usage"]["completion_tokens"].get<int>(), estimateTokens(answer));
        QCOMPARE(body["usage"]["total_tokens"].get<int>(), prompt + estimateTokens(answer));
    }

    void servesOpenAiWithOrWithoutTheV1Prefix()
    {
        HttpServerRequest request = chatRequest(WireFormat::OpenAI, "m", kPrompt);
        request.path = "/chat/completions";
        const auto reply = send(request);
        QCOMPARE(reply->status, 200);
        QVERIFY(reply->json()["object"] == "chat.completion");
    }

    void streamsOpenAiChunksEndingWithDone_data()
    {
        QTest::addColumn<bool>("includeUsage");
        QTest::newRow("plain") << false;
        QTest::newRow("include_usage") << true;
    }
    void streamsOpenAiChunksEndingWithDone()
    {
        QFETCH(bool, includeUsage);
        const json whole = sendChat(WireFormat::OpenAI, "m")->json();
        makeServer();
        const auto reply =
            send(makeRequest("POST", "/v1/chat/completions",
                             jsonBody(openAiBody("m", kPrompt, true, includeUsage))));
        QCOMPARE(reply->end, RecordingResponder::End::StreamEnded);
        const QList<SseEvent> events = parseSse(reply->body);
        QCOMPARE(events.back().data, QByteArray("[DONE]"));
        QVERIFY(events.back().event.isEmpty());
        const json first = json::parse(events.front().data.toStdString());
        QVERIFY(first["object"] == "chat.completion.chunk");
        QVERIFY(first["choices"][0]["delta"]["role"] == "assistant");
        QString streamed;
        QString finish;
        json usageChunk;
        for (qsizetype i = 0; i + 1 < events.size(); ++i) {
            const json chunk = json::parse(events.at(i).data.toStdString());
            QVERIFY(chunk["id"] == first["id"]);
            QCOMPARE(chunk.contains("usage"), includeUsage);
            if (chunk["choices"].empty()) {
                usageChunk = chunk;
                continue;
            }
            QVERIFY(!includeUsage || chunk["usage"].is_null());
            const json &choice = chunk["choices"][0];
            if (choice["delta"].contains("content"))
                streamed += text(choice["delta"]["content"]);
            if (!choice["finish_reason"].is_null())
                finish = text(choice["finish_reason"]);
        }
        QCOMPARE(streamed, text(whole["choices"][0]["message"]["content"]));
        QCOMPARE(finish, u"stop"_s);
        QCOMPARE(usageChunk.is_object(), includeUsage);
        if (includeUsage)
            QVERIFY(usageChunk["usage"] == whole["usage"]);
    }

    void boundsTheAnswerByMaxTokens()
    {
        const auto anthropic = send(
            makeRequest("POST", "/v1/messages", jsonBody(anthropicBody("m", kPrompt, false, 5))));
        const json a = anthropic->json();
        QVERIFY(a["usage"]["output_tokens"].get<int>() <= 5);
        QVERIFY(a["usage"]["output_tokens"].get<int>() >= 1);
        QVERIFY(a["stop_reason"] == "max_tokens");

        json body = openAiBody("m", kPrompt);
        body["max_tokens"] = 3;
        const json o = send(makeRequest("POST", "/v1/chat/completions", jsonBody(body)))->json();
        QVERIFY(o["usage"]["completion_tokens"].get<int>() <= 3);
        QVERIFY(o["choices"][0]["finish_reason"] == "length");
    }

    void derivesTheTextFromPromptAndSeed()
    {
        const QString first =
            text(sendChat(WireFormat::Anthropic, "m")->json()["content"][0]["text"]);
        const QString again =
            text(sendChat(WireFormat::Anthropic, "m")->json()["content"][0]["text"]);
        QCOMPARE(again, first);
        const QString other = text(send(chatRequest(WireFormat::Anthropic, "m", "another prompt"))
                                       ->json()["content"][0]["text"]);
        QVERIFY(other != first);
        makeServer(defaultChaosProfile(), 43);
        QVERIFY(text(sendChat(WireFormat::Anthropic, "m")->json()["content"][0]["text"]) != first);
    }

    void refusesAPromptBeyondTheContextWindowAsEachApiDoes()
    {
        ChaosProfile profile;
        ChaosModelProfile small;
        small.contextWindow = 5;
        profile.models.insert(u"small"_s, small);
        makeServer(profile);
        const int tokens = estimateTokens(QString::fromStdString(kPrompt));

        const auto anthropic = sendChat(WireFormat::Anthropic, "small");
        QCOMPARE(anthropic->status, 400);
        const json a = anthropic->json();
        QVERIFY(a["type"] == "error");
        QVERIFY(a["error"]["type"] == "invalid_request_error");
        QCOMPARE(text(a["error"]["message"]),
                 u"prompt is too long: %1 tokens > 5 maximum"_s.arg(tokens));
        QCOMPARE(QByteArray::fromStdString(a["request_id"].get<std::string>()),
                 anthropic->headers.value("request-id"));

        const auto openai = sendChat(WireFormat::OpenAI, "small");
        QCOMPARE(openai->status, 400);
        const json o = openai->json();
        QVERIFY(o["error"]["code"] == "context_length_exceeded");
        QVERIFY(o["error"]["type"] == "invalid_request_error");
        QVERIFY(o["error"]["param"] == "messages");
        QVERIFY(text(o["error"]["message"]).contains(u"maximum context length is 5 tokens"_s));
        QVERIFY(text(o["error"]["message"]).contains(u"resulted in %1 tokens"_s.arg(tokens)));
        QCOMPARE(m_controller->stats().value(u"small"_s).answers.value(u"context_overflow"_s), 2);
    }

    void answersAnUnknownModelWithTheApisOwn404()
    {
        ChaosProfile profile;
        profile.models.insert(u"known"_s, ChaosModelProfile{});
        makeServer(profile);
        const auto anthropic = sendChat(WireFormat::Anthropic, "nope");
        QCOMPARE(anthropic->status, 404);
        QVERIFY(anthropic->json()["error"]["type"] == "not_found_error");
        QCOMPARE(text(anthropic->json()["error"]["message"]), u"model: nope"_s);
        const auto openai = sendChat(WireFormat::OpenAI, "nope");
        QCOMPARE(openai->status, 404);
        QVERIFY(openai->json()["error"]["code"] == "model_not_found");
        QCOMPARE(sendChat(WireFormat::OpenAI, "known")->status, 200);
        QCOMPARE(m_controller->stats().value(u"nope"_s).answers.value(u"not_found"_s), 2);
    }

    void refusesBadBodiesWithTheApis400_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        const int anthropic = static_cast<int>(WireFormat::Anthropic);
        const int openai = static_cast<int>(WireFormat::OpenAI);
        QTest::newRow("anthropic not json") << anthropic << QByteArray("{oops") << u"parsing"_s;
        QTest::newRow("anthropic empty") << anthropic << QByteArray() << u"parsing"_s;
        QTest::newRow("anthropic no model")
            << anthropic << QByteArray(R"({"max_tokens":5,"messages":[]})")
            << u"model: Field required"_s;
        QTest::newRow("anthropic no max_tokens")
            << anthropic
            << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")
            << u"max_tokens: Field required"_s;
        QTest::newRow("anthropic no messages")
            << anthropic << QByteArray(R"({"model":"m","max_tokens":5})")
            << u"messages: Field required"_s;
        QTest::newRow("anthropic bad role")
            << anthropic
            << QByteArray(
                   R"({"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"x"}]})")
            << u"messages.0.role"_s;
        QTest::newRow("openai not json") << openai << QByteArray("[") << u"could not parse"_s;
        QTest::newRow("openai no model")
            << openai << QByteArray(R"({"messages":[{"role":"user","content":"x"}]})")
            << u"you must provide a model parameter"_s;
        QTest::newRow("openai no messages") << openai << QByteArray(R"({"model":"m"})")
                                            << u"Missing required parameter: 'messages'"_s;
        QTest::newRow("openai bad max_tokens")
            << openai
            << QByteArray(
                   R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})")
            << u"max_tokens"_s;
    }
    void refusesBadBodiesWithTheApis400()
    {
        QFETCH(int, format);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const bool anthropic = format == static_cast<int>(WireFormat::Anthropic);
        const auto reply =
            send(makeRequest("POST", anthropic ? "/v1/messages" : "/v1/chat/completions", body));
        QCOMPARE(reply->status, 400);
        const json error = reply->json();
        if (anthropic) {
            QVERIFY(error["type"] == "error");
            QVERIFY(error["error"]["type"] == "invalid_request_error");
        } else {
            QVERIFY(error["error"]["type"] == "invalid_request_error");
            QVERIFY(error["error"].contains("param") && error["error"].contains("code"));
        }
        QVERIFY2(text(error[anthropic ? "error" : "error"]["message"]).contains(message),
                 reply->body.constData());
        qint64 bad = 0;
        for (const ChaosModelStats &stats : m_controller->stats())
            bad += stats.answers.value(u"bad_request"_s);
        QCOMPARE(bad, 1);
    }

    void answersForcedFaultsWithEachApisStatusAndBody_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("fault");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("message");
        const int a = static_cast<int>(WireFormat::Anthropic);
        const int o = static_cast<int>(WireFormat::OpenAI);
        QTest::newRow("anthropic rate_limited")
            << a << QByteArray("rate_limited") << 429 << u"rate_limit_error"_s << u"rate limit"_s;
        QTest::newRow("anthropic server_error")
            << a << QByteArray("server_error") << 500 << u"api_error"_s << u"Internal"_s;
        QTest::newRow("anthropic unavailable")
            << a << QByteArray("unavailable") << 503 << u"api_error"_s << u"unavailable"_s;
        QTest::newRow("anthropic overloaded")
            << a << QByteArray("overloaded") << 529 << u"overloaded_error"_s << u"Overloaded"_s;
        QTest::newRow("anthropic auth")
            << a << QByteArray("auth") << 401 << u"authentication_error"_s << u"x-api-key"_s;
        QTest::newRow("openai rate_limited") << o << QByteArray("rate_limited") << 429
                                             << u"rate_limit_exceeded"_s << u"Rate limit"_s;
        QTest::newRow("openai server_error")
            << o << QByteArray("server_error") << 500 << u"server_error"_s << u"had an error"_s;
        QTest::newRow("openai unavailable")
            << o << QByteArray("unavailable") << 503 << u"server_error"_s << u"unable"_s;
        QTest::newRow("openai overloaded") << o << QByteArray("overloaded") << 503
                                           << u"server_error"_s << u"currently overloaded"_s;
        QTest::newRow("openai auth")
            << o << QByteArray("auth") << 401 << u"invalid_api_key"_s << u"Incorrect API key"_s;
    }
    void answersForcedFaultsWithEachApisStatusAndBody()
    {
        QFETCH(int, format);
        QFETCH(QByteArray, fault);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QString, message);
        const auto wire = static_cast<WireFormat>(format);
        for (bool stream : {false, true}) {
            const auto reply = sendChat(wire, "m", stream, HttpHeaders{{"x-chaos-fault", fault}});
            QCOMPARE(reply->end, RecordingResponder::End::Responded);
            QCOMPARE(reply->status, status);
            QCOMPARE(reply->headers.value("content-type"), QByteArray("application/json"));
            const json body = reply->json();
            if (wire == WireFormat::Anthropic) {
                QVERIFY(body["type"] == "error");
                QCOMPARE(text(body["error"]["type"]), type);
                QVERIFY(text(body["request_id"]).startsWith(u"req_"_s));
                QCOMPARE(QByteArray::fromStdString(body["request_id"].get<std::string>()),
                         reply->headers.value("request-id"));
            } else {
                QVERIFY(body["error"].contains("param"));
                const json &error = body["error"];
                QCOMPARE(error["code"].is_string() ? text(error["code"]) : text(error["type"]),
                         type);
                QVERIFY(!reply->headers.value("x-request-id").isEmpty());
            }
            QVERIFY2(text(body["error"]["message"]).contains(message), reply->body.constData());
            if (status == 429) {
                QCOMPARE(reply->headers.value("retry-after"), QByteArray("1"));
                QCOMPARE(reply->headers.value("retry-after-ms"), QByteArray("1000"));
            } else {
                QVERIFY(!reply->headers.contains("retry-after"));
            }
        }
        QCOMPARE(m_controller->stats().value(u"m"_s).answers.value(QString::fromLatin1(fault)), 2);
    }

    void refusesAnUnknownForcedFaultOrLatency()
    {
        const auto fault =
            sendChat(WireFormat::Anthropic, "m", false, HttpHeaders{{"x-chaos-fault", "meteor"}});
        QCOMPARE(fault->status, 400);
        QVERIFY(text(fault->json()["error"]["message"]).contains(u"x-chaos-fault"_s));
        const auto latency =
            sendChat(WireFormat::OpenAI, "m", false, HttpHeaders{{"x-chaos-latency-ms", "-5"}});
        QCOMPARE(latency->status, 400);
        QVERIFY(text(latency->json()["error"]["message"]).contains(u"x-chaos-latency-ms"_s));
    }

    void sendsRateLimitHeadersThatDrain_data()
    {
        QTest::addColumn<int>("format");
        QTest::newRow("anthropic") << static_cast<int>(WireFormat::Anthropic);
        QTest::newRow("openai") << static_cast<int>(WireFormat::OpenAI);
    }
    void sendsRateLimitHeadersThatDrain()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        ChaosProfile profile;
        ChaosModelProfile model;
        model.rpm = 2;
        model.tpm = 100000;
        profile.models.insert(u"m"_s, model);
        makeServer(profile);
        const bool anthropic = wire == WireFormat::Anthropic;
        const QByteArray remaining =
            anthropic ? "anthropic-ratelimit-requests-remaining" : "x-ratelimit-remaining-requests";
        const auto first = sendChat(wire, "m");
        const auto second = sendChat(wire, "m");
        const auto third = sendChat(wire, "m");
        QCOMPARE(first->headers.value(remaining), QByteArray("1"));
        QCOMPARE(second->headers.value(remaining), QByteArray("0"));
        QCOMPARE(third->status, 429);
        QCOMPARE(third->headers.value(remaining), QByteArray("0"));
        QCOMPARE(third->headers.value("retry-after"), QByteArray("30"));
        QCOMPARE(third->headers.value("retry-after-ms"), QByteArray("30000"));
        if (anthropic) {
            QVERIFY(third->json()["error"]["type"] == "rate_limit_error");
            QCOMPARE(first->headers.value("anthropic-ratelimit-requests-limit"), QByteArray("2"));
            QCOMPARE(first->headers.value("anthropic-ratelimit-tokens-limit"),
                     QByteArray("100000"));
            // Reset dates are RFC 3339: one request is back 30 s after the first.
            QCOMPARE(first->headers.value("anthropic-ratelimit-requests-reset"),
                     QByteArray("2026-03-01T12:00:30Z"));
            QVERIFY(first->headers.value("anthropic-ratelimit-tokens-remaining").toInt() < 100000);
        } else {
            QVERIFY(third->json()["error"]["code"] == "rate_limit_exceeded");
            QVERIFY(third->json()["error"]["type"] == "requests");
            QCOMPARE(first->headers.value("x-ratelimit-limit-requests"), QByteArray("2"));
            QCOMPARE(first->headers.value("x-ratelimit-reset-requests"), QByteArray("30s"));
            QCOMPARE(second->headers.value("x-ratelimit-reset-requests"), QByteArray("1m0s"));
            QCOMPARE(first->headers.value("x-ratelimit-limit-tokens"), QByteArray("100000"));
            QVERIFY(!first->headers.value("x-ratelimit-reset-tokens").isEmpty());
        }
        m_clock.advance(Millis(30000));
        const auto later = sendChat(wire, "m");
        QCOMPARE(later->status, 200);
        QCOMPARE(later->headers.value(remaining), QByteArray("0"));
    }

    void sendsALargeAccountsRateLimitHeadersWithoutLimits()
    {
        const auto first = sendChat(WireFormat::OpenAI, "m");
        QCOMPARE(first->headers.value("x-ratelimit-limit-requests"), QByteArray("4000"));
        QCOMPARE(first->headers.value("x-ratelimit-remaining-requests"), QByteArray("3999"));
        QCOMPARE(first->headers.value("x-ratelimit-reset-requests"), QByteArray("15ms"));
        QCOMPARE(first->headers.value("x-ratelimit-limit-tokens"), QByteArray("2000000"));
        const int tokens = first->json()["usage"]["total_tokens"].get<int>();
        QCOMPARE(first->headers.value("x-ratelimit-remaining-tokens").toInt(), 2000000 - tokens);
        QVERIFY(!first->headers.value("x-ratelimit-reset-tokens").isEmpty());
        const auto second = sendChat(WireFormat::OpenAI, "m");
        QCOMPARE(second->headers.value("x-ratelimit-remaining-requests"), QByteArray("3998"));

        const auto anthropic = sendChat(WireFormat::Anthropic, "m");
        QCOMPARE(anthropic->headers.value("anthropic-ratelimit-requests-limit"),
                 QByteArray("4000"));
        QCOMPARE(anthropic->headers.value("anthropic-ratelimit-requests-remaining"),
                 QByteArray("3997"));
        QCOMPARE(anthropic->headers.value("anthropic-ratelimit-requests-reset"),
                 QByteArray("2026-03-01T12:00:00Z")); // full again in 45 ms
        QCOMPARE(anthropic->headers.value("anthropic-ratelimit-tokens-limit"),
                 QByteArray("2000000"));
        QVERIFY(anthropic->headers.value("anthropic-ratelimit-tokens-remaining").toInt() <
                2000000 - 2 * tokens);
        QVERIFY(anthropic->headers.contains("anthropic-ratelimit-tokens-reset"));
        // Refilled after a minute.
        m_clock.advance(Millis(60000));
        QCOMPARE(sendChat(WireFormat::OpenAI, "m")->headers.value("x-ratelimit-remaining-requests"),
                 QByteArray("3999"));
    }

    void everyAnswerCarriesRateLimitHeaders_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("answer");
        for (WireFormat format : {WireFormat::Anthropic, WireFormat::OpenAI}) {
            const char *name = format == WireFormat::Anthropic ? "anthropic" : "openai";
            for (const QString &answer :
                 {u"ok"_s, u"stream"_s, u"server_error"_s, u"rate_limited"_s, u"overloaded"_s,
                  u"auth"_s, u"content_filter"_s, u"stream_no_terminator"_s, u"not_found"_s,
                  u"bad_request"_s, u"context_overflow"_s, u"limit_reached"_s})
                QTest::addRow("%s %s", name, qPrintable(answer))
                    << static_cast<int>(format) << answer;
        }
    }
    void everyAnswerCarriesRateLimitHeaders()
    {
        QFETCH(int, format);
        QFETCH(QString, answer);
        const auto wire = static_cast<WireFormat>(format);
        ChaosProfile profile;
        ChaosModelProfile model;
        model.contextWindow = 100;
        profile.models.insert(u"m"_s, model);
        ChaosModelProfile limited;
        limited.rpm = 1;
        profile.models.insert(u"limited"_s, limited);
        makeServer(profile);
        sendChat(wire, "limited");

        std::shared_ptr<RecordingResponder> reply;
        if (answer == u"ok" || answer == u"stream") {
            reply = sendChat(wire, "m", answer == u"stream");
        } else if (answer == u"not_found") {
            reply = sendChat(wire, "unknown");
        } else if (answer == u"limit_reached") {
            reply = sendChat(wire, "limited");
            QCOMPARE(reply->status, 429);
        } else if (answer == u"bad_request") {
            reply = send(makeRequest(
                "POST", wire == WireFormat::Anthropic ? "/v1/messages" : "/v1/chat/completions",
                "{\"model\":\"m\"}"));
            QCOMPARE(reply->status, 400);
        } else if (answer == u"context_overflow") {
            reply = send(chatRequest(wire, "m", std::string(2000, 'x')));
            QCOMPARE(reply->status, 400);
        } else {
            reply = sendChat(wire, "m", true, HttpHeaders{{"x-chaos-fault", answer.toLatin1()}});
        }
        QVERIFY(reply->status != 0);
        const QByteArray limit = wire == WireFormat::Anthropic
                                     ? "anthropic-ratelimit-requests-limit"
                                     : "x-ratelimit-limit-requests";
        const QByteArray remaining = wire == WireFormat::Anthropic
                                         ? "anthropic-ratelimit-tokens-remaining"
                                         : "x-ratelimit-remaining-tokens";
        QVERIFY2(reply->headers.contains(limit), qPrintable(answer));
        QVERIFY2(reply->headers.contains(remaining), qPrintable(answer));
        QCOMPARE(reply->headers.value(limit),
                 QByteArray(answer == u"limit_reached" ? "1" : "4000"));
    }

    void streamNoTerminatorEndsCleanlyAfterTheFinishReason_data()
    {
        QTest::addColumn<int>("format");
        QTest::newRow("anthropic") << static_cast<int>(WireFormat::Anthropic);
        QTest::newRow("openai") << static_cast<int>(WireFormat::OpenAI);
    }
    void streamNoTerminatorEndsCleanlyAfterTheFinishReason()
    {
        QFETCH(int, format);
        const auto wire = static_cast<WireFormat>(format);
        const bool anthropic = wire == WireFormat::Anthropic;
        const auto whole = sendChat(wire, "m");
        const QString expected =
            text(anthropic ? whole->json()["content"][0]["text"]
                           : whole->json()["choices"][0]["message"]["content"]);
        const HttpHeaders fault{{"x-chaos-fault", "stream_no_terminator"}};
        makeServer(); // same seed: same answer
        const auto reply =
            anthropic ? sendChat(wire, "m", true, fault)
                      : send(makeRequest("POST", "/v1/chat/completions",
                                         jsonBody(openAiBody("m", kPrompt, true, true)), fault));
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->end, RecordingResponder::End::StreamEnded); // a clean end, last chunk
        QVERIFY(!reply->body.contains("message_stop"));
        QVERIFY(!reply->body.contains("[DONE]"));
        const QList<SseEvent> events = parseSse(reply->body);
        QString streamed;
        for (const SseEvent &event : events) {
            const json data = json::parse(event.data.toStdString());
            if (anthropic && data["type"] == "content_block_delta")
                streamed += text(data["delta"]["text"]);
            if (!anthropic && !data["choices"].empty() &&
                data["choices"][0]["delta"].contains("content"))
                streamed += text(data["choices"][0]["delta"]["content"]);
        }
        QCOMPARE(streamed, expected);
        const json last = json::parse(events.back().data.toStdString());
        if (anthropic) {
            QCOMPARE(events.back().event, QByteArray("message_delta"));
            QVERIFY(last["delta"]["stop_reason"] == "end_turn");
            QVERIFY(last["usage"]["output_tokens"] == whole->json()["usage"]["output_tokens"]);
        } else {
            // The usage chunk asked for by include_usage, after the finish reason.
            QVERIFY(last["choices"].empty());
            QVERIFY(last["usage"] == whole->json()["usage"]);
            const json finish = json::parse(events.at(events.size() - 2).data.toStdString());
            QVERIFY(finish["choices"][0]["finish_reason"] == "stop");
        }
        QCOMPARE(m_controller->stats().value(u"m"_s).answers.value(u"stream_no_terminator"_s), 1);

        // Not streaming: a normal answer.
        makeServer();
        const auto json200 = sendChat(wire, "m", false, fault);
        QCOMPARE(json200->status, 200);
        QVERIFY(json200->json() == whole->json());
    }

    void contentFilterIsOpenAisContentPolicy400()
    {
        for (bool stream : {false, true}) {
            const auto reply = sendChat(WireFormat::OpenAI, "m", stream,
                                        HttpHeaders{{"x-chaos-fault", "content_filter"}});
            QCOMPARE(reply->status, 400);
            QVERIFY(!reply->streaming);
            QCOMPARE(reply->headers.value("content-type"), QByteArray("application/json"));
            const json error = reply->json()["error"];
            QVERIFY(error["type"] == "invalid_request_error");
            QVERIFY(error["code"] == "content_policy_violation");
            QVERIFY(error["param"].is_null());
            QVERIFY(
                text(error["message"])
                    .startsWith(u"Your request was rejected as a result of our safety system."_s));
        }
        QCOMPARE(m_controller->stats().value(u"m"_s).answers.value(u"content_filter"_s), 2);
    }

    void contentFilterIsAnthropicsRefusal()
    {
        const QString full =
            text(sendChat(WireFormat::Anthropic, "m")->json()["content"][0]["text"]);
        const HttpHeaders fault{{"x-chaos-fault", "content_filter"}};
        const auto reply = sendChat(WireFormat::Anthropic, "m", false, fault);
        QCOMPARE(reply->status, 200);
        const json body = reply->json();
        QVERIFY(body["stop_reason"] == "refusal");
        QVERIFY(body["stop_details"]["type"] == "refusal");
        QVERIFY(!text(body["stop_details"]["explanation"]).isEmpty());
        const QString partial = text(body["content"][0]["text"]);
        QVERIFY(full.startsWith(partial));
        QVERIFY(partial.size() < full.size() / 2);
        QCOMPARE(body["usage"]["output_tokens"].get<int>(), estimateTokens(partial));

        const auto stream = sendChat(WireFormat::Anthropic, "m", true, fault);
        QCOMPARE(stream->end, RecordingResponder::End::StreamEnded);
        const QList<SseEvent> events = parseSse(stream->body);
        QCOMPARE(events.back().event, QByteArray("message_stop"));
        const json delta = json::parse(events.at(events.size() - 2).data.toStdString());
        QVERIFY(delta["delta"]["stop_reason"] == "refusal");
        QVERIFY(delta["delta"]["stop_details"]["type"] == "refusal");
        QString streamed;
        for (const SseEvent &event : events) {
            if (event.event == "content_block_delta")
                streamed += text(json::parse(event.data.toStdString())["delta"]["text"]);
        }
        QVERIFY(full.startsWith(streamed));
        QVERIFY(streamed.size() < full.size() / 2);
    }

    void listsModelsInAShapeBothSdksRead()
    {
        ChaosProfile profile = defaultChaosProfile();
        profile.models.insert(u"claude-haiku-4-5"_s, ChaosModelProfile{});
        profile.models.insert(u"gpt-4.1"_s, ChaosModelProfile{});
        makeServer(profile);
        const auto list = send(makeRequest("GET", "/v1/models"));
        QCOMPARE(list->status, 200);
        const json body = list->json();
        QVERIFY(body["object"] == "list");
        QVERIFY(body["has_more"] == false);
        QCOMPARE(body["data"].size(), std::size_t(2)); // "*" is not a model
        QVERIFY(body["data"][0]["id"] == "claude-haiku-4-5");
        QVERIFY(body["data"][0]["object"] == "model");
        QVERIFY(body["data"][0]["type"] == "model");
        QVERIFY(body["data"][0].contains("created_at") && body["data"][0].contains("created"));
        QVERIFY(body["first_id"] == "claude-haiku-4-5");
        QVERIFY(body["last_id"] == "gpt-4.1");

        const auto one = send(makeRequest("GET", "/v1/models/gpt-4.1"));
        QCOMPARE(one->status, 200);
        QVERIFY(one->json()["id"] == "gpt-4.1");
        ChaosProfile strict;
        strict.models.insert(u"only"_s, ChaosModelProfile{});
        makeServer(strict);
        QCOMPARE(send(makeRequest("GET", "/v1/models/other"))->status, 404);
        QCOMPARE(send(makeRequest("GET", "/models"))->json()["data"].size(), std::size_t(1));
    }

    void answersUnknownPathsAndMethods()
    {
        const auto unknown = send(makeRequest("GET", "/nowhere"));
        QCOMPARE(unknown->status, 404);
        QCOMPARE(text(unknown->json()["error"]["message"]), u"Invalid URL (GET /nowhere)"_s);
        const auto unknownOpenAi = send(
            makeRequest("POST", "/v1/responses", {}, HttpHeaders{{"authorization", "Bearer x"}}));
        QCOMPARE(unknownOpenAi->status, 404);
        QVERIFY(unknownOpenAi->json()["error"]["code"].is_null());
        const auto wrongMethod = send(makeRequest("GET", "/v1/messages"));
        QCOMPARE(wrongMethod->status, 405);
        QCOMPARE(wrongMethod->headers.value("allow"), QByteArray("POST"));
        QCOMPARE(send(makeRequest("DELETE", "/v1/models"))->status, 405);
    }

    void generatesTextThatFitsMaxTokensAndSplitsIntoPieces()
    {
        int longest = 0;
        for (int maxTokens = 1; maxTokens <= 200; ++maxTokens) {
            const AnswerText answer = generateAnswerText(u"prompt"_s, u"m"_s, 1, maxTokens);
            QCOMPARE(answer.outputTokens, estimateTokens(answer.text));
            QVERIFY(answer.outputTokens >= 1);
            QVERIFY(answer.outputTokens <= maxTokens);
            QCOMPARE(answer.pieces.join(QString()), answer.text);
            QVERIFY(!answer.text.endsWith(u' '));
            longest = std::max(longest, answer.outputTokens);
            if (!answer.hitMaxTokens)
                QVERIFY(answer.outputTokens >= 20);
        }
        QVERIFY(longest >= 24 && longest <= 160);
    }

    void writesOpenAiResetDurationsAsGoDoes_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << qint64(0) << QByteArray("0ms");
        QTest::newRow("ms") << qint64(20) << QByteArray("20ms");
        QTest::newRow("s") << qint64(1000) << QByteArray("1s");
        QTest::newRow("fraction") << qint64(1500) << QByteArray("1.5s");
        QTest::newRow("ms precision") << qint64(59992) << QByteArray("59.992s");
        QTest::newRow("minutes") << qint64(360000) << QByteArray("6m0s");
        QTest::newRow("hours") << qint64(3723000) << QByteArray("1h2m3s");
    }
    void writesOpenAiResetDurationsAsGoDoes()
    {
        QFETCH(qint64, ms);
        QFETCH(QByteArray, text);
        QCOMPARE(goDuration(Millis(ms)), text);
    }
};

QTEST_GUILESS_MAIN(TestChaosWire)
#include "tst_chaoswire.moc"

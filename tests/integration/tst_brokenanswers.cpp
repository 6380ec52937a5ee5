// Broken server answers (issue 7) through the real QnamTransport and Engine: a raw loopback
// server sends exactly the bytes of each row, in both wire formats, streamed and not. Each
// must end in the class SPEC.md section 3 gives, seen in the call result and the event
// stream, within a bounded wait: never a crash, a hang or a second result.
#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "common/fakeclock.h"
#include "common/random.h"
#include "engine/bulkhead.h"
#include "engine/engine.h"
#include "engine/eventstream.h"
#include "engineharness.h"
#include "transport/qnamtransport.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

/// Answers every request on 127.0.0.1 (port 0) with the same raw bytes, then closes the
/// connection: what the bytes say (or fail to say) is the whole test.
class RawAnswerServer final : public QTcpServer {
    Q_DISABLE_COPY_MOVE(RawAnswerServer)

public:
    explicit RawAnswerServer(QByteArray answer) : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { serve(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        if (!listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen on 127.0.0.1");
    }

    QString baseUrl() const { return u"http://127.0.0.1:%1"_s.arg(serverPort()); }
    int requests() const { return m_requests; }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(headerEnd).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        m_buffers.remove(socket);
        ++m_requests;
        socket->write(m_answer);
        socket->disconnectFromHost();
    }

    QByteArray m_answer;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_requests = 0;
};

QByteArray head(const QByteArray &contentType, std::optional<qsizetype> length = std::nullopt)
{
    QByteArray text = "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n";
    if (length)
        text += "Content-Length: " + QByteArray::number(*length) + "\r\n";
    return text + "Connection: close\r\n\r\n";
}

/// A complete answer with an exact Content-Length.
QByteArray whole(const QByteArray &contentType, const QByteArray &body)
{
    return head(contentType, body.size()) + body;
}

/// A stream: no length, the body runs until the server closes.
QByteArray stream(const QByteArray &events)
{
    return head("text/event-stream") + events;
}

const QByteArray kJson = "application/json";

QByteArray anthropicAnswer(const QByteArray &text)
{
    return R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":")" +
           text + R"("}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}})";
}

QByteArray openaiAnswer(const QByteArray &text)
{
    return R"({"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":")" +
           text +
           R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2}})";
}

QByteArray anthropicEvent(const QByteArray &type, const QByteArray &data)
{
    return "event: " + type + "\ndata: " + data + "\n\n";
}

QByteArray anthropicDelta(const QByteArray &text)
{
    return anthropicEvent(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":")" + text +
            R"("}})");
}

const QByteArray kAnthropicStart =
    anthropicEvent(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":3,"output_tokens":0}}})") +
    anthropicEvent(
        "content_block_start",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
const QByteArray kAnthropicStop =
    anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":0})") +
    anthropicEvent(
        "message_delta",
        R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}})") +
    anthropicEvent("message_stop", R"({"type":"message_stop"})");

QByteArray openaiChunk(const QByteArray &text)
{
    return R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":")" +
           text + "\"},\"finish_reason\":null}]}\n\n";
}

const QByteArray kOpenaiDone = "data: [DONE]\n\n";
const QByteArray kOpenaiStop =
    R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
    "\n\n";

/// More than the adapters accept as one answer (16 MiB) and than the SSE parser holds as one
/// event (8 MiB).
constexpr qsizetype kHuge = 17 * 1024 * 1024;
/// Twice the limit: the engine stops reading at kMaxAnswerBytes rather than buffering it all.
constexpr qsizetype kHuger = 33 * 1024 * 1024;

/// How long a row may take: everything here is a local socket and no timer is involved
/// (the engine's clock is fake), so anything near this is a hang.
constexpr int kBoundMs = 15000;

} // namespace

class TestBrokenAnswers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void brokenAnswerEndsInItsClass_data()
    {
        QTest::addColumn<bool>("openai");
        QTest::addColumn<bool>("streaming");
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QString>("outcome");
        /// For a success: the text; for an error: a fragment of the attempt's message.
        QTest::addColumn<QString>("detail");

        const auto row = [](const QByteArray &name, bool openai, bool streaming,
                            const QByteArray &answer, const char *outcome,
                            const QString &detail = {}) {
            QTest::newRow(name.constData())
                << openai << streaming << answer << QString::fromLatin1(outcome) << detail;
        };
        const QByteArray html = "<!doctype html><html><body>Sign in to the Wi-Fi</body></html>";
        for (const bool openai : {false, true}) {
            const QByteArray api = openai ? "openai " : "anthropic ";
            const auto name = [&api](const char *what, bool streaming) {
                return api + (streaming ? "stream " : "json ") + what;
            };
            const QByteArray answer = openai ? openaiAnswer("hi") : anthropicAnswer("hi");
            for (const bool streaming : {false, true}) {
                // The same bytes to a JSON and a streamed request.
                row(name("text/html 200", streaming), openai, streaming, whole("text/html", html),
                    "malformed");
                row(name("empty 200", streaming), openai, streaming, whole(kJson, {}), "malformed");
                row(name("empty 200 without length", streaming), openai, streaming,
                    head(streaming ? "text/event-stream" : kJson), "malformed");
                row(name("closed mid-headers", streaming), openai, streaming,
                    "HTTP/1.1 200 OK\r\nContent-Type: appl", "connection");
                row(name("closed after the status line", streaming), openai, streaming,
                    "HTTP/1.1 200 OK\r\n", "connection");
                row(name("not HTTP", streaming), openai, streaming, "SSH-2.0-OpenSSH_9.2\r\n\r\n",
                    "connection");
                row(name("huge", streaming), openai, streaming,
                    streaming ? stream("data: " + QByteArray(kHuge, 'x') + "\n\n")
                              : whole(kJson, "\"" + QByteArray(kHuge, 'x') + "\""),
                    "malformed", streaming ? u"exceeds"_s : u"larger than"_s);
            }

            // A stream whose events are each within bounds but add up to too much text.
            const QByteArray chunkText(6 * 1024 * 1024, 'y');
            QByteArray many;
            for (int i = 0; i < 3; ++i)
                many += openai ? openaiChunk(chunkText) : anthropicDelta(chunkText);
            row(name("huge in many events", true), openai, true,
                stream((openai ? QByteArray() : kAnthropicStart) + many), "malformed",
                u"streamed answer is larger than"_s);

            // Complete JSON answers.
            row(name("beyond the engine's buffer", false), openai, false,
                whole(kJson, QByteArray(kHuger, ' ')), "malformed", u"larger than"_s);
            row(name("non-UTF-8", false), openai, false,
                whole(kJson, openai ? openaiAnswer("caf\xc3\x28") : anthropicAnswer("\xff\xfe")),
                "malformed", u"not valid JSON"_s);
            row(name("truncated JSON", false), openai, false, whole(kJson, answer.left(40)),
                "malformed", u"not valid JSON"_s);
            row(name("cut short", false), openai, false,
                head(kJson, answer.size()) + answer.left(answer.size() / 2), "malformed");
            row(name("JSON array", false), openai, false, whole(kJson, "[1,2,3]"), "malformed",
                u"not a JSON object"_s);
            row(name("wrong shape", false), openai, false,
                whole(kJson, openai ? R"({"choices":{"text":"hi"}})" : R"({"content":"hi"})"),
                "malformed", openai ? u"no choices"_s : u"no content array"_s);
            row(name("wrong shape inside", false), openai, false,
                whole(kJson, openai ? R"({"choices":[{"message":{"content":5}}]})"
                                    : R"({"content":[{"type":"text","text":5}]})"),
                "malformed", u"is not a string"_s);
            row(name("error wrapped in 200", false), openai, false,
                whole(
                    kJson,
                    openai
                        ? R"({"error":{"message":"boom","type":"server_error"}})"
                        : R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
                openai ? "server_error" : "overloaded");
            row(name("well-formed", false), openai, false, whole(kJson, answer), "success",
                u"hi"_s);

            // Streams.
            if (openai) {
                row(name("well-formed", true), true, true,
                    stream(openaiChunk("hel") + openaiChunk("lo") + kOpenaiDone), "success",
                    u"hello"_s);
                row(name("JSON answer to a stream request", true), true, true, whole(kJson, answer),
                    "malformed", u"without [DONE]"_s);
                row(name("no data lines", true), true, true,
                    stream("event: chunk\n\nid: 7\n\n: keep-alive\n\nretry: 100\n\n"), "malformed",
                    u"without [DONE]"_s);
                row(name("no terminator", true), true, true, stream(openaiChunk("hel")),
                    "malformed", u"before its finish_reason, without [DONE]"_s);
                // As the official SDKs judge it: finish reason, then a clean close.
                row(name("finish reason, no terminator", true), true, true,
                    stream(openaiChunk("hel") + openaiChunk("lo") + kOpenaiStop), "success",
                    u"hello"_s);
                row(name("duplicate terminators", true), true, true,
                    stream(openaiChunk("hel") + openaiChunk("lo") + kOpenaiDone + kOpenaiDone),
                    "success", u"hello"_s);
                row(name("text after the terminator", true), true, true,
                    stream(openaiChunk("hi") + kOpenaiDone + openaiChunk("ignored") + kOpenaiDone),
                    "success", u"hi"_s);
                row(name("non-UTF-8", true), true, true,
                    stream(openaiChunk("caf\xc3\x28") + kOpenaiDone), "malformed",
                    u"not a JSON object"_s);
                row(name("truncated JSON", true), true, true,
                    stream(openaiChunk("hi").left(30) + "\n\n" + kOpenaiDone), "malformed",
                    u"not a JSON object"_s);
                row(name("wrong shape", true), true, true,
                    stream("data: {\"choices\": 5}\n\n" + kOpenaiDone), "malformed",
                    u"choices is not an array"_s);
                row(name("error chunk", true), true, true,
                    stream(
                        openaiChunk("hel") +
                        R"(data: {"error":{"message":"The server had an error","type":"server_error"}})"
                        "\n\n"),
                    "server_error", u"mid-stream"_s);
                row(name("error event that is no API error", true), true, true,
                    stream(openaiChunk("hel") + "event: error\ndata: {\"oops\": 1}\n\n"),
                    "malformed", u"not an API error object"_s);
            } else {
                row(name("well-formed", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hel") + anthropicDelta("lo") +
                           kAnthropicStop),
                    "success", u"hello"_s);
                row(name("JSON answer to a stream request", true), false, true,
                    whole(kJson, answer), "malformed", u"without message_stop"_s);
                row(name("no data lines", true), false, true,
                    stream("event: message_start\n\nevent: message_stop\n\n: ping\n\nid: 3\n\n"),
                    "malformed", u"without message_stop"_s);
                row(name("no terminator", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hel")), "malformed",
                    u"before its stop_reason, without message_stop"_s);
                row(name("stop reason, no terminator", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hel") + anthropicDelta("lo") +
                           kAnthropicStop.left(kAnthropicStop.indexOf("event: message_stop"))),
                    "success", u"hello"_s);
                row(name("duplicate terminators", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hel") + anthropicDelta("lo") +
                           kAnthropicStop +
                           anthropicEvent("message_stop", R"({"type":"message_stop"})")),
                    "success", u"hello"_s);
                row(name("text after the terminator", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hi") + kAnthropicStop +
                           anthropicDelta("ignored")),
                    "success", u"hi"_s);
                row(name("non-UTF-8", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("\xff\xfe") + kAnthropicStop),
                    "malformed", u"does not carry a JSON object"_s);
                row(name("truncated JSON", true), false, true,
                    stream(kAnthropicStart + anthropicDelta("hi").left(60) + "\n\n" +
                           kAnthropicStop),
                    "malformed", u"does not carry a JSON object"_s);
                row(name("wrong shape", true), false, true,
                    stream(kAnthropicStart +
                           anthropicEvent("content_block_delta",
                                          R"({"type":"content_block_delta","delta":5})") +
                           kAnthropicStop),
                    "malformed", u"without a delta object"_s);
                row(name("error event", true), false, true,
                    stream(
                        kAnthropicStart + anthropicDelta("hel") +
                        anthropicEvent(
                            "error",
                            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")),
                    "overloaded", u"mid-stream"_s);
                row(name("error event that is no API error", true), false, true,
                    stream(kAnthropicStart + anthropicEvent("error", R"({"oops":1})")), "malformed",
                    u"not an API error object"_s);
            }
        }
    }

    void brokenAnswerEndsInItsClass()
    {
        QFETCH(bool, openai);
        QFETCH(bool, streaming);
        QFETCH(QByteArray, answer);
        QFETCH(QString, outcome);
        QFETCH(QString, detail);

        RawAnswerServer server(answer);
        Config config = twoModelConfig();
        config.providers[0].kind = openai ? ProviderKind::OpenAI : ProviderKind::Anthropic;
        config.providers[0].baseUrl = server.baseUrl();
        config.chain.removeLast();
        config.retry.maxAttempts = 1;
        config.cache.enabled = false;

        // Real sockets; the engine's timers sit on a clock nobody advances, so no timeout
        // can rescue a row that would otherwise hang.
        FakeClock clock;
        SeededRandom random(7);
        QnamTransport transport;
        BreakerRegistry breakers(config.breaker, clock);
        RetryBudgets retryBudgets(config.retry, clock);
        ResponseCache cache(config.cache, clock);
        Bulkheads bulkheads;
        EventStream events;
        QList<AttemptFinished> attempts;
        QList<CallFinished> finished;
        connect(&events, &EventStream::event, this, [&](const EngineEvent &event) {
            if (const auto *attempt = std::get_if<AttemptFinished>(&event))
                attempts.append(*attempt);
            if (const auto *call = std::get_if<CallFinished>(&event))
                finished.append(*call);
        });
        Engine engine(config, EngineShared{breakers, retryBudgets, cache, bulkheads, events}, transport,
                      clock, random);

        QList<CallResult> results;
        CallRequest request;
        request.prompt = u"hello"_s;
        request.stream = streaming;
        engine.call(request, [&](const CallResult &result) { results.append(result); });
        QElapsedTimer bound;
        bound.start();
        while (results.isEmpty() && bound.elapsed() < kBoundMs)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QVERIFY2(!results.isEmpty(), "no result: the call hangs");
        // Late bytes (a second terminator, the rest of a huge body) must not finish it again.
        QTest::qWait(50);
        QCOMPARE(results.size(), 1);
        QCOMPARE(finished.size(), 1);

        const CallResult &result = results.first();
        QVERIFY(server.requests() >= 1);
        QCOMPARE(result.attempts.size(), 1);
        QCOMPARE(outcomeName(result.attempts.first().outcome), outcome);
        QCOMPARE(attempts.size(), 1);
        QCOMPARE(outcomeName(attempts.first().outcome), outcome);
        if (outcome == u"success"_s) {
            QCOMPARE(result.source, kPrimary);
            QCOMPARE(result.text, detail);
            return;
        }
        QCOMPARE(result.source, sources::degraded);
        QVERIFY(result.errorClass);
        QCOMPARE(outcomeName(*result.errorClass), outcome);
        QVERIFY2(!attempts.first().message.isEmpty(), "the event says nothing about why");
        QVERIFY2(attempts.first().message.contains(detail), qPrintable(attempts.first().message));
    }
};

QTEST_GUILESS_MAIN(TestBrokenAnswers)
#include "tst_brokenanswers.moc"

#include "chunking.h"
#include "providers/anthropicadapter.h"
#include "providers/openaiadapter.h"
#include "streamrun.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

QByteArray sseEvent(const QByteArray &type, const QByteArray &json)
{
    return "event: " + type + "\ndata: " + json + "\n\n";
}

const QByteArray kMessageStart = sseEvent(
    "message_start",
    R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",)"
    R"("content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,)"
    R"("usage":{"input_tokens":25,"output_tokens":1}}})");
const QByteArray kBlockStart = sseEvent(
    "content_block_start",
    R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
const QByteArray kPing = sseEvent("ping", R"({"type": "ping"})");
const QByteArray kBlockStop =
    sseEvent("content_block_stop", R"({"type":"content_block_stop","index":0})");
const QByteArray kMessageDelta =
    sseEvent("message_delta",
             R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
             R"("usage":{"output_tokens":15}})");
const QByteArray kMessageStop = sseEvent("message_stop", R"({"type":"message_stop"})");

QByteArray textDelta(const QByteArray &text, int index = 0)
{
    return sseEvent("content_block_delta",
                    R"({"type":"content_block_delta","index":)" + QByteArray::number(index) +
                        R"(,"delta":{"type":"text_delta","text":")" + text + "\"}}");
}

/// A content block event moved to another block index.
QByteArray atIndex(const QByteArray &blockEvent, int index)
{
    return QByteArray(blockEvent).replace("\"index\":0", "\"index\":" + QByteArray::number(index));
}

/// A complete, ordinary stream answering "Hello, wörld! 👋".
QByteArray typicalStream()
{
    return kMessageStart + kBlockStart + kPing + textDelta("Hello") + textDelta(", w\xC3\xB6rld!") +
           textDelta(" \xF0\x9F\x91\x8B") + kBlockStop + kMessageDelta + kMessageStop;
}

const QString kTypicalText = QString::fromUtf8("Hello, w\xC3\xB6rld! \xF0\x9F\x91\x8B");

const QByteArray kOverloadedError =
    R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})";

ClassifiedError errorOf(const std::variant<ChatAnswer, ClassifiedError> &result)
{
    if (const auto *error = std::get_if<ClassifiedError>(&result))
        return *error;
    qWarning("expected an error, got the answer \"%s\"",
             qPrintable(std::get<ChatAnswer>(result).text));
    ClassifiedError none;
    none.outcome = Outcome::Success;
    return none;
}

ChatAnswer answerOf(const std::variant<ChatAnswer, ClassifiedError> &result)
{
    if (const auto *answer = std::get_if<ChatAnswer>(&result))
        return *answer;
    const ClassifiedError &error = std::get<ClassifiedError>(result);
    qWarning("expected an answer, got %s: %s", qPrintable(outcomeName(error.outcome)),
             qPrintable(error.message));
    return ChatAnswer{u"<error>"_s, {}, {}, -1, -1};
}

} // namespace

class TestAnthropicAdapter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void factoryCreatesEachKind();
    void buildsMessagesRequest_data();
    void buildsMessagesRequest();
    void appendsExtraHeadersAfterItsOwn();
    void bodyIsWhatAJsonDomWouldWrite_data();
    void bodyIsWhatAJsonDomWouldWrite();
    void parsesAnswer_data();
    void parsesAnswer();
    void refusesMalformedAnswer_data();
    void refusesMalformedAnswer();
    void classifiesAnErrorObjectInA2xxAnswer();
    void decodesStreamHoweverChunked_data();
    void decodesStreamHoweverChunked();
    void pingAloneIsNotAnEvent();
    void reportsMidStreamErrorEventOnce();
    void truncatedStreamIsMalformed_data();
    void truncatedStreamIsMalformed();
    void stopReasonThenACleanCloseIsACompleteAnswer_data();
    void stopReasonThenACleanCloseIsACompleteAnswer();
    void saysWhenTheStopReasonHasArrived();
    void refusalInAStreamIsAContentFilterError_data();
    void refusalInAStreamIsAContentFilterError();
    void refusalAnswerIsAContentFilterError();
    void unreadableStreamEventIsMalformed_data();
    void unreadableStreamEventIsMalformed();
    void ignoresEverythingAfterMessageStop();
    void oversizeStreamEventIsMalformed();
};

void TestAnthropicAdapter::factoryCreatesEachKind()
{
    const auto anthropic = createProviderAdapter(ProviderKind::Anthropic);
    QVERIFY(anthropic);
    QCOMPARE(anthropic->kind(), ProviderKind::Anthropic);
    QVERIFY(dynamic_cast<AnthropicAdapter *>(anthropic.get()));
    const auto openai = createProviderAdapter(ProviderKind::OpenAI);
    QVERIFY(openai);
    QCOMPARE(openai->kind(), ProviderKind::OpenAI);
    QVERIFY(dynamic_cast<OpenAIAdapter *>(openai.get()));
}

void TestAnthropicAdapter::buildsMessagesRequest_data()
{
    QTest::addColumn<QUrl>("base");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<QUrl>("expectedUrl");

    const QUrl real(u"https://api.anthropic.com/v1/messages"_s);
    QTest::newRow("real API with key")
        << QUrl(u"https://api.anthropic.com"_s) << QByteArray("sk-ant-api03-SECRETKEY") << false
        << u"Hello"_s << real;
    QTest::newRow("trailing slash")
        << QUrl(u"https://api.anthropic.com/"_s) << QByteArray("sk-ant-api03-SECRETKEY") << true
        << u"Hello"_s << real;
    QTest::newRow("chaos server, no key, streaming")
        << QUrl(u"http://127.0.0.1:8123"_s) << QByteArray() << true << u"Hi"_s
        << QUrl(u"http://127.0.0.1:8123/v1/messages"_s);
    QTest::newRow("base already ends in /v1")
        << QUrl(u"http://127.0.0.1:8123/v1"_s) << QByteArray("k-1") << false << u"Hi"_s
        << QUrl(u"http://127.0.0.1:8123/v1/messages"_s);
    QTest::newRow("proxy path prefix")
        << QUrl(u"https://proxy.example/llm/anthropic/"_s) << QByteArray("k-2") << false << u"Hi"_s
        << QUrl(u"https://proxy.example/llm/anthropic/v1/messages"_s);
    QTest::newRow("prompt needing JSON escapes")
        << QUrl(u"https://api.anthropic.com"_s) << QByteArray("sk-ant-xyz") << false
        << QString::fromUtf8("Say \"hi\"\n\tback\\slash \xE2\x82\xAC \xF0\x9F\x98\x80 \x01")
        << real;
}

void TestAnthropicAdapter::buildsMessagesRequest()
{
    QFETCH(QUrl, base);
    QFETCH(QByteArray, key);
    QFETCH(bool, stream);
    QFETCH(QString, prompt);
    QFETCH(QUrl, expectedUrl);

    ChatRequest chat;
    chat.model = u"claude-sonnet-4-5"_s;
    chat.prompt = prompt;
    chat.maxTokens = 321;
    chat.stream = stream;
    const HttpRequest request = AnthropicAdapter().buildRequest(base, key, chat);

    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url, expectedUrl);
    QCOMPARE(request.headers.contains("x-api-key"), !key.isEmpty());
    QCOMPARE(request.headers.value("x-api-key"), key);
    QCOMPARE(request.headers.value("anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(request.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(!request.headers.contains("authorization"));
    if (!key.isEmpty())
        QCOMPARE(keyOccurrences(request, key), 1);

    const nlohmann::json body = bodyJson(request);
    QVERIFY(body.is_object());
    QCOMPARE(body.at("model").get<std::string>(), std::string("claude-sonnet-4-5"));
    QCOMPARE(body.at("max_tokens").get<int>(), 321);
    QVERIFY(body.at("messages").is_array());
    QCOMPARE(body.at("messages").size(), std::size_t(1));
    QCOMPARE(body.at("messages")[0].at("role").get<std::string>(), std::string("user"));
    QCOMPARE(QString::fromStdString(body.at("messages")[0].at("content").get<std::string>()),
             prompt);
    QCOMPARE(body.contains("stream"), stream);
    if (stream)
        QCOMPARE(body.at("stream").get<bool>(), true);
    // Nothing OpenAI-only leaks into the Anthropic body.
    QVERIFY(!body.contains("stream_options"));
}

void TestAnthropicAdapter::bodyIsWhatAJsonDomWouldWrite_data()
{
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<bool>("stream");

    QString everyControl;
    for (char16_t c = 0; c < 0x20; ++c)
        everyControl += QChar(c);
    QTest::newRow("plain") << u"Hello"_s << false;
    QTest::newRow("empty") << QString() << true;
    QTest::newRow("every control character") << everyControl << false;
    QTest::newRow("quotes, backslash, DEL, slash")
        << QString::fromUtf8("\"q\" \\ \x7f / </script>") << true;
    QTest::newRow("non-ASCII and emoji")
        << QString::fromUtf8("w\xC3\xB6rld \xF0\x9F\x91\x8B") << false;
    QTest::newRow("lone surrogate") << QString(QChar(0xD800)) + u"x"_s << false;
}

void TestAnthropicAdapter::bodyIsWhatAJsonDomWouldWrite()
{
    QFETCH(QString, prompt);
    QFETCH(bool, stream);
    for (const ProviderKind kind : {ProviderKind::Anthropic, ProviderKind::OpenAI}) {
        const auto adapter = createProviderAdapter(kind);
        ChatRequest chat;
        chat.model = u"m\u00e9-\"1\""_s;
        chat.prompt = prompt;
        chat.maxTokens = 77;
        chat.stream = stream;
        const HttpRequest request = adapter->buildRequest(QUrl(u"http://127.0.0.1:1"_s), {}, chat);

        nlohmann::ordered_json dom;
        dom["model"] = chat.model.toStdString();
        dom["max_tokens"] = chat.maxTokens;
        dom["messages"] = nlohmann::ordered_json::array(
            {{{"role", "user"}, {"content", chat.prompt.toStdString()}}});
        if (stream) {
            dom["stream"] = true;
            if (kind == ProviderKind::OpenAI)
                dom["stream_options"] = {{"include_usage", true}};
        }
        const std::string expected =
            dom.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        QCOMPARE(request.body, QByteArray::fromStdString(expected));
    }
}

void TestAnthropicAdapter::appendsExtraHeadersAfterItsOwn()
{
    ChatRequest chat;
    chat.model = u"claude-haiku-4-5"_s;
    chat.prompt = u"p"_s;
    chat.extraHeaders = {{"x-chaos-fault", "overloaded"}, {"x-trace", "abc"}};
    const HttpRequest request =
        AnthropicAdapter().buildRequest(QUrl(u"http://127.0.0.1:1"_s), "key", chat);

    const auto &fields = request.headers.fields();
    QCOMPARE(fields.size(), 5);
    QCOMPARE(fields.at(0).first, QByteArray("x-api-key"));
    QCOMPARE(fields.at(3), HttpHeaders::Field("x-chaos-fault", "overloaded"));
    QCOMPARE(fields.at(4), HttpHeaders::Field("x-trace", "abc"));
}

void TestAnthropicAdapter::parsesAnswer_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<int>("inputTokens");
    QTest::addColumn<int>("outputTokens");

    QTest::newRow("typical")
        << QByteArray(
               R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",)"
               R"("model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi! How can I help?"}],)"
               R"("stop_reason":"end_turn","stop_sequence":null,)"
               R"("usage":{"input_tokens":12,"output_tokens":8,"cache_read_input_tokens":0}})")
        << u"Hi! How can I help?"_s << u"claude-sonnet-4-5"_s << u"end_turn"_s << 12 << 8;
    QTest::newRow("text blocks concatenated, others skipped")
        << QByteArray(
               R"({"type":"message","model":"m","content":[{"type":"thinking","thinking":"hmm",)"
               R"("signature":"s"},{"type":"text","text":"Part one. "},{"type":"tool_use","id":"t",)"
               R"("name":"f","input":{}},{"type":"text","text":"Part two."}],"stop_reason":"max_tokens",)"
               R"("usage":{"input_tokens":1,"output_tokens":1024}})")
        << u"Part one. Part two."_s << u"m"_s << u"max_tokens"_s << 1 << 1024;
    QTest::newRow("empty content, null stop reason, no usage")
        << QByteArray(R"({"type":"message","content":[],"stop_reason":null})") << QString()
        << QString() << QString() << 0 << 0;
    QTest::newRow("unicode and escapes")
        << QByteArray(
               R"({"content":[{"type":"text","text":"gr\u00fc\u00df \ud83d\ude00 \"q\"\n"}]})")
        << QString::fromUtf8("gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80 \"q\"\n") << QString()
        << QString() << 0 << 0;
    // RFC 8259's grammar allows the escape; a complete answer is read as JSON.parse reads it,
    // the unpaired half kept in the string (nlohmann, which reads stream events, refuses it).
    QTest::newRow("lone surrogate escape kept")
        << QByteArray(R"({"content":[{"type":"text","text":"a\ud800b"}]})")
        << (u"a"_s + QChar(0xD800) + u"b"_s) << QString() << QString() << 0 << 0;
    QTest::newRow("metadata of the wrong type ignored")
        << QByteArray(R"({"model":7,"content":[{"type":"text","text":"ok"}],"stop_reason":[],)"
                      R"("usage":{"input_tokens":-3,"output_tokens":"9"}})")
        << u"ok"_s << QString() << QString() << 0 << 0;
}

void TestAnthropicAdapter::parsesAnswer()
{
    QFETCH(QByteArray, body);
    const ChatAnswer answer = answerOf(AnthropicAdapter().parseAnswer(body));
    QTEST(answer.text, "text");
    QTEST(answer.model, "model");
    QTEST(answer.stopReason, "stopReason");
    QTEST(answer.inputTokens, "inputTokens");
    QTEST(answer.outputTokens, "outputTokens");
}

void TestAnthropicAdapter::refusesMalformedAnswer_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not JSON") << QByteArray("<html>502 Bad Gateway</html>");
    QTest::newRow("truncated JSON") << QByteArray(R"({"content":[{"type":"text","text":"Hel)");
    QTest::newRow("trailing garbage")
        << QByteArray(R"({"content":[{"type":"text","text":"x"}]} trailing)");
    QTest::newRow("JSON array") << QByteArray(R"([{"type":"text","text":"x"}])");
    QTest::newRow("JSON string") << QByteArray(R"("hello")");
    QTest::newRow("JSON null") << QByteArray("null");
    QTest::newRow("no content") << QByteArray(R"({"type":"message","stop_reason":"end_turn"})");
    QTest::newRow("content is a string") << QByteArray(R"({"content":"hello"})");
    QTest::newRow("content block not an object") << QByteArray(R"({"content":["hello"]})");
    QTest::newRow("text is a number") << QByteArray(R"({"content":[{"type":"text","text":42}]})");
    QTest::newRow("text missing") << QByteArray(R"({"content":[{"type":"text"}]})");
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArray("{\"content\":[{\"type\":\"text\",\"text\":\"bad \xC3\x28 byte\"}]}");
    QTest::newRow("NUL bytes") << QByteArray(64, '\0');
    QTest::newRow("deeply nested") << QByteArray(200000, '[') + QByteArray(200000, ']');
    QTest::newRow("larger than 16 MiB")
        << R"({"content":[{"type":"text","text":")" + QByteArray(17 * 1024 * 1024, 'a') + "\"}]}";
}

void TestAnthropicAdapter::refusesMalformedAnswer()
{
    QFETCH(QByteArray, body);
    const ClassifiedError error = errorOf(AnthropicAdapter().parseAnswer(body));
    QCOMPARE(outcomeName(error.outcome), u"malformed"_s);
    QVERIFY(!error.message.isEmpty());
}

void TestAnthropicAdapter::classifiesAnErrorObjectInA2xxAnswer()
{
    const ClassifiedError error = errorOf(AnthropicAdapter().parseAnswer(kOverloadedError));
    QCOMPARE(outcomeName(error.outcome), u"overloaded"_s);
    QCOMPARE(error.apiErrorType, u"overloaded_error"_s);
}

void TestAnthropicAdapter::decodesStreamHoweverChunked_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<int>("inputTokens");
    QTest::addColumn<int>("outputTokens");

    QTest::newRow("typical, LF") << typicalStream() << kTypicalText << u"claude-sonnet-4-5"_s
                                 << u"end_turn"_s << 25 << 15;
    QTest::newRow("typical, CRLF") << typicalStream().replace("\n", "\r\n") << kTypicalText
                                   << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("keep-alive comments and pings between events")
        << QByteArray(": hello\n\n") + kMessageStart + kPing + kPing + kBlockStart +
               textDelta("a") + ": keep-alive\n\n" + kPing + textDelta("b") + kBlockStop +
               kMessageDelta + kMessageStop
        << u"ab"_s << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("two text blocks, thinking ignored")
        << kMessageStart +
               sseEvent("content_block_start",
                        R"({"type":"content_block_start","index":0,)"
                        R"("content_block":{"type":"thinking","thinking":""}})") +
               sseEvent("content_block_delta",
                        R"({"type":"content_block_delta","index":0,"delta":{"type":)"
                        R"("thinking_delta","thinking":"let me think"}})") +
               sseEvent("content_block_delta",
                        R"({"type":"content_block_delta","index":0,"delta":{"type":)"
                        R"("signature_delta","signature":"EqQB"}})") +
               kBlockStop + atIndex(kBlockStart, 1) + textDelta("First.", 1) +
               atIndex(kBlockStop, 1) + atIndex(kBlockStart, 2) + textDelta(" Second.", 2) +
               atIndex(kBlockStop, 2) + kMessageDelta + kMessageStop
        << u"First. Second."_s << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("text already in content_block_start")
        << kMessageStart +
               sseEvent("content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":)"
                        R"({"type":"text","text":"Pre"}})") +
               textDelta("fix") + kBlockStop + kMessageDelta + kMessageStop
        << u"Prefix"_s << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("no event lines: type read from the data")
        << QByteArray(typicalStream()).replace(QByteArray("event: "), QByteArray(": was event "))
        << kTypicalText << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("unknown event types ignored")
        << kMessageStart + sseEvent("future_event", R"({"type":"future_event","x":1})") +
               kBlockStart + textDelta("ok") + kBlockStop + kMessageDelta + kMessageStop
        << u"ok"_s << u"claude-sonnet-4-5"_s << u"end_turn"_s << 25 << 15;
    QTest::newRow("message_delta carries cumulative input tokens")
        << kMessageStart + kBlockStart + textDelta("x") + kBlockStop +
               sseEvent(
                   "message_delta",
                   R"({"type":"message_delta","delta":{"stop_reason":"stop_sequence",)"
                   R"("stop_sequence":"END"},"usage":{"input_tokens":30,"output_tokens":2}})") +
               kMessageStop
        << u"x"_s << u"claude-sonnet-4-5"_s << u"stop_sequence"_s << 30 << 2;
}

void TestAnthropicAdapter::decodesStreamHoweverChunked()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, text);

    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QVERIFY2(run.feedErrors.isEmpty(), chunkingName(chunking));
        QVERIFY(run.completeAfterLastChunk);
        QVERIFY(run.firstSawEventChunk >= 0);
        QCOMPARE(run.deltas, text);
        const ChatAnswer answer = answerOf(run.result);
        QCOMPARE(answer.text, text);
        QTEST(answer.model, "model");
        QTEST(answer.stopReason, "stopReason");
        QTEST(answer.inputTokens, "inputTokens");
        QTEST(answer.outputTokens, "outputTokens");
    }
}

void TestAnthropicAdapter::pingAloneIsNotAnEvent()
{
    const auto decoder = AnthropicAdapter().createStreamDecoder();
    StreamProgress progress = decoder->feed(kPing + ": comment\n\n" + kPing);
    QVERIFY(!progress.sawEvent);
    QVERIFY(!progress.error);
    // Half an event is not an event either.
    progress = decoder->feed(kMessageStart.left(kMessageStart.size() - 1));
    QVERIFY(!progress.sawEvent);
    progress = decoder->feed("\n");
    QVERIFY(progress.sawEvent);
    QVERIFY(progress.textDelta.isEmpty());
    QVERIFY(!progress.complete);
}

void TestAnthropicAdapter::reportsMidStreamErrorEventOnce()
{
    const QByteArray stream = kMessageStart + kBlockStart + textDelta("Hel") +
                              sseEvent("error", kOverloadedError) + textDelta("lo") + kBlockStop +
                              kMessageDelta + kMessageStop;
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"Hel"_s);
        QCOMPARE(run.feedErrors.size(), 1);
        QCOMPARE(outcomeName(run.feedErrors.first().outcome), u"overloaded"_s);
        QCOMPARE(run.feedErrors.first().apiErrorType, u"overloaded_error"_s);
        QVERIFY(!run.completeAfterLastChunk);
        const ClassifiedError finished = errorOf(run.result);
        QCOMPARE(finished.outcome, run.feedErrors.first().outcome);
        QCOMPARE(finished.apiErrorType, u"overloaded_error"_s);
    }
}

void TestAnthropicAdapter::truncatedStreamIsMalformed_data()
{
    QTest::addColumn<QByteArray>("stream");

    const QByteArray full = typicalStream();
    QTest::newRow("nothing at all") << QByteArray();
    QTest::newRow("only pings") << kPing + kPing;
    QTest::newRow("after message_start") << kMessageStart;
    QTest::newRow("mid text") << kMessageStart + kBlockStart + textDelta("Hel");
    QTest::newRow("inside an event") << full.left(full.size() / 2);
    QTest::newRow("after content_block_stop")
        << kMessageStart + kBlockStart + textDelta("Hello") + kBlockStop;
    QTest::newRow("inside message_delta") << kMessageStart + kBlockStart + textDelta("Hello") +
                                                 kBlockStop +
                                                 kMessageDelta.left(kMessageDelta.size() - 4);
    QTest::newRow("message_delta with a null stop_reason")
        << kMessageStart + kBlockStart + textDelta("Hello") + kBlockStop +
               sseEvent("message_delta", R"({"type":"message_delta","delta":{"stop_reason":null},)"
                                         R"("usage":{"output_tokens":15}})");
}

void TestAnthropicAdapter::truncatedStreamIsMalformed()
{
    QFETCH(QByteArray, stream);
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QVERIFY(run.feedErrors.isEmpty());
        QVERIFY(!run.sawFinishReasonAfterLastChunk);
        QVERIFY(!run.completeAfterLastChunk);
        const ClassifiedError error = errorOf(run.result);
        QCOMPARE(outcomeName(error.outcome), u"malformed"_s);
        QVERIFY2(
            error.message.endsWith(u"stream ended before its stop_reason, without message_stop"_s),
            qPrintable(error.message));
    }
}

void TestAnthropicAdapter::stopReasonThenACleanCloseIsACompleteAnswer_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("stopReason");

    const QByteArray full = typicalStream();
    QTest::newRow("no message_stop")
        << full.left(full.size() - kMessageStop.size()) << u"end_turn"_s;
    QTest::newRow("message_stop without its blank line") << full.chopped(1) << u"end_turn"_s;
    QTest::newRow("cut inside message_stop") << full.chopped(10) << u"end_turn"_s;
    QTest::newRow("max_tokens, no message_stop")
        << kMessageStart + kBlockStart + textDelta("Hello") + textDelta(", w\xC3\xB6rld!") +
               textDelta(" \xF0\x9F\x91\x8B") + kBlockStop +
               QByteArray(kMessageDelta).replace("end_turn", "max_tokens")
        << u"max_tokens"_s;
}

void TestAnthropicAdapter::stopReasonThenACleanCloseIsACompleteAnswer()
{
    QFETCH(QByteArray, stream);
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QVERIFY2(run.feedErrors.isEmpty(), chunkingName(chunking));
        QVERIFY(run.sawFinishReasonAfterLastChunk);
        QVERIFY(!run.completeAfterLastChunk); // the caller waits for the close
        const ChatAnswer answer = answerOf(run.result);
        QCOMPARE(answer.text, kTypicalText);
        QTEST(answer.stopReason, "stopReason");
        QCOMPARE(answer.inputTokens, 25);
        QCOMPARE(answer.outputTokens, 15);
    }
}

void TestAnthropicAdapter::saysWhenTheStopReasonHasArrived()
{
    const auto decoder = AnthropicAdapter().createStreamDecoder();
    StreamProgress progress = decoder->feed(kMessageStart + kBlockStart + textDelta("Hi"));
    QVERIFY(!progress.sawFinishReason);
    progress = decoder->feed(kBlockStop);
    QVERIFY(!progress.sawFinishReason);
    progress = decoder->feed(kMessageDelta);
    QVERIFY(progress.sawFinishReason);
    QVERIFY(!progress.complete);
    progress = decoder->feed(kMessageStop); // the terminator still ends it at once
    QVERIFY(progress.complete);
    QCOMPARE(answerOf(decoder->finish()).text, u"Hi"_s);
}

void TestAnthropicAdapter::refusalInAStreamIsAContentFilterError_data()
{
    QTest::addColumn<QByteArray>("delta");
    QTest::addColumn<QString>("reason");
    QTest::newRow("with stop_details")
        << sseEvent("message_delta",
                    R"({"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":)"
                    R"(null,"stop_details":{"type":"refusal","category":"cyber","explanation":)"
                    R"("This request was declined because it could enable cyber harm."}},)"
                    R"("usage":{"output_tokens":2}})")
        << u"the model refused to answer (stop_reason: refusal): This request was declined "
           u"because it could enable cyber harm."_s;
    QTest::newRow("bare") << QByteArray(kMessageDelta).replace("end_turn", "refusal")
                          << u"the model refused to answer (stop_reason: refusal)"_s;
}

void TestAnthropicAdapter::refusalInAStreamIsAContentFilterError()
{
    QFETCH(QByteArray, delta);
    QFETCH(QString, reason);
    const QByteArray stream =
        kMessageStart + kBlockStart + textDelta("Hel") + kBlockStop + delta + kMessageStop;
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"Hel"_s);
        QCOMPARE(run.feedErrors.size(), 1);
        const ClassifiedError error = run.feedErrors.first();
        QCOMPARE(outcomeName(error.outcome), u"content_filter"_s);
        QVERIFY(!error.retryable);
        QCOMPARE(error.apiErrorType, u"refusal"_s);
        QCOMPARE(error.message, u"content filter: "_s + reason);
        QCOMPARE(errorOf(run.result).message, error.message);
    }
}

void TestAnthropicAdapter::refusalAnswerIsAContentFilterError()
{
    const QByteArray body =
        R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",)"
        R"("content":[{"type":"text","text":"Hello.."}],"stop_reason":"refusal",)"
        R"("stop_details":{"type":"refusal","category":"cyber","explanation":"Declined\nhere."},)"
        R"("stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":3}})";
    const ClassifiedError error = errorOf(AnthropicAdapter().parseAnswer(body));
    QCOMPARE(outcomeName(error.outcome), u"content_filter"_s);
    QVERIFY(!error.retryable);
    QCOMPARE(error.httpStatus, 0);
    // Sanitised as every provider message is: one line.
    QCOMPARE(
        error.message,
        u"content filter: the model refused to answer (stop_reason: refusal): Declined here."_s);
    const ClassifiedError bare = errorOf(AnthropicAdapter().parseAnswer(
        R"({"content":[],"stop_reason":"refusal","usage":{"output_tokens":0}})"));
    QCOMPARE(bare.message, u"content filter: the model refused to answer (stop_reason: refusal)"_s);
}

void TestAnthropicAdapter::unreadableStreamEventIsMalformed_data()
{
    QTest::addColumn<QByteArray>("badEvent");

    QTest::newRow("data not JSON") << sseEvent("content_block_delta", "{not json");
    QTest::newRow("data a JSON array") << sseEvent("content_block_delta", "[1,2]");
    QTest::newRow("ping with garbage") << sseEvent("ping", "pong");
    QTest::newRow("invalid UTF-8") << sseEvent(
        "content_block_delta",
        "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"\xFF\"}}");
    QTest::newRow("delta missing")
        << sseEvent("content_block_delta", R"({"type":"content_block_delta","index":0})");
    QTest::newRow("text_delta text not a string")
        << sseEvent("content_block_delta",
                    R"({"type":"content_block_delta","delta":{"type":"text_delta","text":1}})");
    QTest::newRow("message_start without message")
        << sseEvent("message_start", R"({"type":"message_start"})");
}

void TestAnthropicAdapter::unreadableStreamEventIsMalformed()
{
    QFETCH(QByteArray, badEvent);
    const QByteArray stream =
        kMessageStart + kBlockStart + textDelta("ok") + badEvent + textDelta("more") + kMessageStop;
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(AnthropicAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"ok"_s);
        QCOMPARE(run.feedErrors.size(), 1);
        QCOMPARE(outcomeName(run.feedErrors.first().outcome), u"malformed"_s);
        QCOMPARE(outcomeName(errorOf(run.result).outcome), u"malformed"_s);
    }
}

void TestAnthropicAdapter::ignoresEverythingAfterMessageStop()
{
    const auto decoder = AnthropicAdapter().createStreamDecoder();
    // Whatever follows the terminator in its own chunk is ignored as well.
    StreamProgress progress =
        decoder->feed(typicalStream() + textDelta("late") + sseEvent("error", kOverloadedError));
    QVERIFY(progress.complete);
    QCOMPARE(progress.textDelta, kTypicalText);
    for (const QByteArray &late :
         {textDelta("late"), kMessageStop, sseEvent("error", kOverloadedError),
          QByteArray("data: {garbage\n\n"), QByteArray(100, 'x')}) {
        progress = decoder->feed(late);
        QVERIFY(progress.complete);
        QVERIFY(progress.sawEvent);
        QVERIFY(progress.textDelta.isEmpty());
        QVERIFY(!progress.error);
    }
    QCOMPARE(answerOf(decoder->finish()).text, kTypicalText);
}

void TestAnthropicAdapter::oversizeStreamEventIsMalformed()
{
    const auto decoder = AnthropicAdapter().createStreamDecoder();
    QVERIFY(!decoder->feed(kMessageStart).error);
    const StreamProgress progress =
        decoder->feed("event: content_block_delta\ndata: " + QByteArray(9 * 1024 * 1024, 'x'));
    QVERIFY(progress.error);
    QCOMPARE(outcomeName(progress.error->outcome), u"malformed"_s);
    QCOMPARE(outcomeName(errorOf(decoder->finish()).outcome), u"malformed"_s);
}

QTEST_APPLESS_MAIN(TestAnthropicAdapter)
#include "tst_anthropicadapter.moc"

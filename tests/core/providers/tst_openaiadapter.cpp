#include "chunking.h"
#include "providers/openaiadapter.h"
#include "streamrun.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

QByteArray dataLine(const QByteArray &json)
{
    return "data: " + json + "\n\n";
}

/// One streamed chunk as OpenAI sends it; `choice` is the inside of choices[0] or empty.
QByteArray chunk(const QByteArray &choice, const QByteArray &usage = "null")
{
    const QByteArray choices = choice.isEmpty() ? "[]" : "[{\"index\":0," + choice + "}]";
    return dataLine(R"({"id":"chatcmpl-AbC","object":"chat.completion.chunk","created":1741569952,)"
                    R"("model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_06737a9306",)"
                    R"("choices":)" +
                    choices + R"(,"usage":)" + usage + "}");
}

QByteArray contentChunk(const QByteArray &text)
{
    return chunk(R"("delta":{"content":")" + text + R"("},"logprobs":null,"finish_reason":null)");
}

const QByteArray kRoleChunk =
    chunk(R"("delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,)"
          R"("finish_reason":null)");
const QByteArray kStopChunk = chunk(R"("delta":{},"logprobs":null,"finish_reason":"stop")");
const QByteArray kUsageChunk =
    chunk(QByteArray(), R"({"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
                        R"("prompt_tokens_details":{"cached_tokens":0}})");
const QByteArray kDone = "data: [DONE]\n\n";

QByteArray typicalStream()
{
    return kRoleChunk + contentChunk("Hello") + contentChunk(", w\xC3\xB6rld!") +
           contentChunk(" \xF0\x9F\x91\x8B") + kStopChunk + kUsageChunk + kDone;
}

const QString kTypicalText = QString::fromUtf8("Hello, w\xC3\xB6rld! \xF0\x9F\x91\x8B");

const QByteArray kRateLimitError =
    R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests",)"
    R"("param":null,"code":"rate_limit_exceeded"}})";

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

class TestOpenAIAdapter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void buildsChatCompletionsRequest_data();
    void buildsChatCompletionsRequest();
    void appendsExtraHeadersAfterItsOwn();
    void parsesAnswer_data();
    void parsesAnswer();
    void refusesMalformedAnswer_data();
    void refusesMalformedAnswer();
    void classifiesAnErrorObjectInA2xxAnswer();
    void decodesStreamHoweverChunked_data();
    void decodesStreamHoweverChunked();
    void commentsAloneAreNotAnEvent();
    void reportsMidStreamErrorChunkOnce();
    void truncatedStreamIsMalformed_data();
    void truncatedStreamIsMalformed();
    void finishReasonThenACleanCloseIsACompleteAnswer_data();
    void finishReasonThenACleanCloseIsACompleteAnswer();
    void saysWhenTheFinishReasonHasArrived();
    void contentFilterFinishReasonIsAContentFilterError_data();
    void contentFilterFinishReasonIsAContentFilterError();
    void contentFilterAnswerIsAContentFilterError_data();
    void contentFilterAnswerIsAContentFilterError();
    void unreadableChunkIsMalformed_data();
    void unreadableChunkIsMalformed();
    void ignoresEverythingAfterDone();
};

void TestOpenAIAdapter::buildsChatCompletionsRequest_data()
{
    QTest::addColumn<QUrl>("base");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QUrl>("expectedUrl");

    const QUrl real(u"https://api.openai.com/v1/chat/completions"_s);
    QTest::newRow("real API with key")
        << QUrl(u"https://api.openai.com/v1"_s) << QByteArray("sk-proj-SECRETKEY") << false << real;
    QTest::newRow("real API, trailing slash, streaming")
        << QUrl(u"https://api.openai.com/v1/"_s) << QByteArray("sk-proj-SECRETKEY") << true << real;
    QTest::newRow("chaos server: bare base gets /v1, no key")
        << QUrl(u"http://127.0.0.1:8123"_s) << QByteArray() << true
        << QUrl(u"http://127.0.0.1:8123/v1/chat/completions"_s);
    QTest::newRow("ollama") << QUrl(u"http://localhost:11434/v1"_s) << QByteArray("ollama") << false
                            << QUrl(u"http://localhost:11434/v1/chat/completions"_s);
    QTest::newRow("proxy path prefix")
        << QUrl(u"https://proxy.example/openai"_s) << QByteArray("k-3") << false
        << QUrl(u"https://proxy.example/openai/v1/chat/completions"_s);
}

void TestOpenAIAdapter::buildsChatCompletionsRequest()
{
    QFETCH(QUrl, base);
    QFETCH(QByteArray, key);
    QFETCH(bool, stream);
    QFETCH(QUrl, expectedUrl);

    ChatRequest chat;
    chat.model = u"gpt-4o-mini"_s;
    chat.prompt = QString::fromUtf8("Say \"hi\"\n\xE2\x82\xAC");
    chat.maxTokens = 77;
    chat.stream = stream;
    const HttpRequest request = OpenAIAdapter().buildRequest(base, key, chat);

    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url, expectedUrl);
    QCOMPARE(request.headers.contains("authorization"), !key.isEmpty());
    if (!key.isEmpty()) {
        QCOMPARE(request.headers.value("authorization"), "Bearer " + key);
        QCOMPARE(keyOccurrences(request, key), 1);
    }
    QCOMPARE(request.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(!request.headers.contains("x-api-key"));
    QVERIFY(!request.headers.contains("anthropic-version"));

    const nlohmann::json body = bodyJson(request);
    QVERIFY(body.is_object());
    QCOMPARE(body.at("model").get<std::string>(), std::string("gpt-4o-mini"));
    QCOMPARE(body.at("max_tokens").get<int>(), 77);
    QCOMPARE(body.at("messages").size(), std::size_t(1));
    QCOMPARE(body.at("messages")[0].at("role").get<std::string>(), std::string("user"));
    QCOMPARE(QString::fromStdString(body.at("messages")[0].at("content").get<std::string>()),
             chat.prompt);
    QCOMPARE(body.contains("stream"), stream);
    QCOMPARE(body.contains("stream_options"), stream);
    if (stream) {
        QCOMPARE(body.at("stream").get<bool>(), true);
        QCOMPARE(body.at("stream_options").at("include_usage").get<bool>(), true);
    }
}

void TestOpenAIAdapter::appendsExtraHeadersAfterItsOwn()
{
    ChatRequest chat;
    chat.model = u"gpt-4o-mini"_s;
    chat.prompt = u"p"_s;
    chat.extraHeaders = {{"x-chaos-fault", "server_error"}};
    const HttpRequest request =
        OpenAIAdapter().buildRequest(QUrl(u"http://127.0.0.1:1"_s), "key", chat);

    const auto &fields = request.headers.fields();
    QCOMPARE(fields.size(), 3);
    QCOMPARE(fields.at(0), HttpHeaders::Field("authorization", "Bearer key"));
    QCOMPARE(fields.at(2), HttpHeaders::Field("x-chaos-fault", "server_error"));
}

void TestOpenAIAdapter::parsesAnswer_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<int>("inputTokens");
    QTest::addColumn<int>("outputTokens");

    QTest::newRow("typical")
        << QByteArray(
               R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion",)"
               R"("created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":)"
               R"({"role":"assistant","content":"Hello! How can I assist you today?","refusal":null,)"
               R"("annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,)"
               R"("completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,)"
               R"("audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},)"
               R"("service_tier":"default","system_fingerprint":null})")
        << u"Hello! How can I assist you today?"_s << u"gpt-4.1-2025-04-14"_s << u"stop"_s << 19
        << 10;
    QTest::newRow("empty content, length, no usage")
        << QByteArray(R"({"object":"chat.completion","model":"m","choices":[{"index":0,)"
                      R"("message":{"role":"assistant","content":""},"finish_reason":"length"}]})")
        << QString() << u"m"_s << u"length"_s << 0 << 0;
    QTest::newRow("several choices: the first is read")
        << QByteArray(R"({"choices":[{"index":0,"message":{"content":"first"},"finish_reason":)"
                      R"("stop"},{"index":1,"message":{"content":"second"},"finish_reason":)"
                      R"("stop"}]})")
        << u"first"_s << QString() << u"stop"_s << 0 << 0;
    QTest::newRow("unicode escapes")
        << QByteArray(R"({"choices":[{"message":{"content":"\u00fc \ud83d\ude00"}}]})")
        << QString::fromUtf8("\xC3\xBC \xF0\x9F\x98\x80") << QString() << QString() << 0 << 0;
    QTest::newRow("metadata of the wrong type ignored")
        << QByteArray(R"({"model":null,"choices":[{"message":{"content":"ok"},"finish_reason":1}],)"
                      R"("usage":{"prompt_tokens":1.5,"completion_tokens":99999999999}})")
        << u"ok"_s << QString() << QString() << 0 << 0;
}

void TestOpenAIAdapter::parsesAnswer()
{
    QFETCH(QByteArray, body);
    const ChatAnswer answer = answerOf(OpenAIAdapter().parseAnswer(body));
    QTEST(answer.text, "text");
    QTEST(answer.model, "model");
    QTEST(answer.stopReason, "stopReason");
    QTEST(answer.inputTokens, "inputTokens");
    QTEST(answer.outputTokens, "outputTokens");
}

void TestOpenAIAdapter::refusesMalformedAnswer_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not JSON") << QByteArray("upstream connect error or disconnect/reset");
    QTest::newRow("truncated JSON") << QByteArray(R"({"choices":[{"message":{"content":"Hel)");
    QTest::newRow("JSON array") << QByteArray("[]");
    QTest::newRow("JSON number") << QByteArray("42");
    QTest::newRow("no choices") << QByteArray(R"({"object":"chat.completion"})");
    QTest::newRow("choices empty") << QByteArray(R"({"choices":[]})");
    QTest::newRow("choices an object") << QByteArray(R"({"choices":{"message":{"content":"x"}}})");
    QTest::newRow("choice not an object") << QByteArray(R"({"choices":["x"]})");
    QTest::newRow("message missing") << QByteArray(R"({"choices":[{"finish_reason":"stop"}]})");
    QTest::newRow("content null") << QByteArray(
        R"({"choices":[{"message":{"role":"assistant","content":null}}]})");
    QTest::newRow("content a number") << QByteArray(R"({"choices":[{"message":{"content":3}}]})");
    QTest::newRow("invalid UTF-8")
        << QByteArray("{\"choices\":[{\"message\":{\"content\":\"\xE2\x82\"}}]}");
    QTest::newRow("deeply nested") << QByteArray(200000, '{');
    QTest::newRow("larger than 16 MiB")
        << R"({"choices":[{"message":{"content":")" + QByteArray(17 * 1024 * 1024, 'a') + "\"}}]}";
}

void TestOpenAIAdapter::refusesMalformedAnswer()
{
    QFETCH(QByteArray, body);
    const ClassifiedError error = errorOf(OpenAIAdapter().parseAnswer(body));
    QCOMPARE(outcomeName(error.outcome), u"malformed"_s);
    QVERIFY(!error.message.isEmpty());
}

void TestOpenAIAdapter::classifiesAnErrorObjectInA2xxAnswer()
{
    const ClassifiedError error = errorOf(OpenAIAdapter().parseAnswer(kRateLimitError));
    QCOMPARE(outcomeName(error.outcome), u"rate_limited"_s);
}

void TestOpenAIAdapter::decodesStreamHoweverChunked_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<int>("inputTokens");
    QTest::addColumn<int>("outputTokens");

    const QString model = u"gpt-4o-mini-2024-07-18"_s;
    QTest::newRow("typical, LF") << typicalStream() << kTypicalText << model << u"stop"_s << 19
                                 << 10;
    QTest::newRow("typical, CRLF")
        << typicalStream().replace("\n", "\r\n") << kTypicalText << model << u"stop"_s << 19 << 10;
    QTest::newRow("typical, CR") << typicalStream().replace("\n", "\r") << kTypicalText << model
                                 << u"stop"_s << 19 << 10;
    QTest::newRow("no usage chunk") << kRoleChunk + contentChunk("a") + kStopChunk + kDone << u"a"_s
                                    << model << u"stop"_s << 0 << 0;
    QTest::newRow("keep-alive comments")
        << QByteArray(": OPENROUTER PROCESSING\n\n") + kRoleChunk + ": ping\n\n" +
               contentChunk("b") + kStopChunk + kUsageChunk + kDone
        << u"b"_s << model << u"stop"_s << 19 << 10;
    QTest::newRow("text arriving with the finish reason")
        << kRoleChunk + chunk(R"("delta":{"content":"all at once"},"finish_reason":"length")") +
               kDone
        << u"all at once"_s << model << u"length"_s << 0 << 0;
    QTest::newRow("choices other than index 0 ignored")
        << kRoleChunk +
               dataLine(R"({"choices":[{"index":1,"delta":{"content":"other"}},)"
                        R"({"index":0,"delta":{"content":"mine"}}]})") +
               kStopChunk + kDone
        << u"mine"_s << model << u"stop"_s << 0 << 0;
    QTest::newRow("minimal compatible server")
        << dataLine(R"({"choices":[{"delta":{"content":"x"}}]})") +
               dataLine(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})") + kDone
        << u"x"_s << QString() << u"stop"_s << 0 << 0;
    QTest::newRow("only [DONE]") << kDone << QString() << QString() << QString() << 0 << 0;
}

void TestOpenAIAdapter::decodesStreamHoweverChunked()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, text);

    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QVERIFY2(run.feedErrors.isEmpty(), chunkingName(chunking));
        QVERIFY(run.completeAfterLastChunk);
        QVERIFY(run.firstSawEventChunk != -2);
        QCOMPARE(run.deltas, text);
        const ChatAnswer answer = answerOf(run.result);
        QCOMPARE(answer.text, text);
        QTEST(answer.model, "model");
        QTEST(answer.stopReason, "stopReason");
        QTEST(answer.inputTokens, "inputTokens");
        QTEST(answer.outputTokens, "outputTokens");
    }
}

void TestOpenAIAdapter::commentsAloneAreNotAnEvent()
{
    const auto decoder = OpenAIAdapter().createStreamDecoder();
    StreamProgress progress = decoder->feed(": keep-alive\n\n: again\n\n");
    QVERIFY(!progress.sawEvent);
    progress = decoder->feed(kRoleChunk.chopped(1));
    QVERIFY(!progress.sawEvent);
    progress = decoder->feed("\n");
    QVERIFY(progress.sawEvent);
    QVERIFY(!progress.complete);
    QVERIFY(!progress.error);
}

void TestOpenAIAdapter::reportsMidStreamErrorChunkOnce()
{
    const QByteArray stream = kRoleChunk + contentChunk("Hel") + dataLine(kRateLimitError) +
                              contentChunk("lo") + kStopChunk + kDone;
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"Hel"_s);
        QCOMPARE(run.feedErrors.size(), 1);
        QCOMPARE(outcomeName(run.feedErrors.first().outcome), u"rate_limited"_s);
        QVERIFY(!run.completeAfterLastChunk);
        QCOMPARE(errorOf(run.result).outcome, run.feedErrors.first().outcome);
    }
}

void TestOpenAIAdapter::truncatedStreamIsMalformed_data()
{
    QTest::addColumn<QByteArray>("stream");

    const QByteArray full = typicalStream();
    QTest::newRow("nothing at all") << QByteArray();
    QTest::newRow("only comments") << QByteArray(": keep-alive\n\n");
    QTest::newRow("mid text") << kRoleChunk + contentChunk("Hel");
    QTest::newRow("inside a chunk") << full.left(full.size() / 2);
    QTest::newRow("after the last text, before the finish reason")
        << kRoleChunk + contentChunk("Hello") + contentChunk(", w\xC3\xB6rld!");
    QTest::newRow("inside the finish reason's chunk")
        << kRoleChunk + contentChunk("Hello") + kStopChunk.left(kStopChunk.size() - 8);
    QTest::newRow("a null finish reason") << kRoleChunk + contentChunk("Hello") + kUsageChunk;
    QTest::newRow("an empty finish reason")
        << kRoleChunk + contentChunk("Hello") + chunk(R"("delta":{},"finish_reason":"")");
}

void TestOpenAIAdapter::truncatedStreamIsMalformed()
{
    QFETCH(QByteArray, stream);
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QVERIFY(run.feedErrors.isEmpty());
        QVERIFY(!run.sawFinishReasonAfterLastChunk);
        QVERIFY(!run.completeAfterLastChunk);
        const ClassifiedError error = errorOf(run.result);
        QCOMPARE(outcomeName(error.outcome), u"malformed"_s);
        QVERIFY2(error.message.endsWith(u"stream ended before its finish_reason, without [DONE]"_s),
                 qPrintable(error.message));
    }
}

void TestOpenAIAdapter::finishReasonThenACleanCloseIsACompleteAnswer_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("outputTokens");

    const QByteArray full = typicalStream();
    const QByteArray unterminated = full.left(full.size() - kDone.size());
    QTest::newRow("usage chunk, no [DONE]") << unterminated << kTypicalText << 10;
    QTest::newRow("[DONE] without its blank line") << full.chopped(1) << kTypicalText << 10;
    QTest::newRow("finish reason, no usage, no [DONE]")
        << kRoleChunk + contentChunk("Hello") + kStopChunk << u"Hello"_s << 0;
    QTest::newRow("cut inside the usage chunk")
        << unterminated.left(unterminated.size() - 20) << kTypicalText << 0;
    QTest::newRow("text arriving with the finish reason")
        << kRoleChunk + chunk(R"("delta":{"content":"all at once"},"finish_reason":"length")")
        << u"all at once"_s << 0;
}

void TestOpenAIAdapter::finishReasonThenACleanCloseIsACompleteAnswer()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, text);
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QVERIFY2(run.feedErrors.isEmpty(), chunkingName(chunking));
        QVERIFY(run.sawFinishReasonAfterLastChunk);
        QVERIFY(!run.completeAfterLastChunk); // the caller waits for the close
        QCOMPARE(run.deltas, text);
        const ChatAnswer answer = answerOf(run.result);
        QCOMPARE(answer.text, text);
        QVERIFY(!answer.stopReason.isEmpty());
        QTEST(answer.outputTokens, "outputTokens");
    }
}

void TestOpenAIAdapter::saysWhenTheFinishReasonHasArrived()
{
    const auto decoder = OpenAIAdapter().createStreamDecoder();
    StreamProgress progress = decoder->feed(kRoleChunk + contentChunk("Hello"));
    QVERIFY(!progress.sawFinishReason);
    progress = decoder->feed(kStopChunk);
    QVERIFY(progress.sawFinishReason);
    QVERIFY(!progress.complete);
    progress = decoder->feed(kUsageChunk);
    QVERIFY(progress.sawFinishReason);
    QVERIFY(!progress.complete);
    progress = decoder->feed(kDone); // the terminator still ends it at once
    QVERIFY(progress.complete);
    QCOMPARE(answerOf(decoder->finish()).outputTokens, 10);
}

void TestOpenAIAdapter::contentFilterFinishReasonIsAContentFilterError_data()
{
    QTest::addColumn<QByteArray>("stream");
    const QByteArray filtered =
        kRoleChunk + contentChunk("Hel") +
        chunk(R"("delta":{},"logprobs":null,"finish_reason":"content_filter")");
    QTest::newRow("then usage and [DONE]") << filtered + kUsageChunk + kDone;
    QTest::newRow("then the close") << filtered;
}

void TestOpenAIAdapter::contentFilterFinishReasonIsAContentFilterError()
{
    QFETCH(QByteArray, stream);
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"Hel"_s);
        // Reported when the finish reason arrives: the engine need not wait for the close.
        QCOMPARE(run.feedErrors.size(), 1);
        const ClassifiedError error = run.feedErrors.first();
        QCOMPARE(outcomeName(error.outcome), u"content_filter"_s);
        QVERIFY(!error.retryable);
        QCOMPARE(error.apiErrorType, u"content_filter"_s);
        QVERIFY2(error.message.contains(u"(finish_reason: content_filter)"_s),
                 qPrintable(error.message));
        QCOMPARE(errorOf(run.result).outcome, Outcome::ContentFilter);
    }
}

void TestOpenAIAdapter::contentFilterAnswerIsAContentFilterError_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("null content (Azure)")
        << QByteArray(R"({"object":"chat.completion","model":"m","choices":[{"index":0,)"
                      R"("message":{"role":"assistant","content":null},)"
                      R"("finish_reason":"content_filter"}],"usage":{"prompt_tokens":5}})");
    QTest::newRow("partial content")
        << QByteArray(R"({"choices":[{"message":{"content":"Sure, here"},)"
                      R"("finish_reason":"content_filter"}]})");
}

void TestOpenAIAdapter::contentFilterAnswerIsAContentFilterError()
{
    QFETCH(QByteArray, body);
    const ClassifiedError error = errorOf(OpenAIAdapter().parseAnswer(body));
    QCOMPARE(outcomeName(error.outcome), u"content_filter"_s);
    QVERIFY(!error.retryable);
    QCOMPARE(error.httpStatus, 0);
    QVERIFY2(error.message.contains(u"content filter"_s), qPrintable(error.message));
}

void TestOpenAIAdapter::unreadableChunkIsMalformed_data()
{
    QTest::addColumn<QByteArray>("badChunk");

    QTest::newRow("not JSON") << dataLine("{\"choices\":[{\"delta\":");
    QTest::newRow("a JSON string") << dataLine("\"[DONE]\"");
    QTest::newRow("DONE misspelt") << dataLine("[DONE");
    QTest::newRow("invalid UTF-8")
        << dataLine("{\"choices\":[{\"delta\":{\"content\":\"\xC0\"}}]}");
    QTest::newRow("choices a string") << dataLine(R"({"choices":"x"})");
    QTest::newRow("choice not an object") << dataLine(R"({"choices":[7]})");
}

void TestOpenAIAdapter::unreadableChunkIsMalformed()
{
    QFETCH(QByteArray, badChunk);
    const QByteArray stream =
        kRoleChunk + contentChunk("ok") + badChunk + contentChunk("more") + kStopChunk + kDone;
    for (const auto &[chunking, seed] : allChunkings()) {
        const StreamRun run = runStream(OpenAIAdapter(), stream, chunking, seed);
        QCOMPARE(run.deltas, u"ok"_s);
        QCOMPARE(run.feedErrors.size(), 1);
        QCOMPARE(outcomeName(run.feedErrors.first().outcome), u"malformed"_s);
        QCOMPARE(outcomeName(errorOf(run.result).outcome), u"malformed"_s);
    }
}

void TestOpenAIAdapter::ignoresEverythingAfterDone()
{
    const auto decoder = OpenAIAdapter().createStreamDecoder();
    // Whatever follows the terminator in its own chunk is ignored as well.
    StreamProgress progress =
        decoder->feed(typicalStream() + contentChunk("late") + dataLine(kRateLimitError));
    QVERIFY(progress.complete);
    QCOMPARE(progress.textDelta, kTypicalText);
    for (const QByteArray &late : {kDone, contentChunk("late"), dataLine(kRateLimitError),
                                   QByteArray("data: {garbage\n\n"), QByteArray(100, 'x')}) {
        progress = decoder->feed(late);
        QVERIFY(progress.complete);
        QVERIFY(progress.textDelta.isEmpty());
        QVERIFY(!progress.error);
    }
    const ChatAnswer answer = answerOf(decoder->finish());
    QCOMPARE(answer.text, kTypicalText);
    QCOMPARE(answer.outputTokens, 10);
}

QTEST_APPLESS_MAIN(TestOpenAIAdapter)
#include "tst_openaiadapter.moc"

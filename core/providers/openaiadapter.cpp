#include "openaiadapter.h"

#include "adapterutil.h"
#include "errors/classifier.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace breakwater {
namespace {

using adapterutil::countMember;
using adapterutil::countValue;
using adapterutil::Json;
using adapterutil::member;
using adapterutil::objectMember;
using adapterutil::stringMember;

void readUsage(const Json &usage, ChatAnswer &answer)
{
    if (const auto input = countMember(usage, "prompt_tokens"))
        answer.inputTokens = *input;
    if (const auto output = countMember(usage, "completion_tokens"))
        answer.outputTokens = *output;
}

/// We never ask for more than one choice; a server sending several gets only index 0 read.
bool isFirstChoice(const Json &choice)
{
    const Json *index = member(choice, "index");
    return !index || !index->is_number_integer() || index->get<long long>() == 0;
}

/// The answer withheld by the content filter: `content_filter` for the engine.
ClassifiedError contentFiltered()
{
    return contentFilterError(u"content_filter"_s,
                              u"the answer was withheld by the provider's content filter "
                              u"(finish_reason: content_filter)"_s);
}

bool isContentFilter(const QString &finishReason)
{
    return finishReason == u"content_filter";
}

class OpenAIStreamDecoder final : public adapterutil::SseStreamDecoder {
public:
    OpenAIStreamDecoder() : SseStreamDecoder(u"finish_reason"_s, u"[DONE]"_s) {}

protected:
    std::optional<ClassifiedError> handleEvent(const SseEvent &event, QString &textDelta) override
    {
        if (event.data.trimmed() == "[DONE]") {
            m_complete = true;
            return std::nullopt;
        }
        const Json chunk = adapterutil::parseJson(event.data);
        if (!chunk.is_object())
            return malformedError(u"stream chunk is not a JSON object"_s);
        // OpenAI sends an error as a chunk carrying `error`; some compatible servers also
        // name the event `error`.
        if (objectMember(chunk, "error") || event.type == "error")
            return classifyStreamErrorBody(event.data);

        if (const auto model = stringMember(chunk, "model"); model && !model->isEmpty())
            m_answer.model = *model;
        const Json *choices = member(chunk, "choices");
        if (choices && !choices->is_null()) {
            if (!choices->is_array())
                return malformedError(u"stream chunk choices is not an array"_s);
            for (const Json &choice : *choices) {
                if (!choice.is_object())
                    return malformedError(u"stream chunk choice is not an object"_s);
                if (!isFirstChoice(choice))
                    continue;
                if (const Json *delta = objectMember(choice, "delta")) {
                    if (const auto content = stringMember(*delta, "content"))
                        textDelta += *content;
                }
                if (const auto finishReason = stringMember(choice, "finish_reason");
                    finishReason && !finishReason->isEmpty()) {
                    m_answer.stopReason = *finishReason;
                    m_sawFinishReason = true;
                    if (isContentFilter(*finishReason))
                        return contentFiltered();
                }
            }
        }
        // With include_usage the last chunk has empty choices and the totals; others have null.
        if (const Json *usage = objectMember(chunk, "usage"))
            readUsage(*usage, m_answer);
        m_sawEvent = true;
        return std::nullopt;
    }
};

} // namespace

QUrl OpenAIAdapter::endpoint(const QUrl &baseUrl) const
{
    return adapterutil::endpointUrl(baseUrl, u"/chat/completions");
}

HttpRequest OpenAIAdapter::buildRequestTo(const QUrl &endpoint, const QByteArray &apiKey,
                                 const ChatRequest &request) const
{
    HttpRequest http;
    http.url = endpoint;
    if (!apiKey.isEmpty())
        http.headers.add(QByteArrayLiteral("authorization"), "Bearer " + apiKey);
    http.headers.add(QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : request.extraHeaders.fields())
        http.headers.add(name, value);

    // The same bytes an ordered_json DOM would dump (tst_provideradapters compares them).
    http.body = adapterutil::chatRequestBody(
        request.model, request.maxTokens, request.prompt,
        request.stream ? QByteArrayView(R"(,"stream":true,"stream_options":{"include_usage":true})")
                       : QByteArrayView());
    return http;
}

std::variant<ChatAnswer, ClassifiedError> OpenAIAdapter::parseAnswer(const QByteArray &body) const
{
    auto parsed = adapterutil::parseAnswerObject(body);
    if (auto *error = std::get_if<ClassifiedError>(&parsed))
        return std::move(*error);
    const JsonView &json = std::get<JsonView>(parsed);
    const JsonView::Index root = json.root();
    const JsonView::Index choices = json.member(root, "choices"_L1);
    // A compatible proxy may wrap an API error in a 2xx: what it says beats "malformed".
    if (choices == JsonView::kNone && json.is(json.member(root, "error"_L1), JsonView::Kind::Object))
        return classifyStreamErrorBody(body);
    const JsonView::Index choice =
        json.is(choices, JsonView::Kind::Array) ? json.first(choices) : JsonView::kNone;
    if (choice == JsonView::kNone)
        return malformedError(u"answer has no choices"_s);
    // Before the content: a filtered answer may carry none (Azure sends content null).
    const QString finishReason =
        json.string(json.member(choice, "finish_reason"_L1)).value_or(QString());
    if (isContentFilter(finishReason))
        return contentFiltered();

    const JsonView::Index message = json.member(choice, "message"_L1);
    if (!json.is(message, JsonView::Kind::Object))
        return malformedError(u"answer choices[0] has no message object"_s);
    const auto content = json.string(json.member(message, "content"_L1));
    if (!content)
        return malformedError(u"answer choices[0].message.content is not a string"_s);

    ChatAnswer answer;
    answer.text = *content;
    answer.model = json.string(json.member(root, "model"_L1)).value_or(QString());
    answer.stopReason = finishReason;
    const JsonView::Index usage = json.member(root, "usage"_L1);
    if (const auto input = countValue(json, json.member(usage, "prompt_tokens"_L1)))
        answer.inputTokens = *input;
    if (const auto output = countValue(json, json.member(usage, "completion_tokens"_L1)))
        answer.outputTokens = *output;
    return answer;
}

std::unique_ptr<StreamDecoder> OpenAIAdapter::createStreamDecoder() const
{
    return std::make_unique<OpenAIStreamDecoder>();
}

} // namespace breakwater

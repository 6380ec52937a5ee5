#include "anthropicadapter.h"

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

/// `usage` appears in the answer, in `message_start` and (cumulative) in `message_delta`.
void readUsage(const Json &usage, ChatAnswer &answer)
{
    if (const auto input = countMember(usage, "input_tokens"))
        answer.inputTokens = *input;
    if (const auto output = countMember(usage, "output_tokens"))
        answer.outputTokens = *output;
}

constexpr auto kRefusal = "refusal"_L1;

/// The model's refusal (stop_reason `refusal`): `content_filter` for the engine, with the
/// explanation of stop_details when the API gave one.
ClassifiedError refused(const std::optional<QString> &explanation)
{
    QString detail = u"the model refused to answer (stop_reason: refusal)"_s;
    if (explanation && !explanation->trimmed().isEmpty())
        detail += u": "_s + *explanation;
    return contentFilterError(kRefusal, detail);
}

class AnthropicStreamDecoder final : public adapterutil::SseStreamDecoder {
public:
    AnthropicStreamDecoder() : SseStreamDecoder(u"stop_reason"_s, u"message_stop"_s) {}

protected:
    std::optional<ClassifiedError> handleEvent(const SseEvent &event, QString &textDelta) override
    {
        const Json data = adapterutil::parseJson(event.data);
        if (!data.is_object()) {
            return malformedError(u"stream event '%1' does not carry a JSON object"_s.arg(
                QString::fromUtf8(event.type.left(64))));
        }
        QByteArray type = event.type;
        if (type == "message") {
            // No `event:` field: the JSON `type` says what the event is.
            if (const auto dataType = stringMember(data, "type"))
                type = dataType->toUtf8();
        }

        if (type == "error")
            return classifyStreamErrorBody(event.data);
        if (type == "message_start") {
            const Json *message = objectMember(data, "message");
            if (!message)
                return malformedError(u"message_start without a message object"_s);
            if (const auto model = stringMember(*message, "model"))
                m_answer.model = *model;
            if (const Json *usage = objectMember(*message, "usage"))
                readUsage(*usage, m_answer);
            m_sawEvent = true;
        } else if (type == "content_block_start") {
            // A text block may start with text already in it (usually empty).
            if (const Json *block = objectMember(data, "content_block")) {
                if (stringMember(*block, "type") == u"text"_s)
                    textDelta += stringMember(*block, "text").value_or(QString());
            }
            m_sawEvent = true;
        } else if (type == "content_block_delta") {
            const Json *delta = objectMember(data, "delta");
            if (!delta)
                return malformedError(u"content_block_delta without a delta object"_s);
            if (stringMember(*delta, "type") == u"text_delta"_s) {
                const auto text = stringMember(*delta, "text");
                if (!text)
                    return malformedError(u"text_delta without a text string"_s);
                textDelta += *text;
            }
            m_sawEvent = true;
        } else if (type == "content_block_stop") {
            m_sawEvent = true;
        } else if (type == "message_delta") {
            if (const Json *usage = objectMember(data, "usage"))
                readUsage(*usage, m_answer);
            m_sawEvent = true;
            if (const Json *delta = objectMember(data, "delta")) {
                if (const auto stopReason = stringMember(*delta, "stop_reason");
                    stopReason && !stopReason->isEmpty()) {
                    m_answer.stopReason = *stopReason;
                    m_sawFinishReason = true;
                    if (*stopReason == kRefusal) {
                        const Json *details = objectMember(*delta, "stop_details");
                        return refused(details ? stringMember(*details, "explanation")
                                               : std::nullopt);
                    }
                }
            }
        } else if (type == "message_stop") {
            m_sawEvent = true;
            m_complete = true;
        }
        // `ping` and event types added to the API later are ignored, as Anthropic asks.
        return std::nullopt;
    }
};

} // namespace

QUrl AnthropicAdapter::endpoint(const QUrl &baseUrl) const
{
    return adapterutil::endpointUrl(baseUrl, u"/messages");
}

HttpRequest AnthropicAdapter::buildRequestTo(const QUrl &endpoint, const QByteArray &apiKey,
                                 const ChatRequest &request) const
{
    HttpRequest http;
    http.url = endpoint;
    if (!apiKey.isEmpty())
        http.headers.add(QByteArrayLiteral("x-api-key"), apiKey);
    http.headers.add(QByteArrayLiteral("anthropic-version"), QByteArray(kApiVersion));
    http.headers.add(QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : request.extraHeaders.fields())
        http.headers.add(name, value);

    // The same bytes an ordered_json DOM would dump (tst_provideradapters compares them).
    http.body = adapterutil::chatRequestBody(request.model, request.maxTokens, request.prompt,
                                             request.stream ? QByteArrayView(R"(,"stream":true)")
                                                            : QByteArrayView());
    return http;
}

std::variant<ChatAnswer, ClassifiedError>
AnthropicAdapter::parseAnswer(const QByteArray &body) const
{
    auto parsed = adapterutil::parseAnswerObject(body);
    if (auto *error = std::get_if<ClassifiedError>(&parsed))
        return std::move(*error);
    const JsonView &json = std::get<JsonView>(parsed);
    const JsonView::Index root = json.root();
    // A proxy may wrap an API error in a 2xx: what it says is more useful than "malformed".
    if (json.stringEquals(json.member(root, "type"_L1), "error"_L1) &&
        json.is(json.member(root, "error"_L1), JsonView::Kind::Object))
        return classifyStreamErrorBody(body);

    const JsonView::Index content = json.member(root, "content"_L1);
    if (!json.is(content, JsonView::Kind::Array))
        return malformedError(u"answer has no content array"_s);
    ChatAnswer answer;
    // Text may come in several blocks; other block types (tool use, thinking) carry no text.
    int i = 0;
    for (JsonView::Index block = json.first(content); block != JsonView::kNone;
         block = json.next(block), ++i) {
        if (!json.is(block, JsonView::Kind::Object))
            return malformedError(u"answer content[%1] is not an object"_s.arg(i));
        if (!json.stringEquals(json.member(block, "type"_L1), "text"_L1))
            continue;
        const auto text = json.string(json.member(block, "text"_L1));
        if (!text)
            return malformedError(u"answer content[%1].text is not a string"_s.arg(i));
        answer.text += *text;
    }
    answer.model = json.string(json.member(root, "model"_L1)).value_or(QString());
    answer.stopReason = json.string(json.member(root, "stop_reason"_L1)).value_or(QString());
    if (answer.stopReason == kRefusal)
        return refused(
            json.string(json.member(json.member(root, "stop_details"_L1), "explanation"_L1)));
    const JsonView::Index usage = json.member(root, "usage"_L1);
    if (const auto input = countValue(json, json.member(usage, "input_tokens"_L1)))
        answer.inputTokens = *input;
    if (const auto output = countValue(json, json.member(usage, "output_tokens"_L1)))
        answer.outputTokens = *output;
    return answer;
}

std::unique_ptr<StreamDecoder> AnthropicAdapter::createStreamDecoder() const
{
    return std::make_unique<AnthropicStreamDecoder>();
}

} // namespace breakwater

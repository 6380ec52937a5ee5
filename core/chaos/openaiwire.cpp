// The OpenAI Chat Completions dialect of the chaos server.
#include "chaos/chaoswire.h"

#include <QStringList>

namespace breakwater {
namespace {

using nlohmann::json;

const char *jsonTypeName(const json &value)
{
    if (value.is_string())
        return "a string";
    if (value.is_number())
        return "a number";
    if (value.is_boolean())
        return "a boolean";
    if (value.is_object())
        return "an object";
    if (value.is_array())
        return "an array";
    return "null";
}

WireRequestError requestError(const QString &message, const QString &param = {},
                              const QString &code = {}, const QString &model = {})
{
    return WireRequestError{message, param, code, model};
}

bool appendContentText(const json &content, QStringList &parts)
{
    if (content.is_string()) {
        parts.append(QString::fromStdString(content.get<std::string>()));
        return true;
    }
    if (content.is_null())
        return true; // assistant messages with tool calls carry no content
    if (!content.is_array())
        return false;
    for (const json &part : content) {
        if (!part.is_object())
            return false;
        const auto text = part.find("text");
        if (text != part.end() && text->is_string())
            parts.append(QString::fromStdString(text->get<std::string>()));
    }
    return true;
}

class OpenAiWire final : public ChaosWire {
public:
    WireFormat format() const override { return WireFormat::OpenAI; }

    std::variant<WireChatRequest, WireRequestError>
    parseChatRequest(const QByteArray &body) const override
    {
        const json request = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        if (request.is_discarded() || !request.is_object())
            return requestError(QStringLiteral(
                "We could not parse the JSON body of your request. The OpenAI API expects a "
                "JSON payload, but what was sent was not valid JSON."));

        WireChatRequest chat;
        const auto model = request.find("model");
        if (model == request.end() || (model->is_string() && model->get<std::string>().empty()))
            return requestError(QStringLiteral("you must provide a model parameter"));
        if (!model->is_string())
            return requestError(QStringLiteral("Invalid type for 'model': expected a string, "
                                               "but got %1 instead.")
                                    .arg(QLatin1String(jsonTypeName(*model))),
                                QStringLiteral("model"), QStringLiteral("invalid_type"));
        chat.model = QString::fromStdString(model->get<std::string>());

        const auto messages = request.find("messages");
        if (messages == request.end())
            return requestError(QStringLiteral("Missing required parameter: 'messages'."),
                                QStringLiteral("messages"),
                                QStringLiteral("missing_required_parameter"), chat.model);
        if (!messages->is_array())
            return requestError(QStringLiteral("Invalid type for 'messages': expected an array, "
                                               "but got %1 instead.")
                                    .arg(QLatin1String(jsonTypeName(*messages))),
                                QStringLiteral("messages"), QStringLiteral("invalid_type"),
                                chat.model);
        if (messages->empty())
            return requestError(QStringLiteral("Invalid 'messages': empty array. Expected an "
                                               "array with minimum length 1, but got an empty "
                                               "array instead."),
                                QStringLiteral("messages"), QStringLiteral("empty_array"),
                                chat.model);
        QStringList parts;
        for (std::size_t i = 0; i < messages->size(); ++i) {
            const json &message = (*messages)[i];
            const QString where = QStringLiteral("messages[%1]").arg(i);
            const auto role = message.is_object() ? message.find("role") : message.end();
            if (!message.is_object() || role == message.end() || !role->is_string())
                return requestError(
                    QStringLiteral("Missing required parameter: '%1.role'.").arg(where),
                    where + QStringLiteral(".role"), QStringLiteral("missing_required_parameter"),
                    chat.model);
            const auto content = message.find("content");
            if (content != message.end() && !appendContentText(*content, parts))
                return requestError(QStringLiteral("Invalid type for '%1.content'.").arg(where),
                                    where + QStringLiteral(".content"),
                                    QStringLiteral("invalid_type"), chat.model);
        }
        chat.prompt = parts.join(u'\n');

        for (const char *name : {"max_completion_tokens", "max_tokens"}) {
            const auto maxTokens = request.find(name);
            if (maxTokens == request.end() || maxTokens->is_null())
                continue;
            if (!maxTokens->is_number_integer() || maxTokens->get<std::int64_t>() < 1)
                return requestError(QStringLiteral("Invalid '%1': integer below minimum value. "
                                                   "Expected a value >= 1.")
                                        .arg(QLatin1String(name)),
                                    QLatin1String(name), QStringLiteral("integer_below_min_value"),
                                    chat.model);
            chat.maxTokens =
                static_cast<int>(std::min<std::int64_t>(maxTokens->get<std::int64_t>(), 1 << 30));
            break;
        }

        const auto stream = request.find("stream");
        if (stream != request.end() && !stream->is_null()) {
            if (!stream->is_boolean())
                return requestError(QStringLiteral("Invalid type for 'stream': expected a "
                                                   "boolean, but got %1 instead.")
                                        .arg(QLatin1String(jsonTypeName(*stream))),
                                    QStringLiteral("stream"), QStringLiteral("invalid_type"),
                                    chat.model);
            chat.stream = stream->get<bool>();
        }
        const auto options = request.find("stream_options");
        if (options != request.end() && options->is_object()) {
            const auto includeUsage = options->find("include_usage");
            chat.includeUsage = includeUsage != options->end() && includeUsage->is_boolean() &&
                                includeUsage->get<bool>();
        }
        return chat;
    }

    QString answerId(std::uint64_t bits) const override
    {
        return QStringLiteral("chatcmpl-") + base62Id(bits, 29);
    }

    QByteArray requestId(std::uint64_t bits) const override
    {
        return "req_" +
               QByteArray::number(static_cast<qulonglong>(bits), 16).rightJustified(16, '0') +
               QByteArray::number(static_cast<qulonglong>(bits * 0x9e3779b97f4a7c15ULL), 16)
                   .rightJustified(16, '0');
    }

    QByteArray requestIdHeader() const override { return QByteArrayLiteral("x-request-id"); }

    QByteArray answerBody(const WireAnswer &answer) const override
    {
        json body = {
            {"id", jsonString(answer.id)},
            {"object", "chat.completion"},
            {"created", answer.created},
            {"model", jsonString(answer.model)},
            {"choices", json::array({{{"index", 0},
                                      {"message",
                                       {{"role", "assistant"},
                                        {"content", jsonString(answer.text)},
                                        {"refusal", nullptr},
                                        {"annotations", json::array()}}},
                                      {"logprobs", nullptr},
                                      {"finish_reason", finishReason(answer)}}})},
            {"usage", usage(answer)},
            {"service_tier", "default"},
            {"system_fingerprint", kFingerprint},
        };
        return jsonBytes(body);
    }

    QByteArray streamStart(const WireAnswer &answer) const override
    {
        return chunk(answer, {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}},
                     nullptr);
    }

    QByteArray streamDelta(const WireAnswer &answer, const QString &piece) const override
    {
        return chunk(answer, {{"content", jsonString(piece)}}, nullptr);
    }

    QByteArray streamFinish(const WireAnswer &answer) const override
    {
        QByteArray out = chunk(answer, json::object(), finishReason(answer));
        if (answer.includeUsage) {
            // The usage chunk has no choices (stream_options.include_usage).
            json last = chunkBase(answer);
            last["choices"] = json::array();
            last["usage"] = usage(answer);
            out += sseEvent({}, jsonBytes(last));
        }
        return out;
    }

    QByteArray streamTerminator() const override
    {
        return sseEvent({}, QByteArrayLiteral("[DONE]"));
    }

    QByteArray streamErrorEvent() const override
    {
        return sseEvent({},
                        QByteArrayLiteral("{\"error\":{\"message\":\"The server had an error while "
                                          "processing your request. Sorry about that!\",\"type\":"
                                          "\"server_error\",\"param\":null,\"code\":null}}"));
    }

    HttpServerResponse errorResponse(WireError error,
                                     const WireErrorDetails &details) const override
    {
        HttpServerResponse response;
        QString type = QStringLiteral("invalid_request_error");
        QString message;
        QString param = details.param;
        QString code = details.code;
        switch (error) {
        case WireError::InvalidRequest:
            response.status = 400;
            break;
        case WireError::ContextOverflow:
            response.status = 400;
            message = QStringLiteral("This model's maximum context length is %1 tokens. However, "
                                     "your messages resulted in %2 tokens. Please reduce the "
                                     "length of the messages.")
                          .arg(details.contextWindow)
                          .arg(details.promptTokens);
            param = QStringLiteral("messages");
            code = QStringLiteral("context_length_exceeded");
            break;
        case WireError::Auth:
            response.status = 401;
            message = QStringLiteral("Incorrect API key provided. You can find your API key at "
                                     "https://platform.openai.com/account/api-keys.");
            code = QStringLiteral("invalid_api_key");
            break;
        case WireError::NotFound:
            response.status = 404;
            message = QStringLiteral("The model `%1` does not exist or you do not have access "
                                     "to it.")
                          .arg(details.model);
            // A model that does not exist; an unknown URL (a message given) has no code.
            code = details.message.isEmpty() ? QStringLiteral("model_not_found") : QString();
            break;
        case WireError::RateLimited: {
            response.status = 429;
            type = details.tokenLimit ? QStringLiteral("tokens") : QStringLiteral("requests");
            const QString wait = QString::fromLatin1(goDuration(details.retryAfter));
            message =
                details.limit > 0
                    ? QStringLiteral("Rate limit reached for %1 in organization org-chaos "
                                     "on %2 per min (%3): Limit %4. Please try again in "
                                     "%5.")
                          .arg(details.model, type,
                               details.tokenLimit ? QStringLiteral("TPM") : QStringLiteral("RPM"))
                          .arg(details.limit)
                          .arg(wait)
                    : QStringLiteral("Rate limit reached for %1 in organization org-chaos. "
                                     "Please try again in %2.")
                          .arg(details.model, wait);
            code = QStringLiteral("rate_limit_exceeded");
            break;
        }
        case WireError::ServerError:
            response.status = 500;
            type = QStringLiteral("server_error");
            message = QStringLiteral("The server had an error while processing your request. "
                                     "Sorry about that!");
            break;
        case WireError::Unavailable:
            response.status = 503;
            type = QStringLiteral("server_error");
            message = QStringLiteral("The server is temporarily unable to handle your request. "
                                     "Please try again later.");
            break;
        case WireError::Overloaded:
            response.status = 503;
            type = QStringLiteral("server_error");
            message = QStringLiteral("The engine is currently overloaded, please try again later");
            break;
        case WireError::ContentFilter:
            response.status = 400;
            message = QStringLiteral("Your request was rejected as a result of our safety system. "
                                     "Your prompt may contain text that is not allowed by our "
                                     "safety system.");
            code = QStringLiteral("content_policy_violation");
            break;
        }
        if (!details.message.isEmpty())
            message = details.message;
        const auto orNull = [](const QString &text) {
            return text.isEmpty() ? json(nullptr) : jsonString(text);
        };
        const json body = {{"error",
                            {{"message", jsonString(message)},
                             {"type", jsonString(type)},
                             {"param", orNull(param)},
                             {"code", orNull(code)}}}};
        response.headers.add("content-type", "application/json");
        response.body = jsonBytes(body);
        return response;
    }

    void addRateLimitHeaders(HttpHeaders &headers, const RateLimitHeaders &limits,
                             const QDateTime &) const override
    {
        if (limits.requestsLimit > 0) {
            headers.add("x-ratelimit-limit-requests", QByteArray::number(limits.requestsLimit));
            headers.add("x-ratelimit-remaining-requests",
                        QByteArray::number(limits.requestsRemaining));
            headers.add("x-ratelimit-reset-requests", goDuration(limits.requestsReset));
        }
        if (limits.tokensLimit > 0) {
            headers.add("x-ratelimit-limit-tokens", QByteArray::number(limits.tokensLimit));
            headers.add("x-ratelimit-remaining-tokens", QByteArray::number(limits.tokensRemaining));
            headers.add("x-ratelimit-reset-tokens", goDuration(limits.tokensReset));
        }
    }

private:
    static constexpr const char *kFingerprint = "fp_chaos";

    static const char *finishReason(const WireAnswer &answer)
    {
        if (answer.refusal)
            return "content_filter";
        return answer.hitMaxTokens ? "length" : "stop";
    }

    static json usage(const WireAnswer &answer)
    {
        return {{"prompt_tokens", answer.inputTokens},
                {"completion_tokens", answer.outputTokens},
                {"total_tokens", answer.inputTokens + answer.outputTokens}};
    }

    static json chunkBase(const WireAnswer &answer)
    {
        return {{"id", jsonString(answer.id)},
                {"object", "chat.completion.chunk"},
                {"created", answer.created},
                {"model", jsonString(answer.model)},
                {"system_fingerprint", kFingerprint}};
    }

    static QByteArray chunk(const WireAnswer &answer, const json &delta, const json &finish)
    {
        json body = chunkBase(answer);
        body["choices"] = json::array(
            {{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}}});
        if (answer.includeUsage)
            body["usage"] = nullptr;
        return sseEvent({}, jsonBytes(body));
    }
};

} // namespace

const ChaosWire &openAiWire()
{
    static const OpenAiWire wire;
    return wire;
}

} // namespace breakwater

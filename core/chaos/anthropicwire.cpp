// The Anthropic Messages API dialect of the chaos server.
#include "chaos/chaoswire.h"

#include <QStringList>

namespace breakwater {
namespace {

using nlohmann::json;

/// The text of a `content` (a string, or an array of blocks whose text blocks count) or of
/// a `system` prompt; false when it has neither form.
bool appendContentText(const json &content, QStringList &parts)
{
    if (content.is_string()) {
        parts.append(QString::fromStdString(content.get<std::string>()));
        return true;
    }
    if (!content.is_array())
        return false;
    for (const json &block : content) {
        if (!block.is_object())
            return false;
        const auto text = block.find("text");
        if (text != block.end() && text->is_string())
            parts.append(QString::fromStdString(text->get<std::string>()));
    }
    return true;
}

WireRequestError requestError(const QString &message, const QString &model = {})
{
    WireRequestError error;
    error.message = message;
    error.model = model;
    return error;
}

class AnthropicWire final : public ChaosWire {
public:
    WireFormat format() const override { return WireFormat::Anthropic; }

    std::variant<WireChatRequest, WireRequestError>
    parseChatRequest(const QByteArray &body) const override
    {
        const json request = json::parse(body.constBegin(), body.constEnd(), nullptr, false);
        if (request.is_discarded())
            return requestError(QStringLiteral("There was an error parsing the body of your "
                                               "request: it is not valid JSON"));
        if (!request.is_object())
            return requestError(QStringLiteral("Input should be a valid dictionary"));

        WireChatRequest chat;
        const auto model = request.find("model");
        if (model == request.end())
            return requestError(QStringLiteral("model: Field required"));
        if (!model->is_string() || model->get<std::string>().empty())
            return requestError(QStringLiteral("model: Input should be a valid string"));
        chat.model = QString::fromStdString(model->get<std::string>());

        const auto maxTokens = request.find("max_tokens");
        if (maxTokens == request.end())
            return requestError(QStringLiteral("max_tokens: Field required"), chat.model);
        if (!maxTokens->is_number_integer() || maxTokens->get<std::int64_t>() < 1)
            return requestError(QStringLiteral("max_tokens: Input should be an integer greater "
                                               "than or equal to 1"),
                                chat.model);
        chat.maxTokens =
            static_cast<int>(std::min<std::int64_t>(maxTokens->get<std::int64_t>(), 1 << 30));

        QStringList parts;
        const auto system = request.find("system");
        if (system != request.end() && !appendContentText(*system, parts))
            return requestError(QStringLiteral("system: Input should be a valid string or a "
                                               "list of text blocks"),
                                chat.model);
        const auto messages = request.find("messages");
        if (messages == request.end())
            return requestError(QStringLiteral("messages: Field required"), chat.model);
        if (!messages->is_array())
            return requestError(QStringLiteral("messages: Input should be a valid list"),
                                chat.model);
        if (messages->empty())
            return requestError(QStringLiteral("messages: at least one message is required"),
                                chat.model);
        for (std::size_t i = 0; i < messages->size(); ++i) {
            const json &message = (*messages)[i];
            const QString where = QStringLiteral("messages.%1").arg(i);
            if (!message.is_object())
                return requestError(where + QStringLiteral(": Input should be a valid dictionary"),
                                    chat.model);
            const auto role = message.find("role");
            if (role == message.end() || !role->is_string() ||
                (*role != "user" && *role != "assistant"))
                return requestError(where + QStringLiteral(".role: Input should be 'user' or "
                                                           "'assistant'"),
                                    chat.model);
            const auto content = message.find("content");
            if (content == message.end())
                return requestError(where + QStringLiteral(".content: Field required"), chat.model);
            if (!appendContentText(*content, parts))
                return requestError(where + QStringLiteral(".content: Input should be a valid "
                                                           "string or a list of content blocks"),
                                    chat.model);
        }
        chat.prompt = parts.join(u'\n');

        const auto stream = request.find("stream");
        if (stream != request.end()) {
            if (!stream->is_boolean())
                return requestError(QStringLiteral("stream: Input should be a valid boolean"),
                                    chat.model);
            chat.stream = stream->get<bool>();
        }
        return chat;
    }

    QString answerId(std::uint64_t bits) const override
    {
        return QStringLiteral("msg_01") + base62Id(bits, 22);
    }

    QByteArray requestId(std::uint64_t bits) const override
    {
        return "req_011C" + base62Id(bits, 20).toLatin1();
    }

    QByteArray requestIdHeader() const override { return QByteArrayLiteral("request-id"); }

    QByteArray answerBody(const WireAnswer &answer) const override
    {
        json body = message(answer);
        body["content"] = json::array({{{"type", "text"}, {"text", jsonString(answer.text)}}});
        body["stop_reason"] = stopReason(answer);
        if (answer.refusal)
            body["stop_details"] = refusalDetails();
        body["usage"] = usage(answer.inputTokens, answer.outputTokens);
        return jsonBytes(body);
    }

    QByteArray streamStart(const WireAnswer &answer) const override
    {
        json start = message(answer);
        start["content"] = json::array();
        start["stop_reason"] = nullptr;
        // The real API reports one output token at message_start, then the total at the end.
        start["usage"] = usage(answer.inputTokens, 1);
        QByteArray out =
            sseEvent("message_start", jsonBytes({{"type", "message_start"}, {"message", start}}));
        out += sseEvent("content_block_start",
                        jsonBytes({{"type", "content_block_start"},
                                   {"index", 0},
                                   {"content_block", {{"type", "text"}, {"text", ""}}}}));
        out += sseEvent("ping", QByteArrayLiteral("{\"type\": \"ping\"}"));
        return out;
    }

    QByteArray streamDelta(const WireAnswer &, const QString &piece) const override
    {
        return sseEvent(
            "content_block_delta",
            jsonBytes({{"type", "content_block_delta"},
                       {"index", 0},
                       {"delta", {{"type", "text_delta"}, {"text", jsonString(piece)}}}}));
    }

    QByteArray streamFinish(const WireAnswer &answer) const override
    {
        QByteArray out = sseEvent("content_block_stop",
                                  jsonBytes({{"type", "content_block_stop"}, {"index", 0}}));
        json delta = {{"stop_reason", stopReason(answer)}, {"stop_sequence", nullptr}};
        if (answer.refusal)
            delta["stop_details"] = refusalDetails();
        out += sseEvent("message_delta",
                        jsonBytes({{"type", "message_delta"},
                                   {"delta", delta},
                                   {"usage", {{"output_tokens", answer.outputTokens}}}}));
        return out;
    }

    QByteArray streamTerminator() const override
    {
        return sseEvent("message_stop", QByteArrayLiteral("{\"type\":\"message_stop\"}"));
    }

    QByteArray streamErrorEvent() const override
    {
        return sseEvent("error", QByteArrayLiteral("{\"type\":\"error\",\"error\":{\"type\":"
                                                   "\"overloaded_error\",\"message\":"
                                                   "\"Overloaded\"}}"));
    }

    HttpServerResponse errorResponse(WireError error,
                                     const WireErrorDetails &details) const override
    {
        HttpServerResponse response;
        QString type;
        QString message;
        switch (error) {
        case WireError::InvalidRequest:
            response.status = 400;
            type = QStringLiteral("invalid_request_error");
            break;
        case WireError::ContextOverflow:
            response.status = 400;
            type = QStringLiteral("invalid_request_error");
            message = QStringLiteral("prompt is too long: %1 tokens > %2 maximum")
                          .arg(details.promptTokens)
                          .arg(details.contextWindow);
            break;
        case WireError::Auth:
            response.status = 401;
            type = QStringLiteral("authentication_error");
            message = QStringLiteral("invalid x-api-key");
            break;
        case WireError::NotFound:
            response.status = 404;
            type = QStringLiteral("not_found_error");
            message = QStringLiteral("model: ") + details.model;
            break;
        case WireError::RateLimited:
            response.status = 429;
            type = QStringLiteral("rate_limit_error");
            message = details.limit > 0
                          ? QStringLiteral("This request would exceed the rate limit for your "
                                           "organization of %1 %2 per minute for model %3. "
                                           "Please try again later.")
                                .arg(details.limit)
                                .arg(details.tokenLimit ? QStringLiteral("tokens")
                                                        : QStringLiteral("requests"))
                                .arg(details.model)
                          : QStringLiteral("This request would exceed the rate limit for your "
                                           "organization. Please try again later.");
            break;
        case WireError::ServerError:
            response.status = 500;
            type = QStringLiteral("api_error");
            message = QStringLiteral("Internal server error");
            break;
        case WireError::Unavailable:
            response.status = 503;
            type = QStringLiteral("api_error");
            message = QStringLiteral("Service unavailable");
            break;
        case WireError::Overloaded:
            response.status = 529;
            type = QStringLiteral("overloaded_error");
            message = QStringLiteral("Overloaded");
            break;
        case WireError::ContentFilter:
            // The API refuses in a 200 (stop_reason refusal); as an error, a plain 400.
            response.status = 400;
            type = QStringLiteral("invalid_request_error");
            message = QString::fromLatin1(kRefusalExplanation);
            break;
        }
        if (!details.message.isEmpty())
            message = details.message;
        json body = {{"type", "error"},
                     {"error", {{"type", jsonString(type)}, {"message", jsonString(message)}}}};
        body["request_id"] =
            details.requestId.isEmpty() ? json(nullptr) : json(details.requestId.toStdString());
        response.headers.add("content-type", "application/json");
        response.body = jsonBytes(body);
        return response;
    }

    void addRateLimitHeaders(HttpHeaders &headers, const RateLimitHeaders &limits,
                             const QDateTime &wallNow) const override
    {
        // Anthropic dates its resets (RFC 3339) instead of counting down.
        const auto resetAt = [&](Millis reset) {
            return wallNow.addMSecs(reset.count()).toUTC().toString(Qt::ISODate).toLatin1();
        };
        if (limits.requestsLimit > 0) {
            headers.add("anthropic-ratelimit-requests-limit",
                        QByteArray::number(limits.requestsLimit));
            headers.add("anthropic-ratelimit-requests-remaining",
                        QByteArray::number(limits.requestsRemaining));
            headers.add("anthropic-ratelimit-requests-reset", resetAt(limits.requestsReset));
        }
        if (limits.tokensLimit > 0) {
            headers.add("anthropic-ratelimit-tokens-limit", QByteArray::number(limits.tokensLimit));
            headers.add("anthropic-ratelimit-tokens-remaining",
                        QByteArray::number(limits.tokensRemaining));
            headers.add("anthropic-ratelimit-tokens-reset", resetAt(limits.tokensReset));
        }
    }

private:
    static json message(const WireAnswer &answer)
    {
        return {{"id", jsonString(answer.id)}, {"type", "message"},
                {"role", "assistant"},         {"model", jsonString(answer.model)},
                {"content", json::array()},    {"stop_reason", nullptr},
                {"stop_sequence", nullptr},    {"usage", json::object()}};
    }

    static constexpr const char *kRefusalExplanation =
        "This request was declined by the chaos server's simulated content filter.";

    static const char *stopReason(const WireAnswer &answer)
    {
        if (answer.refusal)
            return "refusal";
        return answer.hitMaxTokens ? "max_tokens" : "end_turn";
    }

    /// What the API says beside stop_reason `refusal` (on the message and on message_delta).
    static json refusalDetails()
    {
        return {{"type", "refusal"}, {"category", nullptr}, {"explanation", kRefusalExplanation}};
    }

    static json usage(int input, int output)
    {
        return {{"input_tokens", input},
                {"cache_creation_input_tokens", 0},
                {"cache_read_input_tokens", 0},
                {"output_tokens", output}};
    }
};

} // namespace

const ChaosWire &anthropicWire()
{
    static const AnthropicWire wire;
    return wire;
}

} // namespace breakwater

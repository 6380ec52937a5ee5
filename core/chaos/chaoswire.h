#pragma once

#include "chaos/httpmessage.h"
#include "common/clock.h"
#include "common/jsonqt.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <memory>
#include <nlohmann/json.hpp>
#include <variant>

namespace breakwater {

/// The two API dialects the chaos server speaks, chosen by request path.
enum class WireFormat { Anthropic, OpenAI };

/// A chat request as read from either dialect.
struct WireChatRequest {
    QString model;
    /// The text of the system prompt and every message, joined by newlines: what the
    /// input token count is taken from.
    QString prompt;
    int inputTokens = 0;
    /// 0 when the request gives none (OpenAI makes it optional).
    int maxTokens = 0;
    bool stream = false;
    /// OpenAI `stream_options.include_usage`.
    bool includeUsage = false;
};

/// A request body the API would refuse with 400; `model` is filled when it was readable.
struct WireRequestError {
    QString message;
    /// OpenAI's `param` and `code` (empty: null).
    QString param;
    QString code;
    QString model;
};

/// Everything an answer body needs.
struct WireAnswer {
    QString id;
    QString model;
    QString text;
    QStringList pieces;
    int inputTokens = 0;
    int outputTokens = 0;
    bool hitMaxTokens = false;
    /// The model refused on content grounds: Anthropic's stop_reason `refusal` (with its
    /// stop_details), OpenAI's finish_reason `content_filter`.
    bool refusal = false;
    /// Unix seconds (OpenAI `created`).
    qint64 created = 0;
    bool includeUsage = false;
};

/// The errors the chaos server answers with, each in the dialect's own form.
enum class WireError {
    InvalidRequest,  ///< 400
    ContextOverflow, ///< 400, the API's own "prompt too long" error
    Auth,            ///< 401
    NotFound,        ///< 404 (unknown model or path)
    RateLimited,     ///< 429
    ServerError,     ///< 500
    Unavailable,     ///< 503
    Overloaded,      ///< 529 (Anthropic) or 503 with the overload message (OpenAI)
    ContentFilter,   ///< 400 `content_policy_violation` (OpenAI; Anthropic refuses in a 200)
};

/// What an error message says beyond its kind.
struct WireErrorDetails {
    QString message; ///< overrides the default message when set
    QString param;
    QString code;
    QString model;
    int promptTokens = 0;
    int contextWindow = 0;
    /// For rate limits: whether the token limit (not the request limit) was hit.
    bool tokenLimit = false;
    int limit = 0;
    Millis retryAfter{0};
    /// Anthropic puts the request id into the error body too.
    QByteArray requestId;
};

/// A model's rate-limit state after a request: the values of the rate-limit headers.
struct RateLimitHeaders {
    int requestsLimit = 0; ///< 0: no request limit, no request headers
    int requestsRemaining = 0;
    Millis requestsReset{0}; ///< until the bucket is full again
    int tokensLimit = 0;     ///< 0: no token limit, no token headers
    int tokensRemaining = 0;
    Millis tokensReset{0};
};

/// One API dialect: reads requests, writes answers, stream events and errors exactly as
/// that API does, so that its official SDK accepts them. Stateless.
class ChaosWire {
public:
    virtual ~ChaosWire() = default;
    virtual WireFormat format() const = 0;
    /// Reads a request body, or says why the API would refuse it.
    virtual std::variant<WireChatRequest, WireRequestError>
    parseChatRequest(const QByteArray &body) const = 0;
    /// A new message / completion id ("msg_…", "chatcmpl-…") from 64 random bits.
    virtual QString answerId(std::uint64_t bits) const = 0;
    /// The request id ("req_…") from 64 random bits.
    virtual QByteArray requestId(std::uint64_t bits) const = 0;
    /// The name of the request-id response header.
    virtual QByteArray requestIdHeader() const = 0;

    /// The complete JSON answer.
    virtual QByteArray answerBody(const WireAnswer &answer) const = 0;
    /// The events before the first text delta.
    virtual QByteArray streamStart(const WireAnswer &answer) const = 0;
    /// The event for one text delta.
    virtual QByteArray streamDelta(const WireAnswer &answer, const QString &piece) const = 0;
    /// The events after the last delta that carry the finish reason (and the usage), up to
    /// but not including the terminator.
    virtual QByteArray streamFinish(const WireAnswer &answer) const = 0;
    /// The stream's last event: `message_stop` / `data: [DONE]`.
    virtual QByteArray streamTerminator() const = 0;
    /// streamFinish() and streamTerminator(): everything after the last delta.
    QByteArray streamEnd(const WireAnswer &answer) const
    {
        return streamFinish(answer) + streamTerminator();
    }
    /// The API's mid-stream error event (after which the stream ends without terminator).
    virtual QByteArray streamErrorEvent() const = 0;

    /// An error response (status, headers, body); the caller adds ids and rate limits.
    virtual HttpServerResponse errorResponse(WireError error,
                                             const WireErrorDetails &details) const = 0;
    /// Adds the dialect's rate-limit headers; `wallNow` dates Anthropic's reset times.
    virtual void addRateLimitHeaders(HttpHeaders &headers, const RateLimitHeaders &limits,
                                     const QDateTime &wallNow) const = 0;
};

/// The dialect `format`; the objects are static and shared.
const ChaosWire &chaosWire(WireFormat format);

/// An id of `length` characters from [0-9A-Za-z], drawn from `bits`.
QString base62Id(std::uint64_t bits, int length);
/// A duration as OpenAI's reset headers write it: "20ms", "1.5s", "6m0s", "1h2m3s".
QByteArray goDuration(Millis duration);
/// JSON text as bytes.
QByteArray jsonBytes(const nlohmann::json &json);

/// A server-sent event: "event: <name>\ndata: <data>\n\n" (no event line when name is empty).
QByteArray sseEvent(const QByteArray &name, const QByteArray &data);

} // namespace breakwater

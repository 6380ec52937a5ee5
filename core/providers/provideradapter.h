#pragma once

#include "errors/classifiederror.h"
#include "providers/chat.h"
#include "providers/providerconfig.h"
#include "transport/transport.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QUrl>

#include <memory>
#include <optional>
#include <variant>

namespace breakwater {

/// The largest complete answer (bytes) or streamed text (characters) accepted; anything
/// larger is `malformed`. The engine stops buffering a body at the same size.
inline constexpr qsizetype kMaxAnswerBytes = 16 * 1024 * 1024;

/// What one chunk of a streamed answer brought.
///
/// A stream is complete as the official SDKs judge it (docs/engine.md): once its finish
/// reason has arrived (OpenAI `finish_reason`, Anthropic `message_delta.stop_reason`), a
/// clean close ends it as a complete answer whether or not the terminator came; a stream
/// that closes before its finish reason is `malformed`. The terminator still ends it at once.
struct StreamProgress {
    /// Text that arrived in this chunk (may be empty).
    QString textDelta;
    /// At least one complete event has arrived so far (the first-token timeout is satisfied).
    bool sawEvent = false;
    /// The answer's finish reason has arrived: from now on a clean close completes it (the
    /// usage and the terminator may still follow).
    bool sawFinishReason = false;
    /// The stream's terminator arrived (`message_stop` / `data: [DONE]`): the answer is
    /// complete now, whatever follows.
    bool complete = false;
    /// A mid-stream error event, data that could not be parsed (then `malformed`), or a
    /// finish reason that is a refusal (OpenAI `content_filter`, Anthropic `refusal`: then
    /// `content_filter`). Reported once; the stream's fate is then decided.
    std::optional<ClassifiedError> error;
};

/// Decodes one streamed (SSE) answer of one wire format, chunk by chunk.
class StreamDecoder {
public:
    virtual ~StreamDecoder() = default;
    /// Feeds the next bytes as they came off the socket (any split, any line ending).
    virtual StreamProgress feed(QByteArrayView chunk) = 0;
    /// The connection closed cleanly (the transport finished): the answer when the
    /// terminator or the finish reason came, the error reported by feed() if any, else
    /// `malformed` (cut before the finish reason).
    virtual std::variant<ChatAnswer, ClassifiedError> finish() = 0;
};

/// One wire format: builds requests and reads answers. Stateless, so shareable.
class ProviderAdapter {
public:
    virtual ~ProviderAdapter() = default;
    virtual ProviderKind kind() const = 0;
    /// Where chat requests go for a provider at `baseUrl`.
    virtual QUrl endpoint(const QUrl &baseUrl) const = 0;
    /// The HTTP request for `request`, sent to `endpoint` (from endpoint(): an engine works it
    /// out once per provider rather than per request). `apiKey` goes only into the auth header.
    virtual HttpRequest buildRequestTo(const QUrl &endpoint, const QByteArray &apiKey,
                                       const ChatRequest &request) const = 0;
    /// The same, for a provider at `baseUrl`.
    HttpRequest buildRequest(const QUrl &baseUrl, const QByteArray &apiKey,
                             const ChatRequest &request) const
    {
        return buildRequestTo(endpoint(baseUrl), apiKey, request);
    }
    /// Reads a complete 2xx JSON answer; `malformed` when it cannot, `content_filter` when
    /// its finish reason is a refusal (OpenAI `content_filter`, Anthropic `refusal`).
    virtual std::variant<ChatAnswer, ClassifiedError> parseAnswer(const QByteArray &body) const = 0;
    virtual std::unique_ptr<StreamDecoder> createStreamDecoder() const = 0;
};

std::unique_ptr<ProviderAdapter> createProviderAdapter(ProviderKind kind);

} // namespace breakwater

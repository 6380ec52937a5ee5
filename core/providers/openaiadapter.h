#pragma once

#include "providers/provideradapter.h"

namespace breakwater {

/// The OpenAI Chat Completions API and compatible servers: `POST {base}/chat/completions`
/// with `authorization: Bearer`. The base of the real API ends in `/v1`; a base whose path
/// does not (the chaos server, a bare `http://127.0.0.1:PORT`) gets `/v1` added.
class OpenAIAdapter final : public ProviderAdapter {
public:
    ProviderKind kind() const override { return ProviderKind::OpenAI; }
    /// Streaming requests ask for `stream_options.include_usage`, so token counts arrive.
    QUrl endpoint(const QUrl &baseUrl) const override;
    HttpRequest buildRequestTo(const QUrl &endpoint, const QByteArray &apiKey,
                               const ChatRequest &request) const override;
    std::variant<ChatAnswer, ClassifiedError> parseAnswer(const QByteArray &body) const override;
    /// Text comes from `choices[0].delta.content`; every well-formed chunk sets `sawEvent`.
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
};

} // namespace breakwater

#pragma once

#include "providers/provideradapter.h"

namespace breakwater {

/// The Anthropic Messages API: `POST {base}/v1/messages`, `x-api-key`, `anthropic-version`.
class AnthropicAdapter final : public ProviderAdapter {
public:
    /// The `anthropic-version` header value sent with every request.
    static constexpr const char *kApiVersion = "2023-06-01";

    ProviderKind kind() const override { return ProviderKind::Anthropic; }
    QUrl endpoint(const QUrl &baseUrl) const override;
    HttpRequest buildRequestTo(const QUrl &endpoint, const QByteArray &apiKey,
                               const ChatRequest &request) const override;
    std::variant<ChatAnswer, ClassifiedError> parseAnswer(const QByteArray &body) const override;
    /// Text comes from `text_delta`s; `sawEvent` turns true on `message_start` or any content
    /// event, never on `ping` (a server sending only pings has produced nothing yet).
    std::unique_ptr<StreamDecoder> createStreamDecoder() const override;
};

} // namespace breakwater

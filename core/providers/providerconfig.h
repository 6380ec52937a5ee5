#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace breakwater {

/// The two wire formats Breakwater speaks.
enum class ProviderKind { Anthropic, OpenAI };

QString providerKindName(ProviderKind kind);
std::optional<ProviderKind> providerKindFromName(const QString &name);

/// Config `providers.<name>`.
struct ProviderConfig {
    QString name;
    ProviderKind kind = ProviderKind::Anthropic;
    /// "embedded" for the in-process chaos server; otherwise an http(s) URL.
    QString baseUrl;
    /// The environment variable holding the key; empty for none. The key itself is never
    /// stored in a config object, only read when a request is built.
    QString apiKeyEnv;

    bool isEmbedded() const { return baseUrl == QStringLiteral("embedded"); }
};

/// One model of the fallback chain (config `chain[i]`).
struct ChainEntry {
    QString provider;
    QString model;
    int maxTokens = 1024;
    /// Tokens; 0 when unknown (then only the server's overflow message tells it).
    int contextWindow = 0;
    /// Bulkhead: attempts in flight on this model at once; 0 for no limit.
    int maxConcurrency = 0;
};

} // namespace breakwater

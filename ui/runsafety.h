#pragma once

#include "config/config.h"
#include "scenario/scenario.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace breakwater::ui {

/// Whether `provider` is the in-process chaos server (base_url "embedded"): simulated, free,
/// no key. Anything else is a real provider that may bill.
bool isSimulated(const ProviderConfig &provider);

/// The names of the real (not embedded) providers the chain of `config` calls, in chain
/// order, each once.
QStringList realProviders(const Config &config);

/// About how many requests a scenario's load sends, retries not counted: open loop, the
/// area under the rate, which grows linearly over the ramp; closed loop, one call per worker
/// per second plus think time (a guess: it depends on the latency).
qint64 estimatedRequests(const Scenario &scenario);

/// The question asked before a run whose chain includes real providers: which providers,
/// about how many requests, and that retries may add more.
QString realRunQuestion(const Config &config, const Scenario &scenario);

/// `key` as the UI may show it: "…" and its last four characters, or "…" alone when the key
/// is shorter than 12 characters (four of them would give too much of it away). Empty for
/// an empty key.
QString maskedKey(const QString &key);

/// Where `provider`'s key comes from, for display: "key …abcd (from $ENV)", "no key ($ENV is
/// not set)", "no key (simulated)" or "no key". Reads the environment; never the whole key.
QString providerKeyText(const ProviderConfig &provider);

/// One line naming each provider of `config`'s chain (once, in chain order) with
/// providerKeyText: "chaos: no key (simulated) · openai: key …abcd (from $OPENAI_API_KEY)".
QString chainKeysText(const Config &config);

/// The values of the API key environment variables `config` names (non-empty ones only).
QStringList apiKeysInUse(const Config &config);

/// `data` with every occurrence of each secret replaced by "[redacted]": the last guard
/// before an export is written, so no API key ever reaches a file.
QByteArray redactSecrets(QByteArray data, const QStringList &secrets);

} // namespace breakwater::ui

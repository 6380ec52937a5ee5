#pragma once

#include "common/clock.h"
#include "config/configloader.h"

#include <QList>
#include <QMap>
#include <QString>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater {

class JsonReader;

/// The faults a chaos profile can inject (docs/chaos.md), in profile order.
enum class ChaosFault {
    RateLimited,
    ServerError,
    Unavailable,
    Overloaded,
    Timeout,
    Reset,
    Malformed,
    Auth,
    StreamError,
    StreamStall,
    StreamTruncate,
    /// A complete stream (every delta and the finish reason) that closes cleanly without
    /// `data: [DONE]` / `message_stop`; a normal answer when not streaming.
    StreamNoTerminator,
    /// OpenAI: the 400 `content_policy_violation`; Anthropic: a 200 whose stop_reason is
    /// `refusal`, its text a short partial.
    ContentFilter,
};
inline constexpr int kChaosFaultCount = 13;

/// "rate_limited", "stream_stall", …
QString chaosFaultName(ChaosFault fault);
/// The inverse of chaosFaultName; nullopt for an unknown name.
std::optional<ChaosFault> chaosFaultFromName(QStringView name);
/// Every fault, in profile order.
const std::array<ChaosFault, kChaosFaultCount> &allChaosFaults();

/// A latency distribution given by its median and 99th percentile, in milliseconds.
struct LatencySpec {
    double p50Ms = 0;
    double p99Ms = 0;
};

/// One model's behaviour on the chaos server (a profile's `models.<name>`). Every field is
/// optional in JSON and takes the default shown here.
struct ChaosModelProfile {
    LatencySpec latency;
    /// Streams: from the response head to the first text delta.
    double ttftMs = 0;
    /// Streams: pacing of the text deltas; 0 sends them all at once.
    double tokensPerSecond = 0;
    /// Prompts longer than this, in tokens, get the API's context-overflow 400.
    int contextWindow = 200000;
    /// Probability of each fault per request, indexed by ChaosFault; left out = 0.
    std::array<double, kChaosFaultCount> faults{};
    /// The retry-after of an injected rate_limited answer.
    double retryAfterS = 1;
    /// Requests and tokens per minute (token buckets); 0 is unlimited.
    int rpm = 0;
    int tpm = 0;

    double faultRate(ChaosFault fault) const { return faults[static_cast<int>(fault)]; }
    void setFaultRate(ChaosFault fault, double rate) { faults[static_cast<int>(fault)] = rate; }
};

/// A whole chaos profile: behaviour per model name, `"*"` for every model not listed.
struct ChaosProfile {
    QMap<QString, ChaosModelProfile> models;

    /// The entry for `model`: its own, else `"*"`, else nullptr (the API's 404).
    const ChaosModelProfile *find(const QString &model) const;
};

/// The model name that stands for every model not listed.
inline const QString kChaosAnyModel = QStringLiteral("*");

/// A profile that serves every model with the defaults: no faults, no latency, no limits.
ChaosProfile defaultChaosProfile();

/// The result of parsing a profile: the profile, or every problem found (JSON paths).
struct ChaosProfileParseResult {
    std::optional<ChaosProfile> profile;
    QList<ValidationError> errors;
};

/// Parses and validates a profile (SPEC.md section 5) found at `path` of `file` (a
/// scenario's `chaos.baseline`, or "" for a profile file). Unknown fields are errors.
ChaosProfileParseResult parseChaosProfile(const nlohmann::json &json, const QString &file = {},
                                          const QString &path = {});
/// Reads a profile file (`breakwater-cli chaos --profile FILE`); unreadable files and JSON
/// syntax errors are errors too, every error labelled with `path`.
ChaosProfileParseResult loadChaosProfileFile(const QString &path);
/// Reads one model entry with `reader`; fields left out take their defaults. In
/// `latency_ms`, a missing p99 is p50 and a missing p50 is p99.
ChaosModelProfile readChaosModelProfile(JsonReader &reader);

/// The profile in its JSON form, every field written out (what GET /chaos/profile shows).
nlohmann::json chaosProfileToJson(const ChaosProfile &profile);
nlohmann::json chaosModelProfileToJson(const ChaosModelProfile &model);

/// `model`'s entry with `partial` (a partial model entry) merged into it deeply (RFC 7396:
/// null removes a field, which takes its default again). A patch that sets only one of
/// latency p50/p99 moves the other along when needed to keep p50 <= p99. Errors name paths
/// under `path`.
struct ChaosModelPatchResult {
    std::optional<ChaosModelProfile> model;
    QList<ValidationError> errors;
};
ChaosModelPatchResult patchChaosModel(const ChaosModelProfile &model, const nlohmann::json &partial,
                                      const QString &file = {}, const QString &path = {});

/// One step of a chaos timeline: at `at` after its start, merge `set` into `model`'s entry.
struct ChaosTimelineEntry {
    Millis at{0};
    QString model;
    /// A partial model entry, as in PATCH /chaos/models/{model}.
    nlohmann::json set = nlohmann::json::object();
    QString note;
};

/// Parses a timeline array (a scenario's `chaos.timeline`, or the `timeline` of POST
/// /chaos/timeline) found at `path`; each `set` is checked as a partial model entry.
struct ChaosTimelineParseResult {
    std::optional<QList<ChaosTimelineEntry>> timeline;
    QList<ValidationError> errors;
};
ChaosTimelineParseResult parseChaosTimeline(const nlohmann::json &json, const QString &file = {},
                                            const QString &path = QStringLiteral("timeline"));

/// A sample of the log-normal distribution whose median is p50 and 99th percentile p99,
/// from one uniform draw `u` in [0, 1) (inverse transform, so one draw per sample).
double sampleLatencyMs(const LatencySpec &latency, double u);
/// The standard normal quantile function (Acklam's rational approximation, ~1e-9).
double standardNormalQuantile(double p);

} // namespace breakwater

#pragma once

#include <QString>

#include <optional>

namespace breakwater {

/// The error classes of SPEC.md section 3, plus the outcomes an attempt can have without
/// reaching a server. The names are the wire names used in JSON, metrics and the UI.
enum class Outcome {
    Success,
    RateLimited,
    ServerError,
    Overloaded,
    Timeout,
    Connection,
    Malformed,
    ContextOverflow,
    /// The provider refused on content grounds; the same request on the same model would
    /// be refused again.
    ContentFilter,
    Auth,
    BadRequest,
    ShortCircuited, ///< breaker open: the attempt was never sent
    BulkheadFull,   ///< the model's concurrency limit was reached: never sent
    Cancelled,
};

/// The ten error classes of docs/engine.md, in table order (for reports and metrics).
inline constexpr Outcome kErrorClasses[] = {
    Outcome::RateLimited,     Outcome::ServerError,   Outcome::Overloaded, Outcome::Timeout,
    Outcome::Connection,      Outcome::Malformed,     Outcome::ContentFilter,
    Outcome::ContextOverflow, Outcome::Auth,          Outcome::BadRequest,
};

/// "rate_limited", "short_circuited", …
QString outcomeName(Outcome outcome);
/// The inverse of outcomeName; nullopt for an unknown name.
std::optional<Outcome> outcomeFromName(const QString &name);

/// Whether the class is retried by default (SPEC.md section 3, before x-should-retry).
bool isRetryableByDefault(Outcome outcome);
/// Whether the class counts as a failure for the circuit breaker.
bool countsAgainstBreaker(Outcome outcome);

} // namespace breakwater

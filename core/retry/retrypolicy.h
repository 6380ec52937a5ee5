#pragma once

#include "common/clock.h"
#include "common/errorclass.h"

#include <QString>
#include <algorithm>
#include <optional>
#include <vector>

namespace breakwater {

/// How each backoff delay is randomised (docs/engine.md, "Backoff").
enum class JitterMode { None, Additive, Full, Equal, Decorrelated };

QString jitterModeName(JitterMode mode);
std::optional<JitterMode> jitterModeFromName(const QString &name);

/// A bound on attempts per model for one error class (`retry.max_attempts_by_class`).
struct ClassAttemptLimit {
    Outcome errorClass = Outcome::Timeout;
    int attempts = 1;
};

/// Config `retry`: immutable once built.
struct RetryPolicy {
    /// Attempts per model in the chain, the first one included.
    int maxAttempts = 3;
    /// Tighter bounds (never above maxAttempts) for classes where one more try on the same
    /// model rarely helps: a model that timed out once will usually time out again, so the
    /// chain moves on.
    std::vector<ClassAttemptLimit> maxAttemptsByClass{
        {Outcome::Timeout, 1}, {Outcome::Connection, 2}, {Outcome::Malformed, 2}};
    Millis initial{100};
    Millis max{10000};
    double multiplier = 2.0;
    JitterMode jitter = JitterMode::Full;
    /// Upper bound of the additive jitter.
    Millis jitterMax{2000};
    bool honorRetryAfter = true;
    /// A server hint above this ends retries on that model at once.
    Millis retryAfterCap{60000};
    /// Retry budget per model (Envoy's retry budget, gRPC's retry throttling): over the last
    /// `budgetWindow`, retries may not exceed budgetRatio × first attempts plus
    /// budgetMinPerSecond × the window's seconds. 0 turns the budget off.
    double budgetRatio = 0.5;
    double budgetMinPerSecond = 5.0;
    /// Not in the config file: 10 s, shortened only by time scaling.
    Millis budgetWindow{10000};

    /// The attempts allowed on one model when its latest failure was of `errorClass`:
    /// max_attempts is the ceiling, a class bound only tightens it.
    int maxAttemptsFor(Outcome errorClass) const
    {
        for (const ClassAttemptLimit &limit : maxAttemptsByClass) {
            if (limit.errorClass == errorClass)
                return std::min(limit.attempts, maxAttempts);
        }
        return maxAttempts;
    }
    bool budgetEnabled() const { return budgetRatio > 0.0; }
};

} // namespace breakwater

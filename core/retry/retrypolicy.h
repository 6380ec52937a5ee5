#pragma once

#include "common/clock.h"

#include <QString>

#include <optional>

namespace breakwater {

/// How each backoff delay is randomised (SPEC.md section 3).
enum class JitterMode { None, Additive, Full, Equal, Decorrelated };

QString jitterModeName(JitterMode mode);
std::optional<JitterMode> jitterModeFromName(const QString &name);

/// Config `retry`: immutable once built; defaults are the seed article's tenacity recipe.
struct RetryPolicy {
    /// Attempts per model in the chain, the first one included.
    int maxAttempts = 5;
    Millis initial{1000};
    Millis max{60000};
    double multiplier = 2.0;
    JitterMode jitter = JitterMode::Additive;
    /// Upper bound of the additive jitter.
    Millis jitterMax{2000};
    bool honorRetryAfter = true;
    /// A server hint above this ends retries on that model at once.
    Millis retryAfterCap{60000};
};

} // namespace breakwater

#pragma once

#include "common/clock.h"
#include "common/errorclass.h"

#include <QString>

#include <optional>

namespace breakwater {

/// Where a retry delay came from (SPEC.md section 4 `delay_source`).
enum class DelaySource { Backoff, RetryAfter, RetryAfterMs };

/// "backoff", "retry-after", "retry-after-ms".
QString delaySourceName(DelaySource source);

/// What went wrong with one attempt, and what the server said about retrying it.
struct ClassifiedError {
    Outcome outcome = Outcome::ServerError;
    /// After applying the class default and any `x-should-retry` header.
    bool retryable = false;
    /// The server's delay hint (`retry-after-ms` preferred over `retry-after`), if any.
    std::optional<Millis> retryAfter;
    DelaySource retryAfterSource = DelaySource::Backoff;
    /// 0 when no HTTP status was received (network error, timeout, mid-stream error).
    int httpStatus = 0;
    /// The API's own error type or code (`overloaded_error`, `insufficient_quota`, …).
    QString apiErrorType;
    /// Human-readable, never containing request headers (so never a key).
    QString message;
    /// For context overflow: the prompt size and window the server reported, when it did.
    std::optional<int> promptTokens;
    std::optional<int> contextLimit;
};

} // namespace breakwater

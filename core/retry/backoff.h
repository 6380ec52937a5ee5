#pragma once

#include "common/clock.h"
#include "common/random.h"
#include "errors/classifiederror.h"
#include "retry/retrypolicy.h"

#include <QString>

namespace breakwater {

/// The backoff delay before retry number `attempt` (0-based: 0 is the wait after the first
/// failure), SPEC.md section 3. `previous` is the last delay returned (decorrelated jitter
/// grows from it; pass 0 before the first retry).
Millis backoffDelay(const RetryPolicy &policy, int attempt, Millis previous, RandomSource &random);

/// Whether and when to retry the same model after a failed attempt.
struct RetryDecision {
    bool retry = false;
    Millis delay{0};
    DelaySource source = DelaySource::Backoff;
    /// Why not, when retry is false ("not retryable", "attempts exhausted",
    /// "retry-after 120 s above cap 60 s").
    QString reason;
};

/// Decides the next step after attempt `attempt` (0-based) of one model failed with `error`:
/// not retryable, attempts exhausted, or a server hint above the cap end retries on this
/// model; a valid hint (when honoured) sets the delay, else the backoff does.
RetryDecision decideRetry(const RetryPolicy &policy, const ClassifiedError &error, int attempt,
                          Millis previousDelay, RandomSource &random);

} // namespace breakwater

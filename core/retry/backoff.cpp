#include "backoff.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

/// `initial * multiplier^attempt`, never above `cap`, in milliseconds. The exponent is
/// compared with the one that would reach the cap before calling pow, so a large attempt
/// number (or a huge multiplier) yields the cap instead of inf or NaN.
double exponentialBase(double initial, double cap, double multiplier, int attempt)
{
    if (initial <= 0.0 || cap <= 0.0)
        return 0.0;
    if (initial >= cap)
        return cap;
    const int n = std::max(attempt, 0);
    if (n == 0)
        return initial;
    // A multiplier below 1 is a config mistake the loader should refuse; should one get here,
    // NaN or a negative one stays at `initial` and one in [0, 1] follows the formula (which
    // cannot overflow), so the result is still a delay in [0, max].
    if (std::isnan(multiplier) || multiplier < 0.0)
        return initial;
    if (multiplier <= 1.0)
        return initial * std::pow(multiplier, n);
    if (std::isinf(multiplier))
        return cap;
    const double attemptsToCap = std::log(cap / initial) / std::log(multiplier);
    if (static_cast<double>(n) >= attemptsToCap)
        return cap;
    return std::min(cap, initial * std::pow(multiplier, n));
}

Millis toMillis(double milliseconds, double cap)
{
    if (std::isnan(milliseconds))
        return Millis(0);
    const double clamped = std::clamp(milliseconds, 0.0, cap);
    return Millis(static_cast<Millis::rep>(std::llround(clamped)));
}

/// "120", "1.5": whole seconds without a fraction, otherwise up to milliseconds.
QString secondsText(Millis duration)
{
    QString text = QString::number(toSeconds(duration), 'f', 3);
    while (text.endsWith(u'0'))
        text.chop(1);
    if (text.endsWith(u'.'))
        text.chop(1);
    return text;
}

} // namespace

Millis backoffDelay(const RetryPolicy &policy, int attempt, Millis previous, RandomSource &random)
{
    const double cap = static_cast<double>(std::max<Millis::rep>(policy.max.count(), 0));
    const double initial = static_cast<double>(std::max<Millis::rep>(policy.initial.count(), 0));
    const double base = exponentialBase(initial, cap, policy.multiplier, attempt);

    double delay = base;
    switch (policy.jitter) {
    case JitterMode::None:
        break;
    case JitterMode::Additive: {
        const double jitter =
            static_cast<double>(std::max<Millis::rep>(policy.jitterMax.count(), 0));
        delay = base + random.uniform(0.0, jitter);
        break;
    }
    case JitterMode::Full:
        delay = random.uniform(0.0, base);
        break;
    case JitterMode::Equal:
        delay = base / 2.0 + random.uniform(0.0, base / 2.0);
        break;
    case JitterMode::Decorrelated: {
        // Grows from the last delay rather than from the attempt number (the AWS recipe), so
        // the multiplier plays no part; before the first retry there is no last delay yet.
        const double last = previous.count() > 0 ? static_cast<double>(previous.count()) : initial;
        delay = random.uniform(initial, 3.0 * last);
        break;
    }
    }
    // Every mode, additive included, ends at max: max_s is the promise made to the user.
    return toMillis(delay, cap);
}

RetryDecision decideRetry(const RetryPolicy &policy, const ClassifiedError &error, int attempt,
                          Millis previousDelay, RandomSource &random)
{
    RetryDecision decision;
    if (!error.retryable) {
        decision.reason = QStringLiteral("not retryable (%1)").arg(outcomeName(error.outcome));
        return decision;
    }
    const int limit = policy.maxAttemptsFor(error.outcome);
    if (attempt + 1 >= limit) {
        decision.reason = limit >= policy.maxAttempts
                              ? QStringLiteral("attempts exhausted (%1 of %2)")
                                    .arg(attempt + 1)
                                    .arg(limit)
                              : QStringLiteral("attempts exhausted (%1 of %2 for %3)")
                                    .arg(attempt + 1)
                                    .arg(limit)
                                    .arg(outcomeName(error.outcome));
        return decision;
    }

    // A server hint wins over our own backoff: the server knows when it expects to recover
    // (its rate-limit window, its restart), while jittered backoff is a guess for when it says
    // nothing. Retrying earlier than the hint only earns another 429; retrying later wastes
    // the caller's time budget. A hint above the cap means the model is out for longer than
    // we are willing to wait, so the chain should move on now rather than after a long sleep.
    if (error.retryAfter && policy.honorRetryAfter) {
        const Millis hint = std::max(*error.retryAfter, Millis(0));
        // A hint always came from a header; never report it as our own backoff.
        const DelaySource source = error.retryAfterSource == DelaySource::Backoff
                                       ? DelaySource::RetryAfter
                                       : error.retryAfterSource;
        if (hint > policy.retryAfterCap) {
            decision.reason = QStringLiteral("%1 %2 s above cap %3 s")
                                  .arg(delaySourceName(source), secondsText(hint),
                                       secondsText(policy.retryAfterCap));
            return decision;
        }
        decision.retry = true;
        decision.delay = hint;
        decision.source = source;
        return decision;
    }

    decision.retry = true;
    decision.delay = backoffDelay(policy, attempt, previousDelay, random);
    decision.source = DelaySource::Backoff;
    return decision;
}

} // namespace breakwater

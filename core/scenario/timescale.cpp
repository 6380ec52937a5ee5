#include "timescale.h"

#include <cmath>

namespace breakwater {
namespace {

Millis scaled(Millis duration, double factor)
{
    return Millis(static_cast<Millis::rep>(std::llround(static_cast<double>(duration.count()) * factor)));
}

/// A non-zero duration stays non-zero: a 0 turns a limit off.
Millis scaledLimit(Millis duration, double factor)
{
    if (duration <= Millis(0))
        return duration;
    return std::max(Millis(1), scaled(duration, factor));
}

void scaleNumber(nlohmann::json &object, const char *key, double multiplier)
{
    if (object.is_object() && object.contains(key) && object[key].is_number())
        object[key] = object[key].get<double>() * multiplier;
}

} // namespace

Config timeScaled(const Config &config, double factor)
{
    Config result = config;
    RetryPolicy &retry = result.retry;
    retry.initial = scaled(retry.initial, factor);
    retry.max = scaled(retry.max, factor);
    retry.jitterMax = scaled(retry.jitterMax, factor);
    retry.retryAfterCap = scaled(retry.retryAfterCap, factor);
    // The budget's window shrinks with time; its floor is a rate, so it grows.
    retry.budgetWindow = scaledLimit(retry.budgetWindow, factor);
    if (factor > 0)
        retry.budgetMinPerSecond /= factor;
    BreakerPolicy &breaker = result.breaker;
    breaker.openDuration = scaledLimit(breaker.openDuration, factor);
    breaker.openMax = scaledLimit(breaker.openMax, factor);
    breaker.slowCall = scaledLimit(breaker.slowCall, factor);
    // A time window keeps its buckets; each bucket's second is scaled.
    breaker.windowSecond = scaledLimit(breaker.windowSecond, factor);
    TimeoutPolicy &timeouts = result.timeouts;
    timeouts.connect = scaledLimit(timeouts.connect, factor);
    timeouts.firstToken = scaledLimit(timeouts.firstToken, factor);
    timeouts.idle = scaledLimit(timeouts.idle, factor);
    timeouts.attempt = scaledLimit(timeouts.attempt, factor);
    timeouts.total = scaledLimit(timeouts.total, factor);
    result.hedge.after = scaledLimit(result.hedge.after, factor);
    result.cache.ttl = scaledLimit(result.cache.ttl, factor);
    result.alert.window = scaledLimit(result.alert.window, factor);
    return result;
}

ChaosModelProfile timeScaled(const ChaosModelProfile &model, double factor)
{
    ChaosModelProfile result = model;
    result.latency.p50Ms *= factor;
    result.latency.p99Ms *= factor;
    result.ttftMs *= factor;
    result.tokensPerSecond = factor > 0 ? result.tokensPerSecond / factor : result.tokensPerSecond;
    result.retryAfterS *= factor;
    if (factor > 0) {
        result.rpm = static_cast<int>(std::lround(result.rpm / factor));
        result.tpm = static_cast<int>(std::lround(result.tpm / factor));
    }
    return result;
}

ChaosProfile timeScaled(const ChaosProfile &profile, double factor)
{
    ChaosProfile result = profile;
    for (auto it = result.models.begin(); it != result.models.end(); ++it)
        it.value() = timeScaled(it.value(), factor);
    return result;
}

nlohmann::json timeScaledModelPatch(const nlohmann::json &patch, double factor)
{
    nlohmann::json result = patch;
    if (!result.is_object() || factor <= 0)
        return result;
    if (result.contains("latency_ms")) {
        scaleNumber(result["latency_ms"], "p50", factor);
        scaleNumber(result["latency_ms"], "p99", factor);
    }
    scaleNumber(result, "ttft_ms", factor);
    scaleNumber(result, "tokens_per_s", 1.0 / factor);
    scaleNumber(result, "retry_after_s", factor);
    if (result.contains("limits")) {
        nlohmann::json &limits = result["limits"];
        for (const char *key : {"rpm", "tpm"}) {
            if (limits.is_object() && limits.contains(key) && limits[key].is_number())
                limits[key] = std::lround(limits[key].get<double>() / factor);
        }
    }
    return result;
}

Scenario timeScaled(const Scenario &scenario, double factor)
{
    Scenario result = scenario;
    result.duration = scaledLimit(result.duration, factor);
    result.load.ramp = scaled(result.load.ramp, factor);
    result.load.think = scaledLimit(result.load.think, factor);
    if (factor > 0)
        result.load.rps = result.load.rps / factor;
    result.baseline = timeScaled(result.baseline, factor);
    // Latency limits scale with the latencies they bound.
    if (result.expect.p50SecondsMax)
        *result.expect.p50SecondsMax *= factor;
    if (result.expect.p99SecondsMax)
        *result.expect.p99SecondsMax *= factor;
    for (ChaosTimelineEntry &entry : result.timeline) {
        entry.at = scaled(entry.at, factor);
        entry.set = timeScaledModelPatch(entry.set, factor);
    }
    return result;
}

} // namespace breakwater

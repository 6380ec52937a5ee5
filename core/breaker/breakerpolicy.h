#pragma once

#include "common/clock.h"

#include <QString>
#include <optional>

namespace breakwater {

/// How the failure-rate window is measured: the last N calls, or the last N seconds.
enum class WindowKind { Count, Time };

QString windowKindName(WindowKind kind);
std::optional<WindowKind> windowKindFromName(const QString &name);

/// What one result fed to the breaker stands for: every attempt (a breaker inside the
/// retries), or one call on the model after its retries (a breaker around the retried call,
/// as the seed article's). The order of the strategies decides it, as in Polly's pipelines.
enum class BreakerCounting { Attempts, Calls };

QString breakerCountingName(BreakerCounting counting);
std::optional<BreakerCounting> breakerCountingFromName(const QString &name);

/// What a call does when every model left in its chain is open.
enum class WhenAllOpen {
    /// One attempt anyway, on the model open longest (Envoy's panic threshold): a brownout
    /// never turns into an outage of our own making, and a dead provider sees one attempt
    /// per call.
    Probe,
    /// The cache or the degraded text at once.
    Degrade,
};

QString whenAllOpenName(WhenAllOpen mode);
std::optional<WhenAllOpen> whenAllOpenFromName(const QString &name);

/// Config `breaker`: one policy, one breaker per model built from it.
struct BreakerPolicy {
    BreakerCounting counts = BreakerCounting::Attempts;
    /// Open after this many failures in a row; 0 disables the rule.
    int consecutiveFailures = 20;
    WindowKind window = WindowKind::Time;
    /// Calls (count window) or whole seconds (time window).
    int windowSize = 10;
    /// Not in the config file: how long a time window's "second" is; shorter only in a
    /// time-scaled run, so that the window keeps its ten buckets.
    Millis windowSecond{1000};
    /// The failure-rate rule applies only once the window holds this many calls.
    int minimumCalls = 50;
    /// Open when failures / calls in the window reaches this; 0 disables the rule.
    double failureRate = 0.8;
    Millis openDuration{5000};
    /// Each reopen without an intervening close multiplies the open duration by this...
    double openBackoff = 1.0;
    /// ...up to this (a retry-after hint may still hold the breaker open longer).
    Millis openMax{30000};
    /// Concurrent probe calls admitted while half-open.
    int halfOpenProbes = 1;
    /// A successful call slower than this is a slow call; 0 disables slow-call tracking.
    Millis slowCall{0};
    /// Open when slow calls / calls in the window reaches this; 0 disables the rule.
    double slowCallRate = 0.0;
    WhenAllOpen whenAllOpen = WhenAllOpen::Probe;
};

} // namespace breakwater

#pragma once

#include "common/clock.h"

#include <QString>

#include <optional>

namespace breakwater {

/// How the failure-rate window is measured: the last N calls, or the last N seconds.
enum class WindowKind { Count, Time };

QString windowKindName(WindowKind kind);
std::optional<WindowKind> windowKindFromName(const QString &name);

/// Config `breaker`: one policy, one breaker per model built from it.
struct BreakerPolicy {
    /// Open after this many failures in a row; 0 disables the rule.
    int consecutiveFailures = 5;
    WindowKind window = WindowKind::Count;
    /// Calls (count window) or whole seconds (time window).
    int windowSize = 20;
    /// The failure-rate rule applies only once the window holds this many calls.
    int minimumCalls = 10;
    /// Open when failures / calls in the window reaches this; 0 disables the rule.
    double failureRate = 0.5;
    Millis openDuration{60000};
    /// Each reopen without an intervening close multiplies the open duration by this.
    double openBackoff = 1.0;
    /// Concurrent probe calls admitted while half-open.
    int halfOpenProbes = 1;
    /// A successful call slower than this is a slow call; 0 disables slow-call tracking.
    Millis slowCall{0};
    /// Open when slow calls / calls in the window reaches this; 0 disables the rule.
    double slowCallRate = 0.0;
};

} // namespace breakwater

#pragma once

#include "common/clock.h"

namespace breakwater {

/// Config `timeouts`: every limit of one robust call. A zero disables that limit.
struct TimeoutPolicy {
    /// Until the request is on the wire (connection made and request written).
    Millis connect{5000};
    /// Until the first byte of the answer (streaming: first event) arrives.
    Millis firstToken{20000};
    /// Longest silence between two chunks of a streamed answer.
    Millis idle{10000};
    /// One attempt, from send to complete answer.
    Millis attempt{30000};
    /// The whole call, across every retry and fallback.
    Millis total{90000};
    /// While other models remain in the chain, the share of the call's remaining budget one
    /// model may spend (its attempts and waits), so that a silent or slow model never starves
    /// the fallbacks. 1 lets a model spend all of it.
    double modelShare = 0.5;
};

} // namespace breakwater

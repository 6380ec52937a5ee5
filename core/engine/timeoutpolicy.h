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
};

} // namespace breakwater

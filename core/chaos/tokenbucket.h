#pragma once

#include "common/clock.h"

namespace breakwater {

/// A token bucket that refills continuously: `capacity` tokens per minute, never holding
/// more than `capacity`. Time comes from the caller (the injected Clock's now()).
class TokenBucket final {
public:
    TokenBucket() = default;
    /// A full bucket of `capacity` tokens at `now`.
    TokenBucket(double capacity, Millis now);

    double capacity() const { return m_capacity; }
    /// Changes the capacity (and so the refill rate); the level is kept, capped at it.
    void setCapacity(double capacity, Millis now);
    /// Tokens available at `now`.
    double available(Millis now) const;
    /// Takes `amount` tokens if that many are available at `now`.
    bool tryTake(double amount, Millis now);
    /// Takes `amount` tokens whether or not they are there (the level may go below zero:
    /// a forced request still costs its share).
    void take(double amount, Millis now);
    /// How long from `now` until `amount` tokens are available (0 when they already are).
    Millis timeUntilAvailable(double amount, Millis now) const;
    /// How long from `now` until the bucket is full again.
    Millis timeUntilFull(Millis now) const;
    /// Full again at `now`.
    void refill(Millis now);

private:
    void advance(Millis now);
    double refillPerMs() const { return m_capacity / 60000.0; }

    double m_capacity = 0;
    double m_level = 0;
    Millis m_updated{0};
};

} // namespace breakwater

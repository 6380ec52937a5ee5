#pragma once

#include "common/clock.h"

#include <array>

namespace breakwater {

/// A token bucket that refills continuously: `capacity` tokens per minute, never holding
/// more than `capacity`. Time comes from the caller (the injected Clock's now()).
class TokenBucket final {
public:
    TokenBucket() = default;
    /// A full bucket of `capacity` tokens at `now`.
    TokenBucket(double capacity, Millis now);

    double capacity() const { return m_capacity; }
    /// A new capacity (and so refill rate) from `now` on, the bucket full less `used` (what
    /// was taken in the last minute), but never below zero: a limit set or raised at run
    /// time must not start empty when the traffic so far fits it.
    void restart(double capacity, double used, Millis now);
    /// Tokens available at `now`.
    double available(Millis now) const;
    /// Takes `amount` tokens if that many are available at `now`.
    bool tryTake(double amount, Millis now);
    /// Takes `amount` tokens whether or not they are there (the level may go below zero:
    /// a forced request still costs its share).
    void take(double amount, Millis now);
    /// Takes `amount` tokens, or all there are when fewer are available (never below zero).
    void takeUpTo(double amount, Millis now);
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

/// What was taken from a bucket over the last minute, in one-second slots (bounded memory,
/// exact to the second), so that a bucket resized at run time can start from it.
class MinuteUsage final {
public:
    void add(double amount, Millis now);
    /// The amounts added in the 60 s up to `now`.
    double total(Millis now) const;

private:
    static constexpr std::size_t kSlots = 60;
    std::array<double, kSlots> m_amounts{};
    /// The second each slot holds (slots of older seconds are stale).
    std::array<Millis::rep, kSlots> m_seconds{};
};

} // namespace breakwater

#pragma once

#include "common/clock.h"

#include <array>

namespace breakwater {

/// The span a rate limit counts over: "per minute".
inline constexpr Millis kRateWindow{60000};

/// A token bucket that refills continuously: `capacity` tokens per `window` (a minute, or
/// less in a time-scaled run), never holding more than `capacity`. Time comes from the
/// caller (the injected Clock's now()).
class TokenBucket final {
public:
    TokenBucket() = default;
    /// A full bucket of `capacity` tokens at `now`.
    TokenBucket(double capacity, Millis now, Millis window = kRateWindow);

    double capacity() const { return m_capacity; }
    Millis window() const { return m_window; }
    /// A new capacity (and so refill rate) from `now` on, the bucket full less `used` (what
    /// was taken in the last window), but never below zero: a limit set or raised at run
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
    double refillPerMs() const { return m_capacity / static_cast<double>(m_window.count()); }

    double m_capacity = 0;
    double m_level = 0;
    Millis m_updated{0};
    Millis m_window = kRateWindow;
};

/// What was taken from a bucket over its last window, in 60 slots (bounded memory, exact to
/// a sixtieth of the window), so that a bucket resized at run time can start from it.
class WindowUsage final {
public:
    explicit WindowUsage(Millis window = kRateWindow);
    void add(double amount, Millis now);
    /// The amounts added in the window up to `now`.
    double total(Millis now) const;

private:
    static constexpr std::size_t kSlots = 60;
    Millis::rep slotOf(Millis now) const { return now.count() / m_slotMs; }

    Millis::rep m_slotMs;
    std::array<double, kSlots> m_amounts{};
    /// The slot number each entry holds (entries of older slots are stale).
    std::array<Millis::rep, kSlots> m_slots{};
};

} // namespace breakwater

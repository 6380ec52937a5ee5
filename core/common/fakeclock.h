#pragma once

#include "clock.h"

#include <cstdint>
#include <map>
#include <mutex>

namespace breakwater {

class FakeTimer;

/// Simulated time for tests, benchmarks and simulations: time moves only when advance() is
/// called, which runs every timer that falls due, in deadline order, at its own deadline.
/// now() may be read from any thread; timers must be armed and advanced on one thread.
class FakeClock final : public Clock {
public:
    FakeClock() = default;
    FakeClock(const FakeClock &) = delete;
    FakeClock &operator=(const FakeClock &) = delete;
    ~FakeClock() override;

    Millis now() const override;
    std::unique_ptr<Timer> createTimer(std::function<void()> callback) override;

    /// Moves time forward by `step`, firing due timers (including ones armed by callbacks).
    void advance(Millis step);
    /// Moves time to the next armed deadline and fires it; false when no timer is armed.
    bool advanceToNextTimer();
    /// Number of armed timers.
    int pendingTimers() const;
    /// The earliest armed deadline, or -1 ms when none is armed.
    Millis nextDeadline() const;

private:
    friend class FakeTimer;
    using TimerKey = std::pair<Millis, std::uint64_t>; // (deadline, arming order)
    struct Entry {
        FakeTimer *timer;
    };

    std::uint64_t arm(FakeTimer *timer, Millis deadline);
    void disarm(std::uint64_t sequence, Millis deadline);

    mutable std::mutex m_mutex;
    Millis m_now{0};
    std::uint64_t m_nextSequence = 0;
    std::map<TimerKey, Entry> m_armed;
};

} // namespace breakwater

#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace breakwater {

using Millis = std::chrono::milliseconds;

/// Seconds as a double, for JSON and display; the engine itself counts whole milliseconds.
inline double toSeconds(Millis duration)
{
    return static_cast<double>(duration.count()) / 1000.0;
}

/// Rounds seconds from JSON or a header to the nearest millisecond.
Millis fromSeconds(double seconds);

/// A one-shot timer created by a Clock. Destroying it cancels it.
class Timer {
public:
    virtual ~Timer() = default;
    /// (Re)arms the timer: the callback runs once, `delay` from now on the clock.
    virtual void start(Millis delay) = 0;
    virtual void stop() = 0;
    virtual bool isActive() const = 0;
};

/// Monotonic time and timers. Injected everywhere time matters so that tests run on a
/// FakeClock and never sleep (Envoy's TimeSource + Dispatcher::createTimer).
class Clock {
public:
    virtual ~Clock() = default;
    /// Monotonic time since an arbitrary, fixed origin.
    virtual Millis now() const = 0;
    /// A timer whose callback runs on the thread that created it.
    virtual std::unique_ptr<Timer> createTimer(std::function<void()> callback) = 0;
};

} // namespace breakwater

#pragma once

// Private to core/breaker: the failure-rate windows behind CircuitBreaker.

#include "breaker/breakerpolicy.h"
#include "common/clock.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace breakwater {

/// How one finished call counts in a window. A failed call is a failure however long it took.
enum class CallRecord : std::uint8_t { Success, SlowSuccess, Failure };

/// What a window holds right now.
struct WindowTotals {
    int calls = 0;
    int failures = 0;
    int slowCalls = 0;
};

/// Outcomes of recent calls with bounded memory (resilience4j's sliding windows). Not
/// thread-safe: the breaker guards it with its own mutex.
class SlidingWindow {
public:
    virtual ~SlidingWindow() = default;
    /// Adds one call that ended at `now`.
    virtual void record(Millis now, CallRecord call) = 0;
    /// The totals as of `now` (a time window first forgets what has aged out).
    virtual WindowTotals totals(Millis now) = 0;
    virtual void clear() = 0;

    /// A count window of the last `size` calls or a time window of the last `size` seconds,
    /// each `second` long (shorter only in a time-scaled run); a size below 1 is taken as 1.
    static std::unique_ptr<SlidingWindow> create(WindowKind kind, int size,
                                                 Millis second = Millis(1000));
};

/// The last N calls: a fixed ring buffer with running totals, O(1) per call.
class CountWindow final : public SlidingWindow {
public:
    explicit CountWindow(int size);
    void record(Millis now, CallRecord call) override;
    WindowTotals totals(Millis now) override;
    void clear() override;

private:
    std::vector<CallRecord> m_ring;
    std::size_t m_next = 0;
    std::size_t m_filled = 0;
    WindowTotals m_totals;
};

/// The last N seconds: N one-second buckets reused in a ring, with running totals. The window is
/// the current partial second plus the N - 1 whole seconds before it, so memory is N buckets
/// however many calls arrive.
class TimeWindow final : public SlidingWindow {
public:
    /// `buckets` buckets of `bucketWidth` each (a second, unless time is scaled).
    TimeWindow(int buckets, Millis bucketWidth = Millis(1000));
    void record(Millis now, CallRecord call) override;
    WindowTotals totals(Millis now) override;
    void clear() override;

private:
    /// Empties the buckets of the seconds that have left the window by `now`.
    void advanceTo(Millis now);
    WindowTotals &bucketFor(std::int64_t second);

    std::vector<WindowTotals> m_buckets;
    Millis m_bucketWidth;
    /// The newest second seen, valid once m_started.
    std::int64_t m_latestSecond = 0;
    bool m_started = false;
    WindowTotals m_totals;
};

} // namespace breakwater

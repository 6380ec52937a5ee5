#pragma once

#include "common/clock.h"
#include "recorder/latencyhistogram.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace breakwater {

/// A Hystrix-style rolling window: `bucketCount` buckets of `bucketWidth` each, in a ring
/// allocated once. Buckets are aligned to the clock (bucket k covers [k·width, (k+1)·width)),
/// the newest one holds "now", and a bucket older than the window is forgotten: it is
/// skipped when read and cleared when its slot is reused, so time passing needs no timer and
/// an event costs no allocation. `Bucket` is default-constructible with a `reset()`.
/// Not thread-safe: use it from one thread.
template <typename Bucket> class RollingWindow final {
public:
    RollingWindow(const Clock &clock, int bucketCount, Millis bucketWidth);

    /// The bucket that holds the clock's present time, cleared first if its slot was stale.
    Bucket &current();
    /// Calls `visit(const Bucket &)` for every bucket inside the window, oldest first.
    template <typename Visit> void forEachLive(Visit &&visit) const;
    /// Forgets every bucket.
    void reset();

    int bucketCount() const { return static_cast<int>(m_slots.size()); }
    Millis bucketWidth() const { return m_width; }
    /// bucketCount × bucketWidth.
    Millis length() const { return m_width * bucketCount(); }

private:
    static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();
    struct Slot {
        std::int64_t epoch = kNever;
        Bucket bucket{};
    };

    std::int64_t epochNow() const;
    std::size_t slotOf(std::int64_t epoch) const;

    const Clock &m_clock;
    Millis m_width;
    std::vector<Slot> m_slots;
};

/// A count per bucket, for RollingWindow.
struct CountBucket {
    std::int64_t value = 0;
    void reset() { value = 0; }
};

/// Events counted over the last `bucketCount × bucketWidth` (e.g. 10 × 1 s).
class RollingCounter final {
public:
    RollingCounter(const Clock &clock, int bucketCount, Millis bucketWidth)
        : m_window(clock, bucketCount, bucketWidth)
    {}
    /// Adds `n` to the bucket for now.
    void add(std::int64_t n = 1) { m_window.current().value += n; }
    /// The total over the window.
    std::int64_t sum() const;
    /// sum() divided by the window's length in seconds.
    double ratePerSecond() const;
    void reset() { m_window.reset(); }
    const RollingWindow<CountBucket> &window() const { return m_window; }

private:
    RollingWindow<CountBucket> m_window;
};

/// Durations over the last `bucketCount × bucketWidth`, for rolling percentiles.
class RollingHistogram final {
public:
    RollingHistogram(const Clock &clock, int bucketCount, Millis bucketWidth)
        : m_window(clock, bucketCount, bucketWidth)
    {}
    void record(Millis value) { m_window.current().record(value); }
    /// The live buckets merged into one histogram.
    LatencyHistogram merged() const;
    void reset() { m_window.reset(); }
    const RollingWindow<LatencyHistogram> &window() const { return m_window; }

private:
    RollingWindow<LatencyHistogram> m_window;
};

// ---- template definitions -------------------------------------------------------------

template <typename Bucket>
RollingWindow<Bucket>::RollingWindow(const Clock &clock, int bucketCount, Millis bucketWidth)
    : m_clock(clock), m_width(std::max(bucketWidth, Millis(1))),
      m_slots(static_cast<std::size_t>(std::max(bucketCount, 1)))
{}

template <typename Bucket> std::int64_t RollingWindow<Bucket>::epochNow() const
{
    const std::int64_t now = m_clock.now().count();
    const std::int64_t width = m_width.count();
    // Floor division, so that a clock before its origin still maps to distinct buckets.
    return now >= 0 ? now / width : -((-now + width - 1) / width);
}

template <typename Bucket> std::size_t RollingWindow<Bucket>::slotOf(std::int64_t epoch) const
{
    const auto size = static_cast<std::int64_t>(m_slots.size());
    return static_cast<std::size_t>(((epoch % size) + size) % size);
}

template <typename Bucket> Bucket &RollingWindow<Bucket>::current()
{
    const std::int64_t epoch = epochNow();
    Slot &slot = m_slots[slotOf(epoch)];
    if (slot.epoch != epoch) {
        slot.bucket.reset();
        slot.epoch = epoch;
    }
    return slot.bucket;
}

template <typename Bucket>
template <typename Visit>
void RollingWindow<Bucket>::forEachLive(Visit &&visit) const
{
    const std::int64_t newest = epochNow();
    const auto size = static_cast<std::int64_t>(m_slots.size());
    for (std::int64_t epoch = newest - size + 1; epoch <= newest; ++epoch) {
        const Slot &slot = m_slots[slotOf(epoch)];
        if (slot.epoch == epoch)
            visit(slot.bucket);
    }
}

template <typename Bucket> void RollingWindow<Bucket>::reset()
{
    for (Slot &slot : m_slots) {
        slot.bucket.reset();
        slot.epoch = kNever;
    }
}

inline std::int64_t RollingCounter::sum() const
{
    std::int64_t total = 0;
    m_window.forEachLive([&total](const CountBucket &bucket) { total += bucket.value; });
    return total;
}

inline double RollingCounter::ratePerSecond() const
{
    return static_cast<double>(sum()) / toSeconds(m_window.length());
}

inline LatencyHistogram RollingHistogram::merged() const
{
    LatencyHistogram all;
    m_window.forEachLive([&all](const LatencyHistogram &bucket) { all.merge(bucket); });
    return all;
}

} // namespace breakwater

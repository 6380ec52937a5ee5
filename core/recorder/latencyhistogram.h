#pragma once

#include "common/clock.h"

#include <array>
#include <cstdint>

namespace breakwater {

/// Millisecond durations counted in log-linear buckets, as HdrHistogram does: one bucket per
/// millisecond below 256 ms, then 128 equal buckets per power of two up to about 70 minutes.
/// A percentile is the midpoint of its bucket, so it is within 1/256 (0.4 %) of the true
/// value; kRelativeError (1 %) is the bound callers may rely on. Memory is fixed (16 KiB);
/// larger values count in the top bucket, while min, max and mean stay exact.
class LatencyHistogram final {
public:
    /// Number of buckets; fixed, whatever is recorded.
    static constexpr int kBucketCount = 2048;
    /// Largest value with its own bucket (4,194,303 ms, just under 70 minutes).
    static constexpr Millis kHighestTrackable{(std::int64_t(256) << 14) - 1};
    /// The relative error bound of percentile() for values up to kHighestTrackable.
    static constexpr double kRelativeError = 0.01;

    /// Counts one duration; negative durations count as 0 ms.
    void record(Millis value);
    /// Adds every count of `other` to this histogram.
    void merge(const LatencyHistogram &other);
    /// Forgets everything (cost proportional to the buckets in use, not to all of them).
    void reset();

    std::int64_t count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    /// The value at percentile `p` (0..100) by nearest rank; 0 ms when empty.
    Millis percentile(double p) const;
    /// Exact smallest and largest recorded values; 0 ms when empty.
    Millis min() const { return Millis(m_count == 0 ? 0 : m_min); }
    Millis max() const { return Millis(m_count == 0 ? 0 : m_max); }
    /// Exact mean in milliseconds; 0 when empty.
    double mean() const;

private:
    std::array<std::int64_t, kBucketCount> m_counts{};
    std::int64_t m_count = 0;
    std::int64_t m_sum = 0;
    std::int64_t m_min = 0;
    std::int64_t m_max = 0;
    // The range of buckets in use, so that merge, reset and percentile skip the empty ones.
    int m_lowIndex = kBucketCount;
    int m_highIndex = -1;
};

} // namespace breakwater

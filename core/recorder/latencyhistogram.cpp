#include "latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

// 256 unit buckets, then 128 buckets per power of two: bucket width / lower bound <= 1/128.
constexpr int kSubBucketBits = 8;
constexpr int kHalfSubBuckets = 1 << (kSubBucketBits - 1);

/// How far values of this size are shifted: 0 below 256, then one more per power of two.
int shiftFor(std::int64_t value)
{
    int shift = 0;
    while ((value >> (shift + kSubBucketBits)) != 0)
        ++shift;
    return shift;
}

int indexFor(std::int64_t value)
{
    const int shift = shiftFor(value);
    return (shift << (kSubBucketBits - 1)) + static_cast<int>(value >> shift);
}

/// The middle of the values that land in bucket `index`.
std::int64_t midpointOf(int index)
{
    if (index < 2 * kHalfSubBuckets)
        return index;
    const int shift = (index >> (kSubBucketBits - 1)) - 1;
    const std::int64_t sub = index - (shift << (kSubBucketBits - 1));
    const std::int64_t lower = sub << shift;
    return lower + ((std::int64_t(1) << shift) >> 1);
}

} // namespace

void LatencyHistogram::record(Millis value)
{
    const std::int64_t exact = std::max<std::int64_t>(0, value.count());
    const int index = indexFor(std::min<std::int64_t>(exact, kHighestTrackable.count()));
    ++m_counts[static_cast<std::size_t>(index)];
    m_min = m_count == 0 ? exact : std::min(m_min, exact);
    m_max = m_count == 0 ? exact : std::max(m_max, exact);
    ++m_count;
    m_sum += exact;
    m_lowIndex = std::min(m_lowIndex, index);
    m_highIndex = std::max(m_highIndex, index);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (int i = other.m_lowIndex; i <= other.m_highIndex; ++i)
        m_counts[static_cast<std::size_t>(i)] += other.m_counts[static_cast<std::size_t>(i)];
    m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
    m_max = m_count == 0 ? other.m_max : std::max(m_max, other.m_max);
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_lowIndex = std::min(m_lowIndex, other.m_lowIndex);
    m_highIndex = std::max(m_highIndex, other.m_highIndex);
}

void LatencyHistogram::reset()
{
    if (m_highIndex >= m_lowIndex)
        std::fill(m_counts.begin() + m_lowIndex, m_counts.begin() + m_highIndex + 1, 0);
    m_count = 0;
    m_sum = 0;
    m_min = 0;
    m_max = 0;
    m_lowIndex = kBucketCount;
    m_highIndex = -1;
}

Millis LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return Millis(0);
    if (!(p > 0.0))
        return Millis(m_min);
    if (p >= 100.0)
        return Millis(m_max);
    // Nearest rank: the smallest value with at least p % of the counts at or below it.
    const auto rank = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(m_count))));
    std::int64_t seen = 0;
    for (int i = m_lowIndex; i <= m_highIndex; ++i) {
        seen += m_counts[static_cast<std::size_t>(i)];
        if (seen >= rank)
            return Millis(std::clamp(midpointOf(i), m_min, m_max));
    }
    return Millis(m_max);
}

double LatencyHistogram::mean() const
{
    return m_count == 0 ? 0.0 : static_cast<double>(m_sum) / static_cast<double>(m_count);
}

} // namespace breakwater

#include "slidingwindow.h"

#include <algorithm>

namespace breakwater {
namespace {

void addTo(WindowTotals &totals, CallRecord call, int sign)
{
    totals.calls += sign;
    if (call == CallRecord::Failure)
        totals.failures += sign;
    else if (call == CallRecord::SlowSuccess)
        totals.slowCalls += sign;
}

void subtract(WindowTotals &from, const WindowTotals &amount)
{
    from.calls -= amount.calls;
    from.failures -= amount.failures;
    from.slowCalls -= amount.slowCalls;
}

std::int64_t floorDiv(std::int64_t value, std::int64_t divisor)
{
    const std::int64_t quotient = value / divisor;
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

} // namespace

std::unique_ptr<SlidingWindow> SlidingWindow::create(WindowKind kind, int size, Millis second)
{
    const int bounded = std::max(size, 1);
    if (kind == WindowKind::Time)
        return std::make_unique<TimeWindow>(bounded, second);
    return std::make_unique<CountWindow>(bounded);
}

CountWindow::CountWindow(int size) : m_ring(static_cast<std::size_t>(std::max(size, 1))) {}

void CountWindow::record(Millis, CallRecord call)
{
    if (m_filled == m_ring.size())
        addTo(m_totals, m_ring[m_next], -1);
    else
        ++m_filled;
    m_ring[m_next] = call;
    addTo(m_totals, call, +1);
    m_next = (m_next + 1) % m_ring.size();
}

WindowTotals CountWindow::totals(Millis)
{
    return m_totals;
}

void CountWindow::clear()
{
    m_next = 0;
    m_filled = 0;
    m_totals = {};
}

TimeWindow::TimeWindow(int buckets, Millis bucketWidth)
    : m_buckets(static_cast<std::size_t>(std::max(buckets, 1))),
      m_bucketWidth(std::max(bucketWidth, Millis(1)))
{}

WindowTotals &TimeWindow::bucketFor(std::int64_t second)
{
    const auto size = static_cast<std::int64_t>(m_buckets.size());
    const std::int64_t index = ((second % size) + size) % size;
    return m_buckets[static_cast<std::size_t>(index)];
}

void TimeWindow::advanceTo(Millis now)
{
    const std::int64_t second = floorDiv(now.count(), m_bucketWidth.count());
    const auto size = static_cast<std::int64_t>(m_buckets.size());
    if (!m_started) {
        m_started = true;
        m_latestSecond = second;
        return;
    }
    // A clock is monotonic, but a late caller may pass a slightly older reading: its call
    // then counts in the newest bucket rather than rewriting history.
    if (second <= m_latestSecond)
        return;
    // Every second after the newest one seen takes over its bucket; at most `size` of them,
    // since after a long quiet spell all buckets are stale anyway.
    for (std::int64_t s = std::max(m_latestSecond + 1, second - size + 1); s <= second; ++s) {
        WindowTotals &bucket = bucketFor(s);
        subtract(m_totals, bucket);
        bucket = {};
    }
    m_latestSecond = second;
}

void TimeWindow::record(Millis now, CallRecord call)
{
    advanceTo(now);
    addTo(bucketFor(m_latestSecond), call, +1);
    addTo(m_totals, call, +1);
}

WindowTotals TimeWindow::totals(Millis now)
{
    advanceTo(now);
    return m_totals;
}

void TimeWindow::clear()
{
    std::fill(m_buckets.begin(), m_buckets.end(), WindowTotals{});
    m_started = false;
    m_latestSecond = 0;
    m_totals = {};
}

} // namespace breakwater

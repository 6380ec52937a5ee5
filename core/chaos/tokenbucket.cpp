#include "tokenbucket.h"

#include <algorithm>
#include <cmath>

namespace breakwater {

TokenBucket::TokenBucket(double capacity, Millis now, Millis window)
    : m_capacity(std::max(0.0, capacity)), m_level(m_capacity), m_updated(now),
      m_window(std::max(window, Millis(1)))
{}

void TokenBucket::restart(double capacity, double used, Millis now)
{
    m_capacity = std::max(0.0, capacity);
    m_level = std::clamp(m_capacity - used, 0.0, m_capacity);
    m_updated = now;
}

double TokenBucket::available(Millis now) const
{
    const double elapsed =
        static_cast<double>(std::max<Millis>(now - m_updated, Millis(0)).count());
    return std::min(m_capacity, m_level + elapsed * refillPerMs());
}

bool TokenBucket::tryTake(double amount, Millis now)
{
    advance(now);
    // A tiny tolerance: refills accumulate in floating point, and a bucket that is full to
    // within rounding must let a whole token through.
    if (m_level + 1e-9 < amount)
        return false;
    m_level -= amount;
    return true;
}

void TokenBucket::take(double amount, Millis now)
{
    advance(now);
    m_level -= amount;
}

void TokenBucket::takeUpTo(double amount, Millis now)
{
    advance(now);
    m_level -= std::clamp(amount, 0.0, std::max(0.0, m_level));
}

Millis TokenBucket::timeUntilAvailable(double amount, Millis now) const
{
    const double missing = amount - available(now);
    if (missing <= 1e-9 || m_capacity <= 0)
        return Millis(0);
    return Millis(static_cast<Millis::rep>(std::ceil(missing / refillPerMs())));
}

Millis TokenBucket::timeUntilFull(Millis now) const
{
    return timeUntilAvailable(m_capacity, now);
}

void TokenBucket::refill(Millis now)
{
    m_level = m_capacity;
    m_updated = now;
}

void TokenBucket::advance(Millis now)
{
    m_level = available(now);
    m_updated = std::max(m_updated, now);
}

WindowUsage::WindowUsage(Millis window)
    : m_slotMs(std::max<Millis::rep>(1, window.count() / static_cast<Millis::rep>(kSlots)))
{}

void WindowUsage::add(double amount, Millis now)
{
    const Millis::rep slot = slotOf(now);
    const auto index = static_cast<std::size_t>(slot) % kSlots;
    if (m_slots[index] != slot) {
        m_slots[index] = slot;
        m_amounts[index] = 0;
    }
    m_amounts[index] += amount;
}

double WindowUsage::total(Millis now) const
{
    const Millis::rep slot = slotOf(now);
    const auto window = static_cast<Millis::rep>(kSlots);
    double sum = 0;
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (m_slots[i] > slot - window && m_slots[i] <= slot)
            sum += m_amounts[i];
    }
    return sum;
}

} // namespace breakwater

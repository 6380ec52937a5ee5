#include "tokenbucket.h"

#include <algorithm>
#include <cmath>

namespace breakwater {

TokenBucket::TokenBucket(double capacity, Millis now)
    : m_capacity(std::max(0.0, capacity)), m_level(m_capacity), m_updated(now)
{}

void TokenBucket::setCapacity(double capacity, Millis now)
{
    advance(now);
    m_capacity = std::max(0.0, capacity);
    m_level = std::min(m_level, m_capacity);
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

} // namespace breakwater

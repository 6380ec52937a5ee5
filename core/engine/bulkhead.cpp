#include "bulkhead.h"

namespace breakwater {

bool Bulkheads::tryEnter(const QString &model, int limit)
{
    std::lock_guard lock(m_mutex);
    int &count = m_inFlight[model];
    if (limit > 0 && count >= limit)
        return false;
    ++count;
    return true;
}

void Bulkheads::leave(const QString &model)
{
    std::lock_guard lock(m_mutex);
    int &count = m_inFlight[model];
    if (count > 0)
        --count;
}

int Bulkheads::inFlight(const QString &model) const
{
    std::lock_guard lock(m_mutex);
    const auto found = m_inFlight.find(model);
    return found == m_inFlight.end() ? 0 : found->second;
}

} // namespace breakwater

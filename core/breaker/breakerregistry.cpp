#include "breakerregistry.h"

#include <QThread>
#include <utility>

namespace breakwater {

BreakerRegistry::BreakerRegistry(BreakerPolicy policy, Clock &clock, QObject *parent)
    : QObject(parent), m_policy(std::move(policy)), m_clock(clock)
{}

BreakerRegistry::~BreakerRegistry() = default;

CircuitBreaker &BreakerRegistry::breaker(const QString &model)
{
    CircuitBreaker *created = nullptr;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_breakers.find(model); it != m_breakers.end())
            return *it->second;
        auto breaker = std::make_unique<CircuitBreaker>(model, m_policy, m_clock);
        // Worker threads create breakers on first use; the breaker's open timer must live
        // where the registry's event loop runs, not on a worker that may have none.
        if (breaker->thread() != thread())
            breaker->moveToThread(thread());
        // Direct: breakers change state on whatever thread reports a result, and the relay
        // must not depend on the registry's thread running an event loop or on its timing.
        connect(
            breaker.get(), &CircuitBreaker::stateChanged, this,
            [this, model](BreakerState from, BreakerState to) {
                Q_EMIT stateChanged(model, from, to);
            },
            Qt::DirectConnection);
        created = breaker.get();
        m_breakers.emplace(model, std::move(breaker));
    }
    Q_EMIT breakerCreated(model);
    return *created;
}

CircuitBreaker *BreakerRegistry::find(const QString &model) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_breakers.find(model);
    return it == m_breakers.end() ? nullptr : it->second.get();
}

QList<CircuitBreaker *> BreakerRegistry::breakers() const
{
    std::lock_guard lock(m_mutex);
    QList<CircuitBreaker *> list;
    list.reserve(static_cast<qsizetype>(m_breakers.size()));
    for (const auto &[model, breaker] : m_breakers)
        list.append(breaker.get());
    return list;
}

} // namespace breakwater

#pragma once

#include "breaker/breakerpolicy.h"
#include "breaker/circuitbreaker.h"
#include "common/clock.h"

#include <QList>
#include <QObject>

#include <map>
#include <memory>
#include <mutex>

namespace breakwater {

/// Owns one breaker per model key, created on first use with the shared policy. Thread-safe.
/// Relays every breaker's transitions with the model key attached.
class BreakerRegistry final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakerRegistry)

public:
    BreakerRegistry(BreakerPolicy policy, Clock &clock, QObject *parent = nullptr);
    ~BreakerRegistry() override;

    /// The breaker for `model` (created with the registry's policy on first use). The
    /// reference stays valid for the registry's lifetime.
    CircuitBreaker &breaker(const QString &model);
    /// The breaker for `model` if it exists.
    CircuitBreaker *find(const QString &model) const;
    QList<CircuitBreaker *> breakers() const;

Q_SIGNALS:
    void breakerCreated(const QString &model);
    void stateChanged(const QString &model, breakwater::BreakerState from,
                      breakwater::BreakerState to);

private:
    BreakerPolicy m_policy;
    Clock &m_clock;
    mutable std::mutex m_mutex;
    std::map<QString, std::unique_ptr<CircuitBreaker>> m_breakers;
};

} // namespace breakwater

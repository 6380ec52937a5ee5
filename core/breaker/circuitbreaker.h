#pragma once

#include "breaker/breakerpolicy.h"
#include "breaker/breakerstate.h"
#include "common/clock.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace breakwater {

/// Permission to send one call through a breaker. Every permit handed out must be given
/// back exactly once through onSuccess, onFailure or onIgnored.
struct BreakerPermit {
    /// The breaker's state generation when the permit was taken: results of calls admitted
    /// before a transition are not mistaken for probes of the new state.
    std::uint64_t generation = 0;
    bool probe = false;
    /// Taken past an open breaker because every model left in a call's chain was open
    /// (`when_all_open: probe`): its failure records nothing, its success ends the open
    /// period at once (the model answers again, so the next call probes it).
    bool panic = false;
};

/// A read-only view of a breaker for cards, metrics and reports.
struct BreakerSnapshot {
    BreakerState state = BreakerState::Closed;
    int callsInWindow = 0;
    int failuresInWindow = 0;
    int slowCallsInWindow = 0;
    /// failures / calls in the window; 0 when empty.
    double failureRate = 0.0;
    int consecutiveFailures = 0;
    /// Time left until half-open while open; 0 otherwise.
    Millis remainingOpen{0};
    /// When the breaker last left closed, while it has not closed since (open, half-open and
    /// reopenings keep it); nullopt while closed or forced.
    std::optional<Millis> openSince;
    int probesInFlight = 0;
};

/// One model's circuit breaker (SPEC.md section 3). Thread-safe: any thread may ask for
/// permits and report results; stateChanged is emitted outside the lock, from the thread
/// that caused the transition (the open→half-open timer fires on the breaker's own thread).
class CircuitBreaker final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CircuitBreaker)

public:
    CircuitBreaker(QString name, BreakerPolicy policy, Clock &clock, QObject *parent = nullptr);
    ~CircuitBreaker() override;

    const QString &name() const { return m_name; }
    const BreakerPolicy &policy() const { return m_policy; }

    /// A permit when a call may go out now; nullopt when the call must short-circuit.
    std::optional<BreakerPermit> tryAcquire();
    /// A panic permit (see BreakerPermit::panic) while the breaker is open or half-open;
    /// nullopt when it is closed (use tryAcquire) or forced (an operator's decision).
    std::optional<BreakerPermit> acquirePanic();
    void onSuccess(const BreakerPermit &permit, Millis duration);
    /// `retryAfterHint`: the server's delay hint, if any; an opening lasts at least that long.
    void onFailure(const BreakerPermit &permit, Millis duration, Millis retryAfterHint = Millis(0));
    /// The call ended without a verdict on the model's health (cancelled, a 4xx that does not
    /// count): frees a probe slot, records nothing.
    void onIgnored(const BreakerPermit &permit);

    BreakerState state() const;
    BreakerSnapshot snapshot() const;

    void forceOpen();
    /// Forced closed disables the breaker: every call is admitted and nothing is recorded.
    void forceClosed();
    /// Back to closed with empty windows, the open-duration growth forgotten.
    void reset();

Q_SIGNALS:
    void stateChanged(breakwater::BreakerState from, breakwater::BreakerState to);

private:
    struct Impl;
    QString m_name;
    BreakerPolicy m_policy;
    std::unique_ptr<Impl> m_impl;
};

} // namespace breakwater

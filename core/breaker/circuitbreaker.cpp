#include "circuitbreaker.h"

#include "breaker/slidingwindow.h"

#include <QMetaObject>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <deque>
#include <iterator>
#include <limits>
#include <utility>

// How results are counted (docs/engine.md, "Circuit breaker", and what the seed article's breaker
// got wrong):
//
// - Every transition bumps the state generation. A permit remembers the generation it was
//   taken in. A result whose permit is from an older generation (the call was admitted before
//   a transition) is "stale": it is recorded in the window only if the breaker is closed now,
//   and then only in the window (the failure-rate and slow-call rules), not in the run of
//   consecutive failures, which belongs to the period that has ended. A stale result is never
//   a probe verdict.
// - Half-open has halfOpenProbes probe slots. A probe holds its slot from tryAcquire until its
//   result; a probe that succeeded keeps the slot as "passed", so a half-open period admits at
//   most halfOpenProbes probes and closes once that many have passed. onIgnored gives the slot
//   back without a verdict. A probe still in flight when its period ends keeps holding a slot
//   until it reports, so that no more than halfOpenProbes probe calls are ever in flight, even
//   across reopenings.
// - When the slow-call rule is on (slowCall > 0 and slowCallRate > 0), a slow successful probe
//   is a failed probe: the model answers, but not yet well enough to close.
// - A panic permit (acquirePanic: the engine's `when_all_open: probe`) goes past an open
//   breaker without a probe slot. Its failure is no news and records nothing; its success
//   while still open moves the breaker to half-open, so a proper probe can close it without
//   waiting out the opening.

namespace breakwater {
namespace {

using Lock = std::unique_lock<std::mutex>;

/// Longest open period, whatever openBackoff and retry-after say: keeps the deadline
/// arithmetic far from overflow and a breaker from staying open for days by accident.
constexpr Millis kMaxOpenDuration{24LL * 60 * 60 * 1000};

/// Tolerance when comparing a window rate with its threshold, so that 3 failures in 10 calls
/// meets a threshold of 0.3 however the division rounds.
constexpr double kRateEpsilon = 1e-9;

struct Transition {
    BreakerState from;
    BreakerState to;
};

/// The legal transitions, all in one place. Everything else is a bug.
constexpr Transition kLegalTransitions[] = {
    {BreakerState::Closed, BreakerState::Open},             // a failure rule tripped
    {BreakerState::Open, BreakerState::HalfOpen},           // the open period ran out
    {BreakerState::HalfOpen, BreakerState::Closed},         // every probe passed
    {BreakerState::HalfOpen, BreakerState::Open},           // a probe failed
    {BreakerState::Open, BreakerState::Closed},             // reset
    {BreakerState::ForcedOpen, BreakerState::Closed},       // reset
    {BreakerState::ForcedClosed, BreakerState::Closed},     // reset
    {BreakerState::Closed, BreakerState::ForcedOpen},       // forceOpen
    {BreakerState::Open, BreakerState::ForcedOpen},         // forceOpen
    {BreakerState::HalfOpen, BreakerState::ForcedOpen},     // forceOpen
    {BreakerState::ForcedClosed, BreakerState::ForcedOpen}, // forceOpen
    {BreakerState::Closed, BreakerState::ForcedClosed},     // forceClosed
    {BreakerState::Open, BreakerState::ForcedClosed},       // forceClosed
    {BreakerState::HalfOpen, BreakerState::ForcedClosed},   // forceClosed
    {BreakerState::ForcedOpen, BreakerState::ForcedClosed}, // forceClosed
};

bool isLegal(BreakerState from, BreakerState to)
{
    return std::any_of(std::begin(kLegalTransitions), std::end(kLegalTransitions),
                       [&](const Transition &t) { return t.from == from && t.to == to; });
}

enum class Verdict { Success, Failure, Ignored };

} // namespace

struct CircuitBreaker::Impl {
    Impl(CircuitBreaker &owner, const BreakerPolicy &breakerPolicy, Clock &breakerClock)
        : q(owner), policy(breakerPolicy), clock(breakerClock),
          window(SlidingWindow::create(breakerPolicy.window, breakerPolicy.windowSize,
                                       breakerPolicy.windowSecond))
    {}

    CircuitBreaker &q;
    const BreakerPolicy &policy;
    Clock &clock;

    mutable std::mutex mutex;
    BreakerState state = BreakerState::Closed;
    std::uint64_t generation = 1;
    std::unique_ptr<SlidingWindow> window;
    int consecutiveFailures = 0;
    /// Openings since the breaker was last closed; the exponent of openBackoff.
    int reopens = 0;
    Millis openUntil{0};
    /// When the breaker last left closed; meaningful while it is open or half-open.
    Millis openSince{0};
    /// Probe permits handed out and not yet given back, of this half-open period or earlier.
    int probesInFlight = 0;
    /// Probes of this half-open period that succeeded.
    int probesPassed = 0;

    /// Transitions waiting to be emitted, in the order they happened.
    std::deque<Transition> pending;
    /// Whether some thread is emitting `pending`; others leave their transitions to it.
    bool draining = false;
    /// Whether the timer must be brought in line with the state (armed or stopped).
    bool timerDirty = false;
    /// Created and used only on the breaker's thread.
    std::unique_ptr<Timer> timer;

    bool slowCallRuleOn() const { return policy.slowCall > Millis(0) && policy.slowCallRate > 0.0; }
    int probeSlots() const { return std::max(policy.halfOpenProbes, 1); }
    int minimumCalls() const { return std::max(policy.minimumCalls, 1); }

    bool isSlow(Millis duration) const
    {
        return policy.slowCall > Millis(0) && duration >= policy.slowCall;
    }

    Millis openDurationFor(Millis retryAfterHint) const
    {
        const double base = static_cast<double>(policy.openDuration.count());
        const double grown = base * std::pow(policy.openBackoff, reopens);
        // Growth stops at open_max_s, but never shortens the first opening below open_s.
        const auto cap = static_cast<double>(
            std::min(kMaxOpenDuration, std::max(policy.openMax, policy.openDuration)).count());
        // `!(grown < cap)` also catches inf and NaN from an extreme backoff.
        Millis duration = !(grown < cap) ? Millis(static_cast<Millis::rep>(cap))
                                         : Millis(static_cast<Millis::rep>(std::max(grown, 0.0)));
        duration = std::max(duration, std::min(retryAfterHint, kMaxOpenDuration));
        return duration;
    }

    /// The one transition function: checks legality, runs the entry actions of `to`, bumps
    /// the generation and queues stateChanged for emission after the lock is released.
    void transitionTo(BreakerState to, const Lock &lock, Millis retryAfterHint = Millis(0))
    {
        Q_ASSERT(lock.owns_lock());
        Q_UNUSED(lock);
        const BreakerState from = state;
        if (from == to)
            return;
        if (!isLegal(from, to)) {
            Q_ASSERT_X(false, "CircuitBreaker::transitionTo", "illegal transition");
            return;
        }
        if (from == BreakerState::Open)
            timerDirty = true;

        state = to;
        ++generation;
        probesPassed = 0;
        switch (to) {
        case BreakerState::Closed:
            window->clear();
            consecutiveFailures = 0;
            reopens = 0;
            break;
        case BreakerState::Open:
            if (from == BreakerState::Closed)
                openSince = clock.now();
            openUntil = clock.now() + openDurationFor(retryAfterHint);
            if (reopens < std::numeric_limits<int>::max())
                ++reopens;
            timerDirty = true;
            break;
        case BreakerState::HalfOpen:
        case BreakerState::ForcedOpen:
        case BreakerState::ForcedClosed:
            break;
        }
        pending.push_back({from, to});
    }

    /// Open → half-open when the open period is over: the timer's job, also done lazily on
    /// every call in case the timer is late or its thread has no event loop.
    void checkOpenExpiry(const Lock &lock, Millis now)
    {
        if (state == BreakerState::Open && now >= openUntil)
            transitionTo(BreakerState::HalfOpen, lock);
    }

    /// The closed-state rules, after a call was recorded. `failureHint`: the retry-after of
    /// the failure just recorded, which the opening must honour.
    void evaluateClosed(const Lock &lock, Millis now, bool countsInRun, Millis failureHint)
    {
        if (countsInRun && policy.consecutiveFailures > 0 &&
            consecutiveFailures >= policy.consecutiveFailures) {
            transitionTo(BreakerState::Open, lock, failureHint);
            return;
        }
        const WindowTotals totals = window->totals(now);
        if (totals.calls < minimumCalls())
            return;
        const double calls = totals.calls;
        const bool failureRateTripped =
            policy.failureRate > 0.0 &&
            totals.failures / calls + kRateEpsilon >= policy.failureRate;
        const bool slowRateTripped =
            slowCallRuleOn() && totals.slowCalls / calls + kRateEpsilon >= policy.slowCallRate;
        if (failureRateTripped || slowRateTripped)
            transitionTo(BreakerState::Open, lock, failureHint);
    }

    void finish(const BreakerPermit &permit, Verdict verdict, Millis duration, Millis hint)
    {
        {
            Lock lock(mutex);
            const Millis now = clock.now();
            // A probe gives its slot back whatever the period, see the comment at the top.
            if (permit.probe && probesInFlight > 0)
                --probesInFlight;
            checkOpenExpiry(lock, now);
            const bool current = permit.generation == generation;
            if (permit.panic) {
                // The model answered a call the breaker would have refused: it is back, so
                // the next call may probe it now rather than after the rest of the opening.
                if (state == BreakerState::Open && verdict == Verdict::Success)
                    transitionTo(BreakerState::HalfOpen, lock);
            } else if (state == BreakerState::Closed && verdict != Verdict::Ignored) {
                const bool failed = verdict == Verdict::Failure;
                const CallRecord call = failed             ? CallRecord::Failure
                                        : isSlow(duration) ? CallRecord::SlowSuccess
                                                           : CallRecord::Success;
                window->record(now, call);
                if (current)
                    consecutiveFailures = failed ? consecutiveFailures + 1 : 0;
                evaluateClosed(lock, now, current && failed, failed ? hint : Millis(0));
            } else if (state == BreakerState::HalfOpen && current && permit.probe) {
                if (verdict == Verdict::Failure) {
                    transitionTo(BreakerState::Open, lock, hint);
                } else if (verdict == Verdict::Success) {
                    if (slowCallRuleOn() && isSlow(duration)) {
                        transitionTo(BreakerState::Open, lock);
                    } else if (++probesPassed >= probeSlots()) {
                        transitionTo(BreakerState::Closed, lock);
                    }
                }
            }
            // Open, forced states, stale probes and failed panic attempts: nothing to record.
        }
        settle();
    }

    /// After the lock is released: brings the timer in line and emits queued transitions.
    void settle()
    {
        bool syncTimer = false;
        {
            Lock lock(mutex);
            syncTimer = std::exchange(timerDirty, false);
        }
        if (syncTimer) {
            if (QThread::currentThread() == q.thread())
                syncTimerNow();
            else
                QMetaObject::invokeMethod(
                    &q, [this] { syncTimerNow(); }, Qt::QueuedConnection);
        }
        drain();
    }

    /// Runs on the breaker's thread only, where the timer lives.
    void syncTimerNow()
    {
        Lock lock(mutex);
        if (state != BreakerState::Open) {
            if (timer)
                timer->stop();
            return;
        }
        if (!timer)
            timer = clock.createTimer([this] { onTimer(); });
        timer->start(std::max(openUntil - clock.now(), Millis(0)));
    }

    void onTimer()
    {
        {
            Lock lock(mutex);
            const Millis now = clock.now();
            if (state == BreakerState::Open && now < openUntil) {
                // Early (a coarse timer) or the deadline moved: wait for the rest.
                timer->start(openUntil - now);
                return;
            }
            checkOpenExpiry(lock, now);
        }
        settle();
    }

    /// Emits queued transitions in order, outside the lock. One thread drains at a time, so
    /// listeners see transitions in the order they happened even when several threads cause
    /// them at once; a transition caused while another thread is emitting is emitted by that
    /// thread. A listener may call back into the breaker.
    void drain()
    {
        Lock lock(mutex);
        if (draining)
            return;
        draining = true;
        while (!pending.empty()) {
            const Transition next = pending.front();
            pending.pop_front();
            lock.unlock();
            Q_EMIT q.stateChanged(next.from, next.to);
            lock.lock();
        }
        draining = false;
    }

    /// Lazy open → half-open for the read-only accessors.
    void refresh()
    {
        {
            Lock lock(mutex);
            checkOpenExpiry(lock, clock.now());
        }
        settle();
    }

    void manualTransition(BreakerState to)
    {
        {
            Lock lock(mutex);
            if (to == BreakerState::Closed && state == BreakerState::Closed) {
                // Reset while closed: no transition, but the slate is wiped all the same.
                window->clear();
                consecutiveFailures = 0;
                reopens = 0;
            } else {
                transitionTo(to, lock);
            }
        }
        settle();
    }
};

CircuitBreaker::CircuitBreaker(QString name, BreakerPolicy policy, Clock &clock, QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_policy(policy),
      m_impl(std::make_unique<Impl>(*this, m_policy, clock))
{}

CircuitBreaker::~CircuitBreaker() = default;

std::optional<BreakerPermit> CircuitBreaker::acquirePanic()
{
    std::optional<BreakerPermit> permit;
    {
        Lock lock(m_impl->mutex);
        m_impl->checkOpenExpiry(lock, m_impl->clock.now());
        if (m_impl->state == BreakerState::Open || m_impl->state == BreakerState::HalfOpen)
            permit = BreakerPermit{m_impl->generation, false, true};
    }
    m_impl->settle();
    return permit;
}

std::optional<BreakerPermit> CircuitBreaker::tryAcquire()
{
    std::optional<BreakerPermit> permit;
    {
        Lock lock(m_impl->mutex);
        m_impl->checkOpenExpiry(lock, m_impl->clock.now());
        switch (m_impl->state) {
        case BreakerState::Closed:
        case BreakerState::ForcedClosed:
            permit = BreakerPermit{m_impl->generation, false};
            break;
        case BreakerState::HalfOpen:
            if (m_impl->probesInFlight + m_impl->probesPassed < m_impl->probeSlots()) {
                ++m_impl->probesInFlight;
                permit = BreakerPermit{m_impl->generation, true};
            }
            break;
        case BreakerState::Open:
        case BreakerState::ForcedOpen:
            break;
        }
    }
    m_impl->settle();
    return permit;
}

void CircuitBreaker::onSuccess(const BreakerPermit &permit, Millis duration)
{
    m_impl->finish(permit, Verdict::Success, duration, Millis(0));
}

void CircuitBreaker::onFailure(const BreakerPermit &permit, Millis duration, Millis retryAfterHint)
{
    m_impl->finish(permit, Verdict::Failure, duration, retryAfterHint);
}

void CircuitBreaker::onIgnored(const BreakerPermit &permit)
{
    m_impl->finish(permit, Verdict::Ignored, Millis(0), Millis(0));
}

BreakerState CircuitBreaker::state() const
{
    m_impl->refresh();
    Lock lock(m_impl->mutex);
    return m_impl->state;
}

BreakerSnapshot CircuitBreaker::snapshot() const
{
    m_impl->refresh();
    Lock lock(m_impl->mutex);
    const Millis now = m_impl->clock.now();
    const WindowTotals totals = m_impl->window->totals(now);
    BreakerSnapshot snapshot;
    snapshot.state = m_impl->state;
    snapshot.callsInWindow = totals.calls;
    snapshot.failuresInWindow = totals.failures;
    snapshot.slowCallsInWindow = totals.slowCalls;
    snapshot.failureRate =
        totals.calls > 0 ? static_cast<double>(totals.failures) / totals.calls : 0.0;
    snapshot.consecutiveFailures = m_impl->consecutiveFailures;
    if (m_impl->state == BreakerState::Open)
        snapshot.remainingOpen = std::max(m_impl->openUntil - now, Millis(0));
    if (m_impl->state == BreakerState::Open || m_impl->state == BreakerState::HalfOpen)
        snapshot.openSince = m_impl->openSince;
    snapshot.probesInFlight = m_impl->probesInFlight;
    return snapshot;
}

void CircuitBreaker::forceOpen()
{
    m_impl->manualTransition(BreakerState::ForcedOpen);
}

void CircuitBreaker::forceClosed()
{
    m_impl->manualTransition(BreakerState::ForcedClosed);
}

void CircuitBreaker::reset()
{
    m_impl->manualTransition(BreakerState::Closed);
}

} // namespace breakwater

// Properties of the circuit breaker under concurrency, over many seeded runs: several threads
// take permits and report random outcomes while the main thread moves a fake clock.
//  - half-open never has more probes in flight than configured;
//  - an open breaker (time frozen) lets nothing through, in any thread;
//  - every permit handed out is given back: no probe is left in flight at the end.
#include "breaker/circuitbreaker.h"
#include "common/fakeclock.h"
#include "common/random.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace breakwater;

namespace {

struct RunFigures {
    int maxProbesInFlight = 0;
    long permits = 0;
    long results = 0;
};

/// Workers run until the clock has moved `span`, one millisecond per step.
RunFigures hammer(CircuitBreaker &breaker, FakeClock &clock, std::uint64_t seed, int threads,
                  Millis span)
{
    std::atomic<bool> stop{false};
    std::atomic<int> probesInFlight{0};
    std::atomic<int> maxProbes{0};
    std::atomic<long> permits{0};
    std::atomic<long> results{0};
    std::atomic<int> running{threads};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            SeededRandom random(seed * 1000 + static_cast<std::uint64_t>(t));
            while (!stop.load()) {
                const auto permit = breaker.tryAcquire();
                if (!permit)
                    continue;
                ++permits;
                if (permit->probe) {
                    const int now = ++probesInFlight;
                    int seen = maxProbes.load();
                    while (now > seen && !maxProbes.compare_exchange_weak(seen, now)) {
                    }
                }
                std::this_thread::yield();
                const double roll = random.uniform01();
                if (permit->probe)
                    --probesInFlight;
                if (roll < 0.55)
                    breaker.onFailure(*permit, Millis(1));
                else if (roll < 0.95)
                    breaker.onSuccess(*permit, Millis(1));
                else
                    breaker.onIgnored(*permit);
                ++results;
            }
            --running;
        });
    }
    // Time moves while the workers run, so the breaker keeps cycling. The breaker's own
    // thread (this one) also runs its queued work, as an event loop would.
    for (Millis moved{0}; moved < span; moved += Millis(1)) {
        clock.advance(Millis(1));
        QCoreApplication::processEvents();
        std::this_thread::yield();
    }
    stop = true;
    while (running.load() > 0)
        QCoreApplication::processEvents();
    for (std::thread &worker : workers)
        worker.join();
    return {maxProbes.load(), permits.load(), results.load()};
}

} // namespace

class TestBreakerProperties : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void holdsUnderConcurrencyForManySeeds()
    {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            SeededRandom pick(seed);
            BreakerPolicy policy;
            policy.window = WindowKind::Count;
            policy.halfOpenProbes = 1 + static_cast<int>(pick.uniform01() * 4);
            policy.consecutiveFailures = 1 + static_cast<int>(pick.uniform01() * 5);
            policy.windowSize = 5 + static_cast<int>(pick.uniform01() * 20);
            policy.minimumCalls = std::min(policy.windowSize, 3);
            policy.openDuration = Millis(1 + static_cast<int>(pick.uniform01() * 5));
            FakeClock clock;
            CircuitBreaker breaker(QStringLiteral("model"), policy, clock);
            QList<BreakerState> states{breaker.state()};
            connect(&breaker, &CircuitBreaker::stateChanged, this,
                    [&](BreakerState, BreakerState to) { states.append(to); }, Qt::DirectConnection);

            // Start open, so every run passes through half-open at least once.
            while (breaker.state() != BreakerState::Open)
                breaker.onFailure(*breaker.tryAcquire(), Millis(1));
            const RunFigures figures = hammer(breaker, clock, seed, 3, Millis(60));
            QVERIFY2(figures.maxProbesInFlight <= policy.halfOpenProbes,
                     qPrintable(QStringLiteral("seed %1: %2 probes in flight, limit %3")
                                    .arg(seed)
                                    .arg(figures.maxProbesInFlight)
                                    .arg(policy.halfOpenProbes)));
            QCOMPARE(figures.permits, figures.results);
            QCOMPARE(breaker.snapshot().probesInFlight, 0);
            QVERIFY(breaker.snapshot().callsInWindow <= policy.windowSize);
            QVERIFY2(states.contains(BreakerState::HalfOpen),
                     qPrintable(QStringLiteral("seed %1 never cycled").arg(seed)));
        }
    }

    void anOpenBreakerLetsNothingThroughInAnyThread()
    {
        BreakerPolicy policy;
        policy.consecutiveFailures = 1;
        policy.openDuration = Millis(1000);
        FakeClock clock;
        CircuitBreaker breaker(QStringLiteral("model"), policy, clock);
        breaker.onFailure(*breaker.tryAcquire(), Millis(1));
        QCOMPARE(breaker.state(), BreakerState::Open);
        std::atomic<int> admitted{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < 4; ++t) {
            workers.emplace_back([&] {
                for (int i = 0; i < 5000; ++i) {
                    if (breaker.tryAcquire())
                        ++admitted;
                }
            });
        }
        for (std::thread &worker : workers)
            worker.join();
        QCOMPARE(admitted.load(), 0);

        breaker.forceOpen();
        clock.advance(Millis(5000)); // forced open ignores time
        QVERIFY(!breaker.tryAcquire());
    }
};

QTEST_GUILESS_MAIN(TestBreakerProperties)
#include "tst_breakerproperties.moc"

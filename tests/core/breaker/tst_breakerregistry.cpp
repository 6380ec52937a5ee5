#include "breaker/breakerregistry.h"
#include "common/fakeclock.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <array>
#include <atomic>
#include <thread>
#include <vector>

using namespace breakwater;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

BreakerPolicy openOnFirstFailure()
{
    BreakerPolicy policy;
    policy.consecutiveFailures = 1;
    policy.failureRate = 0.0;
    policy.openDuration = 2000ms;
    policy.halfOpenProbes = 2;
    return policy;
}

bool fail(CircuitBreaker &breaker)
{
    const auto permit = breaker.tryAcquire();
    if (!permit)
        return false;
    breaker.onFailure(*permit, 10ms);
    return true;
}

} // namespace

class TestBreakerRegistry final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsBreakerOnFirstUseWithSharedPolicy();
    void referencesStayValidAsBreakersAreAdded();
    void listsEveryBreaker();
    void relaysStateChangedWithModelName();
    void relaysTransitionsCausedOnOtherThreads();
    void concurrentFirstUseCreatesOneBreakerPerModel();
    void breakerFirstUsedOnWorkerThreadOpensOnTimeOnRegistryThread();
};

void TestBreakerRegistry::createsBreakerOnFirstUseWithSharedPolicy()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    QSignalSpy created(&registry, &BreakerRegistry::breakerCreated);

    QCOMPARE(registry.find(u"sonnet"_s), nullptr);
    CircuitBreaker &breaker = registry.breaker(u"sonnet"_s);
    QCOMPARE(created.count(), 1);
    QCOMPARE(created.at(0).at(0).toString(), u"sonnet"_s);
    QCOMPARE(breaker.name(), u"sonnet"_s);
    QCOMPARE(breaker.policy().consecutiveFailures, 1);
    QCOMPARE(breaker.policy().openDuration, 2000ms);
    QCOMPARE(breaker.policy().halfOpenProbes, 2);
    QCOMPARE(registry.find(u"sonnet"_s), &breaker);

    QCOMPARE(&registry.breaker(u"sonnet"_s), &breaker);
    QCOMPARE(created.count(), 1);
    QCOMPARE(registry.find(u"haiku"_s), nullptr);
}

void TestBreakerRegistry::referencesStayValidAsBreakersAreAdded()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    CircuitBreaker &first = registry.breaker(u"model-0"_s);
    QVERIFY(fail(first));

    for (int i = 1; i < 200; ++i)
        registry.breaker(u"model-%1"_s.arg(i));

    QCOMPARE(&registry.breaker(u"model-0"_s), &first);
    QCOMPARE(first.state(), BreakerState::Open); // the same breaker, not a fresh one
    QCOMPARE(registry.breakers().size(), 200);
}

void TestBreakerRegistry::listsEveryBreaker()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    QVERIFY(registry.breakers().isEmpty());
    registry.breaker(u"b"_s);
    registry.breaker(u"a"_s);
    registry.breaker(u"c"_s);

    QStringList names;
    const QList<CircuitBreaker *> breakers = registry.breakers();
    for (const CircuitBreaker *breaker : breakers)
        names.append(breaker->name());
    QCOMPARE(names, (QStringList{u"a"_s, u"b"_s, u"c"_s}));
}

void TestBreakerRegistry::relaysStateChangedWithModelName()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    QSignalSpy spy(&registry, &BreakerRegistry::stateChanged);
    registry.breaker(u"haiku"_s);
    CircuitBreaker &sonnet = registry.breaker(u"sonnet"_s);

    QVERIFY(fail(sonnet));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), u"sonnet"_s);
    QCOMPARE(spy.at(0).at(1).value<BreakerState>(), BreakerState::Closed);
    QCOMPARE(spy.at(0).at(2).value<BreakerState>(), BreakerState::Open);

    clock.advance(2000ms); // the timer moves it on, no call involved
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), u"sonnet"_s);
    QCOMPARE(spy.at(1).at(2).value<BreakerState>(), BreakerState::HalfOpen);

    registry.breaker(u"haiku"_s).forceOpen();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), u"haiku"_s);
    QCOMPARE(spy.at(2).at(2).value<BreakerState>(), BreakerState::ForcedOpen);
}

void TestBreakerRegistry::relaysTransitionsCausedOnOtherThreads()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    QSignalSpy spy(&registry, &BreakerRegistry::stateChanged);
    CircuitBreaker &breaker = registry.breaker(u"sonnet"_s);

    std::thread worker([&] { fail(breaker); });
    worker.join();

    // Relayed at once on the worker, without the registry's thread running its event loop.
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), u"sonnet"_s);
    QCOMPARE(spy.at(0).at(2).value<BreakerState>(), BreakerState::Open);
}

void TestBreakerRegistry::concurrentFirstUseCreatesOneBreakerPerModel()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    std::atomic<int> created{0};
    connect(
        &registry, &BreakerRegistry::breakerCreated, this, [&](const QString &) { ++created; },
        Qt::DirectConnection);

    constexpr int kThreads = 8;
    constexpr int kModels = 20;
    std::array<std::array<CircuitBreaker *, kModels>, kThreads> seen{};
    std::atomic<bool> unstable{false};
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            for (int round = 0; round < 50; ++round) {
                for (int m = 0; m < kModels; ++m) {
                    // Each thread walks the models in its own order.
                    const int model = (m * 7 + t * 3) % kModels;
                    CircuitBreaker *breaker = &registry.breaker(u"model-%1"_s.arg(model));
                    CircuitBreaker *&first =
                        seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(model)];
                    if (first == nullptr)
                        first = breaker;
                    else if (first != breaker)
                        unstable = true;
                }
            }
        });
    }
    for (std::thread &worker : workers)
        worker.join();

    QVERIFY(!unstable.load());
    QCOMPARE(created.load(), kModels);
    QCOMPARE(registry.breakers().size(), kModels);
    for (int m = 0; m < kModels; ++m) {
        CircuitBreaker *expected = registry.find(u"model-%1"_s.arg(m));
        QVERIFY(expected);
        for (int t = 0; t < kThreads; ++t)
            QCOMPARE(seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(m)], expected);
    }
}

void TestBreakerRegistry::breakerFirstUsedOnWorkerThreadOpensOnTimeOnRegistryThread()
{
    FakeClock clock;
    BreakerRegistry registry(openOnFirstFailure(), clock);
    QSignalSpy spy(&registry, &BreakerRegistry::stateChanged);

    CircuitBreaker *breaker = nullptr;
    std::thread worker([&] {
        breaker = &registry.breaker(u"sonnet"_s);
        fail(*breaker);
    });
    worker.join();
    QCOMPARE(breaker->thread(), registry.thread());
    QCOMPARE(spy.count(), 1);

    // The worker asked the registry's thread to arm the half-open timer.
    QCoreApplication::processEvents();
    QCOMPARE(clock.pendingTimers(), 1);
    clock.advance(2000ms);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(1).value<BreakerState>(), BreakerState::Open);
    QCOMPARE(spy.at(1).at(2).value<BreakerState>(), BreakerState::HalfOpen);
}

QTEST_GUILESS_MAIN(TestBreakerRegistry)
#include "tst_breakerregistry.moc"

// The AWS "Exponential Backoff and Jitter" experiment on simulated time: many clients
// contend for one resource that serves one call at a time; a call that arrives while it is
// busy fails and is retried after the policy's backoff. Jitter spreads the retries out, so
// far fewer calls are wasted and everyone finishes far sooner than with plain exponential
// backoff, whose clients retry in lockstep and collide again and again.
#include "common/fakeclock.h"
#include "common/random.h"
#include "retry/backoff.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace breakwater;

Q_DECLARE_METATYPE(breakwater::JitterMode)

namespace {

struct SimulationResult {
    int calls = 0;
    Millis completion{0};
    int unfinished = 0;
};

/// `clients` clients all start at t = 0 against a resource busy for `service` after each
/// call it accepts.
SimulationResult simulate(JitterMode jitter, int clients, std::uint64_t seed)
{
    RetryPolicy policy;
    policy.jitter = jitter;
    policy.initial = Millis(10);
    policy.multiplier = 2.0;
    policy.max = Millis(10000);
    const Millis service(5);
    constexpr int kAttemptLimit = 1000;

    FakeClock clock;
    SeededRandom random(seed);
    SimulationResult result;
    Millis busyUntil{0};

    struct Client {
        std::unique_ptr<Timer> timer;
        int attempt = 0;
        Millis previousDelay{0};
        bool done = false;
    };
    std::vector<Client> all(static_cast<std::size_t>(clients));
    for (Client &client : all) {
        client.timer = clock.createTimer([&, &self = client] {
            ++result.calls;
            const Millis now = clock.now();
            if (now >= busyUntil) {
                busyUntil = now + service;
                self.done = true;
                result.completion = std::max(result.completion, now + service);
                return;
            }
            if (++self.attempt >= kAttemptLimit)
                return;
            const Millis delay = backoffDelay(policy, self.attempt - 1, self.previousDelay, random);
            self.previousDelay = delay;
            self.timer->start(delay);
        });
        client.timer->start(Millis(0));
    }
    while (clock.advanceToNextTimer()) {
    }
    for (const Client &client : all)
        result.unfinished += client.done ? 0 : 1;
    return result;
}

} // namespace

class TestBackoffSimulation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fullJitterBeatsPlainExponentialBackoffUnderContention_data()
    {
        QTest::addColumn<std::uint64_t>("seed");
        for (std::uint64_t seed : {1u, 2u, 3u, 42u})
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
    }
    void fullJitterBeatsPlainExponentialBackoffUnderContention()
    {
        QFETCH(std::uint64_t, seed);
        const SimulationResult plain = simulate(JitterMode::None, 100, seed);
        const SimulationResult full = simulate(JitterMode::Full, 100, seed);
        qInfo("100 clients: no jitter %d calls, %.1f s; full jitter %d calls, %.1f s",
              plain.calls, toSeconds(plain.completion), full.calls, toSeconds(full.completion));
        QCOMPARE(plain.unfinished, 0);
        QCOMPARE(full.unfinished, 0);
        QVERIFY(full.calls * 2 <= plain.calls);
        QVERIFY(full.completion * 10 <= plain.completion);
    }

    void everyJitterModeFinishesTheWork_data()
    {
        QTest::addColumn<JitterMode>("jitter");
        QTest::newRow("additive") << JitterMode::Additive;
        QTest::newRow("equal") << JitterMode::Equal;
        QTest::newRow("decorrelated") << JitterMode::Decorrelated;
    }
    void everyJitterModeFinishesTheWork()
    {
        QFETCH(JitterMode, jitter);
        const SimulationResult plain = simulate(JitterMode::None, 100, 7);
        const SimulationResult jittered = simulate(jitter, 100, 7);
        QCOMPARE(jittered.unfinished, 0);
        // Every jittered mode wastes fewer calls than lockstep retries.
        QVERIFY(jittered.calls < plain.calls);
    }
};

QTEST_GUILESS_MAIN(TestBackoffSimulation)
#include "tst_backoffsimulation.moc"

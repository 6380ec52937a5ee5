// The load generator on simulated time, with calls that complete after a fixed latency.
#include "common/fakeclock.h"
#include "load/loadgenerator.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

/// Completes every submitted call `latency` after it started, tracking peak concurrency.
class FixedLatencyBackend {
public:
    FixedLatencyBackend(FakeClock &clock, Millis latency) : m_clock(clock), m_latency(latency) {}

    LoadGenerator::Submit submit()
    {
        return [this](CallRequest request, Engine::Completion done) {
            prompts.append(request.prompt);
            ++inFlight;
            peak = std::max(peak, inFlight);
            startTimes.append(m_clock.now());
            auto timer = m_clock.createTimer([this, done] {
                --inFlight;
                CallResult result;
                result.success = true;
                done(result);
            });
            timer->start(m_latency);
            m_timers.push_back(std::move(timer));
        };
    }

    QStringList prompts;
    QList<Millis> startTimes;
    int inFlight = 0;
    int peak = 0;

private:
    FakeClock &m_clock;
    Millis m_latency;
    std::vector<std::unique_ptr<Timer>> m_timers;
};

/// A closed loop of `workers` started at once, each thinking `think` on average.
LoadProfile closedLoop(int workers, Millis think)
{
    LoadProfile profile;
    profile.rps = 0;
    profile.concurrency = workers;
    profile.ramp = Millis(0);
    profile.think = think;
    return profile;
}

} // namespace

class TestLoadGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void openLoopScheduleRampsLinearly_data()
    {
        QTest::addColumn<double>("rps");
        QTest::addColumn<int>("rampMs");
        QTest::addColumn<int>("atMs");
        QTest::addColumn<quint64>("expected");
        // Due calls = 1 (the first, at once) + integral of the rate.
        QTest::newRow("start") << 10.0 << 4000 << 0 << quint64(1);
        QTest::newRow("mid ramp") << 10.0 << 4000 << 2000 << quint64(1 + 5);   // 10*2²/(2*4)
        QTest::newRow("end of ramp") << 10.0 << 4000 << 4000 << quint64(1 + 20);
        QTest::newRow("after ramp") << 10.0 << 4000 << 10000 << quint64(1 + 20 + 60);
        QTest::newRow("no ramp") << 50.0 << 0 << 3000 << quint64(1 + 150);
    }
    void openLoopScheduleRampsLinearly()
    {
        QFETCH(double, rps);
        QFETCH(int, rampMs);
        QFETCH(int, atMs);
        QFETCH(quint64, expected);
        LoadProfile profile;
        profile.rps = rps;
        profile.ramp = Millis(rampMs);
        QCOMPARE(LoadGenerator::scheduledBy(profile, Millis(atMs)), expected);
    }

    void openLoopSendsAtTheConfiguredRate()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(50));
        LoadProfile profile;
        profile.rps = 100;
        profile.ramp = Millis(0);
        profile.concurrency = 100;
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.start(Millis(10000));
        clock.advance(Millis(5000));
        QVERIFY(qAbs(static_cast<double>(generator.started()) - 501.0) <= 1.0);
        clock.advance(Millis(5000));
        QCOMPARE(finished.count(), 0); // the last calls are still in flight
        clock.advance(Millis(100));
        QCOMPARE(finished.count(), 1);
        QVERIFY(qAbs(static_cast<double>(generator.started()) - 1000.0) <= 2.0);
        QCOMPARE(generator.delayedByConcurrency(), quint64(0));
        // Evenly spaced: no two calls share a start time at 100 rps.
        QCOMPARE(backend.startTimes.at(11) - backend.startTimes.at(10), Millis(10));
    }

    void openLoopNeverExceedsConcurrencyAndCountsDelayedCalls()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(1000));
        LoadProfile profile;
        profile.rps = 20;
        profile.ramp = Millis(0);
        profile.concurrency = 5; // 20 rps × 1 s latency needs 20
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        generator.start(Millis(5000));
        clock.advance(Millis(6000));
        QCOMPARE(backend.peak, 5);
        QVERIFY(generator.delayedByConcurrency() > 0);
        QVERIFY(generator.started() <= 5u * 6u);
    }

    void closedLoopKeepsEveryWorkerBusy()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(1500));
        LoadProfile profile;
        profile.rps = 0;
        profile.concurrency = 200;
        profile.ramp = Millis(0);
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.start(Millis(15000));
        clock.advance(Millis(100));
        QCOMPARE(backend.inFlight, 200);
        clock.advance(Millis(14000));
        QCOMPARE(backend.inFlight, 200);
        clock.advance(Millis(2000));
        QCOMPARE(finished.count(), 1);
        // Little's law: throughput × latency = concurrency.
        QCOMPARE(generator.started(), quint64(200 * 10));
    }

    void closedLoopWorkersJoinOverTheRamp()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(100000));
        LoadProfile profile;
        profile.rps = 0;
        profile.concurrency = 10;
        profile.ramp = Millis(10000);
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        generator.start(Millis(60000));
        QCOMPARE(backend.inFlight, 1);
        clock.advance(Millis(5000));
        QCOMPARE(backend.inFlight, 6);
        clock.advance(Millis(5000));
        QCOMPARE(backend.inFlight, 10);
    }

    void stopStartsNothingMoreAndFinishesWhenCallsReturn()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(300));
        LoadProfile profile;
        profile.rps = 10;
        profile.ramp = Millis(0);
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.start(Millis(60000));
        clock.advance(Millis(1000));
        const quint64 startedBeforeStop = generator.started();
        generator.stop();
        QCOMPARE(finished.count(), 0);
        clock.advance(Millis(1000));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(generator.started(), startedBeforeStop);
    }

    void cyclesThroughThePromptSet()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(1));
        LoadProfile profile;
        profile.rps = 0;
        profile.concurrency = 1;
        profile.ramp = Millis(0);
        const PromptSet prompts(QStringList{u"a"_s, u"b"_s, u"c"_s});
        LoadGenerator generator(profile, prompts, clock, backend.submit());
        generator.start(Millis(5));
        clock.advance(Millis(10));
        QCOMPARE(backend.prompts.mid(0, 5), (QStringList{u"a"_s, u"b"_s, u"c"_s, u"a"_s, u"b"_s}));
    }

    void closedLoopWorkersThinkBetweenCalls()
    {
        // 50 workers, 200 ms calls, 1.8 s mean think time: each worker sends one call every
        // 2 s on average (Little's law), not one every 200 ms.
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(200));
        const LoadProfile profile = closedLoop(50, Millis(1800));
        LoadGenerator generator(profile, PromptSet::builtinUnique({5, 0.0}), clock,
                                backend.submit());
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.start(Millis(100000));
        QCOMPARE(backend.inFlight, 50); // every worker's first call goes out at once
        clock.advance(Millis(250));
        // Answered, and thinking: the next calls are not sent at once.
        QCOMPARE(generator.thinking() + backend.inFlight, 50);
        QVERIFY2(generator.thinking() > 40, qPrintable(QString::number(generator.thinking())));
        for (int i = 0; i < 990; ++i)
            clock.advance(Millis(100));
        QCOMPARE(finished.count(), 0);
        clock.advance(Millis(2000));
        QCOMPARE(finished.count(), 1);
        const double expected = 50.0 * 100.0 / 2.0;
        QVERIFY2(std::abs(static_cast<double>(generator.started()) - expected) < expected * 0.05,
                 qPrintable(QString::number(generator.started())));
        QVERIFY(backend.peak <= 50);
    }

    void thinkTimesAreExponentialAndSeeded()
    {
        // One worker, instant answers: the gaps between its calls are its think times.
        const auto gaps = [](std::uint64_t seed) {
            FakeClock clock;
            FixedLatencyBackend backend(clock, Millis(0));
            const LoadProfile profile = closedLoop(1, Millis(1000));
            LoadGenerator generator(profile, PromptSet::builtinUnique({seed, 0.1}), clock,
                                    backend.submit());
            generator.start(Millis(2000000));
            for (int i = 0; i < 20000; ++i)
                clock.advance(Millis(100));
            QList<qint64> result;
            for (qsizetype i = 1; i < backend.startTimes.size(); ++i)
                result.append((backend.startTimes[i] - backend.startTimes[i - 1]).count());
            return result;
        };
        const QList<qint64> a = gaps(1);
        QCOMPARE(gaps(1), a);
        QVERIFY(gaps(2) != a);
        QVERIFY(a.size() > 1800);
        double sum = 0;
        int longerThanMean = 0;
        int shortGaps = 0;
        for (qint64 gap : a) {
            sum += static_cast<double>(gap);
            longerThanMean += gap > 1000 ? 1 : 0;
            shortGaps += gap < 100 ? 1 : 0;
        }
        const double mean = sum / static_cast<double>(a.size());
        QVERIFY2(std::abs(mean - 1000.0) < 60.0, qPrintable(QString::number(mean)));
        // Exponential: e^-1 ≈ 37 % of gaps exceed the mean, 1 - e^-0.1 ≈ 9.5 % are under a
        // tenth of it (a fixed or uniform wait would give neither).
        const double overMean = static_cast<double>(longerThanMean) / static_cast<double>(a.size());
        const double under = static_cast<double>(shortGaps) / static_cast<double>(a.size());
        QVERIFY2(std::abs(overMean - 0.368) < 0.04, qPrintable(QString::number(overMean)));
        QVERIFY2(std::abs(under - 0.095) < 0.025, qPrintable(QString::number(under)));
    }

    void stopWhileWorkersThinkFinishesAtOnce()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(100));
        const LoadProfile profile = closedLoop(10, Millis(60000));
        LoadGenerator generator(profile, PromptSet::builtinShort(), clock, backend.submit());
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.start(Millis(600000));
        clock.advance(Millis(200));
        QCOMPARE(generator.thinking(), 10);
        generator.stop();
        QCOMPARE(finished.count(), 1); // nothing in flight: no need to wait for the thinkers
        QCOMPARE(generator.thinking(), 0);
        const quint64 started = generator.started();
        clock.advance(Millis(600000));
        QCOMPARE(generator.started(), started);
    }

    void sendsADistinctPromptPerRequestFromBuiltinUnique()
    {
        FakeClock clock;
        FixedLatencyBackend backend(clock, Millis(10));
        LoadProfile profile;
        profile.rps = 200;
        profile.ramp = Millis(0);
        profile.concurrency = 50;
        LoadGenerator generator(profile, PromptSet::builtinUnique({1, 0.0}), clock,
                                backend.submit());
        generator.start(Millis(5000));
        clock.advance(Millis(5100));
        QVERIFY(backend.prompts.size() > 900);
        QCOMPARE(QSet<QString>(backend.prompts.cbegin(), backend.prompts.cend()).size(),
                 backend.prompts.size());
    }

    void builtinLongPromptsOverflowAnEightThousandTokenWindow()
    {
        const PromptSet prompts = PromptSet::builtinLong();
        for (int i = 0; i < prompts.size(); ++i)
            QVERIFY(prompts.at(static_cast<quint64>(i)).size() / 4 > 8000);
        QString error;
        QVERIFY(!PromptSet::load(u"/nonexistent/prompts.txt"_s, &error));
        QVERIFY(error.contains(u"cannot read"_s));
    }
};

QTEST_GUILESS_MAIN(TestLoadGenerator)
#include "tst_loadgenerator.moc"

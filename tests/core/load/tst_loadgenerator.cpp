// The load generator on simulated time, with calls that complete after a fixed latency.
#include "common/fakeclock.h"
#include "load/loadgenerator.h"

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

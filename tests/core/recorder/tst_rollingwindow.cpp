// Hystrix-style rolling windows on a fake clock: buckets roll over as time passes, old
// buckets are forgotten, slots are reused, and the ring buffer keeps the last N.
#include "common/fakeclock.h"
#include "recorder/ringbuffer.h"
#include "recorder/rollingwindow.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

/// Counts how often a bucket was cleared, to show that reads never clear and writes clear
/// only stale slots.
struct ProbeBucket {
    qint64 value = 0;
    int resets = 0;
    void reset()
    {
        value = 0;
        ++resets;
    }
};

} // namespace

class TestRollingWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsEverythingInsideTheWindow()
    {
        FakeClock clock;
        RollingCounter counter(clock, 10, Millis(100));
        for (int i = 0; i < 10; ++i) {
            counter.add(i + 1);
            clock.advance(Millis(100));
            if (i < 9)
                QCOMPARE(counter.sum(), (i + 1) * (i + 2) / 2);
        }
        // Now at t = 1000: the bucket [0, 100) has left the window, the other nine remain.
        QCOMPARE(counter.sum(), 55 - 1);
    }

    void forgetsBucketsOlderThanTheWindow_data()
    {
        QTest::addColumn<qint64>("advanceMs");
        QTest::addColumn<qint64>("expected");
        // Events: 5 at t = 0 (bucket 0), 7 at t = 450 (bucket 4), 11 at t = 999 (bucket 9).
        // The window is 10 buckets of 100 ms; at time t it holds buckets floor(t/100)-9 .. now.
        QTest::newRow("all three at 999 ms") << qint64(0) << qint64(23);
        QTest::newRow("bucket 0 rolls out at 1000 ms") << qint64(1) << qint64(18);
        QTest::newRow("bucket 4 still in at 1399 ms") << qint64(400) << qint64(18);
        QTest::newRow("bucket 4 rolls out at 1400 ms") << qint64(401) << qint64(11);
        QTest::newRow("bucket 9 still in at 1899 ms") << qint64(900) << qint64(11);
        QTest::newRow("everything gone at 1900 ms") << qint64(901) << qint64(0);
        QTest::newRow("long idle") << qint64(3600000) << qint64(0);
    }

    void forgetsBucketsOlderThanTheWindow()
    {
        QFETCH(qint64, advanceMs);
        QFETCH(qint64, expected);
        FakeClock clock;
        RollingCounter counter(clock, 10, Millis(100));
        counter.add(5);
        clock.advance(Millis(450));
        counter.add(7);
        clock.advance(Millis(549));
        counter.add(11);
        clock.advance(Millis(advanceMs));
        QCOMPARE(counter.sum(), expected);
    }

    void aStaleSlotIsClearedBeforeReuse()
    {
        FakeClock clock;
        RollingCounter counter(clock, 4, Millis(250));
        counter.add(100);
        // Exactly one window later the same slot holds a new bucket: the old count must go.
        clock.advance(Millis(1000));
        counter.add(1);
        QCOMPARE(counter.sum(), 1);
        // Going round the ring several times never resurrects anything.
        clock.advance(Millis(4000));
        QCOMPARE(counter.sum(), 0);
        counter.add(2);
        QCOMPARE(counter.sum(), 2);
    }

    void rateIsPerSecondOverTheWindow()
    {
        FakeClock clock;
        RollingCounter counter(clock, 10, Millis(1000));
        for (int second = 0; second < 10; ++second) {
            counter.add(30);
            clock.advance(Millis(1000));
        }
        // Now at 10 s: the first second has rolled out.
        QCOMPARE(counter.sum(), 270);
        QCOMPARE(counter.ratePerSecond(), 27.0);
    }

    void bucketsAlignToTheClockNotToTheFirstEvent()
    {
        FakeClock clock;
        clock.advance(Millis(12345));
        RollingCounter counter(clock, 2, Millis(1000));
        counter.add();              // bucket [12000, 13000)
        clock.advance(Millis(654)); // 12999
        counter.add();
        QCOMPARE(counter.sum(), 2);
        clock.advance(Millis(1001)); // 14000: bucket 12 has left the two-bucket window
        QCOMPARE(counter.sum(), 0);
    }

    void readsDoNotClearAndWritesClearOnlyStaleSlots()
    {
        FakeClock clock;
        RollingWindow<ProbeBucket> window(clock, 5, Millis(10));
        window.current().value = 1;
        QCOMPARE(window.current().resets, 1); // first use of the slot
        qint64 seen = 0;
        for (int i = 0; i < 100; ++i)
            window.forEachLive([&seen](const ProbeBucket &bucket) { seen += bucket.value; });
        QCOMPARE(seen, 100);
        QCOMPARE(window.current().resets, 1);
        clock.advance(Millis(50)); // the same slot, one lap later
        QCOMPARE(window.current().value, 0);
        QCOMPARE(window.current().resets, 2);
    }

    void liveBucketsAreVisitedOldestFirst()
    {
        FakeClock clock;
        RollingWindow<CountBucket> window(clock, 3, Millis(100));
        for (int i = 1; i <= 5; ++i) {
            window.current().value = i;
            clock.advance(Millis(100));
        }
        // Now in bucket 5 (empty, never written): buckets 3 and 4 are the live ones.
        QList<qint64> order;
        window.forEachLive([&order](const CountBucket &bucket) { order.append(bucket.value); });
        QCOMPARE(order, (QList<qint64>{4, 5}));
    }

    void slotCountStaysFixedAfterAMillionEvents()
    {
        FakeClock clock;
        RollingCounter counter(clock, 10, Millis(100));
        for (int i = 0; i < 1000000; ++i) {
            counter.add();
            if (i % 1000 == 999)
                clock.advance(Millis(7));
        }
        QCOMPARE(counter.window().bucketCount(), 10);
        // Batches of 1000 at t = 7k ms; at t = 7000 the live buckets cover [6100, 7000):
        // batches 872 .. 999.
        QCOMPARE(counter.sum(), 128000);
    }

    void rollingHistogramForgetsOldLatencies()
    {
        FakeClock clock;
        RollingHistogram latency(clock, 10, Millis(1000));
        for (int i = 0; i < 100; ++i)
            latency.record(Millis(5000));
        clock.advance(Millis(5000));
        for (int i = 0; i < 100; ++i)
            latency.record(Millis(20));
        QCOMPARE(latency.merged().count(), 200);
        QCOMPARE(latency.merged().percentile(99), Millis(5000));
        clock.advance(Millis(5000)); // the slow second has rolled out
        QCOMPARE(latency.merged().count(), 100);
        QCOMPARE(latency.merged().percentile(99), Millis(20));
        QCOMPARE(latency.merged().max(), Millis(20));
        latency.reset();
        QVERIFY(latency.merged().isEmpty());
    }

    void ringKeepsTheLastItemsAndCountsTheDropped()
    {
        RingBuffer<int> ring(3);
        for (int i = 1; i <= 2; ++i)
            ring.push(i);
        QCOMPARE(ring.toList(), (QList<int>{1, 2}));
        QCOMPARE(ring.dropped(), 0);
        for (int i = 3; i <= 1000; ++i)
            ring.push(i);
        QCOMPARE(ring.size(), 3);
        QCOMPARE(ring.toList(), (QList<int>{998, 999, 1000}));
        QCOMPARE(ring.dropped(), 997);
        ring.clear();
        QCOMPARE(ring.size(), 0);
        QCOMPARE(ring.dropped(), 0);
        ring.push(7);
        QCOMPARE(ring.toList(), QList<int>{7});
    }
};

QTEST_APPLESS_MAIN(TestRollingWindow)
#include "tst_rollingwindow.moc"

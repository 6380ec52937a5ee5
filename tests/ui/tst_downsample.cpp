// Chart downsampling and axis helpers: long lines shrink to the point budget with their
// extremes intact, aligned means keep stacked layers together, and axis bounds and ticks
// land on round numbers without twitching.
#include "charts/downsample.h"

#include <QTest>
#include <cmath>

using namespace breakwater::ui;

class TestDownsample final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shortLinesComeBackUnchanged()
    {
        const QList<QPointF> points = {{0, 1}, {1, 5}, {2, 3}};
        QCOMPARE(downsampleMinMax(points, 600), points);
    }

    void longLinesFitTheBudgetInOrder()
    {
        QList<QPointF> points;
        for (int i = 0; i < 10000; ++i)
            points.append(QPointF(i, std::sin(i / 50.0)));
        const QList<QPointF> out = downsampleMinMax(points, 600);
        QVERIFY(out.size() <= 600);
        QVERIFY(out.size() >= 300);
        for (qsizetype i = 1; i < out.size(); ++i)
            QVERIFY(out[i].x() > out[i - 1].x());
    }

    void spikesAndDipsSurvive()
    {
        QList<QPointF> points;
        for (int i = 0; i < 3600; ++i)
            points.append(QPointF(i, 1.0));
        points[1234].setY(42.0);
        points[2345].setY(-7.0);
        const QList<QPointF> out = downsampleMinMax(points, 600);
        QVERIFY(out.contains(QPointF(1234, 42.0)));
        QVERIFY(out.contains(QPointF(2345, -7.0)));
    }

    void meanBucketsKeepAverages_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("bucket");
        QTest::newRow("fits") << 600 << 600 << 1;
        QTest::newRow("one over") << 601 << 600 << 2;
        QTest::newRow("an hour of seconds") << 3600 << 600 << 6;
        QTest::newRow("empty") << 0 << 600 << 1;
    }
    void meanBucketsKeepAverages()
    {
        QFETCH(int, count);
        QFETCH(int, maxPoints);
        QFETCH(int, bucket);
        QCOMPARE(meanBucketSize(count, maxPoints), bucket);
        QList<double> values;
        for (int i = 0; i < count; ++i)
            values.append(i % 2 == 0 ? 10.0 : 20.0);
        const QList<double> out = downsampleMean(values, bucket);
        QVERIFY(out.size() <= maxPoints);
        QCOMPARE(out.size(), (count + bucket - 1) / bucket);
        // Every full bucket of alternating 10 and 20 averages to 15.
        if (bucket % 2 == 0) {
            for (int i = 0; i < count / bucket; ++i)
                QCOMPARE(out[i], 15.0);
        }
    }

    void niceCeilRoundsUp_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("nice");
        QTest::newRow("zero") << 0.0 << 0.0;
        QTest::newRow("exact") << 2.0 << 2.0;
        QTest::newRow("just over") << 2.01 << 2.5;
        QTest::newRow("7") << 7.0 << 10.0;
        QTest::newRow("130") << 130.0 << 200.0;
        QTest::newRow("0.33") << 0.33 << 0.5;
    }
    void niceCeilRoundsUp()
    {
        QFETCH(double, value);
        QFETCH(double, nice);
        QCOMPARE(niceCeil(value), nice);
    }

    void stickyAxisGrowsAtOnceAndShrinksOnlyFarBelow()
    {
        double top = stickyAxisMax(0.0, 8.0, 5.0);
        QCOMPARE(top, 10.0);
        QCOMPARE(stickyAxisMax(top, 6.0, 5.0), 10.0);  // a small dip: no twitch
        QCOMPARE(stickyAxisMax(top, 11.0, 5.0), 20.0); // passed the bound: grows
        QCOMPARE(stickyAxisMax(100.0, 3.0, 5.0), 5.0); // far below: shrinks to the floor
        // Data held at the bound (in flight at the concurrency cap) must not draw along the
        // top edge: within the 15 % headroom, the axis grows.
        QCOMPARE(stickyAxisMax(20.0, 20.0, 5.0), 25.0);
        QCOMPARE(stickyAxisMax(20.0, 18.0, 5.0), 25.0);
        QCOMPARE(stickyAxisMax(20.0, 17.0, 5.0), 20.0);
        QCOMPARE(stickyAxisMax(25.0, 20.0, 5.0), 25.0); // and then stays
    }

    void tickIntervalsAreRound_data()
    {
        QTest::addColumn<double>("span");
        QTest::addColumn<bool>("seconds");
        QTest::addColumn<double>("interval");
        QTest::newRow("a minute") << 60.0 << true << 10.0;
        QTest::newRow("an hour") << 3600.0 << true << 600.0;
        QTest::newRow("3 s") << 3.0 << true << 0.5;
        QTest::newRow("100 %") << 100.0 << false << 25.0;
        QTest::newRow("5 counts") << 5.0 << false << 2.0;
    }
    void tickIntervalsAreRound()
    {
        QFETCH(double, span);
        QFETCH(bool, seconds);
        QFETCH(double, interval);
        QCOMPARE(niceTickInterval(span, seconds ? 6 : 4, seconds), interval);
    }
};

QTEST_GUILESS_MAIN(TestDownsample)
#include "tst_downsample.moc"

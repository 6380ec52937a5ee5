// Fixed-size time series: points land in their step, the resolution halves when full, sums
// survive any number of halvings, peaks survive as maxima, and RunSeries merges each metric
// by its documented rule.
#include "common/random.h"
#include "recorder/runseries.h"
#include "recorder/timeseries.h"

#include <QTest>
#include <numeric>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

double total(const QList<double> &values)
{
    return std::accumulate(values.begin(), values.end(), 0.0);
}

std::int64_t total(const nlohmann::json &array)
{
    std::int64_t sum = 0;
    for (const nlohmann::json &value : array)
        sum += value.get<std::int64_t>();
    return sum;
}

} // namespace

class TestTimeSeries : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pointsLandInTheStepThatCoversThem()
    {
        TimeSeries series(1s, 10);
        const int count = series.addColumn(MergeRule::Sum);
        series.add(0ms, {1});
        series.add(2500ms, {4});
        series.add(2000ms, {3}); // the same step as 2500 ms: merges into it
        QCOMPARE(series.size(), 3);
        QCOMPARE(series.column(count), (QList<double>{1, 0, 7}));
        QCOMPARE(series.pointStart(2), 2000ms);
    }

    void halvesTheResolutionWhenFull_data()
    {
        QTest::addColumn<int>("points");
        QTest::addColumn<QList<double>>("sums");
        QTest::addColumn<QList<double>>("maxima");
        QTest::addColumn<qint64>("stepMs");
        // Point i holds i + 1 in both columns; capacity 4.
        QTest::newRow("full, not yet halved")
            << 4 << QList<double>{1, 2, 3, 4} << QList<double>{1, 2, 3, 4} << qint64(1000);
        QTest::newRow("one more halves")
            << 5 << QList<double>{3, 7, 5} << QList<double>{2, 4, 5} << qint64(2000);
        QTest::newRow("eight points in four")
            << 8 << QList<double>{3, 7, 11, 15} << QList<double>{2, 4, 6, 8} << qint64(2000);
        QTest::newRow("nine points halve twice")
            << 9 << QList<double>{10, 26, 9} << QList<double>{4, 8, 9} << qint64(4000);
    }

    void halvesTheResolutionWhenFull()
    {
        QFETCH(int, points);
        QFETCH(QList<double>, sums);
        QFETCH(QList<double>, maxima);
        QFETCH(qint64, stepMs);
        TimeSeries series(1s, 4);
        const int sum = series.addColumn(MergeRule::Sum);
        const int max = series.addColumn(MergeRule::Max);
        for (int i = 0; i < points; ++i)
            series.add(Millis(1000 * i), {double(i + 1), double(i + 1)});
        QCOMPARE(series.column(sum), sums);
        QCOMPARE(series.column(max), maxima);
        QCOMPARE(series.step(), Millis(stepMs));
        QVERIFY(series.size() <= series.capacity());
    }

    void sumsSurviveManyHalvings()
    {
        TimeSeries series(100ms, 50);
        const int count = series.addColumn(MergeRule::Sum);
        const int peak = series.addColumn(MergeRule::Max);
        SeededRandom random(42);
        double expected = 0;
        double highest = 0;
        for (int i = 0; i < 200000; ++i) {
            const double value = std::floor(random.uniform(0, 100));
            expected += value;
            highest = std::max(highest, value * 3);
            series.add(Millis(100 * i), {value, value * 3});
            QVERIFY(series.size() <= 50);
        }
        QCOMPARE(total(series.column(count)), expected);
        QCOMPARE(*std::max_element(series.column(peak).begin(), series.column(peak).end()),
                 highest);
        // 20,000 s in at most 50 points: 2^12 × 100 ms = 409.6 s per point.
        QCOMPARE(series.halvings(), 12);
        QCOMPARE(series.step(), Millis(409600));
    }

    void capacityIsRoundedUpToEven()
    {
        QCOMPARE(TimeSeries(1s, 7).capacity(), 8);
        QCOMPARE(TimeSeries(1s, 0).capacity(), 2);
    }

    void aColumnAddedLaterIsZeroForEarlierPoints()
    {
        TimeSeries series(1s, 10);
        series.addColumn(MergeRule::Sum);
        series.add(0ms, {1});
        series.add(1000ms, {1});
        const int late = series.addColumn(MergeRule::Max);
        series.add(2000ms, {1, 5});
        QCOMPARE(series.column(late), (QList<double>{0, 0, 5}));
    }

    void clearRestoresTheInitialStep()
    {
        TimeSeries series(1s, 2);
        const int count = series.addColumn(MergeRule::Sum);
        series.add(10s, {1});
        QVERIFY(series.step() > 1s);
        series.clear();
        QCOMPARE(series.size(), 0);
        QCOMPARE(series.step(), Millis(1s));
        series.add(1s, {2});
        QCOMPARE(series.column(count), (QList<double>{0, 2}));
    }

    void readersKeepTheirCopyWhileTheSeriesMoves()
    {
        TimeSeries series(1s, 4);
        const int count = series.addColumn(MergeRule::Sum);
        for (int i = 0; i < 4; ++i)
            series.add(Millis(1000 * i), {1});
        const QList<double> before = series.column(count);
        series.add(4s, {1}); // halves
        QCOMPARE(before, (QList<double>{1, 1, 1, 1}));
        QCOMPARE(series.column(count), (QList<double>{2, 2, 1}));
    }

    void runSeriesClosesOneStepPerSecondAndCarriesGauges()
    {
        RunSeries series(1s, 100);
        const int primary = series.addModel(u"primary"_s);
        series.setInFlight(3);
        series.setBreakerState(primary, BreakerState::Open);
        series.advanceTo(500ms);
        series.addAttemptStarted(primary);
        series.advanceTo(3500ms); // closes steps 0, 1 and 2
        QCOMPARE(series.size(), 3);
        const SeriesView view = series.view();
        QCOMPARE(view.inFlight, (QList<double>{3, 3, 3}));
        QCOMPARE(view.attempts, (QList<double>{1, 0, 0}));
        QCOMPARE(view.modelBreaker.at(0),
                 (QList<double>{3, 3, 3})); // open is carried across idle steps
        QCOMPARE(view.sources, (QStringList{u"primary"_s, u"cache"_s, u"degraded"_s}));
    }

    void runSeriesKeepsTheWorstBreakerStateAndPeakInFlightOfAStep()
    {
        RunSeries series(1s, 100);
        const int primary = series.addModel(u"primary"_s);
        series.setBreakerState(primary, BreakerState::Open);
        series.setBreakerState(primary, BreakerState::HalfOpen);
        series.setBreakerState(primary, BreakerState::Closed);
        series.setInFlight(9);
        series.setInFlight(2);
        series.advanceTo(1s);
        series.advanceTo(2s);
        const nlohmann::json json = series.toJson();
        QVERIFY2(json["models"]["primary"]["breaker"] == nlohmann::json::array({"open", "closed"}),
                 json.dump().c_str());
        QVERIFY2(json["in_flight"] == nlohmann::json::array({9, 2}), json.dump().c_str());
    }

    void runSeriesPercentilesComeFromTheStepAndMergeAsMaxima()
    {
        RunSeries series(1s, 2);
        for (int i = 0; i < 100; ++i)
            series.addCallFinished(RunSeries::Answer::Cache, -1, Millis(100));
        series.advanceTo(1s);
        for (int i = 0; i < 100; ++i)
            series.addCallFinished(RunSeries::Answer::Cache, -1, Millis(i < 50 ? 10 : 2000));
        series.advanceTo(2s);
        SeriesView view = series.view();
        QCOMPARE(view.latencyP50, (QList<double>{0.1, 0.01}));
        QCOMPARE(view.latencyP99.at(1), 2.0);
        series.advanceTo(3s); // a third point in capacity 2: the first two merge
        view = series.view();
        QCOMPARE(view.step, Millis(2s));
        QCOMPARE(view.requests.at(0), 200.0);
        QCOMPARE(view.latencyP50.at(0), 0.1);
        QCOMPARE(view.latencyP99.at(0), 2.0);
    }

    void runSeriesErrorRateIsRecomputedFromMergedCounts()
    {
        RunSeries series(1s, 2);
        const int primary = series.addModel(u"primary"_s);
        // Step 0: 1 error in 1 outcome (100 %); step 1: 0 errors in 9 (0 %).
        series.addAttemptFinished(primary, Outcome::Overloaded);
        series.advanceTo(1s);
        for (int i = 0; i < 9; ++i)
            series.addAttemptFinished(primary, Outcome::Success);
        series.addAttemptFinished(primary, Outcome::Cancelled); // neither
        series.advanceTo(3s);
        const nlohmann::json json = series.toJson();
        // Merged: 1 error in 10 outcomes, not the mean of 100 % and 0 %.
        QCOMPARE(json["models"]["primary"]["error_rate"][0].get<double>(), 0.1);
        QCOMPARE(json["errors"][0].get<int>(), 1);
    }

    void completedAtAddsThePartialStepOnlyWhenItHoldsSomething()
    {
        RunSeries series(1s, 100);
        series.addCallFinished(RunSeries::Answer::Degraded, -1, Millis(5));
        QCOMPARE(series.completedAt(0ms).size(), 1); // an event at t = 0 is kept
        QCOMPARE(series.size(), 0);                  // the original is untouched
        RunSeries idle(1s, 100);
        QCOMPARE(idle.completedAt(0ms).size(), 0);
        QCOMPARE(idle.completedAt(2000ms).size(), 2); // exactly two whole steps, no empty third
        QCOMPARE(idle.completedAt(2001ms).size(), 3);
    }

    void runSeriesTotalsStayExactAfterManyHalvings()
    {
        RunSeries series(1s, 16);
        const int a = series.addModel(u"a"_s);
        const int b = series.addModel(u"b"_s);
        SeededRandom random(3);
        std::int64_t requests = 0;
        std::int64_t fromA = 0;
        Millis now{0};
        for (int i = 0; i < 50000; ++i) {
            now += Millis(static_cast<qint64>(random.uniform(0, 400)));
            series.advanceTo(now);
            const bool fromModelA = random.uniform01() < 0.7;
            series.addCallFinished(RunSeries::Answer::Model, fromModelA ? a : b, Millis(100));
            ++requests;
            fromA += fromModelA ? 1 : 0;
        }
        const nlohmann::json json = series.completedAt(now).toJson();
        QVERIFY(json["points"].get<int>() <= 16);
        QVERIFY(json["step_s"].get<double>() >= 1024.0);
        QCOMPARE(total(json["requests"]), requests);
        QCOMPARE(total(json["by_source"]["a"]), fromA);
        QCOMPARE(total(json["by_source"]["b"]), requests - fromA);
    }
};

QTEST_APPLESS_MAIN(TestTimeSeries)
#include "tst_timeseries.moc"

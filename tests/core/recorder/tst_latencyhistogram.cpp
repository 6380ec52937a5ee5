// The log-linear latency histogram against a sorted reference: percentiles within the stated
// relative error for several distributions, exact min/max/mean, merge, reset, clamping.
#include "common/random.h"
#include "recorder/latencyhistogram.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

using Draw = std::function<qint64(SeededRandom &)>;

/// The nearest-rank percentile of sorted values: the reference the histogram must match.
qint64 nearestRank(const std::vector<qint64> &sorted, double p)
{
    if (p <= 0.0)
        return sorted.front();
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

constexpr double kPi = 3.14159265358979323846;

/// Normal by Box-Muller, from the seeded source.
double normal(SeededRandom &random)
{
    const double u1 = std::max(random.uniform01(), 1e-12);
    const double u2 = random.uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

std::vector<qint64> sample(const Draw &draw, int n, std::uint64_t seed)
{
    SeededRandom random(seed);
    std::vector<qint64> values;
    values.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        values.push_back(draw(random));
    return values;
}

const double kPercentiles[] = {0.0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};

} // namespace

Q_DECLARE_METATYPE(Draw)

class TestLatencyHistogram : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void percentilesMatchSortedReferenceWithinRelativeError_data()
    {
        QTest::addColumn<Draw>("draw");
        QTest::addColumn<int>("n");
        QTest::addColumn<quint64>("seed");

        QTest::newRow("uniform 0..1000 ms")
            << Draw([](SeededRandom &r) { return static_cast<qint64>(r.uniform(0, 1001)); })
            << 50000 << quint64(1);
        QTest::newRow("uniform up to an hour")
            << Draw([](SeededRandom &r) { return static_cast<qint64>(r.uniform(0, 3600000)); })
            << 50000 << quint64(2);
        QTest::newRow("log-normal around 600 ms") << Draw([](SeededRandom &r) {
            return static_cast<qint64>(std::exp(std::log(600.0) + 0.8 * normal(r)));
        }) << 50000 << quint64(3);
        QTest::newRow("exponential mean 2 s") << Draw([](SeededRandom &r) {
            return static_cast<qint64>(-2000.0 * std::log(1.0 - r.uniform01()));
        }) << 50000 << quint64(4);
        QTest::newRow("bimodal: fast answers and 30 s timeouts") << Draw([](SeededRandom &r) {
            return r.uniform01() < 0.97 ? static_cast<qint64>(r.uniform(200, 900))
                                        : static_cast<qint64>(r.uniform(30000, 30050));
        }) << 50000 << quint64(5);
        QTest::newRow("few distinct values") << Draw([](SeededRandom &r) {
            const qint64 values[] = {7, 300, 1500, 60000};
            return values[static_cast<int>(r.uniform(0, 4))];
        }) << 10000 << quint64(6);
        QTest::newRow("tiny sample")
            << Draw([](SeededRandom &r) { return static_cast<qint64>(r.uniform(1, 100000)); }) << 7
            << quint64(7);
    }

    void percentilesMatchSortedReferenceWithinRelativeError()
    {
        QFETCH(Draw, draw);
        QFETCH(int, n);
        QFETCH(quint64, seed);
        std::vector<qint64> values = sample(draw, n, seed);
        LatencyHistogram histogram;
        for (qint64 value : values)
            histogram.record(Millis(value));
        std::sort(values.begin(), values.end());

        QCOMPARE(histogram.count(), n);
        for (double p : kPercentiles) {
            const qint64 expected = nearestRank(values, p);
            const qint64 actual = histogram.percentile(p).count();
            const double error = std::abs(static_cast<double>(actual - expected));
            QVERIFY2(error <= LatencyHistogram::kRelativeError * static_cast<double>(expected),
                     qPrintable(u"p%1: histogram %2 ms, reference %3 ms"_s.arg(p).arg(actual).arg(
                         expected)));
        }
    }

    void everyValueComesBackWithinHalfABucket()
    {
        // Every bucket region: the value must come back within half a bucket (0.4 %). It is
        // recorded between 0 and the top of the range so that clamping to [min, max] cannot
        // hide a wrong bucket midpoint.
        LatencyHistogram histogram;
        qint64 worst = 0;
        for (qint64 value = 0; value <= LatencyHistogram::kHighestTrackable.count();
             value += value < 5000 ? 1 : value / 997) {
            histogram.reset();
            histogram.record(Millis(0));
            histogram.record(Millis(value));
            histogram.record(LatencyHistogram::kHighestTrackable);
            const qint64 median = histogram.percentile(50).count();
            const double error = std::abs(static_cast<double>(median - value));
            QVERIFY2(error <= std::max(1.0, 0.005 * static_cast<double>(value)),
                     qPrintable(u"value %1 came back as %2"_s.arg(value).arg(median)));
            worst = std::max(worst, static_cast<qint64>(error));
        }
        QVERIFY(worst > 0); // values above 256 ms do share buckets
    }

    void valuesBelow256MsAreExact()
    {
        LatencyHistogram histogram;
        for (qint64 value = 0; value < 256; ++value)
            histogram.record(Millis(value));
        for (int p = 1; p <= 100; ++p) {
            const qint64 expected = static_cast<qint64>(std::ceil(p / 100.0 * 256)) - 1;
            QCOMPARE(histogram.percentile(p).count(), expected);
        }
    }

    void minMaxAndMeanAreExact()
    {
        LatencyHistogram histogram;
        const qint64 values[] = {1234567, 3, 999, 40001, 77};
        qint64 sum = 0;
        for (qint64 value : values) {
            histogram.record(Millis(value));
            sum += value;
        }
        QCOMPARE(histogram.min(), Millis(3));
        QCOMPARE(histogram.max(), Millis(1234567));
        QCOMPARE(histogram.mean(), static_cast<double>(sum) / 5.0);
        QCOMPARE(histogram.percentile(0), Millis(3));
        QCOMPARE(histogram.percentile(100), Millis(1234567));
    }

    void valuesBeyondTheRangeKeepAnExactMax()
    {
        LatencyHistogram histogram;
        const Millis twoHours = std::chrono::hours(2);
        histogram.record(Millis(200));
        histogram.record(twoHours);
        QCOMPARE(histogram.count(), 2);
        QCOMPARE(histogram.max(), twoHours);
        QCOMPARE(histogram.percentile(100), twoHours);
        // The top bucket's midpoint is clamped into [min, max]: still inside the recorded range.
        QVERIFY(histogram.percentile(99) >= std::chrono::minutes(69));
        QVERIFY(histogram.percentile(99) <= twoHours);
        QCOMPARE(histogram.percentile(50), Millis(200));
    }

    void negativeDurationsCountAsZero()
    {
        LatencyHistogram histogram;
        histogram.record(Millis(-40));
        QCOMPARE(histogram.count(), 1);
        QCOMPARE(histogram.min(), Millis(0));
        QCOMPARE(histogram.percentile(50), Millis(0));
    }

    void emptyHistogramReportsZero()
    {
        const LatencyHistogram histogram;
        QVERIFY(histogram.isEmpty());
        QCOMPARE(histogram.percentile(50), Millis(0));
        QCOMPARE(histogram.percentile(100), Millis(0));
        QCOMPARE(histogram.max(), Millis(0));
        QCOMPARE(histogram.mean(), 0.0);
    }

    void mergeEqualsRecordingEverythingInOne()
    {
        const std::vector<qint64> fast = sample(
            [](SeededRandom &r) { return static_cast<qint64>(r.uniform(10, 800)); }, 20000, 11);
        const std::vector<qint64> slow = sample(
            [](SeededRandom &r) { return static_cast<qint64>(r.uniform(5000, 90000)); }, 3000, 12);
        LatencyHistogram a;
        LatencyHistogram b;
        LatencyHistogram all;
        for (qint64 value : fast) {
            a.record(Millis(value));
            all.record(Millis(value));
        }
        for (qint64 value : slow) {
            b.record(Millis(value));
            all.record(Millis(value));
        }
        a.merge(b);
        QCOMPARE(a.count(), all.count());
        QCOMPARE(a.min(), all.min());
        QCOMPARE(a.max(), all.max());
        QCOMPARE(a.mean(), all.mean());
        for (double p : kPercentiles)
            QCOMPARE(a.percentile(p), all.percentile(p));
        // Merging into an empty histogram copies; merging an empty one changes nothing.
        LatencyHistogram empty;
        empty.merge(all);
        QCOMPARE(empty.percentile(95), all.percentile(95));
        all.merge(LatencyHistogram());
        QCOMPARE(all.count(), a.count());
    }

    void resetForgetsEverything()
    {
        LatencyHistogram histogram;
        for (int i = 0; i < 1000; ++i)
            histogram.record(Millis(100000 + i));
        histogram.reset();
        QVERIFY(histogram.isEmpty());
        QCOMPARE(histogram.max(), Millis(0));
        histogram.record(Millis(5));
        QCOMPARE(histogram.percentile(99), Millis(5));
        QCOMPARE(histogram.max(), Millis(5));
        QCOMPARE(histogram.count(), 1);
    }

    void sizeIsFixedWhateverIsRecorded()
    {
        static_assert(sizeof(LatencyHistogram) < 17 * 1024, "fixed memory: about 16 KiB");
        LatencyHistogram histogram;
        SeededRandom random(99);
        for (int i = 0; i < 200000; ++i)
            histogram.record(Millis(static_cast<qint64>(random.uniform(0, 1e8))));
        QCOMPARE(histogram.count(), 200000);
        QVERIFY(histogram.max() > LatencyHistogram::kHighestTrackable);
    }
};

QTEST_APPLESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"

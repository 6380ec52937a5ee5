// The live charts fed from a run recorder on a fake clock: each chart draws what the
// recorder saw (breaker steps reaching to now, error rates with the threshold line, retry
// points by delay source and their histogram, stacked answers by source, latency and
// throughput), timeline notes become markers, and an hour-long run stays within the point
// budget with its spikes kept.
#include "charts/breakerstatechart.h"
#include "charts/errorratechart.h"
#include "charts/latencychart.h"
#include "charts/retrydelaychart.h"
#include "charts/sourceschart.h"
#include "common/fakeclock.h"
#include "recorder/runrecorder.h"
#include "theme.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTest>
#include <QValueAxis>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

/// Publishes engine events to a recorder at the fake clock's time, as the engine would.
class Script {
public:
    Script(FakeClock &clock, RunRecorder &recorder) : m_clock(clock), m_recorder(recorder) {}

    void wait(Millis duration) { m_clock.advance(duration); }
    /// One call answered by `source` after `latency`, failing first on `failed` models.
    void call(const QString &source, Millis latency, const QStringList &failed = {})
    {
        const QString id = u"call-%1"_s.arg(++m_next);
        m_recorder.record(CallStarted{id, m_clock.now(), false});
        int n = 0;
        for (const QString &model : failed) {
            m_recorder.record(AttemptStarted{id, m_clock.now(), model, n, false});
            m_recorder.record(AttemptFinished{id, m_clock.now(), model, n, Outcome::ServerError,
                                              503, 10ms, QString()});
            ++n;
        }
        if (source != u"cache"_s && source != u"degraded"_s) {
            m_recorder.record(AttemptStarted{id, m_clock.now(), source, n, false});
            m_recorder.record(AttemptFinished{id, m_clock.now(), source, n, Outcome::Success, 200,
                                              latency, QString()});
        }
        CallResult result;
        result.id = id;
        result.success = true;
        result.source = source;
        result.degraded = source == u"degraded"_s;
        result.duration = latency;
        m_recorder.record(CallFinished{m_clock.now(), result});
    }
    void retry(const QString &model, Millis delay, DelaySource source)
    {
        m_recorder.record(
            RetryScheduled{u"r"_s, m_clock.now(), model, 1, delay, source, Outcome::RateLimited});
    }
    void breaker(const QString &model, BreakerState from, BreakerState to)
    {
        m_recorder.record(BreakerTransition{m_clock.now(), model, from, to});
    }
    void note(const QString &text)
    {
        m_recorder.record(TimelineNote{m_clock.now(), kPrimary, text});
    }

private:
    FakeClock &m_clock;
    RunRecorder &m_recorder;
    int m_next = 0;
};

struct Fixture {
    FakeClock clock;
    RunRecorder recorder{clock, {kPrimary, kFallback}};
    Script script{clock, recorder};
    RecorderSnapshot snapshot;

    ChartFrame frame(double timeEnd = 60.0)
    {
        snapshot = recorder.snapshot();
        ChartFrame frame;
        frame.snapshot = &snapshot;
        frame.timeEnd = timeEnd;
        frame.alertThreshold = 0.10;
        frame.maxPoints = 600;
        return frame;
    }
};

/// Ten seconds: the primary answers for 4 s, fails (breaker opens) for 3 s with the fallback
/// answering, then answers again.
void outage(Fixture &f)
{
    for (int second = 0; second < 10; ++second) {
        if (second == 4) {
            f.script.note(u"primary down"_s);
            f.script.breaker(kPrimary, BreakerState::Closed, BreakerState::Open);
        }
        if (second == 7) {
            f.script.note(u"primary back"_s);
            f.script.breaker(kPrimary, BreakerState::Open, BreakerState::Closed);
        }
        for (int i = 0; i < 10; ++i) {
            const bool down = second >= 4 && second < 7;
            f.script.call(down ? kFallback : kPrimary, 300ms,
                          down ? QStringList{kPrimary} : QStringList{});
            if (down && i == 0)
                f.script.retry(kPrimary, 1500ms, DelaySource::Backoff);
            if (down && i == 1)
                f.script.retry(kPrimary, 2000ms, DelaySource::RetryAfter);
            f.script.wait(100ms);
        }
    }
    f.script.wait(50ms);
}

} // namespace

class TestCharts final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void breakerChartStepsThroughEachStateAndReachesNow()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        BreakerStateChart chart(theme);
        chart.updateFrame(f.frame());
        const QList<QPointF> points = chart.statePoints(kPrimary);
        QVERIFY(!points.isEmpty());
        QCOMPARE(points.first(), QPointF(0.0, breakerSeverity(BreakerState::Closed)));
        const auto severityAt = [&](double t) {
            double value = -1;
            for (const QPointF &point : points) {
                if (point.x() <= t)
                    value = point.y();
            }
            return value;
        };
        QCOMPARE(severityAt(5.5), double(breakerSeverity(BreakerState::Open)));
        QCOMPARE(severityAt(8.5), double(breakerSeverity(BreakerState::Closed)));
        QCOMPARE(points.last().x(), f.snapshot.elapsedSeconds);
        QCOMPARE(chart.statePoints(kFallback).size(), 2); // closed from 0 to now
        QCOMPARE(chart.markers().size(), 2);
        QCOMPARE(chart.markers().first().note, u"primary down"_s);
    }

    void errorRateSkipsSecondsWithoutCallsAndDrawsTheThreshold()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        ErrorRateChart chart(theme);
        chart.updateFrame(f.frame());
        QCOMPARE(chart.thresholdPercent(), 10.0);
        QLineSeries *primary = chart.modelSeries(kPrimary);
        QVERIFY(primary);
        QCOMPARE(primary->count(), 10);
        QCOMPARE(primary->at(2).y(), 0.0);
        QCOMPARE(primary->at(5).y(), 100.0);
        // The fallback had calls only during the outage: no points where it had none.
        QLineSeries *fallback = chart.modelSeries(kFallback);
        QCOMPARE(fallback->count(), 3);
        QCOMPARE(fallback->at(0).x(), 4.5);
    }

    void errorRateHoldsTheLastRateAcrossSecondsWithoutCalls()
    {
        Fixture f;
        for (int second = 0; second < 6; ++second) {
            if (second < 2)
                f.script.call(kFallback, 100ms, {kPrimary});
            else if (second == 5)
                f.script.call(kPrimary, 100ms);
            f.script.wait(1000ms);
        }
        const Theme theme;
        ErrorRateChart chart(theme);
        chart.updateFrame(f.frame());
        const QList<QPointF> expected = {{0.5, 100.0}, {1.5, 100.0}, {4.5, 100.0}, {5.5, 0.0}};
        QCOMPARE(chart.modelSeries(kPrimary)->points(), expected);
    }

    void retryPointsAreColouredByDelaySourceAndCounted()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        RetryDelayChart scatter(theme);
        DelayHistogramChart histogram(theme);
        const ChartFrame frame = f.frame();
        scatter.updateFrame(frame);
        histogram.updateFrame(frame);
        QCOMPARE(scatter.sourceSeries(DelaySource::Backoff)->count(), 3);
        QCOMPARE(scatter.sourceSeries(DelaySource::RetryAfter)->count(), 3);
        QCOMPARE(scatter.sourceSeries(DelaySource::RetryAfterMs)->count(), 0);
        QCOMPARE(scatter.sourceSeries(DelaySource::RetryAfter)->at(0).y(), 2.0);
        QCOMPARE(histogram.totalCount(), 6);
        QCOMPARE(histogram.pointCount(), 2); // 1.5 s and 2 s land in two bins
    }

    void sourcesStackToTheTotalAndShowTheFallback()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        SourcesChart chart(theme);
        chart.updateFrame(f.frame());
        QAreaSeries *primary = chart.layer(kPrimary);
        QAreaSeries *fallback = chart.layer(kFallback);
        QAreaSeries *degraded = chart.layer(u"degraded"_s);
        QVERIFY(primary && fallback && degraded);
        QCOMPARE(chart.peakRate(kFallback), 10.0);
        QCOMPARE(chart.peakRate(u"degraded"_s), 0.0);
        // Every second ten answers: the top of the stack is 10/s throughout.
        const QList<QPointF> top = degraded->upperSeries()->points();
        QCOMPARE(top.size(), 10);
        for (const QPointF &point : top)
            QCOMPARE(point.y(), 10.0);
        // Layers share their edges: the fallback starts where the primary ends.
        QCOMPARE(fallback->lowerSeries()->points(), primary->upperSeries()->points());
        // The legend names the chain's models, and the cache or degraded text once they answer.
        QVERIFY(chart.inLegend(kPrimary));
        QVERIFY(chart.inLegend(kFallback));
        QVERIFY(!chart.inLegend(u"degraded"_s));
        f.script.call(u"cache"_s, 10ms);
        f.script.wait(1000ms);
        chart.updateFrame(f.frame());
        QVERIFY(chart.inLegend(u"cache"_s));
    }

    void latencyAndThroughputFollowTheCalls()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        LatencyChart latency(theme);
        ThroughputChart throughput(theme);
        const ChartFrame frame = f.frame();
        latency.updateFrame(frame);
        throughput.updateFrame(frame);
        QCOMPARE(latency.pointCount(), 30);
        const auto *p50 = qobject_cast<QLineSeries *>(latency.chart()->series().at(0));
        QVERIFY(std::abs(p50->at(0).y() - 0.3) < 0.02);
        const auto *rate = qobject_cast<QLineSeries *>(throughput.chart()->series().at(0));
        QCOMPARE(rate->count(), 10);
        QCOMPARE(rate->at(3).y(), 10.0);
    }

    void timeAxisSpansTheRun()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        LatencyChart chart(theme);
        chart.updateFrame(f.frame(12.0));
        QCOMPARE(chart.timeAxis()->max(), 12.0);
        chart.updateFrame(f.frame(3600.0));
        QCOMPARE(chart.timeAxis()->max(), 3600.0);
        QCOMPARE(chart.timeAxis()->tickInterval(), 600.0);
    }

    void anHourLongRunStaysWithinThePointBudget()
    {
        Fixture f;
        // One call a second for an hour, one slow spike at 30 minutes.
        for (int second = 0; second < 3600; ++second) {
            f.script.call(second % 600 < 300 ? kPrimary : kFallback,
                          second == 1800 ? 9000ms : 200ms);
            f.script.wait(1000ms);
        }
        const Theme theme;
        LatencyChart latency(theme);
        ErrorRateChart errors(theme);
        SourcesChart sources(theme);
        ThroughputChart throughput(theme);
        const ChartFrame frame = f.frame(3600.0);
        QVERIFY(f.snapshot.series.points > 600);
        for (LiveChart *chart :
             std::initializer_list<LiveChart *>{&latency, &errors, &sources, &throughput}) {
            chart->updateFrame(frame);
            const QList<QAbstractSeries *> series = chart->chart()->series();
            for (QAbstractSeries *one : series) {
                if (auto *xy = qobject_cast<QXYSeries *>(one))
                    QVERIFY2(xy->count() <= 600, qPrintable(chart->title()));
                if (auto *area = qobject_cast<QAreaSeries *>(one))
                    QVERIFY(area->upperSeries()->count() <= 600);
            }
        }
        // The spike is still on the p99 line.
        const auto *p99 = qobject_cast<QLineSeries *>(latency.chart()->series().at(2));
        double highest = 0.0;
        for (const QPointF &point : p99->points())
            highest = std::max(highest, point.y());
        QVERIFY2(highest >= 8.0, qPrintable(QString::number(highest)));
    }

    void clearForgetsEveryPoint()
    {
        Fixture f;
        outage(f);
        const Theme theme;
        SourcesChart chart(theme);
        chart.updateFrame(f.frame());
        QVERIFY(chart.pointCount() > 0);
        chart.clear();
        QCOMPARE(chart.pointCount(), 0);
        QVERIFY(chart.markers().isEmpty());
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"

#include "retrydelaychart.h"

#include "charts/downsample.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QGraphicsLayout>
#include <QHorizontalStackedBarSeries>
#include <QLegend>
#include <QLegendMarker>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

/// Every model's recent retries, oldest first, at most `limit` (the newest): a scatter of a
/// few hundred dots is readable, thousands are a blur that is slow to paint.
QList<RetryDelayPoint> recentRetries(const RecorderSnapshot &snapshot, int limit)
{
    QList<RetryDelayPoint> all;
    for (const ModelFigures &model : snapshot.models)
        all.append(model.recentRetryDelays);
    std::stable_sort(
        all.begin(), all.end(),
        [](const RetryDelayPoint &a, const RetryDelayPoint &b) { return a.tSeconds < b.tSeconds; });
    if (all.size() > limit)
        all.remove(0, all.size() - limit);
    return all;
}

QString sourceLabel(DelaySource source)
{
    switch (source) {
    case DelaySource::Backoff:
        return QObject::tr("backoff");
    case DelaySource::RetryAfter:
        return QObject::tr("retry-after");
    case DelaySource::RetryAfterMs:
        return QObject::tr("retry-after-ms");
    }
    return QString();
}

QString secondsLabel(double seconds)
{
    return seconds == std::floor(seconds) ? QString::number(seconds, 'f', 0)
                                          : QString::number(seconds, 'g', 3);
}

} // namespace

RetryDelayChart::RetryDelayChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Retry delays"),
                tr("Every dot is one retry the engine scheduled: when it was scheduled (across) "
                   "and how long it waits before trying the model again (up). Blue dots are "
                   "exponential backoff with random jitter; yellow and pink dots are waits the "
                   "server asked for in its retry-after header. Shows the most recent retries."),
                true, parent)
{
    m_delay = addValueAxis(Qt::AlignLeft, u"%.1f s"_s);
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        auto *points = new QScatterSeries;
        points->setName(sourceLabel(kChartDelaySources[i]));
        points->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        points->setMarkerSize(8.0 * theme.scale());
        points->setBorderColor(Qt::transparent);
        QColor color = Theme::delaySourceColor(kChartDelaySources[i]);
        color.setAlpha(210);
        chart()->addSeries(points);
        points->setColor(color);
        points->attachAxis(timeAxis());
        points->attachAxis(m_delay);
        m_points[i] = points;
    }
}

RetryDelayChart::~RetryDelayChart() = default;

QScatterSeries *RetryDelayChart::sourceSeries(DelaySource source) const
{
    return m_points[static_cast<std::size_t>(source)];
}

void RetryDelayChart::updateSeries(const ChartFrame &frame)
{
    const QList<RetryDelayPoint> retries = recentRetries(*frame.snapshot, frame.maxRetries);
    std::array<QList<QPointF>, 3> points;
    double highest = 0.0;
    for (const RetryDelayPoint &retry : retries) {
        const double delay = toSeconds(retry.delay);
        highest = std::max(highest, delay);
        points[static_cast<std::size_t>(retry.source)].append(QPointF(retry.tSeconds, delay));
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        m_points[i]->replace(points[i]);
        // Backoff is always listed; the server's hints once they occur (room on a crowded
        // legend).
        const bool listed = i == 0 || !points[i].isEmpty();
        if (m_listed[i] != listed) {
            const QList<QLegendMarker *> markers = chart()->legend()->markers(m_points[i]);
            for (QLegendMarker *marker : markers)
                marker->setVisible(listed);
            // A marker shown again needs the legend laid out again, or it keeps no place.
            chart()->legend()->layout()->invalidate();
            m_listed[i] = listed;
        }
    }
    setAxisTop(m_delay, stickyAxisMax(m_delay->max(), highest, 1.0));
}

void RetryDelayChart::clearSeries()
{
    for (QScatterSeries *points : m_points)
        points->clear();
    setAxisTop(m_delay, 1.0);
}

DelayHistogramChart::DelayHistogramChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Histogram"),
                tr("How long the recent retries waited, counted in bins: long bars at the "
                   "bottom mean mostly short waits. Colours as in the retry delays chart: blue "
                   "backoff, yellow and pink the server's retry-after."),
                false, parent)
{
    m_bars = new QHorizontalStackedBarSeries;
    m_bars->setBarWidth(0.85);
    for (std::size_t i = 0; i < m_sets.size(); ++i) {
        auto *set = new QBarSet(sourceLabel(kChartDelaySources[i]));
        set->setColor(Theme::delaySourceColor(kChartDelaySources[i]));
        set->setBorderColor(Theme::delaySourceColor(kChartDelaySources[i]));
        m_bars->append(set);
        m_sets[i] = set;
    }
    chart()->addSeries(m_bars);
    m_bins = new QBarCategoryAxis;
    m_bins->setTitleText(tr("wait from (s)"));
    styleAxis(m_bins);
    chart()->addAxis(m_bins, Qt::AlignLeft);
    m_bars->attachAxis(m_bins);
    m_count = addValueAxis(Qt::AlignBottom, u"%.0f"_s);
    m_count->setTitleText(tr("retries"));
    setAxisTop(m_count, 5.0);
    m_bars->attachAxis(m_count);
    chart()->legend()->setVisible(false);
}

DelayHistogramChart::~DelayHistogramChart() = default;

int DelayHistogramChart::pointCount() const
{
    int bars = 0;
    for (const QBarSet *set : m_sets) {
        for (int i = 0; i < set->count(); ++i)
            bars += set->at(i) > 0.0 ? 1 : 0;
    }
    return bars;
}

int DelayHistogramChart::totalCount() const
{
    double total = 0.0;
    for (const QBarSet *set : m_sets)
        total += set->sum();
    return static_cast<int>(std::lround(total));
}

void DelayHistogramChart::updateSeries(const ChartFrame &frame)
{
    const QList<RetryDelayPoint> retries = recentRetries(*frame.snapshot, frame.maxRetries);
    double highest = 0.0;
    for (const RetryDelayPoint &retry : retries)
        highest = std::max(highest, toSeconds(retry.delay));
    // About six bins of a round width that cover the longest wait.
    const double width = niceTickInterval(std::max(highest, 0.5), 6, false);
    const int binCount = std::clamp(static_cast<int>(std::floor(highest / width)) + 1, 1, 10);
    std::array<QList<qreal>, 3> counts;
    for (QList<qreal> &list : counts)
        list.fill(0.0, binCount);
    for (const RetryDelayPoint &retry : retries) {
        const int bin = std::min(binCount - 1, static_cast<int>(toSeconds(retry.delay) / width));
        counts[static_cast<std::size_t>(retry.source)][bin] += 1.0;
    }
    if (binCount != m_binCount || !qFuzzyCompare(width, m_binWidth)) {
        QStringList labels;
        for (int i = 0; i < binCount; ++i)
            labels.append(secondsLabel(i * width));
        m_bins->clear();
        m_bins->append(labels);
        m_binCount = binCount;
        m_binWidth = width;
        for (QBarSet *set : m_sets)
            set->remove(0, set->count());
    }
    double tallest = 0.0;
    for (int bin = 0; bin < binCount; ++bin) {
        double stacked = 0.0;
        for (std::size_t i = 0; i < m_sets.size(); ++i)
            stacked += counts[i][bin];
        tallest = std::max(tallest, stacked);
    }
    for (std::size_t i = 0; i < m_sets.size(); ++i) {
        QBarSet *set = m_sets[i];
        if (set->count() != binCount) {
            set->remove(0, set->count());
            set->append(counts[i]);
            continue;
        }
        for (int bin = 0; bin < binCount; ++bin) {
            if (set->at(bin) != counts[i][bin])
                set->replace(bin, counts[i][bin]);
        }
    }
    setAxisTop(m_count, stickyAxisMax(m_count->max(), tallest, 5.0));
}

void DelayHistogramChart::clearSeries()
{
    for (QBarSet *set : m_sets)
        set->remove(0, set->count());
    m_bins->clear();
    m_binCount = 0;
    m_binWidth = 0.0;
    setAxisTop(m_count, 5.0);
}

} // namespace breakwater::ui

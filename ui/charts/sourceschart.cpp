#include "sourceschart.h"

#include "charts/downsample.h"
#include "theme.h"

#include <QAreaSeries>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

SourcesChart::SourcesChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Answers per second by source"),
                tr("Where the answers came from, second by second, stacked: the primary model, "
                   "then each fallback model, the response cache and the degraded stand-in "
                   "text. When the primary goes down its band shrinks and the fallback's grows "
                   "while the total stays level: users still get answers."),
                true, parent)
{
    m_rate = addValueAxis(Qt::AlignLeft, u"%.0f/s"_s);
    setAxisTop(m_rate, 5.0);
    chart()->legend()->setMarkerShape(QLegend::MarkerShapeRectangle);
}

SourcesChart::~SourcesChart() = default;

QAreaSeries *SourcesChart::layer(const QString &source) const
{
    const qsizetype index = m_sources.indexOf(source);
    return index < 0 ? nullptr : m_layers[index];
}

int SourcesChart::pointCount() const
{
    int count = 0;
    for (const QAreaSeries *area : m_layers)
        count += static_cast<int>(area->upperSeries()->count());
    return count;
}

double SourcesChart::peakRate(const QString &source) const
{
    const QAreaSeries *area = layer(source);
    if (!area || !area->upperSeries() || !area->lowerSeries())
        return 0.0;
    const QList<QPointF> upper = area->upperSeries()->points();
    const QList<QPointF> lower = area->lowerSeries()->points();
    double peak = 0.0;
    for (qsizetype i = 0; i < upper.size() && i < lower.size(); ++i)
        peak = std::max(peak, upper[i].y() - lower[i].y());
    return peak;
}

bool SourcesChart::inLegend(const QString &source) const
{
    const qsizetype index = m_sources.indexOf(source);
    return index >= 0 && m_listed.value(index, true);
}

void SourcesChart::rebuild(const QStringList &sources)
{
    for (QAreaSeries *area : std::as_const(m_layers)) {
        chart()->removeSeries(area);
        delete area;
    }
    m_layers.clear();
    m_sources = sources;
    m_listed.fill(true, sources.size());
    int modelIndex = 0;
    for (const QString &source : sources) {
        const bool model = source != u"cache"_s && source != u"degraded"_s;
        const QColor color = Theme::sourceColor(source, model ? modelIndex++ : -1);
        // The area owns its boundary lines (they are its children).
        auto *area = new QAreaSeries;
        area->setUpperSeries(new QLineSeries(area));
        area->setLowerSeries(new QLineSeries(area));
        area->setName(source);
        QColor fill = color;
        fill.setAlpha(200);
        area->setBrush(fill);
        // No outline: an empty layer must not draw a line on top of the stack.
        area->setPen(Qt::NoPen);
        chart()->addSeries(area);
        area->attachAxis(timeAxis());
        area->attachAxis(m_rate);
        m_layers.append(area);
    }
}

void SourcesChart::updateSeries(const ChartFrame &frame)
{
    const SeriesView &series = frame.snapshot->series;
    if (series.sources != m_sources)
        rebuild(series.sources);
    const double step = toSeconds(series.step);
    const int bucket = meanBucketSize(series.points, frame.maxPoints);
    const double width = bucket * step;
    QList<double> base;
    double top = 0.0;
    for (int k = 0; k < m_layers.size(); ++k) {
        QList<double> rates = k < series.bySource.size()
                                  ? downsampleMean(series.bySource[k].mid(0, series.points), bucket)
                                  : QList<double>();
        if (base.isEmpty())
            base.fill(0.0, rates.size());
        QList<QPointF> lower;
        QList<QPointF> upper;
        bool answered = false;
        lower.reserve(base.size());
        upper.reserve(base.size());
        for (qsizetype j = 0; j < base.size(); ++j) {
            const double x = (j + 0.5) * width;
            const double rate = j < rates.size() ? rates[j] / step : 0.0;
            answered = answered || rate > 0.0;
            lower.append(QPointF(x, base[j]));
            base[j] += rate;
            upper.append(QPointF(x, base[j]));
            top = std::max(top, base[j]);
        }
        m_layers[k]->lowerSeries()->replace(lower);
        m_layers[k]->upperSeries()->replace(upper);
        // The chain's models always have a legend entry; cache and degraded once they answer,
        // so a crowded legend keeps the model names whole.
        const bool model = m_sources[k] != u"cache"_s && m_sources[k] != u"degraded"_s;
        const bool listed = model || answered;
        if (m_listed.value(k, true) != listed) {
            const QList<QLegendMarker *> markers = chart()->legend()->markers(m_layers[k]);
            for (QLegendMarker *marker : markers)
                marker->setVisible(listed);
            // A marker shown again needs the legend laid out again, or it keeps no place.
            chart()->legend()->layout()->invalidate();
            m_listed[k] = listed;
        }
    }
    setAxisTop(m_rate, stickyAxisMax(m_rate->max(), top, 5.0));
}

void SourcesChart::clearSeries()
{
    for (QAreaSeries *area : std::as_const(m_layers)) {
        area->upperSeries()->clear();
        area->lowerSeries()->clear();
    }
    setAxisTop(m_rate, 5.0);
}

} // namespace breakwater::ui

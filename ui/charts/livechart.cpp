#include "livechart.h"

#include "charts/downsample.h"
#include "theme.h"

#include <QAbstractAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QLegend>
#include <QPainter>
#include <QValueAxis>
#include <QXYSeries>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

/// The fewest points a line gets however narrow its plot.
constexpr int kMinPoints = 100;

} // namespace

LiveChart::LiveChart(const Theme &theme, const QString &title, const QString &explanation,
                     bool timeAxis, QWidget *parent)
    : QChartView(new QChart, parent), m_theme(theme)
{
    // The chart is handed to the constructor: QChartView(parent) makes a default chart, and
    // setChart() only releases it; once the view is shown that chart leaked (found by ASan).
    QChart *chart = this->chart();
    chart->setTitle(title);
    chart->setTitleFont(theme.font(12.5, true));
    chart->setTitleBrush(theme.text());
    chart->setBackgroundBrush(theme.panel());
    chart->setBackgroundPen(QPen(theme.panelBorder()));
    chart->setBackgroundRoundness(theme.px(6));
    chart->setMargins(QMargins(theme.px(4), 0, theme.px(6), theme.px(2)));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setFont(theme.secondaryFont(9.5));
    chart->legend()->setLabelColor(theme.text());
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    setRenderHint(QPainter::Antialiasing);
    setFrameShape(QFrame::NoFrame);
    setBackgroundBrush(theme.window());
    // Markers are painted in the foreground: the whole viewport must repaint with the data.
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setToolTip(u"<p style='white-space:normal'><b>%1</b><br>%2</p>"_s.arg(
        title.toHtmlEscaped(), explanation.toHtmlEscaped()));
    setMinimumSize(theme.px(260), theme.px(200));

    if (timeAxis) {
        m_time = new QValueAxis;
        m_time->setTickType(QValueAxis::TicksDynamic);
        m_time->setTickAnchor(0.0);
        m_time->setLabelFormat(u"%.0f s"_s);
        m_time->setRange(0.0, 60.0);
        m_time->setTickInterval(niceTickInterval(60.0, 6, true));
        m_time->setMinorTickCount(0);
        styleAxis(m_time);
        chart->addAxis(m_time, Qt::AlignBottom);
    }
}

LiveChart::~LiveChart() = default;

QString LiveChart::title() const
{
    return chart()->title();
}

void LiveChart::updateFrame(const ChartFrame &frame)
{
    if (!frame.snapshot)
        return;
    if (m_time) {
        setTimeEnd(frame.timeEnd);
        setMarkers(frame.snapshot->timeline);
    }
    // A line cannot show more than about one point per 2 px; more only slows painting.
    ChartFrame own = frame;
    const int plotWidth = static_cast<int>(chart()->plotArea().width());
    if (plotWidth > 0)
        own.maxPoints = std::min(frame.maxPoints, std::max(kMinPoints, plotWidth / 2));
    updateSeries(own);
}

void LiveChart::clear()
{
    m_markers.clear();
    clearSeries();
    viewport()->update();
}

int LiveChart::pointCount() const
{
    int count = 0;
    const QList<QAbstractSeries *> series = chart()->series();
    for (QAbstractSeries *one : series) {
        if (const auto *xy = qobject_cast<QXYSeries *>(one))
            count += static_cast<int>(xy->count());
    }
    return count;
}

void LiveChart::styleAxis(QAbstractAxis *axis) const
{
    axis->setLabelsFont(m_theme.font(9.5));
    axis->setLabelsColor(m_theme.mutedText());
    axis->setGridLineColor(m_theme.grid());
    axis->setLinePenColor(m_theme.grid());
    axis->setTitleFont(m_theme.font(9.5));
    axis->setTitleBrush(m_theme.mutedText());
    axis->setShadesVisible(false);
}

QValueAxis *LiveChart::addValueAxis(Qt::Alignment alignment, const QString &labelFormat)
{
    auto *axis = new QValueAxis;
    axis->setLabelFormat(labelFormat);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0.0);
    axis->setMinorTickCount(0);
    setAxisTop(axis, 1.0);
    styleAxis(axis);
    chart()->addAxis(axis, alignment);
    return axis;
}

void LiveChart::setAxisTop(QValueAxis *axis, double top, int ticks)
{
    if (qFuzzyCompare(axis->max(), top) && qFuzzyIsNull(axis->min()))
        return;
    axis->setRange(0.0, top);
    axis->setTickInterval(niceTickInterval(top, ticks, false));
}

void LiveChart::addTimeSeries(QXYSeries *series, QAbstractAxis *valueAxis, const QColor &color,
                              Qt::PenStyle style)
{
    QPen pen(color);
    pen.setWidthF(m_theme.lineWidth());
    pen.setStyle(style);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    series->setPen(pen);
    series->setColor(color);
    chart()->addSeries(series);
    if (m_time)
        series->attachAxis(m_time);
    if (valueAxis)
        series->attachAxis(valueAxis);
}

void LiveChart::setTimeEnd(double end)
{
    end = std::max(end, 1.0);
    if (qFuzzyCompare(m_time->max(), end) && qFuzzyIsNull(m_time->min()))
        return;
    m_time->setRange(0.0, end);
    applyTimeTicks();
}

void LiveChart::applyTimeTicks()
{
    // As many ticks as labels fit side by side: a narrow chart gets fewer, not cut ones.
    const int ticks = std::clamp(width() / m_theme.px(80), 2, 6);
    const double interval = niceTickInterval(m_time->max() - m_time->min(), ticks, true);
    if (!qFuzzyCompare(m_time->tickInterval(), interval))
        m_time->setTickInterval(interval);
    const QString format = interval < 1.0 ? u"%.1f s"_s : u"%.0f s"_s;
    if (m_time->labelFormat() != format)
        m_time->setLabelFormat(format);
}

void LiveChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    if (m_time)
        applyTimeTicks();
}

void LiveChart::setMarkers(const QList<TimelineRecord> &markers)
{
    const bool same = markers.size() == m_markers.size() &&
                      std::equal(markers.begin(), markers.end(), m_markers.begin(),
                                 [](const TimelineRecord &a, const TimelineRecord &b) {
                                     return a.tSeconds == b.tSeconds && a.note == b.note;
                                 });
    if (same)
        return;
    m_markers = markers;
    viewport()->update();
}

void LiveChart::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    if (!m_time || m_markers.isEmpty())
        return;
    const QRectF plot = chart()->plotArea();
    const double span = m_time->max() - m_time->min();
    if (plot.isEmpty() || !(span > 0.0))
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QFont font = m_theme.font(9, true);
    const QFontMetricsF metrics(font);
    painter->setFont(font);
    QPen line(m_theme.marker(), 1.4 * m_theme.scale(), Qt::DashLine);
    const double pad = 3.0 * m_theme.scale();
    QList<QRectF> placed;
    for (const TimelineRecord &marker : m_markers) {
        if (marker.tSeconds < m_time->min() || marker.tSeconds > m_time->max())
            continue;
        const double x = plot.left() + (marker.tSeconds - m_time->min()) / span * plot.width();
        painter->setPen(line);
        painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));

        const QString text = marker.note;
        const QSizeF size(metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad);
        QRectF box(QPointF(x + pad, plot.top() + pad), size);
        if (box.right() > plot.right())
            box.moveRight(x - pad);
        // Notes close together are stacked, not overprinted.
        for (int guard = 0; guard < 6; ++guard) {
            const bool overlaps =
                std::any_of(placed.begin(), placed.end(),
                            [&](const QRectF &other) { return other.intersects(box); });
            if (!overlaps)
                break;
            box.translate(0.0, size.height() + pad);
        }
        placed.append(box);
        QColor fill = m_theme.window();
        fill.setAlpha(215);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(box, pad, pad);
        painter->setPen(m_theme.marker());
        painter->drawText(box, Qt::AlignCenter, text);
    }
    painter->restore();
}

} // namespace breakwater::ui

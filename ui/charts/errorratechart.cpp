#include "errorratechart.h"

#include "charts/downsample.h"
#include "theme.h"

#include <QChart>
#include <QFontMetricsF>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

ErrorRateChart::ErrorRateChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Error rate"),
                tr("The share of calls to each model that failed, second by second. Calls the "
                   "breaker blocked are not counted: a model with an open breaker gets no calls, "
                   "and its line holds the last rate measured until calls resume. "
                   "The red dashed line is the alert threshold (config alert.error_rate): when "
                   "the error rate over the alert window passes it, the HighErrorRate alert "
                   "fires."),
                true, parent)
{
    m_percent = addValueAxis(Qt::AlignLeft, u"%.0f%%"_s);
    setAxisTop(m_percent, 100.0);
    m_threshold = new QLineSeries;
    m_threshold->setName(tr("alert threshold"));
    addTimeSeries(m_threshold, m_percent, theme.threshold(), Qt::DashLine);
    // The line is labelled where it is drawn; the legend keeps its room for the models.
    const QList<QLegendMarker *> markers = chart()->legend()->markers(m_threshold);
    for (QLegendMarker *marker : markers)
        marker->setVisible(false);
}

ErrorRateChart::~ErrorRateChart() = default;

double ErrorRateChart::thresholdPercent() const
{
    return m_threshold->count() > 0 ? m_threshold->at(0).y() : 0.0;
}

QLineSeries *ErrorRateChart::modelSeries(const QString &model) const
{
    const qsizetype index = m_models.indexOf(model);
    return index < 0 ? nullptr : m_lines[index];
}

void ErrorRateChart::rebuild(const QStringList &models)
{
    for (QLineSeries *line : std::as_const(m_lines)) {
        chart()->removeSeries(line);
        delete line;
    }
    m_lines.clear();
    m_models = models;
    for (int i = 0; i < models.size(); ++i) {
        auto *line = new QLineSeries;
        line->setName(models[i]);
        line->setPointsVisible(false);
        m_lines.append(line);
        addTimeSeries(line, m_percent, Theme::modelColor(i));
    }
}

void ErrorRateChart::updateSeries(const ChartFrame &frame)
{
    const SeriesView &series = frame.snapshot->series;
    if (series.models != m_models)
        rebuild(series.models);
    const double step = toSeconds(series.step);
    for (int k = 0; k < m_lines.size(); ++k) {
        QList<QPointF> points;
        if (k < series.modelErrors.size() && k < series.modelSuccesses.size()) {
            const QList<double> &errors = series.modelErrors[k];
            const QList<double> &successes = series.modelSuccesses[k];
            points.reserve(series.points);
            int last = -1;
            for (int i = 0; i < series.points && i < errors.size() && i < successes.size(); ++i) {
                const double calls = errors[i] + successes[i];
                if (calls <= 0.0)
                    continue;
                const double rate = 100.0 * errors[i] / calls;
                // Seconds without calls (an open breaker) hold the last rate measured rather
                // than sloping slowly towards the next one, which no call ever showed.
                if (last >= 0 && i - last > 1)
                    points.append(QPointF((i - 0.5) * step, points.last().y()));
                points.append(QPointF((i + 0.5) * step, rate));
                last = i;
            }
        }
        m_lines[k]->replace(downsampleMinMax(points, frame.maxPoints));
    }
    const double threshold = 100.0 * frame.alertThreshold;
    const QString name = tr("alert at %1%").arg(threshold, 0, 'g', 3);
    if (m_threshold->name() != name)
        m_threshold->setName(name);
    m_threshold->replace({QPointF(0.0, threshold), QPointF(frame.timeEnd, threshold)});
}

void ErrorRateChart::drawForeground(QPainter *painter, const QRectF &rect)
{
    LiveChart::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    const double span = m_percent->max() - m_percent->min();
    if (m_threshold->count() == 0 || plot.isEmpty() || !(span > 0.0))
        return;
    const double value = m_threshold->at(0).y();
    const double y = plot.bottom() - (value - m_percent->min()) / span * plot.height();
    painter->save();
    const QFont font = theme().font(9, true);
    painter->setFont(font);
    painter->setPen(theme().threshold());
    const QString text = tr("alert at %1 %").arg(value, 0, 'g', 3);
    const QFontMetricsF metrics(font);
    const QRectF box(plot.right() - metrics.horizontalAdvance(text) - 4.0,
                     y - metrics.height() - 2.0, metrics.horizontalAdvance(text), metrics.height());
    painter->drawText(box, Qt::AlignRight | Qt::AlignBottom, text);
    painter->restore();
}

void ErrorRateChart::clearSeries()
{
    for (QLineSeries *line : std::as_const(m_lines))
        line->clear();
}

} // namespace breakwater::ui

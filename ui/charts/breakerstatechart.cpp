#include "breakerstatechart.h"

#include "theme.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

BreakerStateChart::BreakerStateChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Breaker state"),
                tr("One line per model's circuit breaker. At the bottom, closed: calls go "
                   "through. At the top, open: the model gets no calls at all and the chain "
                   "moves on to the next model at once. Half-open in between lets a test call "
                   "through to see whether the model is back. Forced states are set by hand "
                   "from the breaker cards."),
                true, parent)
{
    m_states = new QCategoryAxis;
    m_states->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    // Ordered by breakerSeverity(): the higher, the less traffic gets through.
    const BreakerState order[] = {BreakerState::Closed, BreakerState::ForcedClosed,
                                  BreakerState::HalfOpen, BreakerState::Open,
                                  BreakerState::ForcedOpen};
    for (const BreakerState state : order) {
        QString label = Theme::stateLabel(state).toLower();
        m_states->append(label, breakerSeverity(state));
    }
    m_states->setRange(-0.5, 4.5);
    m_states->setStartValue(-0.5);
    styleAxis(m_states);
    chart()->addAxis(m_states, Qt::AlignLeft);
    chart()->legend()->setVisible(true);
}

BreakerStateChart::~BreakerStateChart() = default;

double BreakerStateChart::offset(int index) const
{
    // Lines of models in the same state sit side by side rather than on top of each other.
    const int count = static_cast<int>(m_lines.size());
    return (index - (count - 1) / 2.0) * 0.09;
}

void BreakerStateChart::rebuild(const QStringList &models)
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
        m_lines.append(line);
        addTimeSeries(line, m_states, Theme::modelColor(i));
    }
}

void BreakerStateChart::updateSeries(const ChartFrame &frame)
{
    const RecorderSnapshot &snapshot = *frame.snapshot;
    const SeriesView &series = snapshot.series;
    if (series.models != m_models)
        rebuild(series.models);
    const double step = toSeconds(series.step);
    const double now = std::max(snapshot.elapsedSeconds, series.points * step);
    for (int k = 0; k < m_lines.size(); ++k) {
        const double shift = offset(k);
        QList<QPointF> points;
        double previous = -1.0;
        const auto stepTo = [&](double t, double severity) {
            if (previous < 0.0) {
                points.append(QPointF(t, severity + shift));
            } else if (severity != previous) {
                points.append(QPointF(t, previous + shift));
                points.append(QPointF(t, severity + shift));
            }
            previous = severity;
        };
        if (k < series.modelBreaker.size()) {
            const QList<double> &column = series.modelBreaker[k];
            for (int i = 0; i < series.points && i < column.size(); ++i)
                stepTo(i * step, column[i]);
        }
        double current = previous < 0.0 ? 0.0 : previous;
        if (k < snapshot.models.size() && snapshot.models[k].model == m_models[k])
            current = breakerSeverity(snapshot.models[k].state);
        stepTo(series.points * step, current);
        points.append(QPointF(now, current + shift));
        m_lines[k]->replace(points);
    }
}

void BreakerStateChart::clearSeries()
{
    for (QLineSeries *line : std::as_const(m_lines))
        line->clear();
}

QList<QPointF> BreakerStateChart::statePoints(const QString &model) const
{
    const int index = static_cast<int>(m_models.indexOf(model));
    if (index < 0)
        return {};
    QList<QPointF> points = m_lines[index]->points();
    for (QPointF &point : points)
        point.setY(point.y() - offset(index));
    return points;
}

} // namespace breakwater::ui

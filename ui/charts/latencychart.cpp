#include "latencychart.h"

#include "charts/downsample.h"
#include "theme.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

const QColor kP50(0x2d, 0xd4, 0xbf);
const QColor kP95(0xfa, 0xcc, 0x15);
const QColor kP99(0xfb, 0x71, 0x85);
const QColor kRequests(0x4e, 0xa1, 0xff);
const QColor kInFlight(0xa7, 0x8b, 0xfa);

} // namespace

LatencyChart::LatencyChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Latency"),
                tr("How long users waited for an answer, end to end: retries, waits and "
                   "fallbacks included. p50 is the typical call (half were faster); p95 and "
                   "p99 are the slowest 5 % and 1 %. Measured over the calls that finished in "
                   "each second."),
                true, parent)
{
    m_seconds = addValueAxis(Qt::AlignLeft, u"%.1f s"_s);
    const QString names[] = {u"p50"_s, u"p95"_s, u"p99"_s};
    const QColor colors[] = {kP50, kP95, kP99};
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        m_lines[i] = new QLineSeries;
        m_lines[i]->setName(names[i]);
        addTimeSeries(m_lines[i], m_seconds, colors[i]);
    }
}

LatencyChart::~LatencyChart() = default;

void LatencyChart::updateSeries(const ChartFrame &frame)
{
    const SeriesView &series = frame.snapshot->series;
    const double step = toSeconds(series.step);
    const QList<double> *columns[] = {&series.latencyP50, &series.latencyP95, &series.latencyP99};
    double highest = 0.0;
    for (std::size_t k = 0; k < m_lines.size(); ++k) {
        const QList<double> &values = *columns[k];
        QList<QPointF> points;
        points.reserve(series.points);
        for (int i = 0; i < series.points && i < values.size() && i < series.requests.size(); ++i) {
            // A second in which no call finished has no latency, not a latency of 0.
            if (series.requests[i] > 0.0) {
                points.append(QPointF((i + 0.5) * step, values[i]));
                highest = std::max(highest, values[i]);
            }
        }
        m_lines[k]->replace(downsampleMinMax(points, frame.maxPoints));
    }
    setAxisTop(m_seconds, stickyAxisMax(m_seconds->max(), highest, 0.5));
}

void LatencyChart::clearSeries()
{
    for (QLineSeries *line : m_lines)
        line->clear();
    setAxisTop(m_seconds, 0.5);
}

ThroughputChart::ThroughputChart(const Theme &theme, QWidget *parent)
    : LiveChart(theme, tr("Throughput and in flight"),
                tr("Calls answered per second (left axis), and the most calls that were waiting "
                   "for an answer at the same time in each second (right axis). In flight rises "
                   "when answers slow down: retries and waits keep calls open longer."),
                true, parent)
{
    m_rate = addValueAxis(Qt::AlignLeft, u"%.0f/s"_s);
    m_inFlightAxis = addValueAxis(Qt::AlignRight, u"%.0f"_s);
    m_inFlightAxis->setLabelsColor(kInFlight);
    m_requests = new QLineSeries;
    m_requests->setName(tr("answers/s"));
    addTimeSeries(m_requests, m_rate, kRequests);
    m_inFlight = new QLineSeries;
    m_inFlight->setName(tr("in flight"));
    addTimeSeries(m_inFlight, m_inFlightAxis, kInFlight);
    m_rate->setLabelsColor(kRequests);
}

ThroughputChart::~ThroughputChart() = default;

void ThroughputChart::updateSeries(const ChartFrame &frame)
{
    const SeriesView &series = frame.snapshot->series;
    const double step = toSeconds(series.step);
    QList<QPointF> requests;
    QList<QPointF> inFlight;
    requests.reserve(series.points);
    inFlight.reserve(series.points);
    double topRate = 0.0;
    double topInFlight = 0.0;
    for (int i = 0; i < series.points; ++i) {
        const double x = (i + 0.5) * step;
        if (i < series.requests.size()) {
            const double rate = series.requests[i] / step;
            requests.append(QPointF(x, rate));
            topRate = std::max(topRate, rate);
        }
        if (i < series.inFlight.size()) {
            inFlight.append(QPointF(x, series.inFlight[i]));
            topInFlight = std::max(topInFlight, series.inFlight[i]);
        }
    }
    m_requests->replace(downsampleMinMax(requests, frame.maxPoints));
    m_inFlight->replace(downsampleMinMax(inFlight, frame.maxPoints));
    setAxisTop(m_rate, stickyAxisMax(m_rate->max(), topRate, 5.0));
    setAxisTop(m_inFlightAxis, stickyAxisMax(m_inFlightAxis->max(), topInFlight, 5.0));
}

void ThroughputChart::clearSeries()
{
    m_requests->clear();
    m_inFlight->clear();
    setAxisTop(m_rate, 5.0);
    setAxisTop(m_inFlightAxis, 5.0);
}

} // namespace breakwater::ui

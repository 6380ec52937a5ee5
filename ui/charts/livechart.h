#pragma once

#include "recorder/recordersnapshot.h"

#include <QChartView>
#include <QList>
#include <QString>

class QAbstractAxis;
class QValueAxis;
class QXYSeries;

namespace breakwater::ui {

class Theme;

/// What every chart gets on each refresh: the recorder's snapshot and how to lay it out.
struct ChartFrame {
    const RecorderSnapshot *snapshot = nullptr;
    /// The time axis runs from 0 to this (seconds since the run's start).
    double timeEnd = 60.0;
    /// Config alert.error_rate, a fraction.
    double alertThreshold = 0.10;
    /// Most points pushed to one line series (LiveChart lowers it to half its plot's width
    /// in pixels).
    int maxPoints = 300;
    /// Most recent retries the retry charts show.
    int maxRetries = 600;
};

/// One live chart of the dashboard: a QChartView styled by the Theme, with a time axis from
/// the run's start, the run's timeline notes drawn over the plot as labelled vertical
/// markers, and a plain-words tooltip. Subclasses build their series once and push new data
/// with one QXYSeries::replace() per series per refresh.
class LiveChart : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChart)

public:
    /// `explanation` is the tooltip: what the chart shows, in plain words.
    LiveChart(const Theme &theme, const QString &title, const QString &explanation, bool timeAxis,
              QWidget *parent = nullptr);
    ~LiveChart() override;

    /// Pushes one refresh's data to the chart.
    void updateFrame(const ChartFrame &frame);
    /// Forgets every point (a new lab or run).
    void clear();

    QString title() const;
    /// Points held by all the chart's XY series now (bar charts: their non-zero bars).
    virtual int pointCount() const;
    /// The timeline notes shown as markers now.
    const QList<TimelineRecord> &markers() const { return m_markers; }
    /// The time axis, or nullptr for a chart without one.
    QValueAxis *timeAxis() const { return m_time; }

protected:
    virtual void updateSeries(const ChartFrame &frame) = 0;
    virtual void clearSeries() = 0;

    const Theme &theme() const { return m_theme; }
    /// Adds `series` to the chart on the time axis and `valueAxis`, styled as a data line.
    void addTimeSeries(QXYSeries *series, QAbstractAxis *valueAxis, const QColor &color,
                       Qt::PenStyle style = Qt::SolidLine);
    /// A value axis styled like the others, added to the chart at `alignment`.
    QValueAxis *addValueAxis(Qt::Alignment alignment, const QString &labelFormat);
    void styleAxis(QAbstractAxis *axis) const;
    /// Sets a value axis to 0…`top` with round tick steps (about `ticks` of them); does
    /// nothing when it already is.
    static void setAxisTop(QValueAxis *axis, double top, int ticks = 4);

    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void setTimeEnd(double end);
    void applyTimeTicks();
    void setMarkers(const QList<TimelineRecord> &markers);

    const Theme &m_theme;
    QValueAxis *m_time = nullptr;
    QList<TimelineRecord> m_markers;
};

} // namespace breakwater::ui

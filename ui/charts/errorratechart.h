#pragma once

#include "charts/livechart.h"

class QLineSeries;
class QValueAxis;

namespace breakwater::ui {

/// Error rate per model (failed attempts / attempts with an outcome, per series point), with
/// the alert threshold (config alert.error_rate) as a dashed line.
class ErrorRateChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorRateChart)

public:
    explicit ErrorRateChart(const Theme &theme, QWidget *parent = nullptr);
    ~ErrorRateChart() override;

    /// The threshold line's height, in percent.
    double thresholdPercent() const;
    QLineSeries *modelSeries(const QString &model) const;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    void rebuild(const QStringList &models);

    QValueAxis *m_percent = nullptr;
    QLineSeries *m_threshold = nullptr;
    QStringList m_models;
    QList<QLineSeries *> m_lines;
};

} // namespace breakwater::ui

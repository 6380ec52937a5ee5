#pragma once

#include "charts/livechart.h"

class QCategoryAxis;
class QLineSeries;

namespace breakwater::ui {

/// Breaker state per model over time, as a step line per model on a closed / half-open /
/// open scale (forced states included). The last step reaches to now.
class BreakerStateChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BreakerStateChart)

public:
    explicit BreakerStateChart(const Theme &theme, QWidget *parent = nullptr);
    ~BreakerStateChart() override;

    /// The step points of `model`'s line, minus its display offset: y is breakerSeverity().
    QList<QPointF> statePoints(const QString &model) const;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    void rebuild(const QStringList &models);
    double offset(int index) const;

    QCategoryAxis *m_states = nullptr;
    QStringList m_models;
    QList<QLineSeries *> m_lines;
};

} // namespace breakwater::ui

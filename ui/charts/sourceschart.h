#pragma once

#include "charts/livechart.h"

class QAreaSeries;
class QLineSeries;
class QValueAxis;

namespace breakwater::ui {

/// Answers per second by source, stacked: each model in chain order, then the cache, then
/// the degraded text. The layers are downsampled together (bucket means), so they stay
/// aligned point for point.
class SourcesChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourcesChart)

public:
    explicit SourcesChart(const Theme &theme, QWidget *parent = nullptr);
    ~SourcesChart() override;

    /// The stacked layer of `source` (a model label, "cache" or "degraded"), or nullptr.
    QAreaSeries *layer(const QString &source) const;
    /// Points on the layers' upper edges.
    int pointCount() const override;
    /// The highest answers per second `source` reached on the chart (its layer's thickness).
    double peakRate(const QString &source) const;
    /// Whether `source` has an entry in the legend now.
    bool inLegend(const QString &source) const;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    void rebuild(const QStringList &sources);

    QValueAxis *m_rate = nullptr;
    QStringList m_sources;
    QList<QAreaSeries *> m_layers;
    /// Whether each layer has its legend entry shown.
    QList<bool> m_listed;
};

} // namespace breakwater::ui

#pragma once

#include "charts/livechart.h"

#include <array>

class QBarCategoryAxis;
class QBarSet;
class QScatterSeries;
class QHorizontalStackedBarSeries;
class QValueAxis;

namespace breakwater::ui {

/// The delay sources in chart order: backoff, retry-after, retry-after-ms.
inline constexpr DelaySource kChartDelaySources[] = {DelaySource::Backoff, DelaySource::RetryAfter,
                                                     DelaySource::RetryAfterMs};

/// Every recently scheduled retry as a point (when, how long it waits), coloured by where
/// the delay came from: backoff with jitter, or the server's retry-after header.
class RetryDelayChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RetryDelayChart)

public:
    explicit RetryDelayChart(const Theme &theme, QWidget *parent = nullptr);
    ~RetryDelayChart() override;

    QScatterSeries *sourceSeries(DelaySource source) const;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    QValueAxis *m_delay = nullptr;
    std::array<QScatterSeries *, 3> m_points{};
    std::array<bool, 3> m_listed{true, true, true};
};

/// The recent retry delays as a histogram lying on its side (short waits at the bottom, as on
/// the scatter's delay axis), stacked by delay source in the scatter's colours.
class DelayHistogramChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DelayHistogramChart)

public:
    explicit DelayHistogramChart(const Theme &theme, QWidget *parent = nullptr);
    ~DelayHistogramChart() override;

    /// Non-zero bars.
    int pointCount() const override;
    /// Delays counted in all bars.
    int totalCount() const;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    QHorizontalStackedBarSeries *m_bars = nullptr;
    QBarCategoryAxis *m_bins = nullptr;
    QValueAxis *m_count = nullptr;
    std::array<QBarSet *, 3> m_sets{};
    double m_binWidth = 0.0;
    int m_binCount = 0;
};

} // namespace breakwater::ui

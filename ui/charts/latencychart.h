#pragma once

#include "charts/livechart.h"

#include <array>

class QLineSeries;
class QValueAxis;

namespace breakwater::ui {

/// End-to-end latency percentiles p50 / p95 / p99 of the calls that finished in each point.
class LatencyChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LatencyChart)

public:
    explicit LatencyChart(const Theme &theme, QWidget *parent = nullptr);
    ~LatencyChart() override;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    QValueAxis *m_seconds = nullptr;
    std::array<QLineSeries *, 3> m_lines{};
};

/// Calls finished per second, and the peak number of calls in flight (right axis).
class ThroughputChart final : public LiveChart {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThroughputChart)

public:
    explicit ThroughputChart(const Theme &theme, QWidget *parent = nullptr);
    ~ThroughputChart() override;

protected:
    void updateSeries(const ChartFrame &frame) override;
    void clearSeries() override;

private:
    QValueAxis *m_rate = nullptr;
    QValueAxis *m_inFlightAxis = nullptr;
    QLineSeries *m_requests = nullptr;
    QLineSeries *m_inFlight = nullptr;
};

} // namespace breakwater::ui

#pragma once

#include <QList>
#include <QPointF>

namespace breakwater::ui {

/// Reduces a line to at most `maxPoints` points (at least 4) by splitting it into
/// maxPoints / 2 buckets of consecutive points and keeping, in x order, each bucket's lowest
/// and highest point: spikes and dips survive, however long the run. Points must be sorted by
/// x. A line already short enough comes back unchanged.
QList<QPointF> downsampleMinMax(const QList<QPointF> &points, int maxPoints);

/// How many consecutive samples downsampleMean() puts in one bucket so that `count` samples
/// become at most `maxPoints`.
int meanBucketSize(int count, int maxPoints);

/// Averages consecutive runs of `bucket` samples (the last run may be shorter). Used where
/// several series must stay aligned point for point, as the layers of a stacked chart.
QList<double> downsampleMean(const QList<double> &values, int bucket);

/// Rounds `value` up to 1, 2, 2.5 or 5 times a power of ten (0 for value <= 0).
double niceCeil(double value);

/// The next upper bound of a live axis whose data peaks at `dataMax`: grows at once, keeping
/// 15 % headroom above the data, when the data comes within that of the current bound;
/// shrinks only when the data falls well below it, so the axis does not twitch on every
/// refresh. Never below `floor`.
double stickyAxisMax(double current, double dataMax, double floor);

/// A tick interval for an axis spanning `span` that gives about `ticks` ticks, from a
/// 1-2-5 ladder (for time in seconds: 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, …).
double niceTickInterval(double span, int ticks, bool seconds);

} // namespace breakwater::ui

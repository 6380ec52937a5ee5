#include "downsample.h"

#include <algorithm>
#include <cmath>

namespace breakwater::ui {

QList<QPointF> downsampleMinMax(const QList<QPointF> &points, int maxPoints)
{
    maxPoints = std::max(4, maxPoints);
    const qsizetype count = points.size();
    if (count <= maxPoints)
        return points;
    const qsizetype buckets = maxPoints / 2;
    QList<QPointF> out;
    out.reserve(buckets * 2);
    for (qsizetype bucket = 0; bucket < buckets; ++bucket) {
        const qsizetype begin = bucket * count / buckets;
        const qsizetype end = (bucket + 1) * count / buckets;
        if (begin >= end)
            continue;
        qsizetype low = begin;
        qsizetype high = begin;
        for (qsizetype i = begin + 1; i < end; ++i) {
            if (points[i].y() < points[low].y())
                low = i;
            if (points[i].y() > points[high].y())
                high = i;
        }
        if (low == high) {
            out.append(points[low]);
        } else {
            out.append(points[std::min(low, high)]);
            out.append(points[std::max(low, high)]);
        }
    }
    return out;
}

int meanBucketSize(int count, int maxPoints)
{
    maxPoints = std::max(1, maxPoints);
    return count <= maxPoints ? 1 : (count + maxPoints - 1) / maxPoints;
}

QList<double> downsampleMean(const QList<double> &values, int bucket)
{
    if (bucket <= 1)
        return values;
    QList<double> out;
    out.reserve(values.size() / bucket + 1);
    for (qsizetype begin = 0; begin < values.size(); begin += bucket) {
        const qsizetype end = std::min<qsizetype>(values.size(), begin + bucket);
        double sum = 0.0;
        for (qsizetype i = begin; i < end; ++i)
            sum += values[i];
        out.append(sum / static_cast<double>(end - begin));
    }
    return out;
}

double niceCeil(double value)
{
    if (!(value > 0.0) || !std::isfinite(value))
        return 0.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        // A small tolerance keeps 2.0000000001 from becoming 2.5.
        if (value <= step * magnitude * (1.0 + 1e-9))
            return step * magnitude;
    }
    return 10.0 * magnitude;
}

double stickyAxisMax(double current, double dataMax, double floor)
{
    constexpr double kHeadroom = 1.15;
    const double wanted = std::max(floor, niceCeil(dataMax * kHeadroom));
    // Grows as soon as the data eats into the headroom, not only once it passes the bound: a
    // series held at a cap (calls in flight at the concurrency limit) drew along the top edge.
    if (!(current > 0.0) || dataMax * kHeadroom > current || wanted < current * 0.4)
        return wanted;
    return std::max(current, floor);
}

double niceTickInterval(double span, int ticks, bool seconds)
{
    ticks = std::max(1, ticks);
    const double raw = span / ticks;
    if (!(raw > 0.0) || !std::isfinite(raw))
        return 1.0;
    if (seconds && raw >= 10.0) {
        for (const double step :
             {10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0}) {
            if (raw <= step)
                return step;
        }
        return niceCeil(raw / 3600.0) * 3600.0;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        // 2.5 only where it stays a whole number: counts should not tick at 2.5.
        if (step == 2.5 && magnitude < 10.0)
            continue;
        if (raw <= step * magnitude * (1.0 + 1e-9))
            return step * magnitude;
    }
    return 10.0 * magnitude;
}

} // namespace breakwater::ui

#pragma once

#include "common/clock.h"

#include <QList>
#include <vector>

namespace breakwater {

/// How two adjacent points of a column combine when a TimeSeries halves its resolution.
enum class MergeRule {
    /// Counts: the merged point holds both, so a column's total never changes.
    Sum,
    /// Peaks, percentiles, severities: the merged point keeps the larger value.
    Max,
};

/// Numeric columns sampled at a fixed step from an origin (point i covers
/// [i·step, (i+1)·step)), at most `capacity` points. When a point would fall beyond the
/// capacity, adjacent pairs are merged by each column's rule and the step doubles, so memory
/// stays bounded however long a run lasts. Columns are implicitly shared QLists: copying a
/// column (or the whole series) for a reader costs no copy of the data until the next write.
class TimeSeries final {
public:
    /// `capacity` is rounded up to an even number, at least 2; `step` is at least 1 ms.
    explicit TimeSeries(Millis step = std::chrono::seconds(1), int capacity = 3600);

    /// Adds a column and returns its index; existing points get 0 in it.
    int addColumn(MergeRule rule);
    /// Adds the values of the interval starting at `start` (from the origin), one per column.
    /// They merge by the column rules into the point that covers `start`, which is created
    /// (with zero-filled gaps before it) if needed, halving the resolution as often as needed.
    void add(Millis start, const std::vector<double> &values);
    /// Removes every point and restores the initial step.
    void clear();

    int columnCount() const { return static_cast<int>(m_columns.size()); }
    int size() const { return m_size; }
    int capacity() const { return m_capacity; }
    /// The current width of one point: the initial step times 2^halvings().
    Millis step() const { return m_step; }
    int halvings() const { return m_halvings; }
    /// Where point `index` starts, from the origin.
    Millis pointStart(int index) const { return m_step * index; }
    const QList<double> &column(int index) const;
    MergeRule rule(int index) const;

private:
    void halve();

    struct Column {
        MergeRule rule;
        QList<double> values;
    };

    Millis m_initialStep;
    Millis m_step;
    int m_capacity;
    int m_size = 0;
    int m_halvings = 0;
    std::vector<Column> m_columns;
};

} // namespace breakwater

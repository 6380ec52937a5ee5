#include "timeseries.h"

#include <algorithm>

namespace breakwater {
namespace {

double merged(MergeRule rule, double a, double b)
{
    return rule == MergeRule::Sum ? a + b : std::max(a, b);
}

} // namespace

TimeSeries::TimeSeries(Millis step, int capacity)
    : m_initialStep(std::max(step, Millis(1))), m_step(m_initialStep),
      m_capacity(std::max(2, capacity + (capacity % 2)))
{}

int TimeSeries::addColumn(MergeRule rule)
{
    Column column{rule, QList<double>(m_size, 0.0)};
    column.values.reserve(m_capacity);
    m_columns.push_back(std::move(column));
    return columnCount() - 1;
}

void TimeSeries::add(Millis start, const std::vector<double> &values)
{
    const Millis at = std::max(start, Millis(0));
    while (at / m_step >= m_capacity)
        halve();
    const int index = static_cast<int>(at / m_step);
    if (index >= m_size) {
        for (Column &column : m_columns)
            column.values.resize(index + 1, 0.0);
        m_size = index + 1;
    }
    const std::size_t count = std::min(values.size(), m_columns.size());
    for (std::size_t c = 0; c < count; ++c) {
        Column &column = m_columns[c];
        double &point = column.values[index];
        point = merged(column.rule, point, values[c]);
    }
}

void TimeSeries::halve()
{
    const int halved = (m_size + 1) / 2;
    for (Column &column : m_columns) {
        QList<double> &values = column.values;
        for (int i = 0; i < halved; ++i) {
            const int first = 2 * i;
            values[i] = first + 1 < m_size ? merged(column.rule, values[first], values[first + 1])
                                           : values[first];
        }
        values.resize(halved);
    }
    m_size = halved;
    m_step *= 2;
    ++m_halvings;
}

void TimeSeries::clear()
{
    for (Column &column : m_columns)
        column.values.clear();
    m_size = 0;
    m_step = m_initialStep;
    m_halvings = 0;
}

const QList<double> &TimeSeries::column(int index) const
{
    return m_columns.at(static_cast<std::size_t>(index)).values;
}

MergeRule TimeSeries::rule(int index) const
{
    return m_columns.at(static_cast<std::size_t>(index)).rule;
}

} // namespace breakwater

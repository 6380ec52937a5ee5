#pragma once

#include <QList>
#include <algorithm>
#include <cstdint>
#include <vector>

namespace breakwater {

/// The last `capacity` items pushed, oldest first, and how many older ones were dropped.
/// Memory grows to `capacity` items and no further.
template <typename T> class RingBuffer final {
public:
    explicit RingBuffer(int capacity) : m_capacity(std::max(capacity, 1)) {}

    /// Appends `item`, dropping the oldest one when full.
    void push(T item);
    /// Calls `visit(const T &)` for every kept item, oldest first.
    template <typename Visit> void forEach(Visit &&visit) const;
    QList<T> toList() const;
    void clear();

    int size() const { return static_cast<int>(m_items.size()); }
    int capacity() const { return m_capacity; }
    /// Items pushed out since the last clear().
    std::int64_t dropped() const { return m_dropped; }

private:
    int m_capacity;
    std::vector<T> m_items;
    // Index of the oldest item once the ring is full.
    std::size_t m_head = 0;
    std::int64_t m_dropped = 0;
};

template <typename T> void RingBuffer<T>::push(T item)
{
    if (m_items.size() < static_cast<std::size_t>(m_capacity)) {
        m_items.push_back(std::move(item));
        return;
    }
    m_items[m_head] = std::move(item);
    m_head = (m_head + 1) % m_items.size();
    ++m_dropped;
}

template <typename T> template <typename Visit> void RingBuffer<T>::forEach(Visit &&visit) const
{
    for (std::size_t i = 0; i < m_items.size(); ++i)
        visit(m_items[(m_head + i) % m_items.size()]);
}

template <typename T> QList<T> RingBuffer<T>::toList() const
{
    QList<T> list;
    list.reserve(size());
    forEach([&list](const T &item) { list.append(item); });
    return list;
}

template <typename T> void RingBuffer<T>::clear()
{
    m_items.clear();
    m_head = 0;
    m_dropped = 0;
}

} // namespace breakwater

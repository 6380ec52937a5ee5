#pragma once

#include <QString>

#include <map>
#include <mutex>

namespace breakwater {

/// Per-model limits on attempts in flight, shared by every engine of a run. When a model
/// is full the attempt short-circuits to the next model instead of queueing without bound.
/// Thread-safe.
class Bulkheads final {
public:
    Bulkheads() = default;
    Bulkheads(const Bulkheads &) = delete;
    Bulkheads &operator=(const Bulkheads &) = delete;

    /// Takes a slot on `model` if fewer than `limit` are taken; a limit of 0 always admits.
    bool tryEnter(const QString &model, int limit);
    void leave(const QString &model);
    int inFlight(const QString &model) const;

private:
    mutable std::mutex m_mutex;
    std::map<QString, int> m_inFlight;
};

} // namespace breakwater

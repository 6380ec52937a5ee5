#pragma once

#include "cache/cachepolicy.h"
#include "common/clock.h"

#include <QString>

#include <list>
#include <mutex>
#include <optional>
#include <QHash>

namespace breakwater {

/// The last good answer per prompt and parameters, for the fallback chain (SPEC.md section
/// 3). Bounded (least recently used goes first), entries expire after the TTL. Thread-safe.
class ResponseCache final {
public:
    ResponseCache(CachePolicy policy, const Clock &clock);
    ResponseCache(const ResponseCache &) = delete;
    ResponseCache &operator=(const ResponseCache &) = delete;

    /// The key for a prompt and the parameters that shape its answer.
    static QString keyFor(const QString &prompt, int maxTokens);

    /// The fresh answer stored under `key`, if any (refreshes its recency).
    std::optional<QString> lookup(const QString &key);
    void store(const QString &key, const QString &answer);
    int size() const;
    void clear();

private:
    struct Entry {
        QString key;
        QString answer;
        Millis storedAt{0};
    };

    CachePolicy m_policy;
    const Clock &m_clock;
    mutable std::mutex m_mutex;
    std::list<Entry> m_recency; ///< most recent first
    QHash<QString, std::list<Entry>::iterator> m_index;
};

} // namespace breakwater

#include "responsecache.h"

#include <QCryptographicHash>

namespace breakwater {

ResponseCache::ResponseCache(CachePolicy policy, const Clock &clock)
    : m_policy(policy), m_clock(clock)
{
}

QString ResponseCache::keyFor(const QString &prompt, int maxTokens)
{
    // BLAKE2b-256 of the prompt's UTF-16 code units and the token limit: a key of fixed size
    // for prompts of any length. Every successful call computes it (to store its answer), so
    // the hash reads the string as it is stored (no UTF-8 copy) and BLAKE2b's 128-byte blocks
    // cover a typical prompt in one compression where SHA-256 needs two or three.
    QCryptographicHash hash(QCryptographicHash::Blake2b_256);
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(prompt.utf16()),
                                prompt.size() * qsizetype(sizeof(char16_t))));
    const qint64 limit = maxTokens;
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(&limit), sizeof limit));
    // Hexed straight into the key (no copies of the digest on the way).
    const QByteArrayView digest = hash.resultView();
    QString key(digest.size() * 2, Qt::Uninitialized);
    QChar *out = key.data();
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char byte : digest) {
        const auto value = static_cast<unsigned char>(byte);
        *out++ = QLatin1Char(kHex[value >> 4]);
        *out++ = QLatin1Char(kHex[value & 0xF]);
    }
    return key;
}

std::optional<QString> ResponseCache::lookup(const QString &key)
{
    std::lock_guard lock(m_mutex);
    const auto found = m_index.find(key);
    if (found == m_index.end())
        return std::nullopt;
    const auto entry = found.value();
    if (m_policy.ttl > Millis(0) && m_clock.now() - entry->storedAt >= m_policy.ttl) {
        m_recency.erase(entry);
        m_index.erase(found);
        return std::nullopt;
    }
    m_recency.splice(m_recency.begin(), m_recency, entry);
    return entry->answer;
}

void ResponseCache::store(const QString &key, const QString &answer)
{
    if (!m_policy.enabled || m_policy.maxEntries <= 0)
        return;
    std::lock_guard lock(m_mutex);
    if (const auto found = m_index.find(key); found != m_index.end()) {
        // A prompt answered again (load tests repeat a few): refreshed in place.
        const auto entry = found.value();
        entry->answer = answer;
        entry->storedAt = m_clock.now();
        m_recency.splice(m_recency.begin(), m_recency, entry);
        return;
    }
    m_recency.push_front(Entry{key, answer, m_clock.now()});
    m_index.insert(key, m_recency.begin());
    while (static_cast<int>(m_recency.size()) > m_policy.maxEntries) {
        m_index.remove(m_recency.back().key);
        m_recency.pop_back();
    }
}

int ResponseCache::size() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_recency.size());
}

void ResponseCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_recency.clear();
    m_index.clear();
}

} // namespace breakwater

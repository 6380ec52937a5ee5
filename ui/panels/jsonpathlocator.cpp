#include "jsonpathlocator.h"

#include <QStringList>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace breakwater::ui::panels {
namespace {

bool isPlainKey(const QString &key)
{
    if (key.isEmpty() || !(key.front().isLetter() || key.front() == u'_'))
        return false;
    return std::all_of(key.cbegin(), key.cend(), [](QChar c) {
        return (c.unicode() < 128 && c.isLetterOrNumber()) || c == u'_' || c == u'-';
    });
}

// A recursive descent over the text that records where each path starts instead of
// building values. Stops at the first thing that is not JSON.
class PathScanner {
public:
    PathScanner(const QString &text, QHash<QString, JsonTextSpan> &index)
        : m_text(text), m_index(index)
    {}

    void scanDocument()
    {
        skipSpace();
        const qsizetype start = m_at;
        m_index.insert(QString(), {start, 0});
        if (value(QString(), 0))
            m_index.insert(QString(), {start, m_at - start});
    }

private:
    static constexpr int kMaxDepth = 200;

    bool atEnd() const { return m_at >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_at); }

    void skipSpace()
    {
        while (!atEnd() &&
               (peek() == u' ' || peek() == u'\t' || peek() == u'\n' || peek() == u'\r'))
            ++m_at;
    }

    bool value(const QString &path, int depth)
    {
        if (depth > kMaxDepth || atEnd())
            return false;
        const QChar c = peek();
        if (c == u'{')
            return object(path, depth + 1);
        if (c == u'[')
            return array(path, depth + 1);
        if (c == u'"')
            return string(nullptr);
        return scalar();
    }

    bool object(const QString &path, int depth)
    {
        ++m_at; // {
        skipSpace();
        if (peek() == u'}') {
            ++m_at;
            return true;
        }
        while (true) {
            skipSpace();
            const qsizetype keyStart = m_at;
            QString key;
            if (peek() != u'"' || !string(&key))
                return false;
            const QString child = jsonMemberPath(path, key);
            m_index.insert(child, {keyStart, m_at - keyStart});
            skipSpace();
            if (peek() != u':')
                return false;
            ++m_at;
            skipSpace();
            if (!value(child, depth))
                return false;
            skipSpace();
            if (peek() == u',') {
                ++m_at;
                continue;
            }
            if (peek() == u'}') {
                ++m_at;
                return true;
            }
            return false;
        }
    }

    bool array(const QString &path, int depth)
    {
        ++m_at; // [
        skipSpace();
        if (peek() == u']') {
            ++m_at;
            return true;
        }
        for (qsizetype item = 0;; ++item) {
            skipSpace();
            const qsizetype start = m_at;
            const QString child = jsonItemPath(path, item);
            if (!value(child, depth))
                return false;
            m_index.insert(child, {start, m_at - start});
            skipSpace();
            if (peek() == u',') {
                ++m_at;
                continue;
            }
            if (peek() == u']') {
                ++m_at;
                return true;
            }
            return false;
        }
    }

    bool string(QString *decoded)
    {
        ++m_at; // opening quote
        while (!atEnd()) {
            const QChar c = m_text.at(m_at++);
            if (c == u'"')
                return true;
            if (c != u'\\') {
                if (decoded)
                    decoded->append(c);
                continue;
            }
            if (atEnd())
                return false;
            const QChar escape = m_text.at(m_at++);
            QChar plain;
            switch (escape.unicode()) {
            case u'b':
                plain = u'\b';
                break;
            case u'f':
                plain = u'\f';
                break;
            case u'n':
                plain = u'\n';
                break;
            case u'r':
                plain = u'\r';
                break;
            case u't':
                plain = u'\t';
                break;
            case u'u': {
                bool ok = false;
                const uint code = m_text.mid(m_at, 4).toUInt(&ok, 16);
                if (!ok || m_at + 4 > m_text.size())
                    return false;
                m_at += 4;
                plain = QChar(static_cast<char16_t>(code));
                break;
            }
            default:
                plain = escape; // \" \\ \/
            }
            if (decoded)
                decoded->append(plain);
        }
        return false;
    }

    bool scalar()
    {
        const qsizetype start = m_at;
        while (!atEnd()) {
            const QChar c = peek();
            if (c == u',' || c == u'}' || c == u']' || c == u' ' || c == u'\t' || c == u'\n' ||
                c == u'\r')
                break;
            ++m_at;
        }
        return m_at > start;
    }

    const QString &m_text;
    QHash<QString, JsonTextSpan> &m_index;
    qsizetype m_at = 0;
};

// Splits a path into the prefixes that name its ancestors: `chain[1].model` gives
// `chain`, `chain[1]`, `chain[1].model`. Quoted subscripts may hold any character.
QStringList pathPrefixes(const QString &path)
{
    QStringList prefixes;
    bool quoted = false;
    for (qsizetype i = 0; i < path.size(); ++i) {
        const QChar c = path.at(i);
        if (quoted) {
            if (c == u'\\')
                ++i;
            else if (c == u'"')
                quoted = false;
            continue;
        }
        if (c == u'"')
            quoted = true;
        else if ((c == u'.' || c == u'[') && i > 0)
            prefixes.append(path.left(i));
    }
    prefixes.append(path);
    return prefixes;
}

} // namespace

QString jsonMemberPath(const QString &parent, const QString &key)
{
    if (!isPlainKey(key)) {
        QString escaped = key;
        escaped.replace(u'\\', u"\\\\"_s);
        escaped.replace(u'"', u"\\\""_s);
        return parent + u"[\""_s + escaped + u"\"]"_s;
    }
    return parent.isEmpty() ? key : parent + u'.' + key;
}

QString jsonItemPath(const QString &parent, qsizetype index)
{
    return parent + u'[' + QString::number(index) + u']';
}

QHash<QString, JsonTextSpan> indexJsonPaths(const QString &text)
{
    QHash<QString, JsonTextSpan> index;
    PathScanner(text, index).scanDocument();
    return index;
}

std::optional<JsonTextSpan> locateJsonPath(const QString &text, const QString &path)
{
    const QHash<QString, JsonTextSpan> index = indexJsonPaths(text);
    const QStringList prefixes = pathPrefixes(path);
    for (auto it = prefixes.crbegin(); it != prefixes.crend(); ++it) {
        const auto found = index.constFind(*it);
        if (found != index.cend())
            return *found;
    }
    const auto root = index.constFind(QString());
    if (root != index.cend())
        return *root;
    return std::nullopt;
}

} // namespace breakwater::ui::panels

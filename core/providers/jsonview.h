#pragma once

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>
#include <optional>
#include <vector>

namespace breakwater {

/// A read-only view of one JSON document (RFC 8259, UTF-8), for reading a few members of a
/// complete answer on the engine's hot path. It accepts what nlohmann::json::parse accepts
/// (no trailing commas or garbage, no unescaped control characters, valid UTF-8, numbers that
/// fit a double) and one thing more, as JSON.parse does: an unpaired surrogate escape
/// ("\ud800"), kept in the string; and one thing less: a NUL byte, where nlohmann stops
/// reading as if the input ended. Nesting is limited. Strings and numbers stay spans of the
/// text and are decoded only when asked for. For a typical answer a whole
/// parseAnswer takes a third of QJsonDocument::fromJson alone, which builds every string
/// as a QString (bench/README.md).
///
/// Values are numbered in document order; an object's children alternate key and value.
/// The view refers to the parsed bytes, which must outlive it.
class JsonView {
public:
    enum class Kind : quint8 { Null, False, True, Number, String, Array, Object };
    using Index = qint32;
    static constexpr Index kNone = -1;
    /// Deeper nesting is refused (nothing an API answers comes close).
    static constexpr int kMaxDepth = 512;

    /// The document, or nothing when `text` is not exactly one valid JSON value.
    static std::optional<JsonView> parse(QByteArrayView text);

    Index root() const { return 0; }
    Kind kind(Index value) const { return m_nodes[static_cast<std::size_t>(value)].kind; }
    bool is(Index value, Kind kind) const { return value != kNone && this->kind(value) == kind; }

    /// The value of member `key` of `object` (the last one, should the key repeat); kNone
    /// when `object` is kNone, no object, or has no such member.
    Index member(Index object, QLatin1StringView key) const;
    /// The first element of an array (the first key of an object); kNone when empty.
    Index first(Index container) const;
    /// The element after `value` in its array (in an object: key, value, key, …); kNone at
    /// the end.
    Index next(Index value) const { return m_nodes[static_cast<std::size_t>(value)].next; }

    /// The string's text, or nothing when `value` is kNone or no string.
    std::optional<QString> string(Index value) const;
    /// Whether `value` is a string equal to `text`.
    bool stringEquals(Index value, QLatin1StringView text) const;
    /// The number's value, or nothing when `value` is kNone or no number.
    std::optional<double> number(Index value) const;

    /// Valid UTF-8 as a QString, a leading U+FEFF kept: QString::fromUtf8 takes it for a
    /// byte order mark and drops it, which would cut a character off a string's text.
    static QString decodeUtf8(QByteArrayView utf8);

private:
    struct Node {
        qint32 begin = 0; ///< the value's first byte (after the quote for a string)
        qint32 end = 0;   ///< one past its last byte (before the closing quote)
        Index next = kNone;
        Kind kind = Kind::Null;
        bool escaped = false; ///< a string with backslash escapes
        bool hasChildren = false;
    };
    class Parser;

    QByteArrayView m_text;
    std::vector<Node> m_nodes;
};

} // namespace breakwater

#include "jsonview.h"

#include <QStringDecoder>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace breakwater {

namespace {

/// Bytes a string may hold as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlainStringByteTable()
{
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return table;
}
constexpr std::array<bool, 256> kPlainStringByte = kPlainStringByteTable();

} // namespace

/// One pass over the text: validates it and records a node per value, in document order.
class JsonView::Parser {
public:
    Parser(QByteArrayView text, std::vector<Node> &nodes)
        : m_data(reinterpret_cast<const unsigned char *>(text.data())), m_size(text.size()),
          m_nodes(nodes)
    {
    }

    bool document()
    {
        // A UTF-8 byte order mark is skipped, as nlohmann does.
        if (m_size >= 3 && m_data[0] == 0xEF && m_data[1] == 0xBB && m_data[2] == 0xBF)
            m_pos = 3;
        skipWhitespace();
        if (!value(0))
            return false;
        skipWhitespace();
        return m_pos == m_size;
    }

private:
    bool at(unsigned char c) const { return m_pos < m_size && m_data[m_pos] == c; }
    bool digitAt(qsizetype pos) const
    {
        return pos < m_size && m_data[pos] >= '0' && m_data[pos] <= '9';
    }

    void skipWhitespace()
    {
        while (m_pos < m_size) {
            const unsigned char c = m_data[m_pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
                return;
            ++m_pos;
        }
    }

    Index add(Kind kind, qsizetype begin)
    {
        Node node;
        node.kind = kind;
        node.begin = static_cast<qint32>(begin);
        m_nodes.push_back(node);
        return static_cast<Index>(m_nodes.size() - 1);
    }
    Node &node(Index index) { return m_nodes[static_cast<std::size_t>(index)]; }

    /// Links a container's new child after its previous one.
    void adopt(Index container, Index &previous, Index child)
    {
        if (previous == kNone)
            node(container).hasChildren = true;
        else
            node(previous).next = child;
        previous = child;
    }

    bool value(int depth)
    {
        if (m_pos >= m_size)
            return false;
        switch (m_data[m_pos]) {
        case '{':
            return container(depth + 1, Kind::Object);
        case '[':
            return container(depth + 1, Kind::Array);
        case '"':
            return string();
        case 't':
            return literal("true", Kind::True);
        case 'f':
            return literal("false", Kind::False);
        case 'n':
            return literal("null", Kind::Null);
        default:
            return number();
        }
    }

    bool literal(QByteArrayView word, Kind kind)
    {
        if (m_size - m_pos < word.size() ||
            QByteArrayView(m_data + m_pos, word.size()) != word)
            return false;
        add(kind, m_pos);
        m_pos += word.size();
        node(static_cast<Index>(m_nodes.size() - 1)).end = static_cast<qint32>(m_pos);
        return true;
    }

    bool container(int depth, Kind kind)
    {
        if (depth > kMaxDepth)
            return false;
        const Index self = add(kind, m_pos);
        const unsigned char close = kind == Kind::Object ? '}' : ']';
        ++m_pos;
        skipWhitespace();
        Index previous = kNone;
        if (!at(close)) {
            for (;;) {
                if (kind == Kind::Object) {
                    if (!at('"'))
                        return false;
                    adopt(self, previous, static_cast<Index>(m_nodes.size()));
                    if (!string())
                        return false;
                    skipWhitespace();
                    if (!at(':'))
                        return false;
                    ++m_pos;
                    skipWhitespace();
                }
                adopt(self, previous, static_cast<Index>(m_nodes.size()));
                if (!value(depth))
                    return false;
                skipWhitespace();
                if (!at(','))
                    break;
                ++m_pos;
                skipWhitespace();
            }
            if (!at(close))
                return false;
        }
        ++m_pos;
        node(self).end = static_cast<qint32>(m_pos);
        return true;
    }

    bool string()
    {
        const qsizetype begin = ++m_pos; // past the opening quote
        bool escaped = false;
        for (;;) {
            m_pos = skipPlainRun(m_pos);
            if (m_pos >= m_size)
                return false;
            const unsigned char c = m_data[m_pos];
            if (c == '"')
                break;
            if (c < 0x20)
                return false; // control characters must be escaped
            if (c == '\\') {
                escaped = true;
                if (!escape())
                    return false;
            } else if (!utf8Sequence()) {
                return false;
            }
        }
        const Index self = add(Kind::String, begin);
        node(self).end = static_cast<qint32>(m_pos);
        node(self).escaped = escaped;
        ++m_pos; // the closing quote
        return true;
    }

    /// The end of the run of plain string bytes (printable ASCII, no quote nor backslash)
    /// starting at `pos`: eight bytes at a time while no byte of a word needs a look, since
    /// a string's text is most of an answer's bytes.
    qsizetype skipPlainRun(qsizetype pos) const
    {
        constexpr quint64 kOnes = 0x0101010101010101ULL;
        constexpr quint64 kHighBits = 0x8080808080808080ULL;
        while (m_size - pos >= 8) {
            quint64 word;
            std::memcpy(&word, m_data + pos, sizeof word);
            // High bit of a byte set where it may be special. "x - k" borrows only into bytes
            // above a byte that is truly below k, so a word can be flagged for nothing (and is
            // then read byte by byte below) but never passed over wrongly.
            const quint64 control = (word - kOnes * 0x20) & ~word;
            const quint64 quote = word ^ (kOnes * '"');
            const quint64 backslash = word ^ (kOnes * '\\');
            const quint64 flagged = control | ((quote - kOnes) & ~quote) |
                                    ((backslash - kOnes) & ~backslash) | word;
            if (flagged & kHighBits)
                break;
            pos += 8;
        }
        while (pos < m_size && kPlainStringByte[m_data[pos]])
            ++pos;
        return pos;
    }

    /// A \uXXXX escape's code unit at m_pos + 2, or -1.
    int hexUnit(qsizetype pos) const
    {
        if (m_size - pos < 6 || m_data[pos] != '\\' || m_data[pos + 1] != 'u')
            return -1;
        int unit = 0;
        for (qsizetype i = pos + 2; i < pos + 6; ++i) {
            const unsigned char c = m_data[i];
            int digit = -1;
            if (c >= '0' && c <= '9')
                digit = c - '0';
            else if (c >= 'a' && c <= 'f')
                digit = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                digit = c - 'A' + 10;
            if (digit < 0)
                return -1;
            unit = unit * 16 + digit;
        }
        return unit;
    }

    bool escape()
    {
        if (m_pos + 1 >= m_size)
            return false;
        switch (m_data[m_pos + 1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            m_pos += 2;
            return true;
        case 'u':
            // Any code unit, paired or not: an unpaired surrogate is kept, as JSON.parse and
            // the official SDKs keep it, rather than failing a whole answer over one character.
            if (hexUnit(m_pos) < 0)
                return false;
            m_pos += 6;
            return true;
        default:
            return false;
        }
    }

    /// One multi-byte UTF-8 sequence at m_pos: no overlong forms, no surrogates, ≤ U+10FFFF.
    bool utf8Sequence()
    {
        const unsigned char lead = m_data[m_pos];
        int continuations = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuations = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            continuations = 2;
            if (lead == 0xE0)
                low = 0xA0;
            else if (lead == 0xED)
                high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            continuations = 3;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F;
        } else {
            return false;
        }
        if (m_size - m_pos <= continuations)
            return false;
        for (int i = 1; i <= continuations; ++i) {
            const unsigned char c = m_data[m_pos + i];
            if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xBF))
                return false;
        }
        m_pos += 1 + continuations;
        return true;
    }

    bool number()
    {
        const qsizetype begin = m_pos;
        if (at('-'))
            ++m_pos;
        qsizetype significantDigits = 0;
        qsizetype integerDigits = 0;
        if (at('0')) {
            ++m_pos;
        } else if (digitAt(m_pos)) {
            while (digitAt(m_pos)) {
                ++m_pos;
                ++integerDigits;
            }
            significantDigits = integerDigits;
        } else {
            return false;
        }
        bool plainInteger = true;
        qsizetype leadingFractionZeros = 0;
        if (at('.')) {
            plainInteger = false;
            ++m_pos;
            if (!digitAt(m_pos))
                return false;
            bool seenNonZero = integerDigits > 0;
            while (digitAt(m_pos)) {
                if (!seenNonZero && m_data[m_pos] == '0')
                    ++leadingFractionZeros;
                else
                    seenNonZero = true;
                ++m_pos;
            }
        }
        if (at('e') || at('E')) {
            plainInteger = false;
            ++m_pos;
            if (at('+') || at('-'))
                ++m_pos;
            if (!digitAt(m_pos))
                return false;
            while (digitAt(m_pos))
                ++m_pos;
        }
        // Like nlohmann, refuse a number too large for a double (1e400); one too small to
        // tell from zero (1e-400) is zero. Only long or exponent forms can get there.
        if (!plainInteger || significantDigits > 15) {
            double parsed = 0;
            const auto *first = reinterpret_cast<const char *>(m_data + begin);
            const auto *last = reinterpret_cast<const char *>(m_data + m_pos);
            const std::from_chars_result result = std::from_chars(first, last, parsed);
            if (result.ec == std::errc::result_out_of_range &&
                decimalMagnitude(begin, integerDigits, leadingFractionZeros) > 0)
                return false;
        }
        const Index self = add(Kind::Number, begin);
        node(self).end = static_cast<qint32>(m_pos);
        return true;
    }

    /// Roughly log10 of the number ending at m_pos: positive for an overflow, not an underflow.
    qint64 decimalMagnitude(qsizetype begin, qsizetype integerDigits,
                            qsizetype leadingFractionZeros) const
    {
        qint64 exponent = 0;
        for (qsizetype i = begin; i < m_pos; ++i) {
            if (m_data[i] != 'e' && m_data[i] != 'E')
                continue;
            qsizetype j = i + 1;
            const bool negative = m_data[j] == '-';
            if (m_data[j] == '+' || m_data[j] == '-')
                ++j;
            for (; j < m_pos && exponent < 100000; ++j)
                exponent = exponent * 10 + (m_data[j] - '0');
            if (negative)
                exponent = -exponent;
            break;
        }
        return integerDigits > 0 ? integerDigits + exponent : exponent - leadingFractionZeros;
    }

    const unsigned char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    std::vector<Node> &m_nodes;
};

std::optional<JsonView> JsonView::parse(QByteArrayView text)
{
    // Offsets are 32-bit; answers are capped far below (kMaxAnswerBytes).
    if (text.size() >= std::numeric_limits<qint32>::max())
        return std::nullopt;
    JsonView view;
    view.m_text = text;
    // A typical answer has a few dozen values: one allocation covers them, kept under 1 KiB
    // so that glibc serves it from its per-thread cache (larger requests make it consolidate
    // its free lists, which cost more than this whole parse).
    view.m_nodes.reserve(48);
    Parser parser(text, view.m_nodes);
    if (!parser.document())
        return std::nullopt;
    return view;
}

JsonView::Index JsonView::first(Index container) const
{
    if (container == kNone)
        return kNone;
    const Node &node = m_nodes[static_cast<std::size_t>(container)];
    return node.hasChildren ? container + 1 : kNone;
}

JsonView::Index JsonView::member(Index object, QLatin1StringView key) const
{
    if (!is(object, Kind::Object))
        return kNone;
    Index found = kNone;
    for (Index name = first(object); name != kNone; name = next(next(name))) {
        if (stringEquals(name, key))
            found = next(name);
    }
    return found;
}

bool JsonView::stringEquals(Index value, QLatin1StringView text) const
{
    if (!is(value, Kind::String))
        return false;
    const Node &node = m_nodes[static_cast<std::size_t>(value)];
    if (!node.escaped) {
        // Unescaped ASCII text is its own UTF-8; a non-ASCII byte never equals Latin-1 here
        // unless both are ASCII, so compare bytes only when the text is ASCII. The length
        // first: member() compares every key of an object with the one it looks for.
        if (node.end - node.begin != text.size())
            return false;
        const QByteArrayView bytes = m_text.sliced(node.begin, node.end - node.begin);
        bool ascii = true;
        for (const char c : text)
            ascii = ascii && static_cast<unsigned char>(c) < 0x80;
        if (ascii)
            return bytes == QByteArrayView(text.data(), text.size());
    }
    return string(value) == text;
}

std::optional<QString> JsonView::string(Index value) const
{
    if (!is(value, Kind::String))
        return std::nullopt;
    const Node &node = m_nodes[static_cast<std::size_t>(value)];
    const QByteArrayView bytes = m_text.sliced(node.begin, node.end - node.begin);
    if (!node.escaped)
        return decodeUtf8(bytes);
    QString text;
    text.reserve(bytes.size());
    qsizetype run = 0;
    qsizetype i = 0;
    auto flushRun = [&] {
        if (i > run)
            text += decodeUtf8(bytes.sliced(run, i - run));
    };
    auto unitAt = [&bytes](qsizetype at) {
        return static_cast<char16_t>(
            QByteArrayView(bytes.data() + at, 4).toUShort(nullptr, 16));
    };
    while (i < bytes.size()) {
        if (bytes[i] != '\\') {
            ++i;
            continue;
        }
        flushRun();
        const char kind = bytes[i + 1];
        switch (kind) {
        case 'b':
            text += u'\b';
            break;
        case 'f':
            text += u'\f';
            break;
        case 'n':
            text += u'\n';
            break;
        case 'r':
            text += u'\r';
            break;
        case 't':
            text += u'\t';
            break;
        case 'u':
            // One UTF-16 code unit: a surrogate pair is two escapes, appended in turn.
            text += QChar(unitAt(i + 2));
            i += 4;
            break;
        default: // '"', '\\', '/'
            text += QLatin1Char(kind);
            break;
        }
        i += 2;
        run = i;
    }
    flushRun();
    return text;
}

QString JsonView::decodeUtf8(QByteArrayView utf8)
{
    if (!utf8.startsWith("\xEF\xBB\xBF"))
        return QString::fromUtf8(utf8);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom |
                                                     QStringDecoder::Flag::Stateless);
    return decoder.decode(utf8);
}

std::optional<double> JsonView::number(Index value) const
{
    if (!is(value, Kind::Number))
        return std::nullopt;
    const Node &node = m_nodes[static_cast<std::size_t>(value)];
    double parsed = 0;
    const char *first = m_text.data() + node.begin;
    const std::from_chars_result result = std::from_chars(first, m_text.data() + node.end, parsed);
    // Overflow was refused when parsing; out of range now is an underflow to zero.
    if (result.ec == std::errc::result_out_of_range)
        return 0.0;
    return parsed;
}

} // namespace breakwater

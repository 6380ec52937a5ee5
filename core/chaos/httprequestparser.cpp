#include "httprequestparser.h"

#include <algorithm>
#include <utility>

namespace breakwater {
namespace {

// A chunk-size line carries a hex number and optional extensions; nothing legitimate
// needs more than this, and a bound stops a client from growing m_line forever.
constexpr qsizetype kMaxChunkLineBytes = 4096;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

bool isWhitespace(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView text)
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isWhitespace(text.at(begin)))
        ++begin;
    while (end > begin && isWhitespace(text.at(end - 1)))
        --end;
    return text.sliced(begin, end - begin);
}

/// Calls `visit` with each comma-separated, trimmed, non-empty element of every field `name`.
template <typename Visit>
void forEachListElement(const HttpHeaders &headers, QByteArrayView name, Visit visit)
{
    for (const auto &[fieldName, fieldValue] : headers.fields()) {
        if (fieldName.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &element : fieldValue.split(',')) {
            const QByteArrayView item = trimmed(element);
            if (!item.isEmpty())
                visit(item);
        }
    }
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

HttpRequestParser::HttpRequestParser(HttpLimits limits) : m_limits(limits) {}

qsizetype HttpRequestParser::feed(QByteArrayView data)
{
    qsizetype consumed = 0;
    while (consumed < data.size() && m_state == State::NeedMore) {
        const QByteArrayView rest = data.sliced(consumed);
        switch (m_phase) {
        case Phase::Body:
        case Phase::ChunkData: {
            const qsizetype take = std::min(m_remaining, rest.size());
            m_request.body.append(rest.first(take));
            m_remaining -= take;
            consumed += take;
            if (m_remaining == 0) {
                if (m_phase == Phase::Body)
                    complete();
                else
                    m_phase = Phase::ChunkDataEnd;
            }
            break;
        }
        case Phase::Done:
            return consumed;
        default:
            consumed += feedLine(rest);
            break;
        }
    }
    return consumed;
}

qsizetype HttpRequestParser::feedLine(QByteArrayView data)
{
    const qsizetype newline = data.indexOf('\n');
    const qsizetype take = newline < 0 ? data.size() : newline + 1;
    const bool inHead = m_phase == Phase::RequestLine || m_phase == Phase::Headers;
    if (inHead) {
        m_headBytes += take;
        if (m_headBytes > m_limits.maxHeaderBytes) {
            if (m_phase == Phase::RequestLine)
                fail(414, "request line too long");
            else
                fail(431, "request header fields too large");
            return take;
        }
    } else if (m_phase == Phase::Trailers) {
        m_headBytes += take;
        if (m_headBytes > m_limits.maxHeaderBytes) {
            fail(431, "trailer fields too large");
            return take;
        }
    } else if (m_line.size() + take > kMaxChunkLineBytes) {
        fail(400, "chunk size line too long");
        return take;
    }
    if (newline < 0) {
        m_line.append(data);
        return take;
    }
    m_line.append(data.first(newline));
    if (m_line.endsWith('\r'))
        m_line.chop(1);
    const QByteArray line = std::exchange(m_line, QByteArray());
    processLine(line);
    return take;
}

void HttpRequestParser::processLine(QByteArrayView line)
{
    if (line.contains('\r') || line.contains('\0')) {
        fail(400, "control character in the request head");
        return;
    }
    switch (m_phase) {
    case Phase::RequestLine:
        // RFC 9112 2.2: ignore empty lines before the request line (left over from a
        // previous request's body by some clients).
        if (!line.isEmpty())
            parseRequestLine(line);
        break;
    case Phase::Headers:
        if (line.isEmpty())
            finishHeaders();
        else if (isWhitespace(line.front()))
            fail(400, "obsolete line folding in a header field");
        else
            parseHeaderLine(line);
        break;
    case Phase::ChunkSize:
        parseChunkSize(line);
        break;
    case Phase::ChunkDataEnd:
        if (line.isEmpty())
            m_phase = Phase::ChunkSize;
        else
            fail(400, "chunk data longer than its size");
        break;
    case Phase::Trailers:
        // Trailer fields are read and dropped: nothing here uses them.
        if (line.isEmpty())
            complete();
        else if (!line.contains(':'))
            fail(400, "malformed trailer field");
        break;
    default:
        break;
    }
}

void HttpRequestParser::parseRequestLine(QByteArrayView line)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1) {
        fail(400, "malformed request line");
        return;
    }
    const QByteArrayView method = line.first(firstSpace);
    QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    if (!isToken(method)) {
        fail(400, "malformed request method");
        return;
    }
    if (target.contains(' ') || target.contains('\t')) {
        fail(400, "whitespace in the request target");
        return;
    }
    if (version == "HTTP/1.1") {
        m_request.minorVersion = 1;
    } else if (version == "HTTP/1.0") {
        m_request.minorVersion = 0;
    } else if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.' &&
               hexDigit(version.at(5)) >= 0 && hexDigit(version.at(5)) <= 9 &&
               hexDigit(version.at(7)) >= 0 && hexDigit(version.at(7)) <= 9) {
        fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        return;
    } else {
        fail(400, "malformed HTTP version");
        return;
    }
    // Absolute form (proxies): keep only the path and query.
    if (target.startsWith("http://") || target.startsWith("https://")) {
        const qsizetype authority = target.indexOf("//") + 2;
        const qsizetype pathStart = target.indexOf('/', authority);
        target = pathStart < 0 ? QByteArrayView("/") : target.sliced(pathStart);
    }
    if (!target.startsWith('/') && !(target == "*" && method == "OPTIONS")) {
        fail(400, "malformed request target");
        return;
    }
    const qsizetype question = target.indexOf('?');
    m_request.method = method.toByteArray();
    m_request.path = (question < 0 ? target : target.first(question)).toByteArray();
    m_request.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    m_phase = Phase::Headers;
}

void HttpRequestParser::parseHeaderLine(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon))) {
        fail(400, "malformed header field");
        return;
    }
    if (m_request.headers.fields().size() >= m_limits.maxHeaderCount) {
        fail(431, "too many header fields");
        return;
    }
    m_request.headers.add(line.first(colon).toByteArray(),
                          trimmed(line.sliced(colon + 1)).toByteArray());
}

void HttpRequestParser::finishHeaders()
{
    const HttpHeaders &headers = m_request.headers;
    if (m_request.minorVersion == 1 && !headers.contains("host")) {
        fail(400, "missing Host header");
        return;
    }

    bool chunked = false;
    bool otherCoding = false;
    bool hasTransferEncoding = false;
    forEachListElement(headers, "transfer-encoding", [&](QByteArrayView coding) {
        hasTransferEncoding = true;
        // Only a final "chunked" is understood; anything after chunked or any other
        // coding is refused rather than guessed at.
        if (chunked)
            otherCoding = true;
        if (coding.compare("chunked", Qt::CaseInsensitive) == 0)
            chunked = true;
        else
            otherCoding = true;
    });

    bool hasLength = false;
    bool badLength = false;
    qint64 length = 0;
    forEachListElement(headers, "content-length", [&](QByteArrayView value) {
        bool ok = value.size() <= 18 && std::all_of(value.begin(), value.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
        const qint64 parsed = ok ? value.toLongLong(&ok) : -1;
        if (!ok || (hasLength && parsed != length))
            badLength = true;
        hasLength = true;
        length = parsed;
    });
    if (headers.contains("content-length") && !hasLength)
        badLength = true;

    if (hasTransferEncoding && headers.contains("content-length")) {
        // Both framings at once is how request smuggling works: refuse it.
        fail(400, "both Transfer-Encoding and Content-Length");
        return;
    }
    if (hasTransferEncoding && (otherCoding || !chunked)) {
        fail(501, "unsupported transfer coding");
        return;
    }
    if (badLength) {
        fail(400, "malformed Content-Length");
        return;
    }
    if (length > m_limits.maxBodyBytes) {
        fail(413, "request body too large");
        return;
    }

    bool close = false;
    bool keepAlive = false;
    forEachListElement(headers, "connection", [&](QByteArrayView option) {
        if (option.compare("close", Qt::CaseInsensitive) == 0)
            close = true;
        else if (option.compare("keep-alive", Qt::CaseInsensitive) == 0)
            keepAlive = true;
    });
    m_request.keepAlive = !close && (m_request.minorVersion == 1 || keepAlive);
    m_expectContinue =
        headers.value("expect").compare(QByteArrayView("100-continue"), Qt::CaseInsensitive) == 0;

    if (chunked) {
        m_phase = Phase::ChunkSize;
    } else if (length > 0) {
        m_request.body.reserve(length);
        m_remaining = length;
        m_phase = Phase::Body;
    } else {
        complete();
    }
}

void HttpRequestParser::parseChunkSize(QByteArrayView line)
{
    qsizetype end = 0;
    while (end < line.size() && hexDigit(line.at(end)) >= 0)
        ++end;
    const QByteArrayView rest = trimmed(line.sliced(end));
    if (end == 0 || (!rest.isEmpty() && !rest.startsWith(';'))) {
        fail(400, "malformed chunk size");
        return;
    }
    if (end > 15) {
        fail(413, "request body too large");
        return;
    }
    qint64 size = 0;
    for (qsizetype i = 0; i < end; ++i)
        size = size * 16 + hexDigit(line.at(i));
    if (size == 0) {
        m_phase = Phase::Trailers;
        return;
    }
    if (m_request.body.size() + size > m_limits.maxBodyBytes) {
        fail(413, "request body too large");
        return;
    }
    m_remaining = size;
    m_phase = Phase::ChunkData;
}

bool HttpRequestParser::expectsContinue() const
{
    return m_expectContinue && m_state == State::NeedMore && m_request.body.isEmpty() &&
           (m_phase == Phase::Body || m_phase == Phase::ChunkSize) && m_line.isEmpty();
}

void HttpRequestParser::fail(int status, const char *message)
{
    m_state = State::Error;
    m_phase = Phase::Done;
    m_errorStatus = status;
    m_errorMessage = QByteArray(message);
}

void HttpRequestParser::complete()
{
    m_state = State::Complete;
    m_phase = Phase::Done;
}

HttpServerRequest HttpRequestParser::takeRequest()
{
    HttpServerRequest request = std::move(m_request);
    reset();
    return request;
}

void HttpRequestParser::reset()
{
    m_state = State::NeedMore;
    m_phase = Phase::RequestLine;
    m_request = HttpServerRequest();
    m_line.clear();
    m_headBytes = 0;
    m_remaining = 0;
    m_expectContinue = false;
    m_errorStatus = 0;
    m_errorMessage.clear();
}

} // namespace breakwater

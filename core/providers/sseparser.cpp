#include "sseparser.h"

namespace breakwater {
namespace {

bool isAsciiDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

} // namespace

SseParser::SseParser(qsizetype maxEventBytes) : m_maxEventBytes(maxEventBytes) {}

QList<SseEvent> SseParser::feed(QByteArrayView chunk)
{
    QList<SseEvent> events;
    if (m_failed || chunk.isEmpty())
        return events;

    qsizetype pos = 0;
    const qsizetype size = chunk.size();
    if (m_skipLeadingLf) {
        // The CRLF was split between two chunks: the LF ends no second line.
        m_skipLeadingLf = false;
        if (chunk.at(0) == '\n')
            pos = 1;
    }

    while (pos < size) {
        qsizetype end = pos;
        while (end < size && chunk.at(end) != '\r' && chunk.at(end) != '\n')
            ++end;
        const QByteArrayView segment = chunk.sliced(pos, end - pos);
        if (end == size) {
            // Checked before buffering, so one huge chunk is never copied just to be refused.
            if (checkBound(m_line.size() + segment.size()))
                m_line.append(segment);
            break;
        }

        if (m_line.isEmpty()) {
            // The common case: the whole line is in this chunk, so it is never copied.
            processLine(segment, events);
        } else if (checkBound(m_line.size() + segment.size())) {
            m_line.append(segment);
            processLine(m_line, events);
            m_line.clear();
        }
        if (m_failed)
            break;

        if (chunk.at(end) == '\r') {
            if (end + 1 < size) {
                if (chunk.at(end + 1) == '\n')
                    ++end;
            } else {
                m_skipLeadingLf = true;
            }
        }
        pos = end + 1;
    }
    return events;
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &events)
{
    // Checked on the whole line, however it was chunked, so the verdict never depends on
    // how the bytes arrived; processing a line never grows the buffers beyond it.
    if (!checkBound(line.size()))
        return;
    if (m_atStreamStart) {
        // The spec ignores one UTF-8 byte order mark at the very start of the stream.
        m_atStreamStart = false;
        if (line.startsWith(QByteArrayView("\xEF\xBB\xBF")))
            line = line.sliced(3);
    }

    if (line.isEmpty()) {
        if (m_data.isEmpty()) {
            // An event without any data line is dropped, as the spec says.
            m_eventType.clear();
            return;
        }
        m_data.chop(1); // the '\n' appended after the last data line
        SseEvent event;
        event.type = m_eventType.isEmpty() ? QByteArrayLiteral("message") : m_eventType;
        event.data = m_data;
        event.lastEventId = m_lastEventId;
        events.append(std::move(event));
        m_data.clear();
        m_eventType.clear();
        return;
    }

    if (line.at(0) == ':')
        return; // a comment (servers send them as keep-alives)

    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        processField(line, {});
        return;
    }
    QByteArrayView value = line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    processField(line.first(colon), value);
}

void SseParser::processField(QByteArrayView name, QByteArrayView value)
{
    if (name == "event") {
        m_eventType = value.toByteArray();
    } else if (name == "data") {
        m_data.append(value);
        m_data.append('\n');
    } else if (name == "id") {
        if (!value.contains('\0'))
            m_lastEventId = value.toByteArray();
    } else if (name == "retry") {
        if (isAsciiDigits(value)) {
            bool ok = false;
            const qint64 ms = value.toByteArray().toLongLong(&ok);
            if (ok)
                m_retryMs = ms;
        }
    }
    // Any other field name is ignored, as the spec says.
}

bool SseParser::checkBound(qsizetype pendingLineBytes)
{
    // The last event ID persists across events, so it counts against every one of them.
    if (pendingLineBytes + m_data.size() + m_eventType.size() + m_lastEventId.size() <=
        m_maxEventBytes)
        return true;
    m_failed = true;
    m_error = QStringLiteral("an event exceeds %1 bytes").arg(m_maxEventBytes);
    m_line.clear();
    m_data.clear();
    m_eventType.clear();
    m_lastEventId.clear();
    return false;
}

} // namespace breakwater

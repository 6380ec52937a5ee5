#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <optional>

namespace breakwater {

/// One dispatched Server-Sent Event. Fields stay UTF-8 bytes: the adapters hand `data` straight
/// to the JSON parser, which rejects invalid UTF-8 itself.
struct SseEvent {
    /// The `event` field; "message" when the event set none (or set it empty).
    QByteArray type;
    /// The `data` lines joined with '\n'.
    QByteArray data;
    /// The last event ID at dispatch time (it persists across events, as the spec says).
    QByteArray lastEventId;

    friend bool operator==(const SseEvent &a, const SseEvent &b)
    {
        return a.type == b.type && a.data == b.data && a.lastEventId == b.lastEventId;
    }
};

/// An incremental `text/event-stream` parser following the WHATWG HTML "event stream
/// interpretation" rules: accepts any chunking and CRLF, LF or CR line ends, and bounds what
/// one event may hold (each line plus the data, event type and id held with it must fit in
/// `maxEventBytes`) so a server cannot make it grow without limit.
class SseParser final {
public:
    static constexpr qsizetype kDefaultMaxEventBytes = 8 * 1024 * 1024;

    explicit SseParser(qsizetype maxEventBytes = kDefaultMaxEventBytes);

    /// Consumes `chunk` and returns the events it completed, in order. After an overflow the
    /// parser has failed: this and every later call return nothing more.
    QList<SseEvent> feed(QByteArrayView chunk);

    /// Whether an event outgrew the limit; the stream cannot be trusted after that.
    bool hasFailed() const { return m_failed; }
    /// Why the parser failed; empty while it has not.
    QString errorString() const { return m_error; }
    /// The last valid `retry` field, in milliseconds.
    std::optional<qint64> reconnectionTimeMs() const { return m_retryMs; }

private:
    void processLine(QByteArrayView line, QList<SseEvent> &events);
    void processField(QByteArrayView name, QByteArrayView value);
    bool checkBound(qsizetype pendingLineBytes);

    qsizetype m_maxEventBytes;
    QByteArray m_line;
    QByteArray m_eventType;
    QByteArray m_data;
    QByteArray m_lastEventId;
    std::optional<qint64> m_retryMs;
    QString m_error;
    /// The previous chunk ended in CR: a LF opening this one belongs to the same line end.
    bool m_skipLeadingLf = false;
    bool m_atStreamStart = true;
    bool m_failed = false;
};

} // namespace breakwater

#pragma once

#include "chaos/httpmessage.h"

#include <QByteArray>
#include <QByteArrayView>

namespace breakwater {

/// Size limits of the chaos server's HTTP layer (qBittorrent-style named limits).
struct HttpLimits {
    /// Request line plus header fields, in bytes (over it: 431, or 414 for the line alone).
    qsizetype maxHeaderBytes = 64 * 1024;
    /// Header fields in one request (over it: 431).
    int maxHeaderCount = 100;
    /// A request body, after de-chunking (over it: 413).
    qsizetype maxBodyBytes = 8 * 1024 * 1024;
};

/// An incremental HTTP/1.x request parser. feed() takes bytes as they come off the socket,
/// split anywhere, and stops at the end of one request so that pipelined requests stay in
/// the caller's buffer for the next round.
class HttpRequestParser final {
public:
    enum class State {
        NeedMore, ///< the request is not complete yet
        Complete, ///< request() is ready; call reset() before the next request
        Error,    ///< the request is unusable: answer errorStatus() and close
    };

    explicit HttpRequestParser(HttpLimits limits = {});

    /// Consumes bytes of the current request from the front of `data`; returns how many it
    /// took. Stops early once the request is complete or broken.
    qsizetype feed(QByteArrayView data);
    State state() const { return m_state; }
    /// True between the end of the header of a request with `Expect: 100-continue` and the
    /// first body byte: the server should send `100 Continue` once.
    bool expectsContinue() const;
    /// The header block has been read (used to tell a stalled body from an idle connection).
    bool inProgress() const { return m_phase != Phase::RequestLine || !m_line.isEmpty(); }
    const HttpServerRequest &request() const { return m_request; }
    HttpServerRequest takeRequest();
    /// 400, 413, 414, 431, 501 or 505 once state() is Error.
    int errorStatus() const { return m_errorStatus; }
    /// What was wrong, for the error body.
    const QByteArray &errorMessage() const { return m_errorMessage; }
    /// Forgets the current request and waits for the next.
    void reset();

private:
    enum class Phase {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Done,
    };

    qsizetype feedLine(QByteArrayView data);
    void processLine(QByteArrayView line);
    void parseRequestLine(QByteArrayView line);
    void parseHeaderLine(QByteArrayView line);
    void finishHeaders();
    void parseChunkSize(QByteArrayView line);
    void fail(int status, const char *message);
    void complete();

    HttpLimits m_limits;
    State m_state = State::NeedMore;
    Phase m_phase = Phase::RequestLine;
    HttpServerRequest m_request;
    QByteArray m_line;
    qsizetype m_headBytes = 0;
    qsizetype m_remaining = 0; // body or chunk bytes still to read
    bool m_expectContinue = false;
    int m_errorStatus = 0;
    QByteArray m_errorMessage;
};

} // namespace breakwater

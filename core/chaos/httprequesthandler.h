#pragma once

#include "chaos/httpmessage.h"

#include <functional>
#include <memory>
#include <utility>

namespace breakwater {

/// How a handler answers one request, now or later. A streamed response uses chunked
/// transfer coding for HTTP/1.1 clients and a close-delimited body for HTTP/1.0 ones.
/// Every method is a no-op once the connection is gone or the response is finished.
class HttpResponder {
public:
    virtual ~HttpResponder() = default;
    /// Sends a complete response; Content-Length (and Connection) are set here.
    virtual void respond(const HttpServerResponse &response) = 0;
    /// Sends the head of `response` with the Content-Length of its whole body, then only
    /// the first `bytes` of the body: the client waits for the rest, which never comes
    /// (close() or abort() can end it later).
    virtual void respondPartially(const HttpServerResponse &response, qsizetype bytes) = 0;
    /// Sends the status line and headers of a streamed response.
    virtual void beginStream(int status, const HttpHeaders &headers) = 0;
    /// Sends one piece of a streamed body (one chunk); empty data is ignored.
    virtual void writeChunk(const QByteArray &data) = 0;
    /// Ends a streamed body properly (the last, empty chunk).
    virtual void endStream() = 0;
    /// Closes the connection gracefully (FIN) now, whatever was sent: a truncated answer.
    virtual void close() = 0;
    /// Resets the connection (RST): the client sees "connection reset by peer".
    virtual void abort() = 0;
    /// Whether the connection is still there and this response can still be written.
    virtual bool isOpen() const = 0;
    /// `callback` runs once if the connection goes away before the response is finished
    /// (the client hung up, or the server closed it): stop any timer that would write more.
    virtual void onClosed(std::function<void()> callback) = 0;
};

/// What an HttpResponder keeps of onClosed(): the callback, run at most once, and only for an
/// answer the connection took away unfinished.
class ClosedCallback {
public:
    void set(std::function<void()> callback) { m_callback = std::move(callback); }
    /// The connection is gone: runs the callback if the answer was `unfinished`, then forgets
    /// it either way.
    void connectionGone(bool unfinished)
    {
        const auto callback = std::exchange(m_callback, nullptr);
        if (unfinished && callback)
            callback();
    }

private:
    std::function<void()> m_callback;
};

/// Answers requests. Pure logic: tests call it with a recording responder, no sockets.
class HttpRequestHandler {
public:
    virtual ~HttpRequestHandler() = default;
    /// Called once per request, in arrival order per connection; the next request on the
    /// same connection waits until this one's response is finished. Keep `responder` to
    /// answer later; dropping it without answering leaves the request unanswered.
    virtual void handleRequest(const HttpServerRequest &request,
                               std::shared_ptr<HttpResponder> responder) = 0;
};

} // namespace breakwater

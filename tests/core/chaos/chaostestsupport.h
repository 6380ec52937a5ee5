#pragma once

// Helpers shared by the chaos server's tests (header-only; not a test itself).

#include "chaos/chaoswire.h"
#include "chaos/httprequesthandler.h"

#include <QByteArray>
#include <QList>
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

namespace breakwater::test {

/// A responder that records what the handler told it, for socket-free handler tests.
class RecordingResponder final : public HttpResponder {
public:
    enum class End { None, Responded, StreamEnded, Closed, Aborted };

    void respond(const HttpServerResponse &response) override
    {
        if (end != End::None || streaming || partial)
            return;
        status = response.status;
        headers = response.headers;
        body = response.body;
        end = End::Responded;
    }
    void respondPartially(const HttpServerResponse &response, qsizetype bytes) override
    {
        if (end != End::None || streaming || partial)
            return;
        status = response.status;
        headers = response.headers;
        body = response.body.left(bytes);
        fullBodySize = response.body.size();
        partial = true;
    }
    void beginStream(int streamStatus, const HttpHeaders &streamHeaders) override
    {
        if (end != End::None || streaming || partial)
            return;
        status = streamStatus;
        headers = streamHeaders;
        streaming = true;
    }
    void writeChunk(const QByteArray &data) override
    {
        if (end == End::None && streaming)
            body += data;
    }
    void endStream() override
    {
        if (end == End::None && streaming)
            end = End::StreamEnded;
    }
    void close() override
    {
        if (end == End::None || partial)
            end = End::Closed;
    }
    void abort() override { end = End::Aborted; }
    bool isOpen() const override { return end == End::None; }
    void onClosed(std::function<void()> callback) override { closedCallback = std::move(callback); }

    /// The client goes away: the close callback runs as the HTTP layer would run it.
    void hangUp()
    {
        const bool unfinished = end == End::None;
        end = End::Closed;
        if (unfinished && closedCallback) {
            const auto callback = std::exchange(closedCallback, nullptr);
            callback();
        }
    }

    nlohmann::json json() const
    {
        return nlohmann::json::parse(body.constBegin(), body.constEnd(), nullptr, false);
    }

    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    qsizetype fullBodySize = 0;
    bool streaming = false;
    bool partial = false;
    End end = End::None;
    std::function<void()> closedCallback;
};

/// A request as the HTTP layer hands it over.
inline HttpServerRequest makeRequest(const QByteArray &method, const QByteArray &path,
                                     const QByteArray &body = {}, const HttpHeaders &headers = {})
{
    HttpServerRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.headers = headers;
    request.headers.add("host", "127.0.0.1");
    return request;
}

inline QByteArray jsonBody(const nlohmann::json &json)
{
    return QByteArray::fromStdString(json.dump());
}

inline nlohmann::json anthropicBody(const std::string &model, const std::string &prompt,
                                    bool stream = false, int maxTokens = 1024)
{
    nlohmann::json body = {{"model", model},
                           {"max_tokens", maxTokens},
                           {"messages", {{{"role", "user"}, {"content", prompt}}}}};
    if (stream)
        body["stream"] = true;
    return body;
}

inline nlohmann::json openAiBody(const std::string &model, const std::string &prompt,
                                 bool stream = false, bool includeUsage = false)
{
    nlohmann::json body = {{"model", model},
                           {"messages", {{{"role", "user"}, {"content", prompt}}}}};
    if (stream)
        body["stream"] = true;
    if (includeUsage)
        body["stream_options"] = {{"include_usage", true}};
    return body;
}

/// A chat request in `format` for `model`.
inline HttpServerRequest chatRequest(WireFormat format, const std::string &model,
                                     const std::string &prompt, bool stream = false,
                                     const HttpHeaders &headers = {})
{
    if (format == WireFormat::Anthropic)
        return makeRequest("POST", "/v1/messages", jsonBody(anthropicBody(model, prompt, stream)),
                           headers);
    return makeRequest("POST", "/v1/chat/completions", jsonBody(openAiBody(model, prompt, stream)),
                       headers);
}

/// The same request as raw HTTP/1.1 bytes.
inline QByteArray rawRequest(const HttpServerRequest &request, bool close = false)
{
    QByteArray out = request.method + ' ' + request.path + " HTTP/1.1\r\n";
    for (const auto &[name, value] : request.headers.fields())
        out += name + ": " + value + "\r\n";
    if (!request.body.isEmpty() || request.method == "POST" || request.method == "PUT")
        out += "Content-Length: " + QByteArray::number(request.body.size()) + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n" + request.body;
    return out;
}

/// One server-sent event.
struct SseEvent {
    QByteArray event;
    QByteArray data;
};

/// Splits an SSE body into events (a trailing partial event is dropped).
inline QList<SseEvent> parseSse(const QByteArray &body)
{
    QList<SseEvent> events;
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = body.indexOf("\n\n", start);
        if (end < 0)
            break;
        SseEvent event;
        for (const QByteArray &line : body.mid(start, end - start).split('\n')) {
            if (line.startsWith("event: "))
                event.event = line.mid(7);
            else if (line.startsWith("data: "))
                event.data += line.mid(6);
        }
        events.append(event);
        start = end + 2;
    }
    return events;
}

/// An HTTP response read back from raw bytes.
struct RawResponse {
    bool headComplete = false;
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    /// The body is complete per its framing (Content-Length reached, or the last chunk seen).
    bool bodyComplete = false;
    bool chunked = false;
    /// Bytes after this response (pipelined responses).
    QByteArray rest;
};

inline RawResponse parseRawResponse(const QByteArray &raw)
{
    RawResponse response;
    const qsizetype headEnd = raw.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return response;
    response.headComplete = true;
    const QList<QByteArray> lines = raw.left(headEnd).split('\n');
    response.status = lines.front().mid(9, 3).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            response.headers.add(line.left(colon), line.mid(colon + 1).trimmed());
    }
    QByteArray rest = raw.mid(headEnd + 4);
    if (response.headers.value("transfer-encoding") == "chunked") {
        response.chunked = true;
        for (;;) {
            const qsizetype lineEnd = rest.indexOf("\r\n");
            if (lineEnd < 0)
                break;
            bool ok = false;
            const qsizetype size = rest.left(lineEnd).toLongLong(&ok, 16);
            if (!ok || rest.size() < lineEnd + 2 + size + 2)
                break;
            if (size == 0) {
                response.bodyComplete = true;
                rest = rest.mid(lineEnd + 4);
                break;
            }
            response.body += rest.mid(lineEnd + 2, size);
            rest = rest.mid(lineEnd + 2 + size + 2);
        }
        response.rest = rest;
    } else if (response.headers.contains("content-length")) {
        const qsizetype length = response.headers.value("content-length").toLongLong();
        response.body = rest.left(length);
        response.bodyComplete = rest.size() >= length;
        response.rest = rest.mid(length);
    } else {
        response.body = rest;
    }
    return response;
}

/// A plain non-blocking POSIX TCP client: unlike QTcpSocket it tells a reset (ECONNRESET)
/// from an orderly close (EOF), and it never reads behind the test's back.
class RawClient {
public:
    RawClient() = default;
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;
    ~RawClient() { disconnect(); }

    bool connectTo(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (m_fd < 0)
            return false;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Loopback connects complete in the kernel's backlog, before the server accepts.
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0)
            return false;
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        return true;
    }

    bool send(const QByteArray &bytes)
    {
        qsizetype sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(m_fd, bytes.constData() + sent,
                                     static_cast<size_t>(bytes.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }

    /// Reads whatever has arrived; returns true (for QTRY_VERIFY) when anything changed.
    bool poll()
    {
        bool changed = false;
        char buffer[65536];
        while (m_fd >= 0 && !eof && !reset) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n > 0) {
                received.append(buffer, n);
                changed = true;
            } else if (n == 0) {
                eof = true;
                changed = true;
            } else if (errno == ECONNRESET) {
                reset = true;
                changed = true;
            } else {
                break; // EAGAIN: nothing more for now
            }
        }
        return changed;
    }

    /// poll(), then the response parsed so far.
    RawResponse response()
    {
        poll();
        return parseRawResponse(received);
    }

    void disconnect()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    QByteArray received;
    bool eof = false;
    bool reset = false;

private:
    int m_fd = -1;
};

} // namespace breakwater::test

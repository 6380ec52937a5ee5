#include "httpconnection.h"

#include "chaos/httprequesthandler.h"

#include <QTcpSocket>
#include <sys/socket.h>
#include <utility>

namespace breakwater {
namespace {

// Bytes of pipelined requests held while one is being answered; beyond it the socket is
// left unread so that TCP flow control slows the client down.
constexpr qsizetype kPipelineBufferBytes = 256 * 1024;
constexpr qint64 kSocketReadBufferBytes = 64 * 1024;

bool isFramingHeader(const QByteArray &name)
{
    return name.compare("content-length", Qt::CaseInsensitive) == 0 ||
           name.compare("transfer-encoding", Qt::CaseInsensitive) == 0 ||
           name.compare("connection", Qt::CaseInsensitive) == 0;
}

void appendHead(QByteArray &out, int status, const HttpHeaders &headers)
{
    out += QByteArrayLiteral("HTTP/1.1 ");
    out += QByteArray::number(status);
    out += ' ';
    out += httpReasonPhrase(status);
    out += QByteArrayLiteral("\r\n");
    for (const auto &[name, value] : headers.fields()) {
        if (isFramingHeader(name))
            continue;
        out += name;
        out += QByteArrayLiteral(": ");
        out += value;
        out += QByteArrayLiteral("\r\n");
    }
}

bool asksToClose(const HttpHeaders &headers)
{
    return headers.value("connection").compare(QByteArrayView("close"), Qt::CaseInsensitive) == 0;
}

} // namespace

/// The responder of one request on one connection.
class HttpExchange final : public HttpResponder, public std::enable_shared_from_this<HttpExchange> {
public:
    HttpExchange(HttpConnection *connection, const HttpServerRequest &request)
        : m_connection(connection), m_headRequest(request.method == "HEAD"),
          m_chunked(request.minorVersion >= 1), m_oldClient(request.minorVersion == 0),
          m_keepAlive(request.keepAlive)
    {}

    void respond(const HttpServerResponse &response) override
    {
        if (!m_connection || m_phase != Phase::Waiting)
            return;
        const auto keep = shared_from_this();
        const bool keepAlive = m_keepAlive && !asksToClose(response.headers);
        QByteArray out;
        out.reserve(256 + response.body.size());
        appendHead(out, response.status, response.headers);
        appendFraming(out, keepAlive);
        out += QByteArrayLiteral("Content-Length: ");
        out += QByteArray::number(response.body.size());
        out += QByteArrayLiteral("\r\n\r\n");
        if (!m_headRequest)
            out += response.body;
        m_phase = Phase::Done;
        m_connection->write(out);
        m_connection->exchangeFinished(keepAlive);
    }

    void respondPartially(const HttpServerResponse &response, qsizetype bytes) override
    {
        if (!m_connection || m_phase != Phase::Waiting)
            return;
        QByteArray out;
        appendHead(out, response.status, response.headers);
        appendFraming(out, m_keepAlive);
        out += QByteArrayLiteral("Content-Length: ");
        out += QByteArray::number(response.body.size());
        out += QByteArrayLiteral("\r\n\r\n");
        if (!m_headRequest)
            out += response.body.left(std::max<qsizetype>(0, bytes));
        m_phase = Phase::Partial;
        m_connection->write(out);
    }

    void beginStream(int status, const HttpHeaders &headers) override
    {
        if (!m_connection || m_phase != Phase::Waiting)
            return;
        QByteArray out;
        appendHead(out, status, headers);
        if (m_chunked) {
            appendFraming(out, m_keepAlive && !asksToClose(headers));
            out += QByteArrayLiteral("Transfer-Encoding: chunked\r\n");
        } else {
            // HTTP/1.0 has no chunked coding: the end of the body is the end of the
            // connection.
            out += QByteArrayLiteral("Connection: close\r\n");
        }
        out += QByteArrayLiteral("\r\n");
        m_streamKeepAlive = m_chunked && m_keepAlive && !asksToClose(headers);
        m_phase = Phase::Streaming;
        m_connection->write(out);
    }

    void writeChunk(const QByteArray &data) override
    {
        if (!m_connection || m_phase != Phase::Streaming || data.isEmpty() || m_headRequest)
            return;
        if (!m_chunked) {
            m_connection->write(data);
            return;
        }
        QByteArray out;
        out.reserve(data.size() + 16);
        out += QByteArray::number(data.size(), 16);
        out += QByteArrayLiteral("\r\n");
        out += data;
        out += QByteArrayLiteral("\r\n");
        m_connection->write(out);
    }

    void endStream() override
    {
        if (!m_connection || m_phase != Phase::Streaming)
            return;
        const auto keep = shared_from_this();
        m_phase = Phase::Done;
        if (m_chunked && !m_headRequest)
            m_connection->write(QByteArrayLiteral("0\r\n\r\n"));
        if (m_chunked)
            m_connection->exchangeFinished(m_streamKeepAlive);
        else
            m_connection->closeGracefully();
    }

    void close() override
    {
        if (!m_connection)
            return;
        const auto keep = shared_from_this();
        m_phase = Phase::Done;
        m_connection->closeGracefully();
    }

    void abort() override
    {
        if (!m_connection)
            return;
        const auto keep = shared_from_this();
        m_phase = Phase::Done;
        m_connection->abortConnection();
    }

    bool isOpen() const override { return m_connection && m_phase != Phase::Done; }

    void onClosed(std::function<void()> callback) override { m_onClosed.set(std::move(callback)); }

    /// The connection is going away; runs the close callback if the answer was unfinished.
    void detach()
    {
        m_connection = nullptr;
        const bool unfinished = m_phase != Phase::Done;
        m_phase = Phase::Done;
        m_onClosed.connectionGone(unfinished);
    }

private:
    enum class Phase { Waiting, Partial, Streaming, Done };

    void appendFraming(QByteArray &out, bool keepAlive) const
    {
        if (!keepAlive)
            out += QByteArrayLiteral("Connection: close\r\n");
        else if (m_oldClient)
            out += QByteArrayLiteral("Connection: keep-alive\r\n");
    }

    HttpConnection *m_connection;
    bool m_headRequest;
    bool m_chunked;
    bool m_oldClient;
    bool m_keepAlive;
    bool m_streamKeepAlive = false;
    Phase m_phase = Phase::Waiting;
    ClosedCallback m_onClosed;
};

HttpConnection::HttpConnection(QTcpSocket *socket, HttpRequestHandler &handler, Clock &clock,
                               const HttpLimits &limits, Millis idleTimeout, QObject *parent)
    : QObject(parent), m_socket(socket), m_handler(handler), m_limits(limits),
      m_idleTimeout(idleTimeout), m_parser(limits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kSocketReadBufferBytes);
    // SSE events are small and must leave at once, not wait for Nagle.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_idleTimer = clock.createTimer([this] { onIdleTimeout(); });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readFromSocket);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::shutDown);
    armIdleTimer();
    // Bytes may have arrived before the signal was connected.
    if (m_socket->bytesAvailable() > 0)
        readFromSocket();
}

HttpConnection::~HttpConnection()
{
    m_closed = true;
    if (m_current)
        std::exchange(m_current, nullptr)->detach();
}

void HttpConnection::readFromSocket()
{
    if (m_closed || m_closing)
        return;
    if (m_current && m_buffer.size() >= kPipelineBufferBytes)
        return;
    const QByteArray incoming = m_socket->readAll();
    if (incoming.isEmpty())
        return;
    m_buffer.append(incoming);
    if (!m_current)
        armIdleTimer();
    processBuffer();
}

void HttpConnection::processBuffer()
{
    if (m_processing)
        return;
    m_processing = true;
    while (!m_closing && !m_closed && !m_current && !m_buffer.isEmpty()) {
        const qsizetype used = m_parser.feed(m_buffer);
        m_buffer.remove(0, used);
        switch (m_parser.state()) {
        case HttpRequestParser::State::NeedMore:
            if (m_parser.expectsContinue() && !m_continueSent) {
                m_continueSent = true;
                write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
            }
            break;
        case HttpRequestParser::State::Error:
            rejectRequest(m_parser.errorStatus(), m_parser.errorMessage());
            break;
        case HttpRequestParser::State::Complete:
            m_continueSent = false;
            startExchange(m_parser.takeRequest());
            break;
        }
    }
    m_processing = false;
}

void HttpConnection::startExchange(HttpServerRequest request)
{
    m_idleTimer->stop();
    m_current = std::make_shared<HttpExchange>(this, request);
    m_handler.handleRequest(request, m_current);
}

void HttpConnection::exchangeFinished(bool keepAlive)
{
    if (!m_current)
        return;
    m_current.reset();
    if (!keepAlive) {
        closeGracefully();
        return;
    }
    armIdleTimer();
    if (m_processing)
        return; // the loop in processBuffer() goes on with the next request
    processBuffer();
    // Reading may have paused while the pipeline buffer was full.
    if (!m_current && m_socket->bytesAvailable() > 0)
        readFromSocket();
}

void HttpConnection::rejectRequest(int status, const QByteArray &message)
{
    QByteArray body =
        QByteArrayLiteral("{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"");
    body += message;
    body += QByteArrayLiteral("\"}}");
    QByteArray out;
    appendHead(out, status, HttpHeaders{{"content-type", "application/json"}});
    out += QByteArrayLiteral("Connection: close\r\nContent-Length: ");
    out += QByteArray::number(body.size());
    out += QByteArrayLiteral("\r\n\r\n");
    out += body;
    write(out);
    closeGracefully();
}

void HttpConnection::write(const QByteArray &bytes)
{
    if (!m_closed && !m_closing)
        m_socket->write(bytes);
}

void HttpConnection::armIdleTimer()
{
    if (!m_closed && m_idleTimeout > Millis(0))
        m_idleTimer->start(m_idleTimeout);
}

void HttpConnection::onIdleTimeout()
{
    if (!m_current)
        closeGracefully();
}

void HttpConnection::closeGracefully()
{
    if (m_closed || m_closing)
        return;
    m_closing = true;
    m_idleTimer->stop();
    if (m_current)
        std::exchange(m_current, nullptr)->detach();
    m_buffer.clear();
    // Flushes what is queued, then FIN.
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        shutDown();
}

void HttpConnection::abortConnection()
{
    if (m_closed)
        return;
    // Linger on with a zero timeout: close() then sends RST instead of FIN, which is what
    // "connection reset by peer" means to the client.
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor >= 0) {
        linger option{};
        option.l_onoff = 1;
        option.l_linger = 0;
        ::setsockopt(static_cast<int>(descriptor), SOL_SOCKET, SO_LINGER, &option, sizeof(option));
    }
    m_closing = true;
    m_socket->abort();
    shutDown();
}

void HttpConnection::shutDown()
{
    if (m_closed)
        return;
    m_closed = true;
    m_closing = true;
    m_idleTimer->stop();
    if (m_current)
        std::exchange(m_current, nullptr)->detach();
    Q_EMIT finished();
}

} // namespace breakwater

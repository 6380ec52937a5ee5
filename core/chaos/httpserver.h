#pragma once

#include "chaos/httprequestparser.h"
#include "common/clock.h"

#include <QHostAddress>
#include <QSet>
#include <QTcpServer>

namespace breakwater {

class HttpConnection;
class HttpRequestHandler;

/// The chaos server's connection limits.
struct HttpServerOptions {
    HttpLimits limits;
    /// A connection that waits this long for (the rest of) a request is closed; a request
    /// being answered, however slowly, never times out here.
    Millis idleTimeout{15000};
    /// Connections beyond this are closed as soon as they are accepted.
    int maxConnections = 10000;
    /// Pending connections the kernel queues before accept (Qt's default of 50 drops SYNs
    /// when a load generator opens hundreds at once).
    int listenBacklog = 1024;
};

/// A small HTTP/1.1 server on QTcpServer: keep-alive, pipelining, Content-Length and chunked
/// request bodies, size limits, and responses that can be delayed, streamed over time,
/// stalled, cut or reset (what Qt HttpServer 6.4 cannot do). What to answer is decided by
/// an HttpRequestHandler; this class only moves bytes.
class HttpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    /// `handler` and `clock` must outlive the server.
    HttpServer(HttpRequestHandler &handler, Clock &clock, HttpServerOptions options = {},
               QObject *parent = nullptr);
    ~HttpServer() override;

    /// Listens on `address` (loopback by default) and `port` (0: a free one, see
    /// serverPort()). False with errorString() set when it cannot.
    bool listenOn(quint16 port = 0, const QHostAddress &address = QHostAddress::LocalHost);
    /// Open client connections.
    int connectionCount() const { return static_cast<int>(m_connections.size()); }
    /// Resets every open connection (used on shutdown and by tests).
    void abortAllConnections();

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    HttpRequestHandler &m_handler;
    Clock &m_clock;
    HttpServerOptions m_options;
    QSet<HttpConnection *> m_connections;
};

} // namespace breakwater

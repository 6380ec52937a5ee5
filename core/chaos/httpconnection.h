#pragma once

#include "chaos/httprequestparser.h"
#include "common/clock.h"

#include <QObject>
#include <memory>

class QTcpSocket;

namespace breakwater {

class HttpExchange;
class HttpRequestHandler;

/// One client connection of HttpServer: reads requests one after the other (pipelined ones
/// wait their turn), hands each to the handler and writes what its responder is told to.
/// Internal to the HTTP layer.
class HttpConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    /// Takes ownership of the connected `socket`.
    HttpConnection(QTcpSocket *socket, HttpRequestHandler &handler, Clock &clock,
                   const HttpLimits &limits, Millis idleTimeout, QObject *parent = nullptr);
    ~HttpConnection() override;

    /// Resets the connection (RST).
    void abortConnection();

    // Used by HttpExchange, the responder of the request being answered.
    void write(const QByteArray &bytes);
    void exchangeFinished(bool keepAlive);
    void closeGracefully();

Q_SIGNALS:
    /// The connection is closed; emitted once. The server deletes it afterwards.
    void finished();

private:
    void readFromSocket();
    void processBuffer();
    void startExchange(HttpServerRequest request);
    void rejectRequest(int status, const QByteArray &message);
    void armIdleTimer();
    void onIdleTimeout();
    void shutDown();

    QTcpSocket *m_socket;
    HttpRequestHandler &m_handler;
    HttpLimits m_limits;
    Millis m_idleTimeout;
    HttpRequestParser m_parser;
    QByteArray m_buffer;
    std::shared_ptr<HttpExchange> m_current;
    std::unique_ptr<Timer> m_idleTimer;
    bool m_continueSent = false;
    bool m_processing = false;
    bool m_closing = false;
    bool m_closed = false;
};

} // namespace breakwater

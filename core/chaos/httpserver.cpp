#include "httpserver.h"

#include "chaos/httpconnection.h"

#include <QTcpSocket>
#include <utility>

namespace breakwater {

HttpServer::HttpServer(HttpRequestHandler &handler, Clock &clock, HttpServerOptions options,
                       QObject *parent)
    : QTcpServer(parent), m_handler(handler), m_clock(clock), m_options(options)
{}

HttpServer::~HttpServer()
{
    close();
    // Delete connections before the members they use go away; each one detaches the
    // response it was writing, so a handler holding it sees a closed responder.
    const QSet<HttpConnection *> connections = std::exchange(m_connections, {});
    for (HttpConnection *connection : connections) {
        connection->disconnect(this);
        delete connection;
    }
}

bool HttpServer::listenOn(quint16 port, const QHostAddress &address)
{
    setListenBacklogSize(m_options.listenBacklog);
    return listen(address, port);
}

void HttpServer::abortAllConnections()
{
    const QSet<HttpConnection *> connections = m_connections;
    for (HttpConnection *connection : connections)
        connection->abortConnection();
}

void HttpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (connectionCount() >= m_options.maxConnections) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    auto *connection = new HttpConnection(socket, m_handler, m_clock, m_options.limits,
                                          m_options.idleTimeout, this);
    m_connections.insert(connection);
    connect(connection, &HttpConnection::finished, this, [this, connection] {
        m_connections.remove(connection);
        connection->deleteLater();
    });
}

} // namespace breakwater

#include "chaosserver.h"

namespace breakwater {

ChaosServer::ChaosServer(Clock &clock, std::uint64_t seed, ChaosProfile profile,
                         HttpServerOptions options, ChaosRequestHandler::WallClock wallClock,
                         QObject *parent)
    : QObject(parent),
      m_controller(std::make_unique<ChaosController>(clock, seed, std::move(profile))),
      m_handler(std::make_unique<ChaosRequestHandler>(*m_controller, std::move(wallClock))),
      m_http(std::make_unique<HttpServer>(*m_handler, clock, options))
{}

ChaosServer::~ChaosServer()
{
    m_http.reset();
    m_handler.reset();
}

bool ChaosServer::listen(quint16 port, const QHostAddress &address)
{
    return m_http->listenOn(port, address);
}

void ChaosServer::close()
{
    m_http->close();
}

bool ChaosServer::isListening() const
{
    return m_http->isListening();
}

QString ChaosServer::errorString() const
{
    return m_http->errorString();
}

quint16 ChaosServer::port() const
{
    return m_http->isListening() ? m_http->serverPort() : 0;
}

QUrl ChaosServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QHostAddress address = m_http->serverAddress();
    url.setHost(address.isNull() || address == QHostAddress::Any || address == QHostAddress::AnyIPv4
                    ? QStringLiteral("127.0.0.1")
                    : address.toString());
    url.setPort(port());
    return url;
}

} // namespace breakwater

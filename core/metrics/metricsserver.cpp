#include "metricsserver.h"

#include "metrics/metricsregistry.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>

namespace breakwater {

MetricsServer::MetricsServer(const MetricsRegistry &registry, QObject *parent)
    : QObject(parent), m_registry(registry), m_server(std::make_unique<QHttpServer>())
{
    m_server->route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this] {
        return QHttpServerResponse(MetricsRegistry::contentType, m_registry.render());
    });
    m_server->setMissingHandler([](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        responder.write(QByteArrayLiteral("not found; metrics are at /metrics\n"),
                        QByteArrayLiteral("text/plain; charset=utf-8"),
                        QHttpServerResponder::StatusCode::NotFound);
    });
}

MetricsServer::~MetricsServer() = default;

quint16 MetricsServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_port != 0)
        return 0;
    m_port = m_server->listen(address, port);
    if (m_port != 0)
        m_address = address;
    return m_port;
}

QUrl MetricsServer::url() const
{
    if (m_port == 0)
        return {};
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_address.toString());
    url.setPort(m_port);
    url.setPath(QStringLiteral("/metrics"));
    return url;
}

} // namespace breakwater

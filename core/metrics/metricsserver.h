#pragma once

#include <QHostAddress>
#include <QObject>
#include <QUrl>
#include <memory>

class QHttpServer;

namespace breakwater {

class MetricsRegistry;

/// Serves `GET /metrics` (Prometheus text format 0.0.4) from a registry; every other path is
/// 404. Built on QHttpServer, which handles keep-alive and request parsing: a scrape is a
/// complete response, exactly what it is made for. Lives in the thread that created it;
/// rendering takes the registry's lock, so the engine may keep updating it meanwhile.
class MetricsServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsServer)

public:
    explicit MetricsServer(const MetricsRegistry &registry, QObject *parent = nullptr);
    ~MetricsServer() override;

    /// Starts listening (loopback by default; port 0 picks a free port). Returns the bound
    /// port, or 0 when it could not listen (already listening counts as failure).
    quint16 listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost),
                   quint16 port = 0);
    /// The bound port; 0 before a successful listen().
    quint16 port() const { return m_port; }
    /// `http://<address>:<port>/metrics`; empty before a successful listen().
    QUrl url() const;

private:
    const MetricsRegistry &m_registry;
    std::unique_ptr<QHttpServer> m_server;
    QHostAddress m_address;
    quint16 m_port = 0;
};

} // namespace breakwater

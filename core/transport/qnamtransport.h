#pragma once

#include "transport/transport.h"

#include <QNetworkAccessManager>

#include <memory>
#include <vector>

namespace breakwater {

/// The production transport over QNetworkAccessManager, used from the thread that created
/// it. Qt 6.4 opens at most 6 connections per host and manager and cannot be told otherwise
/// (QHttp1Configuration is 6.5), so `managers` managers are kept and each request goes to the
/// least busy: N managers give 6·N concurrent requests to one host. Streams the body as it
/// arrives; never follows redirects; timeouts are the engine's job.
class QnamTransport final : public Transport {
public:
    explicit QnamTransport(int managers = 1);
    QnamTransport(const QnamTransport &) = delete;
    QnamTransport &operator=(const QnamTransport &) = delete;
    ~QnamTransport() override;

    std::unique_ptr<TransportRequest> send(const HttpRequest &request,
                                           TransportCallbacks callbacks) override;

    int managerCount() const { return static_cast<int>(m_managers.size()); }
    /// Connections one manager opens to one host (Qt's fixed limit).
    static constexpr int kConnectionsPerManager = 6;

private:
    struct Manager {
        std::unique_ptr<QNetworkAccessManager> manager;
        std::shared_ptr<int> inFlight;
    };
    std::vector<Manager> m_managers;
};

} // namespace breakwater

#pragma once

#include "transport/transport.h"

#include <QNetworkAccessManager>

namespace breakwater {

/// The production transport: one QNetworkAccessManager, used from the thread that created
/// this object. Streams the body as it arrives; never follows redirects; timeouts are the
/// engine's job (its timers abort the request).
class QnamTransport final : public Transport {
public:
    QnamTransport();
    QnamTransport(const QnamTransport &) = delete;
    QnamTransport &operator=(const QnamTransport &) = delete;
    ~QnamTransport() override;

    std::unique_ptr<TransportRequest> send(const HttpRequest &request,
                                           TransportCallbacks callbacks) override;

private:
    QNetworkAccessManager m_manager;
};

} // namespace breakwater

#pragma once

#include "transport/transport.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>

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
    /// Requests sent and not yet answered, over every manager.
    int inFlight() const;
    /// Connections one manager opens to one host (Qt's fixed limit).
    static constexpr int kConnectionsPerManager = 6;

    /// Header fields that carry a credential: set on each request, never kept in a prepared one.
    static bool isCredential(QByteArrayView name);

private:
    /// A QNetworkRequest made once for a URL and its non-credential header fields (building one
    /// per call cost more than the rest of the transport's work on it).
    struct PreparedRequest {
        QUrl url;
        QList<HttpHeaders::Field> fields;
        QNetworkRequest request;

        bool matches(const HttpRequest &request) const;
    };
    const QNetworkRequest &preparedFor(const HttpRequest &request);

    /// Most recently made first; a chain has few distinct endpoints and header sets.
    static constexpr std::size_t kPreparedRequests = 8;
    std::vector<PreparedRequest> m_prepared;

    struct Manager {
        std::unique_ptr<QNetworkAccessManager> manager;
        std::shared_ptr<int> inFlight;
    };
    std::vector<Manager> m_managers;
};

} // namespace breakwater

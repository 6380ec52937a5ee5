#pragma once

#include "common/httpheaders.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace breakwater {

/// One HTTP request as a provider adapter builds it.
struct HttpRequest {
    QByteArray method = QByteArrayLiteral("POST");
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
};

/// Why a request got no complete HTTP answer, as far as the network layer can tell.
enum class TransportFailure {
    ConnectionRefused,
    ConnectionReset, ///< closed by the peer before or during the answer
    HostNotFound,
    Tls,
    Other,
};

/// What a transport reports about one request, in order: sent, head, chunks, then exactly one
/// of finished or failed. No callback runs inside send() (the first comes from the event
/// loop), nor after the request was aborted or destroyed.
struct TransportCallbacks {
    /// The request is written to a connected socket (ends the connect timeout).
    std::function<void()> requestSent;
    std::function<void(int status, const HttpHeaders &headers)> responseHead;
    std::function<void(const QByteArray &chunk)> bodyChunk;
    std::function<void()> finished;
    std::function<void(TransportFailure failure, const QString &detail)> failed;
};

/// An in-flight request. Destroying it aborts the request.
class TransportRequest {
public:
    virtual ~TransportRequest() = default;
    virtual void abort() = 0;
};

/// Sends HTTP requests asynchronously. The seam between the engine and the network: the
/// engine's tests use a scripted fake, production uses QNetworkAccessManager.
class Transport {
public:
    virtual ~Transport() = default;
    virtual std::unique_ptr<TransportRequest> send(const HttpRequest &request,
                                                   TransportCallbacks callbacks) = 0;
};

/// Makes one engine's transport, on the engine's thread: one that can keep `concurrency`
/// requests open to one host at once.
using TransportFactory = std::function<std::unique_ptr<Transport>(int concurrency)>;

} // namespace breakwater

#include "qnamtransport.h"

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>

#include <algorithm>

namespace breakwater {
namespace {

TransportFailure failureFor(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return TransportFailure::ConnectionRefused;
    case QNetworkReply::RemoteHostClosedError:
        return TransportFailure::ConnectionReset;
    case QNetworkReply::HostNotFoundError:
        return TransportFailure::HostNotFound;
    case QNetworkReply::SslHandshakeFailedError:
        return TransportFailure::Tls;
    default:
        return TransportFailure::Other;
    }
}

class QnamRequest final : public TransportRequest {
public:
    QnamRequest(QNetworkReply *reply, TransportCallbacks callbacks, std::shared_ptr<int> inFlight)
        : m_reply(reply), m_callbacks(std::move(callbacks)), m_inFlight(std::move(inFlight))
    {
        ++*m_inFlight;
        QObject::connect(reply, &QNetworkReply::requestSent, reply, [this] {
            if (m_callbacks.requestSent)
                m_callbacks.requestSent();
        });
        QObject::connect(reply, &QNetworkReply::metaDataChanged, reply, [this] { deliverHead(); });
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [this] { deliverBody(); });
        QObject::connect(reply, &QNetworkReply::finished, reply, [this] { onFinished(); });
    }

    ~QnamRequest() override { abort(); }

    void abort() override
    {
        if (!m_reply)
            return;
        // Disconnect first: abort() emits finished(), and nothing may run after an abort.
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        --*m_inFlight;
        QObject::disconnect(reply, nullptr, nullptr, nullptr);
        reply->abort();
        reply->deleteLater();
    }

private:
    void deliverHead()
    {
        if (m_headDelivered || !m_reply)
            return;
        const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid())
            return;
        m_headDelivered = true;
        HttpHeaders headers;
        for (const auto &[name, value] : m_reply->rawHeaderPairs())
            headers.add(name, value);
        if (m_callbacks.responseHead)
            m_callbacks.responseHead(status.toInt(), headers);
    }

    void deliverBody()
    {
        if (!m_reply)
            return;
        deliverHead();
        // Exactly what is buffered, not readAll(): that reserves 32 KiB for a reply of
        // unknown length, and the engine keeps a complete answer's bytes until the call ends,
        // so every call would hold (and glibc then coalesce) a 32 KiB block for ~1 KiB of JSON.
        const qint64 available = m_reply ? m_reply->bytesAvailable() : 0;
        if (available <= 0)
            return;
        const QByteArray chunk = m_reply->read(available);
        if (!chunk.isEmpty() && m_callbacks.bodyChunk && m_reply)
            m_callbacks.bodyChunk(chunk);
    }

    void onFinished()
    {
        if (!m_reply)
            return;
        QPointer<QNetworkReply> reply = m_reply;
        deliverBody();
        // A callback may have aborted the request.
        if (!reply || !m_reply)
            return;
        m_reply = nullptr;
        // The manager is free again the moment the answer is complete, not when this object
        // is destroyed (the engine keeps finished requests until the call ends).
        --*m_inFlight;
        const auto error = reply->error();
        const bool gotHead = m_headDelivered;
        QObject::disconnect(reply, nullptr, nullptr, nullptr);
        // An answer whose head arrived is the engine's to judge (a stream cut short is
        // `malformed`, not `connection`); only a request that got no answer at all fails here.
        if (gotHead || error == QNetworkReply::NoError) {
            if (m_callbacks.finished)
                m_callbacks.finished();
        } else if (m_callbacks.failed) {
            m_callbacks.failed(failureFor(error), reply->errorString());
        }
        // Deleted after the callbacks, through the local pointer only (a callback may have
        // destroyed this object): its deferred deletion is then queued behind whatever the
        // engine queued to hand the answer over, so the caller hears first.
        if (reply)
            reply->deleteLater();
    }

    QNetworkReply *m_reply;
    TransportCallbacks m_callbacks;
    std::shared_ptr<int> m_inFlight;
    bool m_headDelivered = false;
};

} // namespace

QnamTransport::QnamTransport(int managers)
{
    for (int i = 0; i < std::max(1, managers); ++i) {
        auto manager = std::make_unique<QNetworkAccessManager>();
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        manager->setAutoDeleteReplies(false);
        m_managers.push_back({std::move(manager), std::make_shared<int>(0)});
    }
}

QnamTransport::~QnamTransport() = default;

std::unique_ptr<TransportRequest> QnamTransport::send(const HttpRequest &request,
                                                      TransportCallbacks callbacks)
{
    QNetworkRequest networkRequest(request.url);
    for (const auto &[name, value] : request.headers.fields())
        networkRequest.setRawHeader(name, value);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                                QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // The in-flight count lives until the request object dies, which may be after an abort.
    auto leastBusy = std::min_element(m_managers.begin(), m_managers.end(),
                                      [](const Manager &a, const Manager &b) {
                                          return *a.inFlight < *b.inFlight;
                                      });
    QNetworkReply *reply =
        leastBusy->manager->sendCustomRequest(networkRequest, request.method, request.body);
    return std::make_unique<QnamRequest>(reply, std::move(callbacks), leastBusy->inFlight);
}

} // namespace breakwater

#include "qnamtransport.h"

#include <QCoreApplication>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>

#include <algorithm>
#include <array>

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
        m_connections = {
            QObject::connect(reply, &QNetworkReply::requestSent, reply,
                             [this] {
                                 if (m_callbacks.requestSent)
                                     m_callbacks.requestSent();
                             }),
            QObject::connect(reply, &QNetworkReply::metaDataChanged, reply,
                             [this] { deliverHead(); }),
            QObject::connect(reply, &QNetworkReply::readyRead, reply, [this] { deliverBody(); }),
            QObject::connect(reply, &QNetworkReply::finished, reply, [this] { onFinished(); }),
        };
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
        disconnectAll();
        reply->abort();
        reply->deleteLater();
    }

private:
    /// Our connections only, by handle: Qt's own on the reply stay, and finding them by
    /// name (disconnect(reply, nullptr, ...)) cost more than the rest of a request's handling.
    void disconnectAll()
    {
        for (const QMetaObject::Connection &connection : m_connections)
            QObject::disconnect(connection);
    }

    void deliverHead()
    {
        if (m_headDelivered || !m_reply)
            return;
        const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid())
            return;
        m_headDelivered = true;
        const HttpHeaders headers(m_reply->rawHeaderPairs());
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
        disconnectAll();
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
    std::array<QMetaObject::Connection, 4> m_connections;
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

int QnamTransport::inFlight() const
{
    int total = 0;
    for (const Manager &manager : m_managers)
        total += *manager.inFlight;
    return total;
}

bool QnamTransport::isCredential(QByteArrayView name)
{
    static constexpr QByteArrayView kCredentials[] = {"authorization", "proxy-authorization",
                                                      "x-api-key", "api-key"};
    for (const QByteArrayView credential : kCredentials) {
        if (name.size() == credential.size() && name.compare(credential, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool QnamTransport::PreparedRequest::matches(const HttpRequest &request) const
{
    if (url != request.url)
        return false;
    qsizetype next = 0;
    for (const HttpHeaders::Field &field : request.headers.fields()) {
        if (isCredential(field.first))
            continue;
        if (next == fields.size() || fields.at(next) != field)
            return false;
        ++next;
    }
    return next == fields.size();
}

const QNetworkRequest &QnamTransport::preparedFor(const HttpRequest &request)
{
    for (const PreparedRequest &prepared : m_prepared) {
        if (prepared.matches(request))
            return prepared.request;
    }
    PreparedRequest prepared;
    prepared.url = request.url;
    prepared.request.setUrl(request.url);
    for (const HttpHeaders::Field &field : request.headers.fields()) {
        if (isCredential(field.first))
            continue;
        prepared.fields.append(field);
        prepared.request.setRawHeader(field.first, field.second);
    }
    prepared.request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                                  QNetworkRequest::AlwaysNetwork);
    prepared.request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    if (m_prepared.size() == kPreparedRequests)
        m_prepared.pop_back();
    m_prepared.insert(m_prepared.begin(), std::move(prepared));
    return m_prepared.front().request;
}

std::unique_ptr<TransportRequest> QnamTransport::send(const HttpRequest &request,
                                                      TransportCallbacks callbacks)
{
    // A copy of the prepared request shares its data; only a credential, set per call so that
    // no key outlives its request here, makes it copy the header list.
    QNetworkRequest networkRequest = preparedFor(request);
    for (const auto &[name, value] : request.headers.fields()) {
        if (isCredential(name))
            networkRequest.setRawHeader(name, value);
    }
    // The in-flight count lives until the request object dies, which may be after an abort.
    auto leastBusy = std::min_element(m_managers.begin(), m_managers.end(),
                                      [](const Manager &a, const Manager &b) {
                                          return *a.inFlight < *b.inFlight;
                                      });
    QNetworkReply *reply =
        leastBusy->manager->sendCustomRequest(networkRequest, request.method, request.body);
    auto sent = std::make_unique<QnamRequest>(reply, std::move(callbacks), leastBusy->inFlight);
    // The reply starts its work from a queued call of its own, which waits until the caller
    // returns to the event loop. A lone request is started now instead, so that it is on its
    // way to Qt's HTTP thread while the engine finishes its bookkeeping for the attempt (it
    // only hands the request over; no signal of the reply is emitted from it). With others in
    // flight it is left to the loop, which starts the requests made meanwhile together, as a
    // bare client's would be: Qt's HTTP threads then take them in fewer wake-ups.
    if (inFlight() == 1)
        QCoreApplication::sendPostedEvents(reply, QEvent::MetaCall);
    return sent;
}

} // namespace breakwater

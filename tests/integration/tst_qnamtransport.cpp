// The production transport over real loopback HTTP: prepared requests are reused for their
// URL and plain header fields, but every request goes out with exactly its own fields and its
// own credential (a key is never carried over from a prepared request), and no callback runs
// inside send().
#include "scriptedhttpserver.h"
#include "transport/qnamtransport.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

HttpRequest request(const QUrl &url, std::initializer_list<HttpHeaders::Field> fields)
{
    HttpRequest http;
    http.url = url;
    http.headers = HttpHeaders(fields);
    http.body = R"({"model":"m","max_tokens":8,"messages":[]})";
    return http;
}

/// All the values the server received for `name`, one request's worth.
QList<QByteArray> valuesOf(const ScriptedHttpServer::Received &received, QByteArrayView name)
{
    QList<QByteArray> values;
    for (const auto &[fieldName, value] : received.headers.fields()) {
        if (fieldName.compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
}

} // namespace

class TestQnamTransport : public QObject {
    Q_OBJECT

private:
    /// Sends each request in turn, waiting for its answer; fails the test if one never comes
    /// or a callback ran inside send().
    void sendAll(QnamTransport &transport, const QList<HttpRequest> &requests)
    {
        for (const HttpRequest &http : requests) {
            bool insideSend = true;
            bool calledInside = false;
            bool done = false;
            TransportCallbacks callbacks;
            callbacks.requestSent = [&] { calledInside = calledInside || insideSend; };
            callbacks.responseHead = [&](int, const HttpHeaders &) {
                calledInside = calledInside || insideSend;
            };
            callbacks.finished = [&] {
                calledInside = calledInside || insideSend;
                done = true;
            };
            callbacks.failed = [&](TransportFailure, const QString &) { done = true; };
            const std::unique_ptr<TransportRequest> sent = transport.send(http, callbacks);
            insideSend = false;
            QVERIFY(!calledInside);
            QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
            QVERIFY(!calledInside);
        }
    }

private Q_SLOTS:
    void recognisesCredentialFields()
    {
        for (const char *name : {"authorization", "Authorization", "proxy-authorization",
                                 "x-api-key", "X-Api-Key", "api-key"})
            QVERIFY2(QnamTransport::isCredential(name), name);
        for (const char *name : {"anthropic-version", "content-type", "x-api-key-id", "api",
                                 "x-chaos-fault", ""})
            QVERIFY2(!QnamTransport::isCredential(name), name);
    }

    void eachRequestCarriesItsOwnCredentialAndNoOther()
    {
        ScriptedHttpServer server;
        const QUrl url = server.baseUrl().resolved(QUrl(u"/v1/messages"_s));
        QnamTransport transport;
        sendAll(transport, {request(url, {{"x-api-key", "key-one"}, {"anthropic-version", "1"}}),
                            request(url, {{"x-api-key", "key-two"}, {"anthropic-version", "1"}}),
                            request(url, {{"anthropic-version", "1"}}),
                            request(url, {{"authorization", "Bearer key-three"},
                                          {"anthropic-version", "1"}})});
        const QList<ScriptedHttpServer::Received> &received = server.received();
        QCOMPARE(received.size(), 4);
        QCOMPARE(valuesOf(received[0], "x-api-key"), QList<QByteArray>{"key-one"});
        QCOMPARE(valuesOf(received[1], "x-api-key"), QList<QByteArray>{"key-two"});
        QVERIFY(valuesOf(received[2], "x-api-key").isEmpty());
        QVERIFY(valuesOf(received[2], "authorization").isEmpty());
        QVERIFY(valuesOf(received[3], "x-api-key").isEmpty());
        QCOMPARE(valuesOf(received[3], "authorization"), QList<QByteArray>{"Bearer key-three"});
        for (const auto &one : received)
            QCOMPARE(valuesOf(one, "anthropic-version"), QList<QByteArray>{"1"});
    }

    void everyRequestGoesOutWithItsOwnFields()
    {
        // More distinct URL and header sets than the transport keeps prepared, in turn and
        // then again, so requests are served both from prepared ones and from new ones.
        ScriptedHttpServer server;
        QnamTransport transport;
        QList<HttpRequest> requests;
        for (int round = 0; round < 2; ++round) {
            for (int i = 0; i < 12; ++i) {
                const QUrl url =
                    server.baseUrl().resolved(QUrl(u"/v1/path-%1"_s.arg(i % 3)));
                HttpRequest http = request(url, {{"anthropic-version", "1"}});
                if (i % 2 == 0)
                    http.headers.add("x-chaos-fault", QByteArray::number(i));
                requests.append(http);
            }
        }
        sendAll(transport, requests);
        const QList<ScriptedHttpServer::Received> &received = server.received();
        QCOMPARE(received.size(), requests.size());
        for (int n = 0; n < requests.size(); ++n) {
            const int i = n % 12;
            QCOMPARE(received[n].path, u"/v1/path-%1"_s.arg(i % 3).toLatin1());
            QCOMPARE(valuesOf(received[n], "x-chaos-fault"),
                     i % 2 == 0 ? QList<QByteArray>{QByteArray::number(i)} : QList<QByteArray>{});
            QCOMPARE(valuesOf(received[n], "anthropic-version"), QList<QByteArray>{"1"});
        }
    }
};

QTEST_GUILESS_MAIN(TestQnamTransport)
#include "tst_qnamtransport.moc"

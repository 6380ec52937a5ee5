#include "chaos/httpserver.h"
#include "chaostestsupport.h"
#include "common/fakeclock.h"

#include <QTest>
#include <functional>

using namespace breakwater;
using namespace breakwater::test;

namespace {

/// A handler whose behaviour each test sets; it keeps every request and responder.
class ScriptedHandler final : public HttpRequestHandler {
public:
    using Action = std::function<void(const HttpServerRequest &, std::shared_ptr<HttpResponder>)>;

    void handleRequest(const HttpServerRequest &request,
                       std::shared_ptr<HttpResponder> responder) override
    {
        requests.append(request);
        responders.append(responder);
        if (action)
            action(request, responder);
    }

    Action action;
    QList<HttpServerRequest> requests;
    QList<std::shared_ptr<HttpResponder>> responders;
};

HttpServerResponse textResponse(const QByteArray &text)
{
    return HttpServerResponse{200, HttpHeaders{{"content-type", "text/plain"}}, text};
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

} // namespace

class TestHttpServer final : public QObject {
    Q_OBJECT

private:
    FakeClock m_clock;
    ScriptedHandler m_handler;
    std::unique_ptr<HttpServer> m_server;

    quint16 startServer(HttpServerOptions options = {})
    {
        m_server = std::make_unique<HttpServer>(m_handler, m_clock, options);
        if (!m_server->listenOn(0))
            return 0;
        return m_server->serverPort();
    }

private Q_SLOTS:
    void init()
    {
        m_handler = ScriptedHandler();
        m_handler.action = [](const HttpServerRequest &request,
                              std::shared_ptr<HttpResponder> responder) {
            responder->respond(textResponse("path " + request.path));
        };
    }
    void cleanup() { m_server.reset(); }

    void bindsLoopbackAndReportsTheChosenPort()
    {
        const quint16 port = startServer();
        QVERIFY(port != 0);
        QCOMPARE(m_server->serverAddress(), QHostAddress(QHostAddress::LocalHost));
    }

    void servesSeveralRequestsOnOneKeptAliveConnection()
    {
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        for (int i = 0; i < 3; ++i) {
            client.received.clear();
            QVERIFY(client.send(get("/r" + QByteArray::number(i))));
            QTRY_VERIFY_WITH_TIMEOUT(client.response().bodyComplete, 500);
            const RawResponse response = client.response();
            QCOMPARE(response.status, 200);
            QCOMPARE(response.body, "path /r" + QByteArray::number(i));
            QVERIFY(!response.headers.contains("connection"));
        }
        QVERIFY(!client.eof);
        QCOMPARE(m_server->connectionCount(), 1);
    }

    void answersPipelinedRequestsInOrder()
    {
        // The first answer is late; the second, already parsed, must wait for it.
        m_handler.action = [](const HttpServerRequest &request,
                              std::shared_ptr<HttpResponder> responder) {
            if (request.path != "/slow")
                responder->respond(textResponse("path " + request.path));
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/slow") + get("/fast") + get("/third")));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 1, 500);
        QTest::qWait(20);
        QCOMPARE(m_handler.requests.size(), 1);
        QVERIFY(client.response().status == 0);

        m_handler.responders.front()->respond(textResponse("slow done"));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 3, 500);
        QTRY_COMPARE_WITH_TIMEOUT((client.poll(), client.received.count("HTTP/1.1 200 OK")), 3,
                                  500);
        const RawResponse first = parseRawResponse(client.received);
        QCOMPARE(first.body, QByteArray("slow done"));
        const RawResponse second = parseRawResponse(first.rest);
        QCOMPARE(second.body, QByteArray("path /fast"));
        QCOMPARE(parseRawResponse(second.rest).body, QByteArray("path /third"));
    }

    void closesAfterAnsweringConnectionClose()
    {
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/bye", "Connection: close\r\n")));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
        const RawResponse response = parseRawResponse(client.received);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.headers.value("connection"), QByteArray("close"));
        QCOMPARE(response.body, QByteArray("path /bye"));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 500);
    }

    void answersHttp10WithoutKeepAliveAndCloses()
    {
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send("GET /old HTTP/1.0\r\n\r\n"));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
        QCOMPARE(parseRawResponse(client.received).body, QByteArray("path /old"));
    }

    void rejectsMalformedRequestsWith400AndCloses_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage") << QByteArray("BLAH\r\n\r\n") << 400;
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("body too large")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n") << 413;
        QTest::newRow("unsupported coding")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n") << 501;
    }
    void rejectsMalformedRequestsWith400AndCloses()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(input));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
        const RawResponse response = parseRawResponse(client.received);
        QCOMPARE(response.status, status);
        QCOMPARE(response.headers.value("connection"), QByteArray("close"));
        QVERIFY(response.bodyComplete);
        QVERIFY(m_handler.requests.isEmpty());
    }

    void decodesAChunkedRequestBody()
    {
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n"));
        QTest::qWait(10);
        QVERIFY(m_handler.requests.isEmpty());
        QVERIFY(client.send("2\r\nde\r\n0\r\n\r\n"));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 1, 500);
        QCOMPARE(m_handler.requests.front().body, QByteArray("abcde"));
    }

    void sendsContinueBeforeTheBodyWhenAsked()
    {
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                            "Content-Length: 2\r\n\r\n"));
        QTRY_VERIFY_WITH_TIMEOUT(
            (client.poll(), client.received.startsWith("HTTP/1.1 100 Continue\r\n\r\n")), 500);
        QVERIFY(client.send("ok"));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.received.contains("path /e")), 500);
    }

    void closesAnIdleConnectionAfterTheIdleTimeout()
    {
        HttpServerOptions options;
        options.idleTimeout = Millis(5000);
        RawClient client;
        QVERIFY(client.connectTo(startServer(options)));
        QVERIFY(client.send(get("/a")));
        QTRY_VERIFY_WITH_TIMEOUT(client.response().bodyComplete, 500);
        m_clock.advance(Millis(4999));
        QTest::qWait(10);
        client.poll();
        QVERIFY(!client.eof);
        m_clock.advance(Millis(1));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
    }

    void neverTimesOutARequestBeingAnswered()
    {
        m_handler.action = {};
        HttpServerOptions options;
        options.idleTimeout = Millis(1000);
        RawClient client;
        QVERIFY(client.connectTo(startServer(options)));
        QVERIFY(client.send(get("/pending")));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 1, 500);
        m_clock.advance(Millis(60000));
        QTest::qWait(10);
        client.poll();
        QVERIFY(!client.eof);
        QVERIFY(client.received.isEmpty());
        m_handler.responders.front()->respond(textResponse("late"));
        QTRY_VERIFY_WITH_TIMEOUT(client.response().bodyComplete, 500);
    }

    void streamsChunksWrittenOverTime()
    {
        m_handler.action = [](const HttpServerRequest &, std::shared_ptr<HttpResponder> responder) {
            responder->beginStream(200, HttpHeaders{{"content-type", "text/event-stream"}});
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/s")));
        QTRY_VERIFY_WITH_TIMEOUT(client.response().headComplete, 500);
        RawResponse response = client.response();
        QVERIFY(response.chunked);
        QVERIFY(!response.headers.contains("content-length"));

        auto responder = m_handler.responders.front();
        responder->writeChunk("one ");
        QTRY_COMPARE_WITH_TIMEOUT(client.response().body, QByteArray("one "), 500);
        responder->writeChunk("two");
        responder->endStream();
        QTRY_VERIFY_WITH_TIMEOUT(client.response().bodyComplete, 500);
        QCOMPARE(client.response().body, QByteArray("one two"));
        QVERIFY(!responder->isOpen());
        // Still usable afterwards: the stream ended cleanly.
        m_handler.action = {};
        QVERIFY(client.send(get("/next")));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 2, 500);
    }

    void streamsToHttp10ClientsByClosingTheConnection()
    {
        m_handler.action = [](const HttpServerRequest &, std::shared_ptr<HttpResponder> responder) {
            responder->beginStream(200, {});
            responder->writeChunk("raw body");
            responder->endStream();
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send("GET /s HTTP/1.0\r\n\r\n"));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
        const RawResponse response = parseRawResponse(client.received);
        QVERIFY(!response.chunked);
        QCOMPARE(response.body, QByteArray("raw body"));
    }

    void stallingKeepsTheSocketOpenWithNoMoreData()
    {
        m_handler.action = [](const HttpServerRequest &, std::shared_ptr<HttpResponder> responder) {
            responder->respondPartially(textResponse("0123456789"), 4);
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/stall")));
        QTRY_COMPARE_WITH_TIMEOUT(client.response().body, QByteArray("0123"), 500);
        QCOMPARE(client.response().headers.value("content-length"), QByteArray("10"));
        m_clock.advance(Millis(600000));
        QTest::qWait(20);
        QVERIFY(!client.poll());
        QVERIFY(!client.eof && !client.reset);
        QVERIFY(m_handler.responders.front()->isOpen());
        QCOMPARE(m_server->connectionCount(), 1);
    }

    void abortingResetsTheConnection()
    {
        m_handler.action = [](const HttpServerRequest &, std::shared_ptr<HttpResponder> responder) {
            responder->abort();
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/reset")));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.reset || client.eof), 500);
        QVERIFY2(client.reset, "expected ECONNRESET, got an orderly close");
        QVERIFY(client.received.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 500);
    }

    void closingMidStreamEndsWithoutTheLastChunk()
    {
        m_handler.action = [](const HttpServerRequest &, std::shared_ptr<HttpResponder> responder) {
            responder->beginStream(200, {});
            responder->writeChunk("partial");
            responder->close();
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/cut")));
        QTRY_VERIFY_WITH_TIMEOUT((client.poll(), client.eof), 500);
        QVERIFY(!client.reset);
        const RawResponse response = parseRawResponse(client.received);
        QCOMPARE(response.body, QByteArray("partial"));
        QVERIFY(!response.bodyComplete);
        QVERIFY(!client.received.endsWith("0\r\n\r\n"));
    }

    void tellsTheHandlerWhenTheClientHangsUp()
    {
        bool closed = false;
        m_handler.action = [&closed](const HttpServerRequest &,
                                     std::shared_ptr<HttpResponder> responder) {
            responder->onClosed([&closed] { closed = true; });
        };
        RawClient client;
        QVERIFY(client.connectTo(startServer()));
        QVERIFY(client.send(get("/wait")));
        QTRY_COMPARE_WITH_TIMEOUT(m_handler.requests.size(), 1, 500);
        client.disconnect();
        QTRY_VERIFY_WITH_TIMEOUT(closed, 500);
        QVERIFY(!m_handler.responders.front()->isOpen());
        // Writing to a gone connection is harmless.
        m_handler.responders.front()->respond(textResponse("nobody listens"));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 0, 500);
    }

    void refusesConnectionsBeyondTheLimit()
    {
        HttpServerOptions options;
        options.maxConnections = 2;
        const quint16 port = startServer(options);
        RawClient a;
        RawClient b;
        RawClient c;
        QVERIFY(a.connectTo(port));
        QVERIFY(b.connectTo(port));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->connectionCount(), 2, 500);
        QVERIFY(c.connectTo(port));
        QTRY_VERIFY_WITH_TIMEOUT((c.poll(), c.eof || c.reset), 500);
        QVERIFY(a.send(get("/still")));
        QTRY_VERIFY_WITH_TIMEOUT(a.response().bodyComplete, 500);
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"

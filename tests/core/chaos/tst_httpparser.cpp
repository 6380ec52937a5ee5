#include "chaos/httprequestparser.h"

#include <QTest>

using namespace breakwater;

namespace {

struct Parsed {
    HttpRequestParser::State state = HttpRequestParser::State::NeedMore;
    QList<HttpServerRequest> requests;
    int errorStatus = 0;
    QByteArray leftover;
};

/// Feeds `input` in pieces of `step` bytes the way a connection does: leftover bytes of one
/// feed are offered again, together with the next piece, after a complete request.
Parsed parseAll(const QByteArray &input, qsizetype step, HttpLimits limits = {})
{
    HttpRequestParser parser(limits);
    Parsed result;
    QByteArray pending;
    qsizetype offset = 0;
    while (offset < input.size() || !pending.isEmpty()) {
        if (offset < input.size()) {
            pending += input.mid(offset, step);
            offset += step;
        }
        bool progressed = true;
        while (!pending.isEmpty() && progressed) {
            const qsizetype used = parser.feed(pending);
            pending.remove(0, used);
            progressed = used > 0;
            if (parser.state() == HttpRequestParser::State::Complete) {
                result.requests.append(parser.takeRequest());
                progressed = true;
            } else if (parser.state() == HttpRequestParser::State::Error) {
                result.state = parser.state();
                result.errorStatus = parser.errorStatus();
                result.leftover = pending;
                return result;
            }
        }
        if (offset >= input.size() && !progressed)
            break;
    }
    result.state = parser.state();
    result.leftover = pending;
    return result;
}

const QByteArray kPost = QByteArrayLiteral("POST /v1/messages?beta=true HTTP/1.1\r\n"
                                           "Host: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\n"
                                           "X-Api-Key:   secret  \r\n"
                                           "Content-Length: 13\r\n"
                                           "\r\n"
                                           "{\"model\":\"m\"}");

const QByteArray kChunked = QByteArrayLiteral("POST /v1/chat/completions HTTP/1.1\r\n"
                                              "Host: x\r\n"
                                              "Transfer-Encoding: chunked\r\n"
                                              "\r\n"
                                              "5;ext=1\r\nhello\r\n"
                                              "7\r\n, world\r\n"
                                              "0\r\n"
                                              "Trailer-Field: x\r\n"
                                              "\r\n");

} // namespace

class TestHttpParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesARequestSplitAtEveryByte_data()
    {
        QTest::addColumn<qsizetype>("step");
        for (qsizetype step : {1, 2, 3, 7, 16, 1000})
            QTest::addRow("step %lld", static_cast<long long>(step)) << step;
    }
    void parsesARequestSplitAtEveryByte()
    {
        QFETCH(qsizetype, step);
        const Parsed parsed = parseAll(kPost, step);
        QCOMPARE(parsed.requests.size(), 1);
        const HttpServerRequest &request = parsed.requests.front();
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.path, QByteArray("/v1/messages"));
        QCOMPARE(request.query, QByteArray("beta=true"));
        QCOMPARE(request.minorVersion, 1);
        QCOMPARE(request.headers.value("x-api-key"), QByteArray("secret"));
        QCOMPARE(request.body, QByteArray("{\"model\":\"m\"}"));
        QVERIFY(request.keepAlive);
    }

    void splittingAnywhereGivesTheSameRequest()
    {
        for (qsizetype cut = 1; cut < kChunked.size(); ++cut) {
            HttpRequestParser parser;
            const QByteArray first = kChunked.left(cut);
            const QByteArray second = kChunked.mid(cut);
            QCOMPARE(parser.feed(first), first.size());
            QCOMPARE(parser.state(), HttpRequestParser::State::NeedMore);
            QCOMPARE(parser.feed(second), second.size());
            QCOMPARE(parser.state(), HttpRequestParser::State::Complete);
            QCOMPARE(parser.request().body, QByteArray("hello, world"));
        }
    }

    void decodesChunkedBodiesAtEveryStep_data()
    {
        QTest::addColumn<qsizetype>("step");
        for (qsizetype step : {1, 2, 5, 11, 4096})
            QTest::addRow("step %lld", static_cast<long long>(step)) << step;
    }
    void decodesChunkedBodiesAtEveryStep()
    {
        QFETCH(qsizetype, step);
        const Parsed parsed = parseAll(kChunked, step);
        QCOMPARE(parsed.requests.size(), 1);
        QCOMPARE(parsed.requests.front().body, QByteArray("hello, world"));
        QCOMPARE(parsed.requests.front().path, QByteArray("/v1/chat/completions"));
    }

    void stopsAtTheEndOfOneRequestSoPipelinedOnesStayQueued()
    {
        const QByteArray get = QByteArrayLiteral("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
        const QByteArray stream = kPost + kChunked + get;
        HttpRequestParser parser;
        const qsizetype used = parser.feed(stream);
        QCOMPARE(used, kPost.size());
        QCOMPARE(parser.state(), HttpRequestParser::State::Complete);
        QCOMPARE(parser.takeRequest().path, QByteArray("/v1/messages"));

        const Parsed all = parseAll(stream, 9);
        QCOMPARE(all.requests.size(), 3);
        QCOMPARE(all.requests.at(1).body, QByteArray("hello, world"));
        QCOMPARE(all.requests.at(2).method, QByteArray("GET"));
        QVERIFY(all.requests.at(2).body.isEmpty());
    }

    void decidesKeepAliveFromVersionAndConnectionHeader_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<bool>("keepAlive");
        QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << true;
        QTest::newRow("1.1 close")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n") << false;
        QTest::newRow("1.1 close in a list")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n") << false;
        QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
        QTest::newRow("1.0 keep-alive")
            << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true;
    }
    void decidesKeepAliveFromVersionAndConnectionHeader()
    {
        QFETCH(QByteArray, head);
        QFETCH(bool, keepAlive);
        const Parsed parsed = parseAll(head, 4);
        QCOMPARE(parsed.requests.size(), 1);
        QCOMPARE(parsed.requests.front().keepAlive, keepAlive);
    }

    void acceptsBareLineFeedsAndLeadingEmptyLines()
    {
        const Parsed parsed =
            parseAll(QByteArray("\r\n\nGET /a HTTP/1.1\nHost: x\nContent-Length: 2\n\nok"), 3);
        QCOMPARE(parsed.requests.size(), 1);
        QCOMPARE(parsed.requests.front().path, QByteArray("/a"));
        QCOMPARE(parsed.requests.front().body, QByteArray("ok"));
    }

    void keepsOnlyThePathOfAnAbsoluteTarget()
    {
        const Parsed parsed =
            parseAll(QByteArray("GET http://example.org:8080/v1/models?x=1 HTTP/1.1\r\n"
                                "Host: example.org\r\n\r\n"),
                     64);
        QCOMPARE(parsed.requests.size(), 1);
        QCOMPARE(parsed.requests.front().path, QByteArray("/v1/models"));
        QCOMPARE(parsed.requests.front().query, QByteArray("x=1"));
    }

    void rejectsMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage") << QByteArray("hello\r\n\r\n") << 400;
        QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("relative target")
            << QByteArray("GET abc HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("bad version") << QByteArray("GET / HTTX/1.1\r\nHost: x\r\n\r\n") << 400;
        QTest::newRow("http 2") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505;
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("space before colon")
            << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400;
        QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n") << 400;
        QTest::newRow("folding") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n  more\r\n\r\n")
                                 << 400;
        QTest::newRow("cr in value") << QByteArray("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n") << 400;
        QTest::newRow("bad length")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n") << 400;
        QTest::newRow("negative length")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") << 400;
        QTest::newRow("conflicting lengths")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                          "Content-Length: 2\r\n\r\nab")
            << 400;
        QTest::newRow("length and chunked")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n")
            << 400;
        QTest::newRow("gzip coding")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
        QTest::newRow("chunked then gzip")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
            << 501;
        QTest::newRow("bad chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << 400;
        QTest::newRow("chunk longer than size")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\nabc\r\n0\r\n\r\n")
            << 400;
    }
    void rejectsMalformedRequests()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        for (qsizetype step : {qsizetype(1), input.size()}) {
            const Parsed parsed = parseAll(input, step);
            QCOMPARE(parsed.state, HttpRequestParser::State::Error);
            QCOMPARE(parsed.errorStatus, status);
        }
    }

    void enforcesSizeLimits_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        const QByteArray longValue(300, 'a');
        QTest::newRow("body over limit by Content-Length")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n") << 413;
        QTest::newRow("chunked body over limit")
            << (QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "200\r\n") +
                QByteArray(512, 'b') + QByteArray("\r\n300\r\n"))
            << 413;
        QTest::newRow("huge chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "ffffffffffffffffff\r\n")
            << 413;
        QTest::newRow("header bytes over limit")
            << ("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + longValue + "\r\n\r\n") << 431;
        QTest::newRow("request line over limit")
            << ("GET /" + longValue + " HTTP/1.1\r\nHost: x\r\n\r\n") << 414;
        QTest::newRow("too many headers")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n")
            << 431;
    }
    void enforcesSizeLimits()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        HttpLimits limits;
        limits.maxBodyBytes = 1024;
        limits.maxHeaderBytes = 256;
        limits.maxHeaderCount = 4;
        for (qsizetype step : {qsizetype(1), qsizetype(13), input.size()}) {
            const Parsed parsed = parseAll(input, step, limits);
            QCOMPARE(parsed.state, HttpRequestParser::State::Error);
            QCOMPARE(parsed.errorStatus, status);
        }
    }

    void acceptsABodyExactlyAtTheLimit()
    {
        HttpLimits limits;
        limits.maxBodyBytes = 10;
        const Parsed parsed = parseAll(
            QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"), 5,
            limits);
        QCOMPARE(parsed.requests.size(), 1);
        QCOMPARE(parsed.requests.front().body.size(), 10);
    }

    void asksForContinueOnlyBeforeTheBody()
    {
        HttpRequestParser parser;
        parser.feed(QByteArray("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                               "Content-Length: 4\r\n\r\n"));
        QVERIFY(parser.expectsContinue());
        parser.feed(QByteArray("ab"));
        QVERIFY(!parser.expectsContinue());
        parser.feed(QByteArray("cd"));
        QCOMPARE(parser.state(), HttpRequestParser::State::Complete);

        HttpRequestParser plain;
        plain.feed(QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"));
        QVERIFY(!plain.expectsContinue());
    }

    void resetsCleanlyBetweenRequests()
    {
        HttpRequestParser parser;
        parser.feed(kPost);
        const HttpServerRequest first = parser.takeRequest();
        QCOMPARE(parser.state(), HttpRequestParser::State::NeedMore);
        QVERIFY(!parser.inProgress());
        parser.feed(QByteArray("GET /b HTTP/1.1\r\nHost: y\r\n\r\n"));
        QCOMPARE(parser.state(), HttpRequestParser::State::Complete);
        QCOMPARE(parser.request().headers.fields().size(), 1);
        QVERIFY(parser.request().body.isEmpty());
        QCOMPARE(first.headers.fields().size(), 4);
    }
};

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"

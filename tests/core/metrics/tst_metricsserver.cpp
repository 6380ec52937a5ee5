// The /metrics endpoint over loopback: a real HTTP GET on port 0 returns the registry in
// the text format, other paths are 404, and the scraped text passes `promtool check metrics`.
#include "metrics/metricscollector.h"
#include "metrics/metricsregistry.h"
#include "metrics/metricsserver.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <memory>
#include <optional>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kSonnet = u"claude-sonnet-4-5"_s;
const QString kHaiku = u"claude-haiku-4-5"_s;
constexpr int kReplyTimeoutMs = 10000;

struct ToolRun {
    int exitCode = -1;
    QByteArray output;
};

/// Runs promtool with `arguments`, `input` on its stdin; nullopt when it is not installed.
std::optional<ToolRun> runPromtool(const QStringList &arguments, const QByteArray &input = {})
{
    const QString program = QStandardPaths::findExecutable(u"promtool"_s);
    if (program.isEmpty())
        return std::nullopt;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    ToolRun run;
    if (!process.waitForStarted(kReplyTimeoutMs))
        return run;
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(30000);
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.output = process.readAll();
    return run;
}

/// A registry filled the way a run fills it, plus label values that need escaping.
void fill(MetricsRegistry &registry, MetricsCollector &collector)
{
    collector.record(AttemptFinished{u"c1"_s, Millis(0), kSonnet, 0, Outcome::ServerError, 503,
                                     Millis(1200), u"unavailable"_s});
    collector.record(RetryScheduled{u"c1"_s, Millis(0), kSonnet, 1, Millis(1000),
                                    DelaySource::Backoff, Outcome::ServerError});
    collector.record(AttemptFinished{u"c1"_s, Millis(0), kSonnet, 1, Outcome::Success, 200,
                                     Millis(800), QString()});
    collector.record(
        BreakerTransition{Millis(0), kHaiku, BreakerState::Closed, BreakerState::Open});
    collector.record(ShortCircuited{u"c2"_s, Millis(0), kHaiku, Outcome::ShortCircuited});
    CallResult result;
    result.source = kSonnet;
    result.duration = Millis(3000);
    collector.record(CallFinished{Millis(0), result});
    collector.record(AlertChanged{Millis(0), u"HighErrorRate"_s, true, 0.5, u"m"_s});
    collector.setDeadLetterCount(2);
    registry.addCounter(u"breakwater_escape_check_total"_s, u"Label values with \\ and \" in."_s,
                        {u"value"_s});
    registry.increment(u"breakwater_escape_check_total"_s, {u"back\\slash \"quoted\"\nnext"_s});
}

} // namespace

class TestMetricsServer : public QObject {
    Q_OBJECT

private:
    /// GETs (or POSTs) `path` from the server and waits, bounded, for the reply.
    std::unique_ptr<QNetworkReply> fetch(const MetricsServer &server, const QString &path,
                                         const QByteArray &method = QByteArrayLiteral("GET"))
    {
        QUrl url = server.url();
        url.setPath(path.section(u'?', 0, 0));
        if (path.contains(u'?'))
            url.setQuery(path.section(u'?', 1));
        QNetworkRequest request(url);
        request.setTransferTimeout(kReplyTimeoutMs);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain"));
        std::unique_ptr<QNetworkReply> reply(
            method == "GET" ? m_network.get(request) : m_network.post(request, QByteArray("x")));
        const auto *raw = reply.get();
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(raw->isFinished(), kReplyTimeoutMs);
        }();
        return reply;
    }

    QNetworkAccessManager m_network;

private Q_SLOTS:
    void servesTheRegistryOnALoopbackPort()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet, kHaiku});
        fill(registry, collector);
        MetricsServer server(registry);
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        QCOMPARE(server.port(), port);
        QCOMPARE(server.url().host(), u"127.0.0.1"_s);
        QCOMPARE(server.url().port(), int(port));
        QCOMPARE(server.url().path(), u"/metrics"_s);

        const auto reply = fetch(server, u"/metrics"_s);
        QVERIFY(reply->isFinished());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
                 QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        const QByteArray body = reply->readAll();
        QCOMPARE(body, registry.render());
        QVERIFY(body.contains("llm_calls_total{model=\"claude-sonnet-4-5\",status=\"error\"} 1\n"));
        QVERIFY(body.contains(
            "llm_circuit_breaker_state{model=\"claude-haiku-4-5\",state=\"open\"} 1\n"));
    }

    void servesFreshValuesOnEveryScrape()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        MetricsServer server(registry);
        QVERIFY(server.listen() != 0);
        QVERIFY(fetch(server, u"/metrics"_s)->readAll().contains("\nllm_dlq_messages 0\n"));
        collector.setDeadLetterCount(5);
        QVERIFY(fetch(server, u"/metrics"_s)->readAll().contains("\nllm_dlq_messages 5\n"));
    }

    void ignoresTheQueryString()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry);
        MetricsServer server(registry);
        QVERIFY(server.listen() != 0);
        const auto reply = fetch(server, u"/metrics?name[]=llm_calls_total"_s);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->readAll(), registry.render());
    }

    void answersNotFoundForAnythingElse_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("method");
        QTest::newRow("root") << u"/"_s << QByteArray("GET");
        QTest::newRow("prefix") << u"/metric"_s << QByteArray("GET");
        QTest::newRow("longer") << u"/metricsx"_s << QByteArray("GET");
        QTest::newRow("below") << u"/metrics/extra"_s << QByteArray("GET");
        QTest::newRow("other") << u"/favicon.ico"_s << QByteArray("GET");
        QTest::newRow("POST /metrics") << u"/metrics"_s << QByteArray("POST");
    }

    void answersNotFoundForAnythingElse()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, method);
        MetricsRegistry registry;
        MetricsCollector collector(registry);
        MetricsServer server(registry);
        QVERIFY(server.listen() != 0);
        const auto reply = fetch(server, path, method);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
        QVERIFY(!reply->readAll().contains("llm_calls_total"));
    }

    void refusesToListenTwice()
    {
        MetricsRegistry registry;
        MetricsServer server(registry);
        QCOMPARE(server.port(), quint16(0));
        QVERIFY(server.url().isEmpty());
        const quint16 port = server.listen();
        QVERIFY(port != 0);
        QCOMPARE(server.listen(), quint16(0));
        QCOMPARE(server.port(), port);
    }

    void scrapedTextPassesPromtoolCheckMetrics()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet, kHaiku});
        fill(registry, collector);
        MetricsServer server(registry);
        QVERIFY(server.listen() != 0);
        const QByteArray body = fetch(server, u"/metrics"_s)->readAll();
        QVERIFY(body.contains("breakwater_escape_check_total{value=\"back\\\\slash "
                              "\\\"quoted\\\"\\nnext\"} 1\n"));

        const auto run = runPromtool({u"check"_s, u"metrics"_s}, body);
        if (!run)
            QSKIP("promtool is not on PATH: install Debian's `prometheus` package "
                  "(apt-get install prometheus) to check the exposition format");
        if (run->exitCode != 0)
            qWarning().noquote() << "promtool said:" << run->output << "\nscraped:\n" << body;
        QCOMPARE(run->exitCode, 0);
    }

    void promtoolRejectsBrokenExposition()
    {
        // The check above can fail: an unterminated label value is a parse error.
        const auto run =
            runPromtool({u"check"_s, u"metrics"_s}, QByteArray("# TYPE llm_calls_total counter\n"
                                                               "llm_calls_total{model=\"a} 1\n"));
        if (!run)
            QSKIP("promtool is not on PATH: install Debian's `prometheus` package");
        QVERIFY(run->exitCode != 0);
    }
};

QTEST_GUILESS_MAIN(TestMetricsServer)
#include "tst_metricsserver.moc"

// The in-process transport to the chaos server: every answer and fault must reach the caller
// as the same callbacks the real path (QnamTransport over a loopback socket) gives, with no
// socket, no thread, and nothing happening but on the clock.
#include "chaos/chaosserver.h"
#include "chaos/inprocesstransport.h"
#include "common/fakeclock.h"
#include "providers/provideradapter.h"
#include "transport/qnamtransport.h"

#include <QElapsedTimer>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QDateTime kWallNow = QDateTime(QDate(2026, 3, 1), QTime(12, 0, 0), Qt::UTC);
constexpr std::uint64_t kSeed = 5;
const QString kModel = u"claude-sonnet-4-5"_s;

/// What a transport told its caller about one request, normalised where the real path varies
/// without meaning anything: body bytes arrive in any split, and QNAM may write a request
/// again on a fresh connection after a reset (requestSent twice).
struct Record {
    QStringList steps;
    int status = 0;
    QList<HttpHeaders::Field> headers;
    QByteArray body;
    bool ended = false;

    void add(const QString &step)
    {
        if (steps.isEmpty() || steps.last() != step)
            steps.append(step);
    }

    TransportCallbacks callbacks()
    {
        TransportCallbacks callbacks;
        callbacks.requestSent = [this] {
            add(u"sent"_s);
        };
        callbacks.responseHead = [this](int code, const HttpHeaders &fields) {
            add(u"head %1"_s.arg(code));
            status = code;
            headers = fields.fields();
        };
        callbacks.bodyChunk = [this](const QByteArray &chunk) {
            add(u"body"_s);
            body += chunk;
        };
        callbacks.finished = [this] {
            add(u"finished"_s);
            ended = true;
        };
        callbacks.failed = [this](TransportFailure failure, const QString &detail) {
            add(u"failed %1: %2"_s.arg(static_cast<int>(failure)).arg(detail));
            ended = true;
        };
        return callbacks;
    }

    bool sameAs(const Record &other) const
    {
        return steps == other.steps && status == other.status && headers == other.headers &&
               body == other.body && ended == other.ended;
    }

    QString describe() const
    {
        QStringList names;
        for (const auto &[name, value] : headers)
            names.append(QString::fromLatin1(name + ": " + value));
        return u"%1\n    headers: %2\n    body (%3 bytes): %4"_s.arg(
            steps.join(u" | "_s), names.join(u"; "_s), QString::number(body.size()),
            QString::fromUtf8(body.left(300)));
    }
};

ChaosProfile immediateProfile()
{
    ChaosModelProfile model; // no latency, no pacing: every answer goes out at once
    ChaosProfile profile;
    profile.models.insert(kChaosAnyModel, model);
    return profile;
}

ChaosProfile pacedProfile()
{
    ChaosModelProfile model;
    model.latency = {400, 400};
    model.ttftMs = 300;
    model.tokensPerSecond = 10;
    ChaosProfile profile;
    profile.models.insert(kChaosAnyModel, model);
    return profile;
}

HttpRequest chatRequest(ProviderKind kind, const QUrl &baseUrl, bool stream,
                        const QByteArray &fault = {})
{
    ChatRequest chat;
    chat.model = kModel;
    chat.prompt = u"Tell me about breakwaters and harbours."_s;
    chat.maxTokens = 200;
    chat.stream = stream;
    if (!fault.isEmpty())
        chat.extraHeaders.add("x-chaos-fault", fault);
    return createProviderAdapter(kind)->buildRequest(baseUrl, "test-key", chat);
}

/// Fires every timer of `clock`, including those the callbacks arm; a bound in place of a
/// hang.
void runAllTimers(FakeClock &clock)
{
    for (int i = 0; i < 100000 && clock.advanceToNextTimer(); ++i) {
    }
}

const QUrl kInProcessBase(u"http://in-process.invalid"_s);

/// The chaos server in process on a FakeClock, as virtual time runs it.
struct InProcessChaos {
    explicit InProcessChaos(ChaosProfile profile)
        : server(clock, kSeed, std::move(profile), {}, [] { return kWallNow; }),
          transport(server.handler(), clock)
    {}

    std::unique_ptr<TransportRequest> send(Record &record, ProviderKind kind, bool stream,
                                           const QByteArray &fault = {})
    {
        return transport.send(chatRequest(kind, kInProcessBase, stream, fault), record.callbacks());
    }

    FakeClock clock;
    ChaosServer server;
    InProcessTransport transport;
};

} // namespace

class TestInProcessTransport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachAnswerAndFaultGivesTheCallbacksOfTheSocketPath_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QByteArray>("fault");
        QList<QByteArray> faults{"ok"};
        for (ChaosFault fault : allChaosFaults())
            faults.append(chaosFaultName(fault).toLatin1());
        for (ProviderKind kind : {ProviderKind::Anthropic, ProviderKind::OpenAI}) {
            for (bool stream : {false, true}) {
                for (const QByteArray &fault : faults) {
                    const QByteArray name =
                        (kind == ProviderKind::Anthropic ? "anthropic " : "openai ") +
                        QByteArray(stream ? "stream " : "json ") + fault;
                    QTest::newRow(name.constData()) << static_cast<int>(kind) << stream << fault;
                }
            }
        }
    }

    void eachAnswerAndFaultGivesTheCallbacksOfTheSocketPath()
    {
        QFETCH(int, kind);
        QFETCH(bool, stream);
        QFETCH(QByteArray, fault);
        const auto provider = static_cast<ProviderKind>(kind);

        // In process: everything happens on the clock; nothing is left once its timers ran.
        InProcessChaos inProcess(immediateProfile());
        Record virtualRecord;
        auto virtualRequest = inProcess.send(virtualRecord, provider, stream, fault);
        runAllTimers(inProcess.clock);

        // Over a loopback socket, through the production transport, from a server in the
        // same state (same seed, same dates, its clock never advanced: nothing here waits).
        FakeClock socketClock;
        ChaosServer server(socketClock, kSeed, immediateProfile(), {}, [] { return kWallNow; });
        QVERIFY(server.listen());
        QnamTransport qnam;
        Record socketRecord;
        auto socketRequest = qnam.send(chatRequest(provider, server.baseUrl(), stream, fault),
                                       socketRecord.callbacks());
        // Until it says what the in-process path said (an answer that stalls says no more),
        // then a little longer to see that nothing else comes.
        QElapsedTimer bound;
        bound.start();
        while (!socketRecord.ended && !socketRecord.sameAs(virtualRecord) && bound.elapsed() < 5000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QTest::qWait(30);

        QVERIFY2(virtualRecord.sameAs(socketRecord),
                 qPrintable(u"\n  in process: %1\n  socket:     %2"_s.arg(
                     virtualRecord.describe(), socketRecord.describe())));
        QVERIFY(!virtualRecord.steps.isEmpty());
        QCOMPARE(virtualRecord.steps.first(), u"sent"_s);

        // A request that never ends is aborted by its caller: the handler lets go of it.
        virtualRequest.reset();
        socketRequest.reset();
        QCOMPARE(inProcess.server.handler().answersInProgress(), 0);
        QCOMPARE(inProcess.clock.pendingTimers(), 0);
    }

    void noCallbackRunsInsideSend()
    {
        InProcessChaos chaos(immediateProfile());
        FakeClock &clock = chaos.clock;
        Record record;
        auto request = chaos.send(record, ProviderKind::Anthropic, false);
        QVERIFY(record.steps.isEmpty());
        // The handler has not seen it yet either: the request is on its way.
        QCOMPARE(chaos.server.controller().stats().value(kModel).requests, qint64(0));
        clock.advance(Millis(0));
        QCOMPARE(record.steps, (QStringList{u"sent"_s, u"head 200"_s, u"body"_s, u"finished"_s}));
        QCOMPARE(chaos.server.controller().stats().value(kModel).requests, qint64(1));
    }

    void latencyAndStreamPacingRunOnTheClock()
    {
        InProcessChaos chaos(pacedProfile());
        FakeClock &clock = chaos.clock;
        Record record;
        auto request = chaos.send(record, ProviderKind::Anthropic, true);
        clock.advance(Millis(399));
        QCOMPARE(record.steps, QStringList{u"sent"_s});
        clock.advance(Millis(1));
        QCOMPARE(record.steps, (QStringList{u"sent"_s, u"head 200"_s, u"body"_s}));
        const qsizetype startBytes = record.body.size();
        // The first text comes ttft after the head, the rest at 10 tokens a second.
        clock.advance(Millis(299));
        QCOMPARE(record.body.size(), startBytes);
        clock.advance(Millis(1));
        QVERIFY(record.body.size() > startBytes);
        QVERIFY(!record.ended);
        const Millis textStarted = clock.now();
        runAllTimers(clock);
        QVERIFY(record.ended);
        QCOMPARE(record.steps.last(), u"finished"_s);
        QVERIFY(record.body.contains("event: message_stop"));
        QVERIFY2(clock.now() - textStarted >= Millis(1000),
                 "a 200-token answer at 10 tokens/s took no time");
    }

    void abortStopsTheCallbacksAndTheHandlersTimers()
    {
        InProcessChaos chaos(pacedProfile());
        FakeClock &clock = chaos.clock;
        Record record;
        auto request = chaos.send(record, ProviderKind::Anthropic, true);
        clock.advance(Millis(800));
        QVERIFY(record.body.contains("content_block_delta"));
        QCOMPARE(chaos.server.handler().answersInProgress(), 1);
        QVERIFY(clock.pendingTimers() > 0);

        request->abort();
        const Record atAbort = record;
        // The handler heard that the client went away and stopped pacing the answer.
        QCOMPARE(chaos.server.handler().answersInProgress(), 0);
        QCOMPARE(clock.pendingTimers(), 0);
        clock.advance(Millis(60000));
        QVERIFY(record.sameAs(atAbort));
        request.reset(); // destroying an aborted request is harmless
    }

    void abortWhileTheAnswerWaitsForItsLatencyCancelsIt()
    {
        InProcessChaos chaos(pacedProfile());
        FakeClock &clock = chaos.clock;
        Record record;
        auto request = chaos.send(record, ProviderKind::Anthropic, false);
        clock.advance(Millis(100));
        QCOMPARE(record.steps, QStringList{u"sent"_s});
        QCOMPARE(chaos.server.handler().answersInProgress(), 1);
        request.reset(); // destroying aborts
        QCOMPARE(chaos.server.handler().answersInProgress(), 0);
        QCOMPARE(clock.pendingTimers(), 0);
        runAllTimers(clock);
        QCOMPARE(record.steps, QStringList{u"sent"_s});
    }

    void destroyingTheRequestInItsOwnCallbackStopsTheRest()
    {
        InProcessChaos chaos(immediateProfile());
        FakeClock &clock = chaos.clock;
        std::unique_ptr<TransportRequest> request;
        QStringList steps;
        TransportCallbacks callbacks;
        callbacks.responseHead = [&](int, const HttpHeaders &) {
            steps.append(u"head"_s);
            request.reset();
        };
        callbacks.bodyChunk = [&](const QByteArray &) {
            steps.append(u"body"_s);
        };
        callbacks.finished = [&] {
            steps.append(u"finished"_s);
        };
        callbacks.failed = [&](TransportFailure, const QString &) {
            steps.append(u"failed"_s);
        };
        request = chaos.transport.send(chatRequest(ProviderKind::Anthropic, kInProcessBase, true),
                                       callbacks);
        runAllTimers(clock);
        QCOMPARE(steps, QStringList{u"head"_s});
        QVERIFY(!request);
        QCOMPARE(chaos.server.handler().answersInProgress(), 0);
    }

    void aSecondRequestWaitsForNoOther()
    {
        // No connection limit and no queue: requests sent together are answered together.
        InProcessChaos chaos(pacedProfile());
        FakeClock &clock = chaos.clock;
        std::vector<Record> records(20);
        std::vector<std::unique_ptr<TransportRequest>> requests;
        for (Record &record : records)
            requests.push_back(chaos.send(record, ProviderKind::Anthropic, false));
        clock.advance(Millis(400));
        for (const Record &record : records)
            QVERIFY(record.ended);
    }

    void theHandlerGetsThePathAndQueryOfTheUrl()
    {
        HttpRequest request;
        request.method = "GET";
        request.url = QUrl(u"http://in-process.invalid/v1/models/claude%20x?limit=5&after=a%2Fb"_s);
        request.headers.add("x-api-key", "k");
        request.body = "body";
        const HttpServerRequest received = InProcessTransport::serverRequest(request);
        QCOMPARE(received.method, QByteArray("GET"));
        QCOMPARE(received.path, QByteArray("/v1/models/claude%20x"));
        QCOMPARE(received.query, QByteArray("limit=5&after=a%2Fb"));
        QCOMPARE(received.minorVersion, 1);
        QVERIFY(received.keepAlive);
        QCOMPARE(received.headers.value("x-api-key"), QByteArray("k"));
        QCOMPARE(received.body, QByteArray("body"));
        request.url = QUrl(u"http://in-process.invalid"_s);
        QCOMPARE(InProcessTransport::serverRequest(request).path, QByteArray("/"));
    }
};

QTEST_GUILESS_MAIN(TestInProcessTransport)
#include "tst_inprocesstransport.moc"

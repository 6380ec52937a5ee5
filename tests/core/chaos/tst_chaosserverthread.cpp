// The chaos server on a thread of its own (ChaosServer::runInOwnThread, as the Lab runs the
// embedded server): it answers while the caller's thread is blocked, its control API and
// the caller's direct controller calls see one state, signals from the server thread reach
// the caller queued, timelines started over HTTP run on the controller's thread, and it
// shuts down with connections open. A real clock: the server thread's timers need one. Every
// wait is bounded and ends as soon as the awaited answer is there.
#include "chaos/chaosserver.h"
#include "chaostestsupport.h"
#include "common/qtclock.h"

#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <atomic>
#include <thread>

using namespace breakwater;
using namespace breakwater::test;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

constexpr int kTimeoutMs = 5000;

/// One request and its whole response over a blocking socket, without running this
/// thread's event loop: only a server in another thread can answer it.
RawResponse exchange(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(kTimeoutMs))
        return {};
    socket.write(request);
    if (!socket.waitForBytesWritten(kTimeoutMs))
        return {};
    QByteArray received;
    const QDeadlineTimer deadline(kTimeoutMs);
    while (!parseRawResponse(received).bodyComplete && !deadline.hasExpired()) {
        if (!socket.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            break;
        received += socket.readAll();
    }
    return parseRawResponse(received);
}

QByteArray chat(const std::string &model = "claude-sonnet-4-5")
{
    return rawRequest(chatRequest(WireFormat::Anthropic, model, "Hello there."));
}

} // namespace

class TestChaosServerThread final : public QObject {
    Q_OBJECT

private:
    QtClock m_clock;

    std::unique_ptr<ChaosServer> threadedServer(ChaosProfile profile = defaultChaosProfile())
    {
        auto server = std::make_unique<ChaosServer>(m_clock, 3, std::move(profile));
        server->runInOwnThread();
        return server;
    }

private Q_SLOTS:
    void answersWhileTheCallersThreadIsBlocked()
    {
        auto server = threadedServer();
        QVERIFY(server->hasOwnThread());
        QVERIFY(server->listen());
        QVERIFY(server->isListening());
        QCOMPARE(server->baseUrl().port(), static_cast<int>(server->port()));
        // This thread never returns to its event loop while it waits.
        const RawResponse response = exchange(server->port(), chat());
        QCOMPARE(response.status, 200);
        QVERIFY(response.bodyComplete);
        QCOMPARE(server->controller().stats().value(u"claude-sonnet-4-5"_s).requests, 1);
    }

    void withoutItsOwnThreadTheCallerMustRunTheLoop()
    {
        // The contrast that makes the test above mean something.
        ChaosServer server(m_clock, 3);
        QVERIFY(!server.hasOwnThread());
        QVERIFY(server.listen());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write(chat());
        QVERIFY(socket.waitForBytesWritten(kTimeoutMs));
        QVERIFY(!socket.waitForReadyRead(200)); // nobody on this thread serves it
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0, kTimeoutMs);
    }

    void httpPatchIsSeenFromThisThreadAtOnce()
    {
        auto server = threadedServer();
        QVERIFY(server->listen());
        QSignalSpy changed(&server->controller(), &ChaosController::profileChanged);
        const RawResponse response =
            exchange(server->port(), rawRequest(makeRequest("PATCH", "/chaos/models/m",
                                                            R"({"faults":{"unavailable":1.0}})")));
        QCOMPARE(response.status, 200);
        // The state is shared: this thread reads the patch as soon as the answer came.
        const ChaosProfile profile = server->controller().profile();
        QVERIFY(profile.find(u"m"_s));
        QCOMPARE(profile.find(u"m"_s)->faultRate(ChaosFault::Unavailable), 1.0);
        // And a request for that model on the server thread gets the fault.
        QCOMPARE(exchange(server->port(), chat("m")).status, 503);
        QCOMPARE(changed.count(), 1); // emitted once, from the server thread
    }

    void directChangesFromThisThreadReachTheServerAtOnce()
    {
        auto server = threadedServer();
        QVERIFY(server->listen());
        QVERIFY(server->controller()
                    .patchModel(u"claude-sonnet-4-5"_s, {{"faults", {{"server_error", 1.0}}}})
                    .isEmpty());
        QCOMPARE(exchange(server->port(), chat()).status, 500);
        server->controller().reset();
        QCOMPARE(exchange(server->port(), chat()).status, 200);
        QCOMPARE(server->controller().stats().value(u"claude-sonnet-4-5"_s).requests, 1);
    }

    void timelineStartedOverHttpRunsOnTheControllersThread()
    {
        auto server = threadedServer();
        QVERIFY(server->listen());
        QThread *stepThread = nullptr;
        QString stepNote;
        connect(&server->controller(), &ChaosController::timelineStepApplied, this,
                [&](const QString &, const QString &note) {
                    stepThread = QThread::currentThread();
                    stepNote = note;
                });
        const RawResponse response = exchange(
            server->port(),
            rawRequest(makeRequest(
                "POST", "/chaos/timeline",
                R"({"timeline":[{"at_s":0.01,"model":"m","set":{"ttft_ms":5},"note":"step"}]})")));
        QCOMPARE(response.status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(stepNote, u"step"_s, kTimeoutMs);
        QCOMPARE(stepThread, QThread::currentThread());
        QCOMPARE(server->controller().pendingTimelineSteps(), 0);
    }

    void stopFromAnotherThreadCancelsTheTimelineAtOnce()
    {
        auto server = threadedServer();
        QVERIFY(server->listen());
        QSignalSpy steps(&server->controller(), &ChaosController::timelineStepApplied);
        server->controller().startTimelineJson(
            json::parse(R"([{"at_s":0.05,"model":"m","set":{"ttft_ms":5},"note":"late"}])"));
        QCOMPARE(server->controller().pendingTimelineSteps(), 1);
        // DELETE on the server thread: the stop is queued here, yet the step may not run even
        // if its timer fires first.
        QCOMPARE(
            exchange(server->port(), rawRequest(makeRequest("DELETE", "/chaos/timeline"))).status,
            200);
        QTest::qWait(150); // past the step's time, with this thread's loop running
        QCOMPARE(steps.count(), 0);
        QCOMPARE(server->controller().pendingTimelineSteps(), 0);
        QVERIFY(!server->controller().profile().models.contains(u"m"_s));
    }

    void concurrentRequestsAndPatchesKeepExactCounts()
    {
        ChaosController controller(m_clock, 5);
        constexpr int kPerThread = 5000;
        std::atomic<bool> go{false};
        const auto decideMany = [&] {
            while (!go)
                std::this_thread::yield();
            ChaosCall call;
            call.model = u"claude-sonnet-4-5"_s;
            for (int i = 0; i < kPerThread; ++i)
                controller.decide(call);
        };
        std::thread first(decideMany);
        std::thread second(decideMany);
        go = true;
        for (int i = 0; i < 200; ++i)
            controller.patchModel(u"claude-sonnet-4-5"_s,
                                  {{"faults", {{"server_error", (i % 2) * 0.5}}}});
        first.join();
        second.join();
        const ChaosModelStats stats = controller.stats().value(u"claude-sonnet-4-5"_s);
        QCOMPARE(stats.requests, 2 * kPerThread);
        qint64 answered = 0;
        for (qint64 count : stats.answers)
            answered += count;
        QCOMPARE(answered, 2 * kPerThread);
    }

    void shutsDownWithConnectionsOpenAndAnswersPending()
    {
        ChaosModelProfile slow;
        slow.latency.p50Ms = 10000;
        slow.latency.p99Ms = 10000;
        ChaosProfile profile;
        profile.models.insert(kChaosAnyModel, slow);
        auto server = threadedServer(profile);
        QVERIFY(server->listen());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(socket.waitForConnected(kTimeoutMs));
        socket.write(chat());
        QVERIFY(socket.waitForBytesWritten(kTimeoutMs));
        QTRY_COMPARE_WITH_TIMEOUT(
            server->controller().stats().value(u"claude-sonnet-4-5"_s).requests, 1, kTimeoutMs);
        server.reset(); // waits for its thread; the pending answer's timer dies there
        QTRY_VERIFY_WITH_TIMEOUT(socket.state() == QAbstractSocket::UnconnectedState, kTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestChaosServerThread)
#include "tst_chaosserverthread.moc"

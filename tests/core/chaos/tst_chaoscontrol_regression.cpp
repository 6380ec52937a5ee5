// Regressions in the chaos server's control API, found through fuzz/fuzz_jobline.cpp: the
// same nlohmann exception it hit in job files is thrown here by a request body.
#include "chaos/chaoscontroller.h"
#include "chaos/chaosrequesthandler.h"
#include "chaostestsupport.h"
#include "common/fakeclock.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::test;

class TestChaosControlRegression final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A control body holding a number too large for a double makes nlohmann throw
    // out_of_range (406), which parseBody (chaosrequesthandler.cpp) did not catch: the
    // exception left handleRequest and std::terminate ended the chaos server, and with it
    // the CLI or dashboard hosting it. It must be a 400 like any other invalid JSON.
    // The request as bytes: fuzz/crashers/chaos-control-number-overflow.http.
    void bodyWithANumberTooLargeForADoubleIsRefusedWith400_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("PUT profile") << QByteArray("PUT") << QByteArray("/chaos/profile")
                                     << QByteArray(R"({"models":{"*":{"ttft_ms":1e400}}})");
        QTest::newRow("PATCH model") << QByteArray("PATCH") << QByteArray("/chaos/models/x")
                                     << QByteArray(R"({"retry_after_s":-1e999})");
        QTest::newRow("POST timeline") << QByteArray("POST") << QByteArray("/chaos/timeline")
                                       << QByteArray(R"({"timeline":[{"at_s":1e400}]})");
    }

    void bodyWithANumberTooLargeForADoubleIsRefusedWith400()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        FakeClock clock;
        ChaosController controller(clock, 1, defaultChaosProfile());
        ChaosRequestHandler handler(controller, [] { return QDateTime::currentDateTimeUtc(); });
        auto responder = std::make_shared<RecordingResponder>();
        handler.handleRequest(makeRequest(method, path, body), responder);
        QCOMPARE(responder->status, 400);
    }
};

QTEST_GUILESS_MAIN(TestChaosControlRegression)
#include "tst_chaoscontrol_regression.moc"

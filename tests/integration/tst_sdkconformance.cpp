// The official Anthropic and OpenAI SDKs (npm) against the chaos server: answers, streams,
// error types and the SDKs' own retries. Skipped only where Node.js is absent.
#include "chaos/chaosserver.h"
#include "common/qtclock.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestSdkConformance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void officialSdksAcceptTheChaosServer()
    {
        const QString node = QStandardPaths::findExecutable(u"node"_s);
        if (node.isEmpty())
            QSKIP("Node.js is not installed: the SDK conformance checks need `node` on PATH");
        const QDir conformance(qEnvironmentVariable("BREAKWATER_SOURCE_DIR") +
                               u"/tests/conformance"_s);
        QVERIFY2(conformance.exists(u"node_modules/@anthropic-ai/sdk"_s) &&
                     conformance.exists(u"node_modules/openai"_s),
                 "the SDKs are not installed: run `npm ci` in tests/conformance "
                 "(scripts/test.sh does)");

        QtClock clock;
        ChaosServer server(clock, 11);
        QVERIFY(server.listen());
        QProcess process;
        process.setWorkingDirectory(conformance.path());
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(node, {u"sdk_conformance.mjs"_s, server.baseUrl().toString()});
        QVERIFY(process.waitForStarted(5000));
        // The server runs on this thread's event loop, so wait by spinning it.
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 90000);
        const QString output = QString::fromUtf8(process.readAll());
        const QStringList failed = output.split(u'\n').filter(QRegularExpression(u"^FAIL "_s));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.join(u'\n')));
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 qPrintable(output));
        QVERIFY2(output.count(u"PASS "_s) >= 24, qPrintable(output));
    }
};

QTEST_GUILESS_MAIN(TestSdkConformance)
#include "tst_sdkconformance.moc"

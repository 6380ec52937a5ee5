// /metrics scraped in the middle of a scenario run: every metric of SPEC.md section 8 is
// there, and the exposition passes `promtool check metrics`.
#include "config/configloader.h"
#include "runtime/scenariorun.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestRunMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void metricsScrapedDuringARunAreCompleteAndValid()
    {
        const QString path = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") +
                             u"/resources/scenarios/primary-outage.json"_s;
        const ScenarioParseResult scenario = loadScenarioFile(path);
        QVERIFY(scenario.scenario);
        const ConfigParseResult config =
            configForScenario(defaultConfigJson(), *scenario.scenario, path);
        QVERIFY(config.config);
        ScenarioRun::Options options;
        options.threads = 1;
        options.timeScale = 0.05;
        options.metricsPort = 0;
        ScenarioRun run(*config.config, *scenario.scenario, PromptSet::builtinShort(), options,
                        LabWorld::real());
        QString error;
        QVERIFY2(run.start(&error), qPrintable(error));
        QVERIFY(run.metricsPort() != 0);

        // Scrape while the primary is down (the outage is 25 %–58 % of the run).
        QTRY_VERIFY_WITH_TIMEOUT(run.elapsed() >= run.scaledScenario().duration * 2 / 5, 10000);
        QNetworkAccessManager manager;
        QNetworkReply *reply = manager.get(
            QNetworkRequest(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(run.metricsPort()))));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QByteArray exposition = reply->readAll();
        delete reply;

        for (const char *name :
             {"llm_calls_total{", "llm_call_duration_seconds_bucket{", "llm_call_errors_total{",
              "llm_retries_total{", "llm_retry_delay_seconds_bucket", "llm_circuit_breaker_state{",
              "llm_short_circuited_total{", "llm_responses_total{",
              "llm_request_duration_seconds_bucket", "llm_dlq_messages"})
            QVERIFY2(exposition.contains(name), name);
        QVERIFY(exposition.contains(R"(llm_calls_total{model="claude-sonnet-4-5",status="success"})"));

        QSignalSpy finished(&run, &ScenarioRun::finished);
        QVERIFY(finished.wait(20000));

        const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
        if (promtool.isEmpty())
            QSKIP("promtool is not installed (Debian package 'prometheus'; scripts/bootstrap.sh "
                  "installs it)");
        QProcess check;
        check.start(promtool, {u"check"_s, u"metrics"_s});
        QVERIFY(check.waitForStarted());
        check.write(exposition);
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30000));
        QVERIFY2(check.exitCode() == 0, check.readAllStandardOutput() + check.readAllStandardError());
    }
};

QTEST_GUILESS_MAIN(TestRunMetrics)
#include "tst_runmetrics.moc"

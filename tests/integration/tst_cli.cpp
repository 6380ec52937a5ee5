// breakwater-cli as a user and a script see it: exit codes, messages naming the file and
// JSON path, the call result of `send`, the report of `run`, `chaos` and its signals.
#include "testslowdown.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;

namespace {

/// A --time-scale value, stretched under the sanitizer presets (testslowdown.h).
QString timeScaleArgument(double timeScale)
{
    return QString::number(breakwater::testing::scaledTimeScale(timeScale));
}

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(BREAKWATER_CLI), arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        qWarning("breakwater-cli %s timed out", qPrintable(arguments.join(u' ')));
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString sourcePath(const QString &relative)
{
    return qEnvironmentVariable("BREAKWATER_SOURCE_DIR") + u'/' + relative;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(content);
    return path;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyCommandHasHelp_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *command : {"send", "run", "chaos", "validate"})
            QTest::newRow(command) << QString::fromLatin1(command);
    }
    void everyCommandHasHelp()
    {
        QFETCH(QString, command);
        const CliRun run = runCli({command, u"--help"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"Usage:"_s), qPrintable(run.out));
    }

    void badInvocationsExitTwoWithAMessage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << u"usage: breakwater-cli"_s;
        QTest::newRow("unknown command") << QStringList{u"explode"_s} << u"unknown command 'explode'"_s;
        QTest::newRow("unknown flag") << QStringList{u"send"_s, u"--frobnicate"_s, u"hi"_s}
                                      << u"Unknown option 'frobnicate'"_s;
        QTest::newRow("send without prompt") << QStringList{u"send"_s} << u"exactly one PROMPT"_s;
        QTest::newRow("send unknown model")
            << QStringList{u"send"_s, u"--model"_s, u"gpt-9"_s, u"hi"_s} << u"'gpt-9' is not in the chain"_s;
        QTest::newRow("send unknown fault")
            << QStringList{u"send"_s, u"--fault"_s, u"gremlins"_s, u"hi"_s} << u"unknown fault 'gremlins'"_s;
        QTest::newRow("run without scenario") << QStringList{u"run"_s} << u"--scenario FILE is required"_s;
        QTest::newRow("run missing scenario file")
            << QStringList{u"run"_s, u"--scenario"_s, u"/nonexistent/s.json"_s} << u"/nonexistent/s.json: cannot read"_s;
        QTest::newRow("bad time scale")
            << QStringList{u"run"_s, u"--scenario"_s, u"x.json"_s, u"--time-scale"_s, u"-1"_s}
            << u"--time-scale: must be a number > 0"_s;
        QTest::newRow("chaos bad port") << QStringList{u"chaos"_s, u"--port"_s, u"70000"_s}
                                        << u"--port: must be a port"_s;
        QTest::newRow("validate nothing") << QStringList{u"validate"_s} << u"no FILE given"_s;
    }
    void badInvocationsExitTwoWithAMessage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun run = runCli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void validateNamesTheFileAndJsonPathOfEveryProblem()
    {
        QTemporaryDir dir;
        const QString scenario = writeFile(dir, u"scenario.json"_s, R"({
            "duration_s": 30,
            "load": {"rps": 5},
            "chaos": {"timeline": [{"at_s": 1, "model": "m", "set": {}},
                                   {"at_s": 2, "model": "m", "set": {}},
                                   {"at_s": -4, "model": "m", "set": {}}]}})");
        const QString config = writeFile(dir, u"config.json"_s,
                                         R"({"retry": {"max_attempts": 0, "jitter": "pink"}})");
        const QString good = sourcePath(u"resources/config/default.json"_s);
        const CliRun run = runCli({u"validate"_s, scenario, config, good});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(scenario + u": chaos.timeline[2].at_s: must be a number >= 0"_s),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(config + u": retry.max_attempts: must be an integer >= 1"_s),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(config + u": retry.jitter: must be one of"_s), qPrintable(run.err));
        QVERIFY2(run.out.contains(good + u": ok (config)"_s), qPrintable(run.out));
    }

    void aBadConfigIsReportedWithItsPathAndNothingIsSent()
    {
        QTemporaryDir dir;
        const QString config = writeFile(dir, u"bad.json"_s, R"({"chain": [{"provider": "nowhere", "model": "m"}]})");
        const CliRun run = runCli({u"send"_s, u"--config"_s, config, u"hi"_s});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(config + u": chain[0].provider: unknown provider 'nowhere'"_s),
                 qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }

    void sendPrintsTheCallResultJson()
    {
        QTemporaryDir dir;
        const QString fast = writeFile(dir, u"fast.json"_s,
                                       R"({"retry": {"initial_s": 0.01, "max_s": 0.02, "jitter_s": 0.01}})");
        const CliRun run = runCli({u"send"_s, u"--config"_s, fast, u"--fault"_s, u"overloaded"_s,
                                   u"--model"_s, u"claude-haiku-4-5"_s, u"Hello there"_s});
        // Every attempt is forced to 529, so the degraded answer comes back: still exit 0.
        QCOMPARE(run.exitCode, 0);
        const auto result = nlohmann::json::parse(run.out.toStdString(), nullptr, false);
        QVERIFY2(result.is_object(), qPrintable(run.out));
        QCOMPARE(result["source"].get<std::string>(), std::string("degraded"));
        QCOMPARE(result["error_class"].get<std::string>(), std::string("overloaded"));
        QCOMPARE(result["attempts"][0]["http_status"].get<int>(), 529);
        QCOMPARE(result["attempts"][0]["delay_source"].get<std::string>(), std::string("backoff"));
    }

    void runWritesTheReportAndExitsByItsExpectations()
    {
        QTemporaryDir dir;
        const QString report = dir.filePath(u"report.json"_s);
        const CliRun run = runCli({u"run"_s, u"--scenario"_s,
                                   sourcePath(u"resources/scenarios/primary-outage.json"_s),
                                   u"--time-scale"_s, timeScaleArgument(0.05), u"--report"_s,
                                   report,
                                   u"--threads"_s, u"1"_s, u"--db"_s, dir.filePath(u"history.db"_s)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(u"breakers: claude-sonnet-4-5"_s), qPrintable(run.err));
        // Each progress line leads with the share answered by a model, cache and degraded
        // beside it.
        static const QRegularExpression progress(
            u"^\\d\\d:\\d\\d/\\d\\d:\\d\\d  \\d+ req  model \\d+\\.\\d %  cache \\d+\\.\\d %  "
            u"degraded \\d+\\.\\d %"_s,
            QRegularExpression::MultilineOption);
        QVERIFY2(progress.match(run.err).hasMatch(), qPrintable(run.err));
        QFile file(report);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto json = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
        QVERIFY(json.is_object());
        QCOMPARE(json["scenario"].get<std::string>(), std::string("primary-outage"));
        QVERIFY(json["expect"]["passed"].get<bool>());
        QVERIFY(json["totals"]["requests"].get<int>() > 100);
        QVERIFY2(run.err.contains(u"saved as run"_s), qPrintable(run.err));
        QVERIFY(QFile::exists(dir.filePath(u"history.db"_s)));

        // The same scenario with an expectation it cannot meet exits 1 and says which.
        QFile original(sourcePath(u"resources/scenarios/primary-outage.json"_s));
        QVERIFY(original.open(QIODevice::ReadOnly));
        auto impossible = nlohmann::json::parse(original.readAll().toStdString());
        impossible["expect"] = {{"source_share_min", {{"claude-haiku-4-5", 0.99}}}};
        const QString scenario = writeFile(dir, u"impossible.json"_s,
                                           QByteArray::fromStdString(impossible.dump()));
        const CliRun failing = runCli({u"run"_s, u"--scenario"_s, scenario, u"--time-scale"_s,
                                       u"0.05"_s, u"--report"_s, report, u"--quiet"_s, u"--no-save"_s});
        QCOMPARE(failing.exitCode, 1);
        QVERIFY2(failing.err.contains(u"share of answers from claude-haiku-4-5"_s), qPrintable(failing.err));
    }

    void chaosListensOnLoopbackAndStopsOnSigterm()
    {
        QProcess chaos;
        chaos.start(QStringLiteral(BREAKWATER_CLI), {u"chaos"_s, u"--seed"_s, u"5"_s});
        QVERIFY(chaos.waitForReadyRead(5000));
        const QString first = QString::fromUtf8(chaos.readLine()).trimmed();
        QVERIFY2(first.startsWith(u"listening on http://127.0.0.1:"_s), qPrintable(first));
        const QUrl base(first.mid(QStringLiteral("listening on ").size()));

        QNetworkAccessManager manager;
        QNetworkReply *reply = manager.get(QNetworkRequest(base.resolved(QUrl(u"/chaos/stats"_s))));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;

        chaos.terminate(); // SIGTERM
        QVERIFY(chaos.waitForFinished(5000));
        QCOMPARE(chaos.exitStatus(), QProcess::NormalExit);
        QCOMPARE(chaos.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

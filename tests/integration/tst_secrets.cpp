// A canary API key in the environment must reach the provider's auth header and nothing
// else: not stdout, stderr, reports, metrics, the chaos server's stats, the batch results,
// the dead-letter queue and its export, saved runs, or anything the dashboard writes.
#include "testslowdown.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kCanary = "sk-canary-7f3a9c1e5b2d4f60";

/// Every file under `dir`, as bytes (SQLite files included: a key must not be stored there).
QList<QPair<QString, QByteArray>> filesUnder(const QString &dir)
{
    QList<QPair<QString, QByteArray>> files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            files.append({file.fileName(), file.readAll()});
    }
    return files;
}

/// The environment of every process here: the canary in the variable the config names, and
/// every place a program may write (history, settings, caches) inside `workDir`.
QProcessEnvironment canaryEnvironment(const QString &workDir)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"BREAKWATER_CANARY_KEY"_s, QString::fromLatin1(kCanary));
    environment.insert(u"BREAKWATER_DB"_s, workDir + u"/breakwater.db"_s);
    environment.insert(u"HOME"_s, workDir + u"/home"_s);
    environment.insert(u"XDG_CONFIG_HOME"_s, workDir + u"/config"_s);
    environment.insert(u"XDG_DATA_HOME"_s, workDir + u"/data"_s);
    environment.insert(u"XDG_CACHE_HOME"_s, workDir + u"/cache"_s);
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    return environment;
}

QByteArray runProgram(const QString &program, const QStringList &arguments, const QString &workDir,
                      int *exitCode = nullptr)
{
    QProcess process;
    process.setProcessEnvironment(canaryEnvironment(workDir));
    process.setWorkingDirectory(workDir);
    process.start(program, arguments);
    if (!process.waitForFinished(60000))
        process.kill();
    if (exitCode)
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return process.readAllStandardOutput() + process.readAllStandardError();
}

QByteArray runCli(const QStringList &arguments, const QString &workDir, int *exitCode = nullptr)
{
    return runProgram(QStringLiteral(BREAKWATER_CLI), arguments, workDir, exitCode);
}

/// The embedded chaos provider with a key: the engine sends it as it would a real one.
void writeCanaryConfig(const QString &path)
{
    QFile config(path);
    if (!config.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    config.write(R"({"providers": {"chaos": {"kind": "anthropic", "base_url": "embedded",
                                              "api_key_env": "BREAKWATER_CANARY_KEY"}},
                    "retry": {"max_attempts": 2, "initial_s": 0.01, "max_s": 0.02, "jitter_s": 0.01}})");
}

/// Fails the test naming the first output or file under `dir` that holds the canary, or
/// its last twelve characters.
void verifyNoCanary(const QByteArray &output, const QString &dir, int minimumFiles)
{
    QVERIFY2(!output.contains(kCanary), "the key was printed");
    QVERIFY2(!output.contains(kCanary.right(12)), "part of the key was printed");
    const auto files = filesUnder(dir);
    QVERIFY2(files.size() >= minimumFiles,
             qPrintable(u"only %1 files written"_s.arg(files.size())));
    for (const auto &[name, content] : files) {
        QVERIFY2(!content.contains(kCanary), qPrintable(name + u" contains the key"_s));
        QVERIFY2(!content.contains(kCanary.right(12)),
                 qPrintable(name + u" contains part of the key"_s));
    }
}

} // namespace

class TestSecrets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aCanaryKeyAppearsInNoOutputReportOrFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString config = dir.filePath(u"config.json"_s);
        writeCanaryConfig(config);
        const QString scenarioPath = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") +
                                     u"/resources/scenarios/primary-outage.json"_s;

        QByteArray output;
        int exitCode = -1;
        output += runCli({u"send"_s, u"--config"_s, config, u"hello"_s}, dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        output += runCli(
            {u"send"_s, u"--config"_s, config, u"--fault"_s, u"auth"_s, u"--stream"_s, u"hello"_s},
            dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        // Saved to the history ($BREAKWATER_DB) too: a saved run must not hold the key.
        output +=
            runCli({u"run"_s, u"--config"_s, config, u"--scenario"_s, scenarioPath,
                    u"--time-scale"_s, QString::number(breakwater::testing::scaledTimeScale(0.03)),
                    u"--report"_s, dir.filePath(u"report.json"_s)},
                   dir.path(), &exitCode);
        // On a loaded machine the squeezed timeline may miss an expectation (exit 1); what
        // the run printed and wrote is the point here.
        QVERIFY2(exitCode == 0 || exitCode == 1, qPrintable(QString::number(exitCode)));
        QVERIFY(QFile::exists(dir.filePath(u"report.json"_s)));
        QVERIFY(QFile::exists(dir.filePath(u"breakwater.db"_s)));
        output += runCli({u"validate"_s, config}, dir.path());

        // A batch whose jobs all fail on auth: the dead-letter entries carry the last call
        // result, and their export is a file a user may share.
        QFile jobs(dir.filePath(u"jobs.jsonl"_s));
        QVERIFY(jobs.open(QIODevice::WriteOnly));
        jobs.write(R"({"id": "ok-1", "prompt": "hello"})"
                   "\n"
                   R"({"id": "dead-1", "prompt": "never answered", "chaos_fault": "auth"})"
                   "\n");
        jobs.close();
        const QString queue = dir.filePath(u"queue.db"_s);
        output +=
            runCli({u"batch"_s, u"--input"_s, jobs.fileName(), u"--db"_s, queue, u"--config"_s,
                    config, u"--max-receive-count"_s, u"1"_s, u"--retry-delay"_s, u"0"_s,
                    u"--output"_s, dir.filePath(u"results.jsonl"_s)},
                   dir.path(), &exitCode);
        QCOMPARE(exitCode, 1); // one job dead-lettered
        output += runCli({u"dlq"_s, u"list"_s, u"--db"_s, queue}, dir.path());
        output +=
            runCli({u"dlq"_s, u"show"_s, u"dead-1"_s, u"--db"_s, queue}, dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        output += runCli({u"dlq"_s, u"export"_s, dir.filePath(u"dead.jsonl"_s), u"--db"_s, queue},
                         dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        QVERIFY(QFile::exists(dir.filePath(u"dead.jsonl"_s)));
        QVERIFY(QFile::exists(dir.filePath(u"results.jsonl"_s)));

        // The config, the report, the history, the queue, the results and the export at least.
        verifyNoCanary(output, dir.path(), 6);
    }

    void theDashboardShowsAndWritesNoCanaryKey()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString config = dir.filePath(u"config.json"_s);
        writeCanaryConfig(config);
        const QString scenario = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") +
                                 u"/resources/scenarios/primary-outage.json"_s;
        const QString screenshot = dir.filePath(u"dashboard.png"_s);
        // A 60 s scenario at time x0.05 (3 s), the window taken after 4 s, then exit 0.
        int exitCode = -1;
        const QByteArray output = runProgram(
            QStringLiteral(BREAKWATER_APP),
            {u"--config"_s, config, u"--scenario"_s, scenario, u"--autostart"_s, u"--time-scale"_s,
             u"0.05"_s, u"--screenshot"_s, screenshot, u"--screenshot-after"_s, u"4"_s},
            dir.path(), &exitCode);
        QVERIFY2(exitCode == 0, output.constData());
        QVERIFY(QFile::exists(screenshot));
        // The screenshot, and whatever else the dashboard left in its settings, data and
        // cache directories (all pointed into `dir`).
        verifyNoCanary(output, dir.path(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"

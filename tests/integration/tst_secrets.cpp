// A canary API key in the environment must reach the provider's auth header and nothing
// else: not stdout, stderr, reports, metrics or the chaos server's stats.
#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "testslowdown.h"

using namespace Qt::StringLiterals;

namespace {

const QByteArray kCanary = "sk-canary-7f3a9c1e5b2d4f60";

QByteArray runCli(const QStringList &arguments, const QString &workDir, int *exitCode = nullptr)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"BREAKWATER_CANARY_KEY"_s, QString::fromLatin1(kCanary));
    environment.insert(u"BREAKWATER_DB"_s, workDir + u"/breakwater.db"_s);
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(workDir);
    process.start(QStringLiteral(BREAKWATER_CLI), arguments);
    if (!process.waitForFinished(60000))
        process.kill();
    if (exitCode)
        *exitCode = process.exitCode();
    return process.readAllStandardOutput() + process.readAllStandardError();
}

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

} // namespace

class TestSecrets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aCanaryKeyAppearsInNoOutputReportOrFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // The embedded chaos provider, with a key: the engine sends it as a real one.
        QFile config(dir.filePath(u"config.json"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"providers": {"chaos": {"kind": "anthropic", "base_url": "embedded",
                                                  "api_key_env": "BREAKWATER_CANARY_KEY"}},
                        "retry": {"initial_s": 0.01, "max_s": 0.02, "jitter_s": 0.01}})");
        config.close();
        const QString scenarioPath = qEnvironmentVariable("BREAKWATER_SOURCE_DIR") +
                                     u"/resources/scenarios/primary-outage.json"_s;

        QByteArray output;
        int exitCode = -1;
        output += runCli({u"send"_s, u"--config"_s, config.fileName(), u"hello"_s}, dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        output += runCli({u"send"_s, u"--config"_s, config.fileName(), u"--fault"_s, u"auth"_s,
                          u"--stream"_s, u"hello"_s},
                         dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        output += runCli({u"run"_s, u"--config"_s, config.fileName(), u"--scenario"_s, scenarioPath,
                          u"--time-scale"_s,
                          QString::number(breakwater::testing::scaledTimeScale(0.03)),
                          u"--report"_s, dir.filePath(u"report.json"_s)},
                         dir.path(), &exitCode);
        QCOMPARE(exitCode, 0);
        output += runCli({u"validate"_s, config.fileName()}, dir.path());

        QVERIFY2(!output.contains(kCanary), "the key was printed");
        QVERIFY2(!output.contains(kCanary.right(12)), "part of the key was printed");
        const auto files = filesUnder(dir.path());
        QVERIFY(files.size() >= 2); // the config and the report at least
        for (const auto &[name, content] : files)
            QVERIFY2(!content.contains(kCanary), qPrintable(name + u" contains the key"_s));
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"

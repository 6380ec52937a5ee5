// resources/prometheus/alerts.yml: it holds the seed article's rule, passes
// `promtool check rules`, and its alerts fire and clear as intended on synthetic series
// (`promtool test rules tests/core/metrics/alerts_test.yml`).
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

struct ToolRun {
    int exitCode = -1;
    QByteArray output;
};

/// Runs promtool with `arguments` in `directory`; nullopt when it is not installed.
std::optional<ToolRun> runPromtool(const QStringList &arguments, const QString &directory)
{
    const QString program = QStandardPaths::findExecutable(u"promtool"_s);
    if (program.isEmpty())
        return std::nullopt;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(directory);
    process.start(program, arguments);
    process.closeWriteChannel();
    ToolRun run;
    if (!process.waitForFinished(60000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.output = process.readAll();
    return run;
}

constexpr char kNoPromtool[] = "promtool is not on PATH: install Debian's `prometheus` "
                               "package (apt-get install prometheus) to check the alert rules";

QString sourceDir()
{
    return qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
}

} // namespace

class TestAlertRules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!sourceDir().isEmpty(),
                 "BREAKWATER_SOURCE_DIR is not set (see tests/CMakeLists.txt)");
        QVERIFY(QFile::exists(sourceDir() + u"/resources/prometheus/alerts.yml"_s));
    }

    void holdsTheSeedArticleRule()
    {
        QFile file(sourceDir() + u"/resources/prometheus/alerts.yml"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("alert: HighErrorRate\n"));
        QVERIFY(text.contains("expr: sum(rate(llm_calls_total{status=\"error\"}[5m])) / "
                              "sum(rate(llm_calls_total[5m])) > 0.1\n"));
        QVERIFY(text.contains("alert: AuthFailure\n"));
        QVERIFY(text.contains("expr: increase(llm_call_errors_total{class=\"auth\"}[5m]) > 0\n"));
    }

    void passesPromtoolCheckRules()
    {
        const auto run = runPromtool({u"check"_s, u"rules"_s, u"resources/prometheus/alerts.yml"_s},
                                     sourceDir());
        if (!run)
            QSKIP(kNoPromtool);
        if (run->exitCode != 0)
            qWarning().noquote() << run->output;
        QCOMPARE(run->exitCode, 0);
        QVERIFY(run->output.contains("SUCCESS: 2 rules found"));
    }

    void firesAndClearsOnSyntheticSeries()
    {
        const auto run = runPromtool(
            {u"test"_s, u"rules"_s, u"tests/core/metrics/alerts_test.yml"_s}, sourceDir());
        if (!run)
            QSKIP(kNoPromtool);
        if (run->exitCode != 0)
            qWarning().noquote() << run->output;
        QCOMPARE(run->exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertRules)
#include "tst_alertrules.moc"

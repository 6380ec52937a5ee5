// `breakwater-cli run --virtual`: a bundled scenario in virtual time gives the same report for
// a seed every time (started_at aside), meets the scenario's expectations as a real run does,
// and takes a fraction of the scenario's duration; the options it cannot honour are refused.
#include "clirunner.h"
#include "testslowdown.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace Qt::StringLiterals;
using nlohmann::json;
using namespace breakwater::testing;

namespace {

std::optional<json> readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray bytes = file.readAll();
    return json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
}

} // namespace

class TestVirtualRun : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aBundledScenarioRunsTheSameForASeedAndMeetsItsExpectations_data()
    {
        QTest::addColumn<QString>("scenario");
        const QDir dir(sourcePath(u"resources/scenarios"_s));
        const QStringList files = dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 9);
        for (const QString &file : files)
            QTest::newRow(qPrintable(file)) << dir.filePath(file);
    }

    void aBundledScenarioRunsTheSameForASeedAndMeetsItsExpectations()
    {
        QFETCH(QString, scenario);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::optional<json> reports[2];
        qint64 slowestMs = 0;
        for (int i = 0; i < 2; ++i) {
            // Qt seeds its hashes at random in every process unless QT_HASH_SEED=0: one run
            // each way, so that nothing in the report may follow a QHash's order.
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            if (i == 0)
                environment.insert(u"QT_HASH_SEED"_s, u"0"_s);
            else
                environment.remove(u"QT_HASH_SEED"_s);
            const QString path = dir.filePath(u"report-%1.json"_s.arg(i));
            // The scenario's own seed: the one its expectations were written for.
            const CliRun run = runCli({u"run"_s, u"--virtual"_s, u"--scenario"_s, scenario,
                                       u"--report"_s, path, u"--no-save"_s, u"--quiet"_s},
                                      environment);
            // 1: it ran, and its expectations failed (judged below, after the comparison).
            QVERIFY2(run.exitCode == 0 || run.exitCode == 1, qPrintable(run.err));
            slowestMs = std::max(slowestMs, run.wallMs);
            reports[i] = readJson(path);
            QVERIFY(reports[i] && reports[i]->is_object());
        }
        json first = *reports[0];
        json second = *reports[1];
        QVERIFY(first.contains("started_at"));
        first.erase("started_at");
        second.erase("started_at");
        QVERIFY2(first == second, "two runs of one seed gave different reports");
        const std::optional<json> file = readJson(scenario);
        QVERIFY(file && file->contains("seed"));
        QVERIFY(first["seed"] == file->at("seed"));
        // A real run of the same shape: the whole scenario ran, with no time scaling.
        QVERIFY(first["duration_s"].get<double>() >= file->at("duration_s").get<double>());
        QVERIFY(!first.contains("time_scale"));
        QVERIFY(first["totals"]["requests"].get<int>() > 0);
        // A 60 s scenario; measured at 0.04-0.6 s each. Generous: a loaded or sanitized build.
        const qint64 boundMs = static_cast<qint64>(10000 * breakwater::testing::testSlowdown());
        QVERIFY2(slowestMs < boundMs, qPrintable(u"took %1 ms"_s.arg(slowestMs)));
        // Its figures meet the scenario's expectations, as a real run's do.
        QVERIFY2(first["expect"]["passed"].get<bool>(), first["expect"]["failures"].dump().c_str());
    }

    void optionsWithoutMeaningInVirtualTimeAreRefused_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("named");
        QTest::newRow("time-scale")
            << QStringList{u"--time-scale"_s, u"0.5"_s} << u"--time-scale"_s;
        QTest::newRow("threads") << QStringList{u"--threads"_s, u"2"_s} << u"--threads"_s;
        QTest::newRow("metrics-port")
            << QStringList{u"--metrics-port"_s, u"0"_s} << u"--metrics-port"_s;
    }

    void optionsWithoutMeaningInVirtualTimeAreRefused()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, named);
        const CliRun run =
            runCli(QStringList{u"run"_s, u"--virtual"_s, u"--scenario"_s,
                               sourcePath(u"resources/scenarios/steady.json"_s), u"--no-save"_s} +
                   extra);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(named) && run.err.contains(u"--virtual"_s), qPrintable(run.err));
    }

    void aChainBeyondTheEmbeddedServerIsRefusedWithItsPath()
    {
        QTemporaryDir dir;
        const QString config = writeFile(dir, u"real.json"_s, R"({
          "chain": [{"provider": "chaos", "model": "claude-sonnet-4-5"},
                    {"provider": "openai", "model": "gpt-4o-mini"}]
        })");
        const CliRun run = runCli({u"run"_s, u"--virtual"_s, u"--scenario"_s,
                                   sourcePath(u"resources/scenarios/steady.json"_s), u"--config"_s,
                                   config, u"--no-save"_s});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(u"chain[1].provider"_s) && run.err.contains(u"'openai'"_s),
                 qPrintable(run.err));
    }

    void helpTellsWhatVirtualTimeRefuses()
    {
        const CliRun run = runCli({u"run"_s, u"--help"_s});
        QCOMPARE(run.exitCode, 0);
        const QString help = run.out.simplified();
        QVERIFY2(help.contains(u"--virtual"_s), qPrintable(help));
        QVERIFY2(help.contains(u"Refused with --virtual"_s), qPrintable(help));
    }
};

QTEST_GUILESS_MAIN(TestVirtualRun)
#include "tst_virtualrun.moc"

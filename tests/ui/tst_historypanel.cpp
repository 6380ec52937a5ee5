// The history tab on a temporary database (BREAKWATER_DB): saved runs listed with label,
// scenario, start, success % and p99; two runs compared side by side with the right figures,
// differences and the better one highlighted; a run opened in the charts under a banner with
// a way back to live; delete only after a yes; and runs finished in the dashboard saved
// automatically (two real short runs under two configs), unless saving is off.
#include "charts/errorratechart.h"
#include "charts/latencychart.h"
#include "charts/sourceschart.h"
#include "config/configloader.h"
#include "dashboardoptions.h"
#include "mainwindow.h"
#include "panels/historymodels.h"
#include "panels/historypanel.h"
#include "runbar.h"
#include "runtime/scenariorun.h"
#include "session.h"
#include "storage/database.h"
#include "storage/runhistory.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const std::string kPrimary = "claude-sonnet-4-5";
const std::string kFallback = "claude-haiku-4-5";
const QString kOutage = u":/scenarios/primary-outage.json"_s;
constexpr int kRunTimeoutMs = 60000;

/// A primary-outage report: `succeeded` of 100 requests answered, the rest degraded; the
/// primary down from 2 s; `wasted` failed attempts on it.
nlohmann::json outageReport(int succeeded, int attempts, double p99, int wasted,
                            const std::string &startedAt, int cache = 0)
{
    const int degraded = 100 - succeeded;
    return {
        {"scenario", "primary-outage"},
        {"seed", 7},
        {"started_at", startedAt},
        {"duration_s", 6.0},
        {"totals",
         {{"requests", 100},
          {"answered_by_model", succeeded - cache},
          {"succeeded", succeeded},
          {"degraded", degraded},
          {"failed", 0},
          {"attempts", attempts},
          {"retries", wasted},
          {"short_circuited", 0},
          {"by_source",
           {{kPrimary, 20},
            {kFallback, succeeded - 20 - cache},
            {"cache", cache},
            {"degraded", degraded}}}}},
        {"latency_s", {{"p50", 0.5}, {"p95", p99 / 2}, {"p99", p99}, {"max", p99 * 2}}},
        {"models",
         {{kPrimary,
           {{"attempts", 20 + wasted},
            {"successes", 20},
            {"errors", {{"server_error", wasted}}},
            {"breaker", nlohmann::json::array()},
            {"state", "closed"}}},
          {kFallback,
           {{"attempts", attempts - 20 - wasted},
            {"successes", succeeded - 20},
            {"errors", nlohmann::json::object()},
            {"state", "closed"}}}}},
        {"timeline", {{{"t_s", 2.0}, {"model", kPrimary}, {"note", "primary down"}}}},
        {"series",
         {{"step_s", 1.0},
          {"points", 6},
          {"requests", {10, 10, 20, 20, 20, 20}},
          {"errors", {0, 0, 5, 5, 5, 5}},
          {"by_source",
           {{kPrimary, {10, 10, 0, 0, 0, 0}},
            {kFallback, {0, 0, 15, 20, 20, 20}},
            {"cache", {0, 0, 0, 0, 0, 0}},
            {"degraded", {0, 0, 5, 0, 0, 0}}}},
          {"latency_s",
           {{"p50", {0.4, 0.4, 0.6, 0.5, 0.5, 0.5}},
            {"p95", {1, 1, 1, 1, 1, 1}},
            {"p99", {1, 1, 2, 2, 2, 2}}}},
          {"models",
           {{kPrimary,
             {{"attempts", {10, 10, 5, 5, 5, 5}},
              {"successes", {10, 10, 0, 0, 0, 0}},
              {"errors", {0, 0, 5, 5, 5, 5}},
              {"breaker", {"closed", "closed", "closed", "open", "open", "open"}}}}}}}},
    };
}

/// A started session and its window, as runDashboard builds them.
struct Dashboard {
    Dashboard()
    {
        DashboardSession::Options options;
        options.timeScale = 0.05;
        session =
            std::make_unique<DashboardSession>(defaultConfigJson(), u"test config"_s, options);
        QString error;
        started = session->start(&error);
        if (!started)
            qWarning("session did not start: %s", qPrintable(error));
        window = std::make_unique<MainWindow>(*session, theme);
        window->show();
    }

    bool pick(const QString &path)
    {
        QComboBox *picker = window->runBar()->scenarioPicker();
        const int index = picker->findData(path);
        if (index < 0)
            return false;
        picker->setCurrentIndex(index);
        Q_EMIT picker->activated(index);
        return window->currentScenarioPath() == path;
    }

    /// Points on the charts drawn from the series (the breaker chart always has its line).
    int chartPoints() const
    {
        return window->sourcesChart()->pointCount() + window->latencyChart()->pointCount();
    }

    Theme theme;
    std::unique_ptr<DashboardSession> session;
    std::unique_ptr<MainWindow> window;
    bool started = false;
};

} // namespace

class TestHistoryPanel final : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

    QString comparisonCell(HistoryPanel &panel, const QString &key, int column, int role)
    {
        ComparisonModel *model = panel.comparisonModel();
        const int row = model->rowOf(key);
        return row < 0 ? u"(no row)"_s : model->index(row, column).data(role).toString();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("BREAKWATER_DB", m_dir->filePath(u"breakwater.db"_s).toUtf8());
        QString error;
        m_database = Database::open(defaultDatabasePath(), &error);
        QVERIFY2(m_database, qPrintable(error));
    }

    void cleanup()
    {
        m_database.reset();
        m_dir.reset();
    }

    void listsSavedRunsNewestFirst()
    {
        RunHistory history(*m_database);
        QVERIFY(history.save(outageReport(90, 150, 2.5, 30, "2026-11-29T10:00:00.000Z"),
                             u"default config"_s));
        HistoryPanel panel(m_database.get());
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(panel.model()->rowCount(), 1);
        const std::optional<qint64> second = panel.saveReport(
            outageReport(99, 120, 1.25, 4, "2026-11-29T11:00:00.000Z", 4), u"breaker on"_s);
        QVERIFY(second);
        QCOMPARE(panel.model()->rowCount(), 2);
        QAbstractItemModel *view = panel.sortedModel();
        auto cell = [&](int row, int column) {
            return view->index(row, column).data().toString();
        };
        QCOMPARE(cell(0, SavedRunsModel::LabelColumn), u"breaker on"_s);
        QCOMPARE(cell(0, SavedRunsModel::ScenarioColumn), u"primary-outage"_s);
        // Answered by a model is the first figure; the cache's 4 answers count as success only.
        QVERIFY(SavedRunsModel::ModelRateColumn < SavedRunsModel::SuccessColumn);
        QCOMPARE(view->headerData(SavedRunsModel::ModelRateColumn, Qt::Horizontal).toString(),
                 u"By a model"_s);
        QCOMPARE(cell(0, SavedRunsModel::ModelRateColumn), u"95.0 %"_s);
        QCOMPARE(cell(0, SavedRunsModel::SuccessColumn), u"99.0 %"_s);
        QCOMPARE(cell(0, SavedRunsModel::P99Column), u"1.25 s"_s);
        QCOMPARE(cell(0, SavedRunsModel::RequestsColumn), u"100"_s);
        QVERIFY(cell(0, SavedRunsModel::StartedColumn).startsWith(u"2026-11-29"_s));
        QCOMPARE(cell(1, SavedRunsModel::LabelColumn), u"default config"_s);
        QCOMPARE(cell(1, SavedRunsModel::ModelRateColumn), u"90.0 %"_s);
        QCOMPARE(cell(1, SavedRunsModel::SuccessColumn), u"90.0 %"_s);
        QCOMPARE(view->index(0, 0).data(SavedRunsModel::RunIdRole).toLongLong(), *second);
    }

    void comparesTwoRunsSideBySide()
    {
        const nlohmann::json reportA = outageReport(90, 150, 2.5, 30, "2026-11-29T10:00:00.000Z");
        const nlohmann::json reportB = outageReport(99, 120, 1.25, 4, "2026-11-29T11:00:00.000Z");
        HistoryPanel panel(m_database.get());
        QAbstractItemModelTester tester(panel.comparisonModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const qint64 a = *panel.saveReport(reportA, u"no breaker"_s);
        const qint64 b = *panel.saveReport(reportB, u"breaker on"_s);
        QPushButton *compare = child<QPushButton>(panel, u"compareRuns"_s);
        QCOMPARE(panel.select({a}), 1);
        QVERIFY(!compare->isEnabled());
        QCOMPARE(panel.select({b, a}), 2);
        QVERIFY(compare->isEnabled());
        QTest::mouseClick(compare, Qt::LeftButton);

        // The table is RunComparison's, row for row.
        const RunComparison expected = compareRuns(reportA, reportB);
        ComparisonModel *model = panel.comparisonModel();
        QCOMPARE(model->rowCount(), expected.rows.size());
        for (int row = 0; row < model->rowCount(); ++row) {
            const ComparisonRow &figures = expected.rows.at(row);
            QCOMPARE(model->index(row, ComparisonModel::FigureColumn).data().toString(),
                     figures.label);
            const QVariant valueA =
                model->index(row, ComparisonModel::RunAColumn).data(ComparisonModel::ValueRole);
            const QVariant valueB =
                model->index(row, ComparisonModel::RunBColumn).data(ComparisonModel::ValueRole);
            QCOMPARE(valueA.isValid(), figures.a.has_value());
            QCOMPARE(valueB.isValid(), figures.b.has_value());
            if (figures.a && figures.b) {
                QCOMPARE(valueA.toDouble(), *figures.a);
                QCOMPARE(valueB.toDouble(), *figures.b);
                QCOMPARE(model->index(row, ComparisonModel::DifferenceColumn)
                             .data(ComparisonModel::ValueRole)
                             .toDouble(),
                         *figures.b - *figures.a);
            }
            QCOMPARE(model->index(row, 0).data(ComparisonModel::BetterRole).toInt(),
                     figures.better());
        }
        // Answered by a model leads, as in the list.
        QCOMPARE(model->index(0, ComparisonModel::FigureColumn).data().toString(),
                 u"answered by a model"_s);
        QCOMPARE(comparisonCell(panel, u"model_rate"_s, ComparisonModel::DifferenceColumn,
                                Qt::DisplayRole),
                 u"+9.0 pp  (B better)"_s);
        // And the figures are the runs' own, shown readably with the better one marked.
        QCOMPARE(
            comparisonCell(panel, u"success_rate"_s, ComparisonModel::RunAColumn, Qt::DisplayRole),
            u"90.0 %"_s);
        QCOMPARE(
            comparisonCell(panel, u"success_rate"_s, ComparisonModel::RunBColumn, Qt::DisplayRole),
            u"99.0 %"_s);
        QCOMPARE(comparisonCell(panel, u"success_rate"_s, ComparisonModel::DifferenceColumn,
                                Qt::DisplayRole),
                 u"+9.0 pp  (B better)"_s);
        QCOMPARE(comparisonCell(panel, u"degraded_share"_s, ComparisonModel::DifferenceColumn,
                                Qt::DisplayRole),
                 u"−9.0 pp  (B better)"_s);
        QCOMPARE(comparisonCell(panel, u"p99_s"_s, ComparisonModel::RunAColumn, Qt::DisplayRole),
                 u"2.50 s"_s);
        QCOMPARE(comparisonCell(panel, u"attempts_per_request"_s, ComparisonModel::DifferenceColumn,
                                Qt::DisplayRole),
                 u"−0.30  (B better)"_s);
        QCOMPARE(
            comparisonCell(panel, u"wasted_calls"_s, ComparisonModel::RunAColumn, Qt::DisplayRole),
            u"30"_s);
        QCOMPARE(
            comparisonCell(panel, u"wasted_calls"_s, ComparisonModel::RunBColumn, Qt::DisplayRole),
            u"4"_s);
        const int p99 = model->rowOf(u"p99_s"_s);
        QVERIFY(model->index(p99, ComparisonModel::RunBColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(!model->index(p99, ComparisonModel::RunAColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(model->headerData(ComparisonModel::RunAColumn, Qt::Horizontal)
                    .toString()
                    .contains(u"#%1"_s.arg(a)));
        const QString title = child<QLabel>(panel, u"comparisonTitle"_s)->text();
        QVERIFY(title.contains(u"no breaker"_s) && title.contains(u"breaker on"_s));
    }

    void opensASavedRunInTheChartsAndGoesBackToLive()
    {
        Dashboard d;
        QVERIFY(d.started);
        HistoryPanel panel(m_database.get());
        panel.attach(d.window.get(), false);
        const qint64 id = *panel.saveReport(
            outageReport(99, 120, 1.25, 4, "2026-11-29T11:00:00.000Z"), u"breaker on"_s);
        const int livePoints = d.chartPoints();
        QCOMPARE(panel.select({id}), 1);
        QSignalSpy shown(d.window.get(), &MainWindow::savedRunShown);
        QTest::mouseClick(child<QPushButton>(panel, u"openInCharts"_s), Qt::LeftButton);
        QCOMPARE(shown.count(), 1);
        QVERIFY(d.window->isShowingSavedRun());
        QVERIFY(d.window->savedRunBanner()->isVisible());
        QVERIFY(child<QLabel>(*d.window, u"savedRunTitle"_s)->text().contains(u"primary-outage"_s));
        QVERIFY(d.chartPoints() > livePoints);
        QCOMPARE(d.window->errorRateChart()->markers().size(), 1);
        // The live refresh must not draw over the saved run.
        d.window->refresh();
        QVERIFY(d.window->isShowingSavedRun());
        QCOMPARE(d.window->errorRateChart()->markers().size(), 1);

        QTest::mouseClick(child<QPushButton>(*d.window, u"backToLive"_s), Qt::LeftButton);
        QVERIFY(!d.window->isShowingSavedRun());
        QVERIFY(!d.window->savedRunBanner()->isVisible());
        QCOMPARE(d.window->errorRateChart()->markers().size(), 0);
        QCOMPARE(d.chartPoints(), livePoints);
        QCOMPARE(shown.count(), 2);
    }

    void deletesOnlyAfterAYes()
    {
        HistoryPanel panel(m_database.get());
        const qint64 id = *panel.saveReport(
            outageReport(99, 120, 1.25, 4, "2026-11-29T11:00:00.000Z"), u"breaker on"_s);
        bool answer = false;
        int asked = 0;
        panel.setConfirmation([&](const QString &, const QString &) {
            ++asked;
            return answer;
        });
        QCOMPARE(panel.select({id}), 1);
        QTest::mouseClick(child<QPushButton>(panel, u"deleteRun"_s), Qt::LeftButton);
        QCOMPARE(asked, 1);
        QCOMPARE(panel.model()->rowCount(), 1);
        answer = true;
        QTest::mouseClick(child<QPushButton>(panel, u"deleteRun"_s), Qt::LeftButton);
        QCOMPARE(asked, 2);
        QCOMPARE(panel.model()->rowCount(), 0);
        RunHistory history(*m_database);
        QVERIFY(!history.load(id));
        QVERIFY(history.lastError().isEmpty());
    }

    void noSaveFlagTurnsSavingOff_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("noSave");
        QTest::newRow("default saves") << QStringList{u"breakwater"_s} << false;
        QTest::newRow("--no-save") << QStringList{u"breakwater"_s, u"--no-save"_s} << true;
        QTest::newRow("with other flags")
            << QStringList{u"breakwater"_s, u"--presenter"_s, u"--no-save"_s, u"--autostart"_s}
            << true;
    }

    void noSaveFlagTurnsSavingOff()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, noSave);
        const DashboardArguments parsed = parseDashboardArguments(arguments);
        QVERIFY(parsed.options);
        QCOMPARE(parsed.options->noSave, noSave);
        const DashboardArguments help = parseDashboardArguments({u"breakwater"_s, u"--help"_s});
        QVERIFY(help.message.contains(u"--no-save"_s));
    }

    void dashboardRunsAreSavedUnlessSavingIsOff()
    {
        Dashboard d;
        QVERIFY(d.started);
        HistoryPanel panel(m_database.get());
        panel.attach(d.window.get(), true);
        // A second history that must stay empty: --no-save.
        QTemporaryDir otherDir;
        QString error;
        std::unique_ptr<Database> other = Database::open(otherDir.filePath(u"other.db"_s), &error);
        QVERIFY2(other, qPrintable(error));
        HistoryPanel notSaving(other.get());
        notSaving.attach(d.window.get(), false);
        QSignalSpy saved(&panel, &HistoryPanel::runSaved);
        QSignalSpy finished(d.window.get(), &MainWindow::runFinished);

        // One scenario under two configs: as shipped, then with retries cut to one attempt.
        QVERIFY(d.pick(kOutage));
        d.window->startRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMs);
        QCOMPARE(saved.count(), 1);
        QVERIFY(d.session->reset(&error));
        nlohmann::json noRetries = defaultConfigJson();
        noRetries["retry"]["max_attempts"] = 1;
        QVERIFY2(d.session->setBaseConfig(noRetries, u"no retries"_s, &error), qPrintable(error));
        d.window->startRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kRunTimeoutMs);
        QCOMPARE(saved.count(), 2);

        QCOMPARE(panel.model()->rowCount(), 2);
        QCOMPARE(notSaving.model()->rowCount(), 0);
        QCOMPARE(RunHistory(*other).list()->size(), 0);
        const QList<SavedRunSummary> runs = *RunHistory(*m_database).list();
        QCOMPARE(runs.size(), 2);
        QStringList labels{runs[0].label, runs[1].label};
        labels.sort();
        QCOMPARE(labels, (QStringList{u"no retries"_s, u"test config"_s}));
        QCOMPARE(runs[0].scenario, u"primary-outage"_s);
        QVERIFY(runs[0].requests > 0 && runs[1].requests > 0);

        // Compared: the figures are those of the two saved reports.
        const qint64 first = saved.at(0).at(0).toLongLong();
        const qint64 second = saved.at(1).at(0).toLongLong();
        QVERIFY(panel.compare(first, second));
        const RunComparison expected = compareRuns(RunHistory(*m_database).load(first)->report,
                                                   RunHistory(*m_database).load(second)->report);
        const int attempts = panel.comparisonModel()->rowOf(u"attempts_per_request"_s);
        QCOMPARE(panel.comparisonModel()
                     ->index(attempts, ComparisonModel::RunAColumn)
                     .data(ComparisonModel::ValueRole)
                     .toDouble(),
                 expected.a.attemptsPerRequest);
        QCOMPARE(panel.comparisonModel()
                     ->index(attempts, ComparisonModel::RunBColumn)
                     .data(ComparisonModel::ValueRole)
                     .toDouble(),
                 expected.b.attemptsPerRequest);

        // Reopened in the charts: the first run's points, not the lab's.
        QVERIFY(d.session->reset(&error));
        const int livePoints = d.chartPoints();
        QVERIFY(panel.openInCharts(first));
        QVERIFY(d.chartPoints() > livePoints);
        QVERIFY(d.window->isShowingSavedRun());
        // A new run takes the charts back to live.
        d.window->startRun();
        QVERIFY(!d.window->isShowingSavedRun());
        d.window->stopRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kRunTimeoutMs);
    }
};

QTEST_MAIN(TestHistoryPanel)
#include "tst_historypanel.moc"

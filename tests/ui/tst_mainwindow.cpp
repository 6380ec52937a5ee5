// The dashboard window driven as a user would, offscreen: an idle lab at launch, the
// primary-outage scenario picked and started on a fast timeline (time scale 0.05 or 0.1: a
// 3 or 6 s run),
// every chart receiving points, the primary's breaker card turning open and back to closed,
// the fallback model on the by-source chart, the alert banner appearing and clearing, a
// breaker forced open from its card, keyboard shortcuts, exports (PNG, JSON, CSV) with no key
// in them, and the confirmation before a run against a real provider.
#include "breaker/circuitbreaker.h"
#include "breakercard.h"
#include "charts/breakerstatechart.h"
#include "charts/errorratechart.h"
#include "charts/livechart.h"
#include "charts/sourceschart.h"
#include "config/configloader.h"
#include "mainwindow.h"
#include "recorder/runrecorder.h"
#include "runbar.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "session.h"
#include "theme.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;
const QString kOutage = u":/scenarios/primary-outage.json"_s;
/// Bounded waits: the scenario lasts about 3 s at time scale 0.05.
constexpr int kRunTimeoutMs = 30000;

/// A started session and its window, as runDashboard builds them.
struct Dashboard {
    explicit Dashboard(nlohmann::json config = defaultConfigJson(), double timeScale = 0.05)
    {
        DashboardSession::Options options;
        options.timeScale = timeScale;
        session = std::make_unique<DashboardSession>(std::move(config), u"test config"_s, options);
        QString error;
        started = session->start(&error);
        if (!started)
            qWarning("session did not start: %s", qPrintable(error));
        window = std::make_unique<MainWindow>(*session, theme);
        // Every provider of the default config is simulated: asking would be a bug.
        window->setConfirmation([this](const QString &, const QString &question) {
            questions.append(question);
            return answer;
        });
        window->show();
    }

    /// Picks a scenario in the run bar's picker, as a click on its entry does.
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

    Theme theme;
    std::unique_ptr<DashboardSession> session;
    std::unique_ptr<MainWindow> window;
    bool started = false;
    QStringList questions;
    bool answer = true;
};

BreakerState cardState(Dashboard &d, const QString &model)
{
    BreakerCard *card = d.window->breakerCard(model);
    return card ? card->state() : BreakerState::Closed;
}

bool chartShowsSeverity(Dashboard &d, const QString &model, BreakerState state)
{
    const QList<QPointF> points = d.window->breakerStateChart()->statePoints(model);
    return std::any_of(points.begin(), points.end(), [&](const QPointF &point) {
        return qFuzzyCompare(point.y() + 1.0, breakerSeverity(state) + 1.0);
    });
}

} // namespace

class TestMainWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Keys set in the environment must never reach an export.
        qputenv("ANTHROPIC_API_KEY", "sk-ant-test-9f8e7d6c5b4a-never-export-me");
    }

    void launchesOnAnIdleLabWithACardPerModel()
    {
        Dashboard d;
        QVERIFY(d.started);
        QVERIFY(d.window->currentLab());
        QCOMPARE(d.window->currentLab(), d.session->currentLab());
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Idle);
        QCOMPARE(d.window->breakerCards().size(), 2);
        QCOMPARE(d.window->breakerCards().at(0)->model(), kPrimary);
        QCOMPARE(d.window->breakerCards().at(1)->model(), kFallback);
        QVERIFY(d.window->breakerCards().at(0)->isSimulated());
        QVERIFY(d.window->currentLab()->chaos()); // the embedded chaos server runs
        QVERIFY(d.window->runBar()->startButton()->isEnabled());
        QVERIFY(!d.window->runBar()->stopButton()->isEnabled());
        QVERIFY(d.window->alertBanner()->isHidden());
        // Bundled scenarios are offered, and "Open…" after them.
        QComboBox *picker = d.window->runBar()->scenarioPicker();
        QVERIFY(picker->findData(kOutage) >= 0);
        QCOMPARE(picker->itemText(picker->count() - 1), u"Open…"_s);
        QCOMPARE(d.window->charts().size(), 7);
        // A copy of a bundled scenario picks the bundled entry instead of adding a twin.
        const int entries = picker->count();
        // (A file of its own, not found through __FILE__: a compiler cache may make that relative.)
        QTemporaryDir copyDir;
        QVERIFY(copyDir.isValid());
        const QString copy = copyDir.filePath(u"primary-outage.json"_s);
        QVERIFY(QFile::copy(kOutage, copy));
        d.window->selectScenario(copy);
        QCOMPARE(d.window->currentScenarioPath(), kOutage);
        QCOMPARE(picker->count(), entries);
    }

    void sideAndBottomTabsAppearWhenPanelsAreAdded()
    {
        Dashboard d;
        QVERIFY(d.window->sideTabs()->isHidden());
        QVERIFY(d.window->bottomTabs()->isHidden());
        auto *side = new QLabel(u"chaos panel"_s);
        auto *bottom = new QLabel(u"event log"_s);
        d.window->addSideTab(side, u"Chaos"_s);
        d.window->addBottomTab(bottom, u"Event log"_s);
        QVERIFY(!d.window->sideTabs()->isHidden());
        QVERIFY(!d.window->bottomTabs()->isHidden());
        QCOMPARE(d.window->sideTabs()->tabText(0), u"Chaos"_s);
        QCOMPARE(d.window->bottomTabs()->widget(0), bottom);
    }

    void idleLabShowsCallsSentBeforeAnyRun()
    {
        Dashboard d;
        Lab *lab = d.window->currentLab();
        CallRequest request;
        request.prompt = u"What is a circuit breaker?"_s;
        bool done = false;
        lab->engines().submit(request, [&done](const CallResult &) { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(d.window->runBar()->requestsText(), u"1"_s, 5000);
        QVERIFY(d.window->runBar()->sourcesText().contains(kPrimary + u" 100 %"_s));
        // The primary answered: a model's answer, the run bar's lead figure.
        QCOMPARE(d.window->runBar()->modelRateText(), u"100.0 %"_s);
        QCOMPARE(d.window->runBar()->cacheText(), u"cache 0.0 %"_s);
    }

    void primaryOutageRunShowsBreakerOpeningAndFallback()
    {
        // Time scale 0.1: a 6 s run whose breaker stays open for 1 s at a time, long enough
        // for the card to be seen open on a busy machine.
        Dashboard d(defaultConfigJson(), 0.1);
        QList<Lab *> labChanged;
        connect(d.window.get(), &MainWindow::labChanged, this,
                [&labChanged](Lab *lab) { labChanged.append(lab); });
        QSignalSpy finished(d.window.get(), &MainWindow::runFinished);
        Lab *idle = d.window->currentLab();
        QVERIFY(d.pick(kOutage));
        QTest::mouseClick(d.window->runBar()->startButton(), Qt::LeftButton);
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Running);
        QCOMPARE(labChanged.count(), 1);
        QCOMPARE(labChanged.at(0), d.window->currentLab());
        QVERIFY(d.window->currentLab() != idle);
        QVERIFY(d.questions.isEmpty()); // every provider is simulated: no question
        QVERIFY(d.window->runBar()->stopButton()->isEnabled());
        QVERIFY(!d.window->runBar()->startButton()->isEnabled());

        // The primary goes down at 0.75 s: its card turns open, then closes again.
        QTRY_COMPARE_WITH_TIMEOUT(cardState(d, kPrimary), BreakerState::Open, kRunTimeoutMs);
        QVERIFY(d.window->breakerCard(kPrimary)->countdownText().endsWith(u" s"_s));
        QTRY_COMPARE_WITH_TIMEOUT(cardState(d, kPrimary), BreakerState::Closed, kRunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMs);
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Finished);
        QCOMPARE(cardState(d, kFallback), BreakerState::Closed);

        // Every chart received points.
        for (LiveChart *chart : d.window->charts())
            QVERIFY2(chart->pointCount() > 0, qPrintable(chart->title()));
        QVERIFY(chartShowsSeverity(d, kPrimary, BreakerState::Open));
        // The fallback answered while the primary was down.
        QVERIFY(d.window->sourcesChart()->peakRate(kFallback) > 0.0);
        QVERIFY(d.window->runBar()->sourcesText().contains(kFallback));
        QCOMPARE(d.window->errorRateChart()->thresholdPercent(), 10.0);
        // Timeline notes are markers on the time charts.
        const QList<TimelineRecord> markers = d.window->breakerStateChart()->markers();
        QCOMPARE(markers.size(), 2);
        QCOMPARE(markers.at(0).note, u"primary down"_s);
        QCOMPARE(markers.at(1).note, u"primary back"_s);
        // Totals and the clock.
        QVERIFY(d.window->lastSnapshot().totals.requests > 100);
        QVERIFY(d.window->runBar()->successText().endsWith(u" %"_s));
        // The lead figure is the share answered by a model, the run's own total.
        const RecorderTotals &totals = d.window->lastSnapshot().totals;
        QCOMPARE(d.window->runBar()->modelRateText(),
                 u"%1 %"_s.arg(100.0 * static_cast<double>(totals.answeredByModel) /
                                   static_cast<double>(totals.requests),
                               0, 'f', 1));
        QVERIFY(totals.answeredByModel > 0 && totals.answeredByModel <= totals.succeeded);
        QCOMPARE(d.window->runBar()->clockText(), u"00:06 / 00:06"_s);
        QVERIFY(d.window->runBar()->statusText().startsWith(u"Finished"_s));
        QVERIFY(d.window->runBar()->startButton()->isEnabled());
    }

    void alertBannerAppearsAndClears()
    {
        Dashboard d;
        QVERIFY(d.window->alertBanner()->isHidden());
        EventStream &events = d.window->currentLab()->events();
        events.publish(AlertChanged{d.window->currentLab()->clock().now(), u"HighErrorRate"_s, true,
                                    0.23, u"error ratio 23 % over 300 s is above 10 %"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!d.window->alertBanner()->isHidden(), 5000);
        QVERIFY(d.window->alertBanner()->text().contains(u"HighErrorRate"_s));
        QVERIFY(d.window->alertBanner()->text().contains(u"error ratio 23 %"_s));

        events.publish(AlertChanged{d.window->currentLab()->clock().now(), u"HighErrorRate"_s,
                                    false, 0.02, QString()});
        QTRY_VERIFY_WITH_TIMEOUT(d.window->alertBanner()->isHidden(), 5000);
    }

    void alertBannerFollowsTheRunsLab()
    {
        Dashboard d;
        QVERIFY(d.pick(kOutage));
        QTest::mouseClick(d.window->runBar()->startButton(), Qt::LeftButton);
        // An alert published on the run's stream (as its evaluator does) shows; one left
        // firing on a replaced lab does not survive the switch.
        d.window->currentLab()->events().publish(AlertChanged{d.window->currentLab()->clock().now(),
                                                              u"AuthFailure"_s, true, 1.0,
                                                              u"401 from claude-sonnet-4-5"_s});
        QTRY_VERIFY_WITH_TIMEOUT(!d.window->alertBanner()->isHidden(), 5000);
        QTest::mouseClick(d.window->runBar()->resetButton(), Qt::LeftButton);
        QVERIFY(d.window->alertBanner()->isHidden());
    }

    void forceOpenFromACard()
    {
        Dashboard d;
        BreakerCard *card = d.window->breakerCard(kPrimary);
        QVERIFY(card);
        QTest::mouseClick(card->forceOpenButton(), Qt::LeftButton);
        CircuitBreaker &breaker = d.window->currentLab()->breakers().breaker(kPrimary);
        QCOMPARE(breaker.state(), BreakerState::ForcedOpen);
        QCOMPARE(card->stateText(), u"FORCED OPEN"_s);
        // The transition reaches the charts through the event stream.
        QTRY_VERIFY_WITH_TIMEOUT(chartShowsSeverity(d, kPrimary, BreakerState::ForcedOpen), 5000);

        QTest::mouseClick(card->resetButton(), Qt::LeftButton);
        QCOMPARE(breaker.state(), BreakerState::Closed);
        QTRY_COMPARE_WITH_TIMEOUT(d.window->breakerStateChart()->statePoints(kPrimary).last().y(),
                                  double(breakerSeverity(BreakerState::Closed)), 5000);
    }

    void shortcutsStartStopAndReset()
    {
        Dashboard d;
        QVERIFY(d.pick(kOutage));
        QApplication::setActiveWindow(d.window.get());
        QVERIFY(QTest::qWaitForWindowActive(d.window.get()));
        QSignalSpy finished(d.window.get(), &MainWindow::runFinished);
        QVERIFY(d.window->startAction()->shortcut() == QKeySequence(u"Ctrl+R"_s));
        QVERIFY(d.window->runBar()->startButton()->toolTip().contains(u"Ctrl+R"_s));
        QVERIFY(d.window->runBar()->stopButton()->toolTip().contains(u"Escape"_s));
        QVERIFY(d.window->runBar()->resetButton()->toolTip().contains(u"Ctrl+Shift+R"_s));

        QTest::keyClick(d.window.get(), Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Running);
        QTRY_VERIFY_WITH_TIMEOUT(d.window->lastSnapshot().totals.requests > 0, kRunTimeoutMs);
        QVERIFY(d.window->stopAction()->shortcuts().contains(QKeySequence(Qt::Key_Escape)));
        QTest::keyClick(d.window.get(), Qt::Key_Escape);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMs);
        // Stopped early: the run did not last its 3 s.
        QVERIFY(d.session->run()->elapsed() < fromSeconds(3.0));

        Lab *runLab = d.window->currentLab();
        QTest::keyClick(d.window.get(), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Idle);
        QVERIFY(d.window->currentLab() != runLab);
        QVERIFY(!d.session->run());
        QCOMPARE(d.window->sourcesChart()->pointCount(), 0);
        QCOMPARE(d.window->runBar()->requestsText(), u"0"_s);
    }

    void exportsDashboardReportAndSeries()
    {
        Dashboard d;
        QSignalSpy finished(d.window.get(), &MainWindow::runFinished);
        QVERIFY(d.pick(kOutage));
        QTest::mouseClick(d.window->runBar()->startButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMs);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const QString png = dir.filePath(u"dashboard.png"_s);
        const QString json = dir.filePath(u"report.json"_s);
        const QString csv = dir.filePath(u"series.csv"_s);
        QVERIFY2(d.window->exportPng(png, &error), qPrintable(error));
        QVERIFY2(d.window->exportReportJson(json, &error), qPrintable(error));
        QVERIFY2(d.window->exportSeriesCsv(csv, &error), qPrintable(error));

        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), d.window->size() * d.window->devicePixelRatio());

        QFile reportFile(json);
        QVERIFY(reportFile.open(QIODevice::ReadOnly));
        const QByteArray reportBytes = reportFile.readAll();
        const nlohmann::json report = nlohmann::json::parse(reportBytes.toStdString());
        QCOMPARE(report["scenario"].get<std::string>(), std::string("primary-outage"));
        QVERIFY(report["totals"]["requests"].get<int>() > 100);
        QVERIFY(report["models"].contains(kPrimary.toStdString()));
        QVERIFY(report["totals"]["by_source"][kFallback.toStdString()].get<int>() > 0);
        QVERIFY(report.contains("expect"));

        QFile seriesFile(csv);
        QVERIFY(seriesFile.open(QIODevice::ReadOnly));
        const QByteArray seriesBytes = seriesFile.readAll();
        const QList<QByteArray> lines = seriesBytes.trimmed().split('\n');
        QVERIFY(lines.first().startsWith("t_s,requests,failed,errors,"));
        QVERIFY(lines.first().contains("answers:claude-haiku-4-5"));
        QVERIFY(lines.first().contains("breaker:claude-sonnet-4-5"));
        QCOMPARE(lines.size() - 1, d.window->lastSnapshot().series.points);
        const int columns = static_cast<int>(lines.first().count(','));
        for (const QByteArray &line : lines)
            QCOMPARE(static_cast<int>(line.count(',')), columns);
        QVERIFY(seriesBytes.contains(",open") || seriesBytes.contains(",half_open"));

        // No key in any export.
        const QByteArray key = qgetenv("ANTHROPIC_API_KEY");
        QVERIFY(!reportBytes.contains(key));
        QVERIFY(!seriesBytes.contains(key));
    }

    void realProviderRunAsksFirstWithTheRequestCount()
    {
        nlohmann::json config = defaultConfigJson();
        config["chain"] =
            nlohmann::json::array({{{"provider", "anthropic"}, {"model", "claude-sonnet-4-6"}},
                                   {{"provider", "chaos"}, {"model", "claude-haiku-4-5"}}});
        Dashboard d(config);
        QVERIFY(d.started);
        QVERIFY(!d.window->breakerCard(u"claude-sonnet-4-6"_s)->isSimulated());
        QVERIFY(d.window->breakerCard(kFallback)->isSimulated());
        d.answer = false;
        QVERIFY(d.pick(kOutage));
        QTest::mouseClick(d.window->runBar()->startButton(), Qt::LeftButton);
        QCOMPARE(d.questions.size(), 1);
        // 20 requests per second for 60 s, the 5 s ramp at half rate.
        QVERIFY2(d.questions.first().contains(u"About 1,150 requests"_s),
                 qPrintable(d.questions.first()));
        QVERIFY(d.questions.first().contains(u"anthropic"_s));
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Idle);
        QVERIFY(!d.session->run());
    }

    void aBrokenScenarioFileIsReportedNotStarted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"broken.json"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"name": "broken", "duration_s": -5})");
        file.close();
        Dashboard d;
        d.window->selectScenario(path);
        QCOMPARE(d.window->currentScenarioPath(), path);
        QTest::mouseClick(d.window->runBar()->startButton(), Qt::LeftButton);
        QCOMPARE(d.session->phase(), DashboardSession::Phase::Idle);
        QVERIFY2(d.window->runBar()->statusText().contains(u"duration_s"_s),
                 qPrintable(d.window->runBar()->statusText()));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

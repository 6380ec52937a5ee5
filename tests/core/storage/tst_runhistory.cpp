// Run history: save, list newest first with summary figures, load with the series, delete;
// the comparison figures of two reports, each defined from the report alone.
#include "common/fakeclock.h"
#include "queuetesting.h"
#include "recorder/runrecorder.h"
#include "storage/runhistory.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;
using namespace Qt::StringLiterals;

namespace {

const std::string kPrimary = "claude-sonnet-4-5";
const std::string kFallback = "claude-haiku-4-5";

nlohmann::json column(std::size_t points, std::size_t from, double value)
{
    nlohmann::json array = nlohmann::json::array();
    for (std::size_t i = 0; i < points; ++i)
        array.push_back(i >= from ? value : 0.0);
    return array;
}

nlohmann::json errorsObject(int serverError, int rateLimited = 0, int auth = 0, int badRequest = 0,
                            int timeout = 0)
{
    return {{"rate_limited", rateLimited},
            {"server_error", serverError},
            {"overloaded", 0},
            {"timeout", timeout},
            {"connection", 0},
            {"malformed", 0},
            {"context_overflow", 0},
            {"auth", auth},
            {"bad_request", badRequest}};
}

/// A primary-outage report in the section-6 shape: the primary goes down at 15 s, the
/// fallback's first answers fall in the point starting at `failoverPoint`.
nlohmann::json outageReport(const char *startedAt, int succeeded, int degraded, int attempts,
                            double p99, int primaryServerErrors, std::size_t failoverPoint,
                            std::optional<double> breakerOpenAt, int cache)
{
    constexpr std::size_t kPoints = 30;
    nlohmann::json breaker = nlohmann::json::array();
    if (breakerOpenAt)
        breaker.push_back({{"t_s", *breakerOpenAt}, {"from", "closed"}, {"to", "open"}});
    return {
        {"scenario", "primary-outage"},
        {"seed", 7},
        {"started_at", startedAt},
        {"duration_s", 30.0},
        {"totals",
         {{"requests", 100},
          {"answered_by_model", succeeded - cache},
          {"succeeded", succeeded},
          {"degraded", degraded},
          {"failed", 100 - succeeded - degraded},
          {"attempts", attempts},
          {"by_source", {{"cache", cache}, {"degraded", degraded}}}}},
        {"latency_s", {{"p50", 0.5}, {"p95", 1.5}, {"p99", p99}, {"max", p99 + 1}}},
        {"models",
         {{kPrimary,
           {{"attempts", attempts - 20},
            // auth and bad_request are the caller's problem, not a dead provider's.
            {"errors", errorsObject(primaryServerErrors, 2, 1, 3)},
            {"breaker", breaker}}},
          {kFallback,
           {{"attempts", 20},
            {"errors", errorsObject(0, 0, 0, 0, 4)},
            {"breaker", nlohmann::json::array()}}}}},
        {"timeline", {{{"t_s", 15.0}, {"model", kPrimary}, {"note", "primary down"}}}},
        {"series",
         {{"step_s", 1.0},
          {"points", kPoints},
          {"requests", column(kPoints, 0, 3)},
          {"by_source",
           {{kPrimary, column(kPoints, 0, 2)},
            {kFallback, column(kPoints, failoverPoint, 1)},
            {"cache", column(kPoints, kPoints, 0)},
            {"degraded", column(kPoints, 10, 1)}}}}},
    };
}

nlohmann::json withBreaker()
{
    return outageReport("2026-03-01T10:00:00.000Z", 98, 2, 130, 2.5, 10, 15, 16.2, 3);
}

nlohmann::json withoutBreaker()
{
    return outageReport("2026-03-01T11:00:00.000Z", 90, 10, 250, 9.0, 80, 17, std::nullopt, 0);
}

} // namespace

class TestRunHistory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void figuresComeFromTheReport()
    {
        const RunFigures figures = runFigures(withBreaker());
        QCOMPARE(figures.requests, 100);
        QCOMPARE(figures.modelRate, 0.95); // 98 succeeded, 3 of them from the cache
        QCOMPARE(figures.successRate, 0.98);
        QCOMPARE(figures.degradedShare, 0.02);
        QCOMPARE(figures.p99Seconds, 2.5);
        QCOMPARE(figures.attemptsPerRequest, 1.3);
        QCOMPARE(figures.deadModel, QString::fromStdString(kPrimary));
        QCOMPARE(figures.outageAtSeconds, std::optional<double>(15.0));
        // server_error 10 + rate_limited 2 on the dead model; auth and bad_request do not
        // count, nor the fallback's timeouts.
        QCOMPARE(figures.wastedCalls, 12);
        // The fallback's first answers fall in [15, 16): at most 1 s after the outage.
        QCOMPARE(figures.timeToFailoverSeconds, std::optional<double>(1.0));
        QVERIFY(figures.breakerOpenedAfterSeconds);
        QVERIFY(qFuzzyCompare(*figures.breakerOpenedAfterSeconds, 1.2));
    }

    void fallbackAnswersBeforeTheOutageDoNotCountAsFailover()
    {
        nlohmann::json report = withBreaker();
        // Fallback answers in [3, 4) only (a stray retry), then from 20 s on.
        nlohmann::json &fallback = report["series"]["by_source"][kFallback];
        fallback = column(30, 20, 1);
        fallback[3] = 1;
        QCOMPARE(runFigures(report).timeToFailoverSeconds, std::optional<double>(6.0));
    }

    void withoutATimelineTheFirstErrorBurstMarksTheOutage()
    {
        nlohmann::json report = withBreaker();
        report["timeline"] = nlohmann::json::array();
        report["series"]["step_s"] = 0.5;
        nlohmann::json errors = column(30, 30, 0);
        nlohmann::json attempts = column(30, 0, 6);
        errors[2] = 2; // too few to be a burst
        errors[8] = 5;
        report["series"]["models"] = {
            {kPrimary, {{"errors", errors}, {"attempts", attempts}}},
            {kFallback, {{"errors", column(30, 30, 0)}, {"attempts", attempts}}}};
        const RunFigures figures = runFigures(report);
        QCOMPARE(figures.deadModel, QString::fromStdString(kPrimary));
        QCOMPARE(figures.outageAtSeconds, std::optional<double>(4.0));
        // Fallback answers from point 15 on: [7.5, 8.0) ends 4 s after the outage.
        QCOMPARE(figures.timeToFailoverSeconds, std::optional<double>(4.0));
    }

    void withoutAnOutageWastedCallsCoverEveryModel()
    {
        nlohmann::json report = withBreaker();
        report["timeline"] = nlohmann::json::array();
        const RunFigures figures = runFigures(report);
        QVERIFY(figures.deadModel.isEmpty());
        QCOMPARE(figures.wastedCalls, 12 + 4);
        QVERIFY(!figures.timeToFailoverSeconds);
        QVERIFY(!figures.breakerOpenedAfterSeconds);
    }

    void damagedReportGivesZerosNotAnException()
    {
        const RunFigures figures =
            runFigures({{"totals", "nope"}, {"series", 3}, {"models", {1, 2}}});
        QCOMPARE(figures.requests, 0);
        QCOMPARE(figures.successRate, 0.0);
        QCOMPARE(runFigures(nlohmann::json()).wastedCalls, 0);
    }

    void comparisonNamesTheBetterRunPerFigure()
    {
        const RunComparison comparison = compareRuns(withBreaker(), withoutBreaker());
        QStringList keys;
        for (const ComparisonRow &row : comparison.rows)
            keys.append(row.key);
        // Answered by a model comes first: the figure a run is judged by.
        QCOMPARE(keys, (QStringList{u"model_rate"_s, u"success_rate"_s, u"degraded_share"_s,
                                    u"p99_s"_s, u"attempts_per_request"_s, u"wasted_calls"_s,
                                    u"time_to_failover_s"_s, u"breaker_opened_after_s"_s}));
        QCOMPARE(comparison.rows[0].label, u"answered by a model"_s);
        QCOMPARE(comparison.rows[0].a, std::optional<double>(0.95));
        QCOMPARE(comparison.rows[0].b, std::optional<double>(0.90));
        for (int i = 0; i < 7; ++i)
            QVERIFY2(comparison.rows[i].better() == -1, qPrintable(comparison.rows[i].key));
        // B's breaker never opened: no verdict.
        QCOMPARE(comparison.rows[7].better(), 0);
        QCOMPARE(comparison.rows[5].b, std::optional<double>(82.0));
        QCOMPARE(comparison.rows[6].b, std::optional<double>(3.0));
        // Swapped, B wins.
        QCOMPARE(compareRuns(withoutBreaker(), withBreaker()).rows[0].better(), 1);
    }

    void savedRunsAreListedNewestFirstWithTheirFigures()
    {
        TempDatabase temp;
        QVERIFY2(temp.database, qPrintable(temp.error));
        ManualWallClock wall;
        RunHistory history(*temp.database, wall.clock());
        nlohmann::json earliest = withBreaker();
        earliest["started_at"] = "2026-03-01T09:00:00.000Z";
        const auto a = history.save(withBreaker(), u"preset: breaker"_s);
        const auto b = history.save(withoutBreaker(), u"preset: no breaker"_s);
        const auto c = history.save(earliest, u"preset: breaker"_s);
        QVERIFY2(a && b && c, qPrintable(history.lastError()));
        const auto runs = history.list();
        QVERIFY(runs);
        QCOMPARE(runs->size(), 3);
        QCOMPARE(runs->at(0).id, *b);
        QCOMPARE(runs->at(1).id, *a);
        QCOMPARE(runs->at(2).id, *c);
        const SavedRunSummary &summary = runs->at(1);
        QCOMPARE(summary.scenario, u"primary-outage"_s);
        QCOMPARE(summary.label, u"preset: breaker"_s);
        QCOMPARE(summary.startedAt, u"2026-03-01T10:00:00.000Z"_s);
        QCOMPARE(summary.savedAt, wall.now);
        QCOMPARE(summary.durationSeconds, 30.0);
        QCOMPARE(summary.requests, 100);
        QCOMPARE(summary.modelRate, 0.95);
        QCOMPARE(summary.successRate, 0.98);
        QCOMPARE(summary.degradedShare, 0.02);
        QCOMPARE(summary.p99Seconds, 2.5);
        QCOMPARE(summary.attemptsPerRequest, 1.3);
        QCOMPARE(history.list(1)->size(), 1);
    }

    void loadedRunHasTheWholeReportWithItsSeries()
    {
        TempDatabase temp;
        RunHistory history(*temp.database);
        const auto id = history.save(withBreaker(), u"x"_s);
        QVERIFY(id);
        const std::optional<SavedRun> run = history.load(*id);
        QVERIFY(run);
        QVERIFY(run->report == withBreaker());
        QCOMPARE(run->summary.id, *id);
        QVERIFY(!history.load(*id + 100));
        QVERIFY(history.lastError().isEmpty());
    }

    void deletedRunIsGone()
    {
        TempDatabase temp;
        RunHistory history(*temp.database);
        const auto id = history.save(withBreaker(), u"x"_s);
        QVERIFY(history.remove(*id));
        QVERIFY(!history.remove(*id));
        QVERIFY(history.lastError().isEmpty());
        QCOMPARE(history.list()->size(), 0);
    }

    void somethingThatIsNotAReportIsRefused()
    {
        TempDatabase temp;
        RunHistory history(*temp.database);
        QVERIFY(!history.save({{"scenario", "x"}}, u"x"_s));
        QVERIFY2(history.lastError().contains(u"not a run report"_s),
                 qPrintable(history.lastError()));
        QVERIFY(history.lastError().startsWith(temp.path));
    }

    void saveRunOpensTheFileAndSaves()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"history/breakwater.db"_s);
        QString error;
        const auto id = saveRun(path, withoutBreaker(), u"cli"_s, &error);
        QVERIFY2(id, qPrintable(error));
        std::unique_ptr<Database> database = Database::open(path, &error);
        QVERIFY(database);
        RunHistory history(*database);
        QCOMPARE(history.load(*id)->summary.label, u"cli"_s);
        QVERIFY(!saveRun(dir.path(), withoutBreaker(), u"cli"_s, &error));
        QVERIFY(error.contains(u"folder"_s));
    }

    void recorderReportHasTheKeysTheFiguresRead()
    {
        // The real report shape, not a hand-made one: one call, one failed attempt on the
        // primary, then an answer from the fallback.
        FakeClock clock;
        const QString primary = QString::fromStdString(kPrimary);
        const QString fallback = QString::fromStdString(kFallback);
        RunRecorder recorder(clock, {primary, fallback});
        recorder.start();
        recorder.record(CallStarted{u"c1"_s, clock.now(), false});
        recorder.record(AttemptStarted{u"c1"_s, clock.now(), primary, 0, false});
        clock.advance(Millis(100));
        recorder.record(AttemptFinished{u"c1"_s, clock.now(), primary, 0, Outcome::ServerError, 500,
                                        Millis(100), QString()});
        recorder.record(FallbackHop{u"c1"_s, clock.now(), primary, fallback, u"failed"_s});
        recorder.record(AttemptStarted{u"c1"_s, clock.now(), fallback, 0, false});
        clock.advance(Millis(100));
        recorder.record(AttemptFinished{u"c1"_s, clock.now(), fallback, 0, Outcome::Success, 200,
                                        Millis(100), QString()});
        CallResult result;
        result.success = true;
        result.source = fallback;
        result.duration = Millis(200);
        recorder.record(CallFinished{clock.now(), result});
        clock.advance(Millis(1000));
        const RunFigures figures = runFigures(recorder.reportJson());
        QCOMPARE(figures.requests, 1);
        QCOMPARE(figures.modelRate, 1.0);
        QCOMPARE(figures.successRate, 1.0);
        QCOMPARE(figures.attemptsPerRequest, 2.0);
        QCOMPARE(figures.wastedCalls, 1);
        QVERIFY(figures.p99Seconds > 0.0);
    }
};

QTEST_GUILESS_MAIN(TestRunHistory)
#include "tst_runhistory.moc"

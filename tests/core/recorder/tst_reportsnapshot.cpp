// A saved report read back as a snapshot for the charts: a recorder's report round-trips to
// the same series, totals and breaker states its live snapshot showed; models follow the
// chain order given; broken or partial reports give an empty snapshot, never an exception.
#include "common/fakeclock.h"
#include "engine/callresult.h"
#include "engine/events.h"
#include "recorder/reportsnapshot.h"
#include "recorder/runrecorder.h"

#include <QTest>
#include <cmath>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kSecondary = u"claude-haiku-4-5"_s;

void finishCall(RunRecorder &recorder, FakeClock &clock, const QString &id, const QString &source,
                Millis duration)
{
    CallResult result;
    result.id = id;
    result.source = source;
    result.success = source != sources::error;
    result.degraded = source == sources::degraded;
    result.duration = duration;
    recorder.record(CallFinished{clock.now(), result});
}

/// Six seconds of a primary outage: answers from the primary, then errors, a breaker that
/// opens, the secondary and the cache taking over, a timeline note and an alert.
void playOutage(RunRecorder &recorder, FakeClock &clock)
{
    int n = 0;
    for (int second = 0; second < 6; ++second) {
        const bool down = second >= 2 && second < 5;
        if (second == 2)
            recorder.record(TimelineNote{clock.now(), kPrimary, u"primary down"_s});
        if (second == 3) {
            recorder.record(
                BreakerTransition{clock.now(), kPrimary, BreakerState::Closed, BreakerState::Open});
            recorder.record(AlertChanged{clock.now(), u"HighErrorRate"_s, true, 0.5, u"x"_s});
        }
        for (int i = 0; i < 4; ++i) {
            const QString id = u"c%1"_s.arg(++n);
            recorder.record(CallStarted{id, clock.now(), false});
            recorder.record(AttemptStarted{id, clock.now(), kPrimary, 0, false});
            clock.advance(50ms);
            if (!down) {
                recorder.record(AttemptFinished{id, clock.now(), kPrimary, 0, Outcome::Success, 200,
                                                50ms, QString()});
                finishCall(recorder, clock, id, kPrimary, 50ms);
                continue;
            }
            recorder.record(AttemptFinished{id, clock.now(), kPrimary, 0, Outcome::ServerError, 503,
                                            50ms, QString()});
            recorder.record(RetryScheduled{id, clock.now(), kPrimary, 1, 100ms,
                                           DelaySource::Backoff, Outcome::ServerError});
            recorder.record(AttemptStarted{id, clock.now(), kSecondary, 0, false});
            clock.advance(100ms);
            const bool cached = i == 3;
            recorder.record(AttemptFinished{id, clock.now(), kSecondary, 0,
                                            cached ? Outcome::Timeout : Outcome::Success,
                                            cached ? 0 : 200, 100ms, QString()});
            finishCall(recorder, clock, id, cached ? sources::cache : kSecondary, 150ms);
        }
        clock.advance(Millis(1000) - Millis(down ? 600 : 200));
    }
}

} // namespace

class TestReportSnapshot final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reportRoundTripsToTheLiveSnapshot()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        recorder.start();
        playOutage(recorder, clock);
        QCOMPARE(clock.now(), Millis(6000)); // on a step boundary: no partial point
        const RecorderSnapshot live = recorder.snapshot();
        const nlohmann::json report = recorder.reportJson();
        const RecorderSnapshot saved = snapshotFromReport(report, {kPrimary, kSecondary});

        QCOMPARE(saved.series.points, live.series.points);
        QCOMPARE(saved.series.points, 6);
        QCOMPARE(saved.series.step, live.series.step);
        QCOMPARE(saved.series.requests, live.series.requests);
        QCOMPARE(saved.series.errors, live.series.errors);
        QCOMPARE(saved.series.attempts, live.series.attempts);
        QCOMPARE(saved.series.retries, live.series.retries);
        QCOMPARE(saved.series.failed, live.series.failed);
        QCOMPARE(saved.series.sources, live.series.sources);
        QCOMPARE(saved.series.bySource, live.series.bySource);
        QCOMPARE(saved.series.models, live.series.models);
        QCOMPARE(saved.series.modelAttempts, live.series.modelAttempts);
        QCOMPARE(saved.series.modelSuccesses, live.series.modelSuccesses);
        QCOMPARE(saved.series.modelErrors, live.series.modelErrors);
        QCOMPARE(saved.series.modelBreaker, live.series.modelBreaker);
        for (int p = 0; p < live.series.points; ++p)
            QVERIFY(std::abs(saved.series.latencyP99[p] - live.series.latencyP99[p]) < 1e-3);

        QCOMPARE(saved.totals.requests, live.totals.requests);
        QCOMPARE(saved.totals.requests, 24);
        QCOMPARE(saved.totals.succeeded, live.totals.succeeded);
        QCOMPARE(saved.totals.answeredByModel, live.totals.answeredByModel);
        QCOMPARE(saved.totals.answeredByModel, 21); // three of the 24 came from the cache
        QCOMPARE(saved.totals.attempts, live.totals.attempts);
        QCOMPARE(saved.totals.retries, live.totals.retries);
        QCOMPARE(saved.sources.size(), live.sources.size());
        for (qsizetype i = 0; i < live.sources.size(); ++i) {
            QCOMPARE(saved.sources[i].source, live.sources[i].source);
            QCOMPARE(saved.sources[i].answers, live.sources[i].answers);
        }
        QCOMPARE(saved.models.size(), 2);
        QCOMPARE(saved.models[0].model, kPrimary);
        QCOMPARE(saved.models[0].state, BreakerState::Open);
        QCOMPARE(saved.models[0].stateSinceSeconds, 3.0);
        QCOMPARE(saved.models[0].errors, 12);
        QCOMPARE(saved.models[0].attempts, live.models[0].attempts);
        QCOMPARE(saved.models[1].successes, live.models[1].successes);
        QCOMPARE(saved.timeline.size(), 1);
        QCOMPARE(saved.timeline[0].note, u"primary down"_s);
        QCOMPARE(saved.timeline[0].model, kPrimary);
        QCOMPARE(saved.timeline[0].tSeconds, 2.0);
        QCOMPARE(saved.firingAlerts, QStringList{u"HighErrorRate"_s});
        QCOMPARE(saved.elapsedSeconds, 6.0);
    }

    void aReportSavedBeforeAnsweredByModelStillShowsIt()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        recorder.start();
        playOutage(recorder, clock);
        nlohmann::json report = recorder.reportJson();
        report["totals"].erase("answered_by_model");
        // Successes less the cache's answers: the same count.
        QCOMPARE(snapshotFromReport(report).totals.answeredByModel, 21);
        QCOMPARE(answeredByModel(report["totals"]), 21);
        QCOMPARE(answeredByModel(nlohmann::json::array()), 0);
    }

    void modelsFollowTheChainOrderGiven_data()
    {
        QTest::addColumn<QStringList>("order");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("chain order")
            << QStringList{kPrimary, kSecondary} << QStringList{kPrimary, kSecondary};
        QTest::newRow("no order: by name") << QStringList{} << QStringList{kSecondary, kPrimary};
        QTest::newRow("unknown models ignored")
            << QStringList{u"gpt-x"_s, kPrimary} << QStringList{kPrimary, kSecondary};
    }

    void modelsFollowTheChainOrderGiven()
    {
        QFETCH(QStringList, order);
        QFETCH(QStringList, expected);
        const nlohmann::json report = {
            {"totals",
             {{"requests", 3},
              {"by_source", {{kPrimary.toStdString(), 1}, {kSecondary.toStdString(), 2}}}}},
            {"series",
             {{"step_s", 2.0},
              {"points", 2},
              {"requests", {1, 2}},
              {"by_source",
               {{kPrimary.toStdString(), {1, 0}}, {kSecondary.toStdString(), {0, 2}}}}}}};
        const RecorderSnapshot snapshot = snapshotFromReport(report, order);
        QCOMPARE(snapshot.series.models, expected);
        QStringList sources = expected;
        sources << u"cache"_s << u"degraded"_s;
        QCOMPARE(snapshot.series.sources, sources);
        QCOMPARE(snapshot.series.step, Millis(2000));
        const qsizetype primary = expected.indexOf(kPrimary);
        QCOMPARE(snapshot.series.bySource[primary], (QList<double>{1, 0}));
        QCOMPARE(snapshot.sources[primary].answers, 1);
        QCOMPARE(snapshot.elapsedSeconds, 4.0);
    }

    void brokenReportsGiveAnEmptySnapshot_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("array") << QByteArray("[1,2]");
        QTest::newRow("strings everywhere")
            << QByteArray(R"({"totals":"x","series":{"points":"7","requests":"a"},)"
                          R"("models":{"m":{"errors":[1],"breaker":5}},"timeline":{}})");
        QTest::newRow("points beyond the arrays")
            << QByteArray(R"({"series":{"points":1e300,"requests":[]}})");
        QTest::newRow("negative and huge counts")
            << QByteArray(R"({"totals":{"requests":-5,"attempts":1e300},"duration_s":-1})");
    }

    void brokenReportsGiveAnEmptySnapshot()
    {
        QFETCH(QByteArray, json);
        const nlohmann::json report = nlohmann::json::parse(json.toStdString());
        const RecorderSnapshot snapshot = snapshotFromReport(report, {kPrimary});
        QCOMPARE(snapshot.series.points, 0);
        QVERIFY(snapshot.series.requests.isEmpty());
        QCOMPARE(snapshot.totals.requests, 0);
        QCOMPARE(snapshot.totals.attempts, 0);
        QVERIFY(snapshot.elapsedSeconds >= 0.0);
    }
};

QTEST_GUILESS_MAIN(TestReportSnapshot)
#include "tst_reportsnapshot.moc"

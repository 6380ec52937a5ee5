// The line `breakwater-cli run` prints every second: led by the share answered by a model,
// with the cache's and the degraded text's beside it.
#include "cli/runprogress.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

RecorderSnapshot snapshot(std::int64_t primary, std::int64_t fallback, std::int64_t cache,
                          std::int64_t degraded, std::int64_t failed)
{
    RecorderSnapshot s;
    s.elapsedSeconds = 12.4;
    RecorderTotals &t = s.totals;
    t.answeredByModel = primary + fallback;
    t.succeeded = t.answeredByModel + cache;
    t.degraded = degraded;
    t.failed = failed;
    t.requests = t.succeeded + degraded + failed;
    s.sources = {SourceFigures{kPrimary, primary, 0.0}, SourceFigures{kFallback, fallback, 0.0},
                 SourceFigures{u"cache"_s, cache, 0.0},
                 SourceFigures{u"degraded"_s, degraded, 0.0}};
    ModelFigures open;
    open.model = kPrimary;
    open.state = BreakerState::Open;
    ModelFigures closed;
    closed.model = kFallback;
    s.models = {open, closed};
    return s;
}

} // namespace

class TestRunProgress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void leadsWithTheShareAnsweredByAModel()
    {
        const QString line = cli::progressLine(snapshot(700, 279, 12, 9, 0), 60.0);
        QCOMPARE(line, u"00:12/01:00  1000 req  model 97.9 %  cache 1.2 %  degraded 0.9 %  "
                       u"models: claude-sonnet-4-5 70 %, claude-haiku-4-5 28 %  breakers: "
                       u"claude-sonnet-4-5 OPEN, claude-haiku-4-5 closed"_s);
    }

    void aCacheThatAnswersEverythingDoesNotLookLikeSuccess()
    {
        // The old line said "100.0% ok" here: the cache answered, not a model.
        const QString line = cli::progressLine(snapshot(10, 0, 990, 0, 0), 60.0);
        QVERIFY2(line.startsWith(u"00:12/01:00  1000 req  model 1.0 %  cache 99.0 %  degraded "
                                 u"0.0 %"_s),
                 qPrintable(line));
        QVERIFY(!line.contains(u"ok"_s));
    }

    void failedCallsAreNamedWhenThereAreSome()
    {
        QVERIFY(cli::progressLine(snapshot(90, 0, 0, 0, 10), 60.0)
                    .contains(u"degraded 0.0 %  failed 10.0 %  models:"_s));
        QVERIFY(!cli::progressLine(snapshot(90, 0, 0, 0, 0), 60.0).contains(u"failed"_s));
    }

    void beforeTheFirstAnswerOnlyTheClockAndBreakers()
    {
        RecorderSnapshot empty = snapshot(0, 0, 0, 0, 0);
        empty.firingAlerts = {u"HighErrorRate"_s};
        QCOMPARE(cli::progressLine(empty, 60.0),
                 u"00:12/01:00  0 req  breakers: claude-sonnet-4-5 OPEN, claude-haiku-4-5 closed"
                 u"  [! HighErrorRate]"_s);
    }
};

QTEST_GUILESS_MAIN(TestRunProgress)
#include "tst_runprogress.moc"

// The run bar's live figures: led by the share answered by a model (coloured as the state
// colours are), the cache's and the degraded text's shares right beside it, the success share
// second; every figure shown whole at the widths the dashboard is used at.
#include "runbar.h"
#include "theme.h"

#include <QLabel>
#include <QTest>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

RecorderSnapshot snapshot(std::int64_t primary, std::int64_t fallback, std::int64_t cache,
                          std::int64_t degraded)
{
    RecorderSnapshot s;
    RecorderTotals &t = s.totals;
    t.answeredByModel = primary + fallback;
    t.succeeded = t.answeredByModel + cache;
    t.degraded = degraded;
    t.requests = t.succeeded + degraded;
    s.sources = {SourceFigures{kPrimary, primary, 0.0}, SourceFigures{kFallback, fallback, 0.0},
                 SourceFigures{u"cache"_s, cache, 0.0},
                 SourceFigures{u"degraded"_s, degraded, 0.0}};
    return s;
}

QLabel *labelShowing(const RunBar &bar, const QString &text)
{
    for (QLabel *label : bar.findChildren<QLabel *>()) {
        if (label->text() == text)
            return label;
    }
    return nullptr;
}

} // namespace

class TestRunBar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void leadsWithTheShareAnsweredByAModel()
    {
        const Theme theme;
        RunBar bar(theme);
        bar.showProgress(snapshot(700, 279, 12, 9), 12.0, 60.0);
        QCOMPARE(bar.modelRateText(), u"97.9 %"_s);
        QCOMPARE(bar.cacheText(), u"cache 1.2 %"_s);
        QCOMPARE(bar.degradedText(), u"degraded 0.9 %"_s);
        QCOMPARE(bar.successText(), u"answered ok 99.1 %"_s);
        QCOMPARE(bar.requestsText(), u"1,000"_s);
        // Amber: under 99 % of users got a model's answer.
        QCOMPARE(bar.modelRateColor(), Theme::css(Theme::stateColor(BreakerState::HalfOpen)));

        // The lead figure is the largest type in the bar; the cache, degraded and success
        // shares are stacked right beside it.
        bar.resize(1600, bar.sizeHint().height());
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        QLabel *lead = labelShowing(bar, u"97.9 %"_s);
        QLabel *cache = labelShowing(bar, u"cache 1.2 %"_s);
        QLabel *degraded = labelShowing(bar, u"degraded 0.9 %"_s);
        QLabel *success = labelShowing(bar, u"answered ok 99.1 %"_s);
        QVERIFY(lead && cache && degraded && success);
        const auto left = [&bar](QWidget *w) {
            return w->mapTo(&bar, QPoint(0, 0)).x();
        };
        QVERIFY(left(lead) < left(cache));
        QCOMPARE(left(cache), left(degraded)); // one above the other
        QCOMPARE(left(cache), left(success));
        QVERIFY(cache->mapTo(&bar, QPoint(0, 0)).y() < success->mapTo(&bar, QPoint(0, 0)).y());
        QVERIFY(left(cache) - (left(lead) + lead->width()) < theme.px(20)); // right beside it
        for (QLabel *label : bar.findChildren<QLabel *>())
            QVERIFY2(label->font().pointSizeF() <= lead->font().pointSizeF(),
                     qPrintable(label->text()));
        QVERIFY(lead->font().pointSizeF() > success->font().pointSizeF());
    }

    void aCacheAnsweringEverythingIsNotShownAsSuccess()
    {
        // What the old bar showed as "100 % ok" in green: the cache answered, not a model.
        const Theme theme;
        RunBar bar(theme);
        bar.showProgress(snapshot(30, 0, 970, 0), 40.0, 40.0);
        QCOMPARE(bar.modelRateText(), u"3.0 %"_s);
        QCOMPARE(bar.modelRateColor(), Theme::css(Theme::stateColor(BreakerState::Open)));
        QCOMPARE(bar.cacheText(), u"cache 97.0 %"_s);
        QCOMPARE(bar.successText(), u"answered ok 100.0 %"_s);
        bar.showProgress(snapshot(995, 5, 0, 0), 41.0, 41.0);
        QCOMPARE(bar.modelRateColor(), Theme::css(Theme::stateColor(BreakerState::Closed)));
    }

    void beforeAnyRequestTheSharesAreBlank()
    {
        const Theme theme;
        RunBar bar(theme);
        bar.showProgress(snapshot(0, 0, 0, 0), 0.0, 0.0);
        QCOMPARE(bar.modelRateText(), u"—"_s);
        QCOMPARE(bar.cacheText(), u"cache —"_s);
        QCOMPARE(bar.degradedText(), u"degraded —"_s);
        QCOMPARE(bar.successText(), u"answered ok —"_s);
        QCOMPARE(bar.requestsText(), u"0"_s);
    }

    void everyFigureIsShownWhole_data()
    {
        QTest::addColumn<bool>("presenter");
        QTest::addColumn<int>("width");
        QTest::addColumn<double>("duration");
        // An hour-long run has the widest clock; a demo runs a bundled one-minute scenario.
        QTest::newRow("laptop, hour-long run") << false << 1280 << 3600.0;
        QTest::newRow("default window, hour-long run") << false << 1600 << 3600.0;
        QTest::newRow("presenter on a 1920 screen, hour-long run") << true << 1920 << 3600.0;
        QTest::newRow("presenter on a 1280 projector, one-minute run") << true << 1280 << 60.0;
    }
    void everyFigureIsShownWhole()
    {
        QFETCH(bool, presenter);
        QFETCH(int, width);
        QFETCH(double, duration);
        const Theme theme(presenter, Theme::presenterScaleFor(width));
        RunBar bar(theme);
        bar.setPalette(theme.palette());
        bar.setStyleSheet(theme.styleSheet());
        bar.setScenarios({ScenarioEntry{u":/scenarios/rate-limit-storm.json"_s,
                                        u"rate-limit-storm"_s, QString(), true}});
        // The widest shares and counts a run shows: 100.0 %, a six-figure count.
        bar.showProgress(snapshot(99000, 900, 50, 50), duration - 1.0, duration);
        QVERIFY2(bar.minimumSizeHint().width() <= width,
                 qPrintable(QString::number(bar.minimumSizeHint().width())));
        bar.resize(width, bar.sizeHint().height());
        bar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bar));
        for (QLabel *label : bar.findChildren<QLabel *>()) {
            if (label->wordWrap() || label->text().isEmpty())
                continue; // the by-source and status lines wrap into the room they get
            QVERIFY2(label->width() >= label->sizeHint().width() &&
                         label->height() >= label->sizeHint().height(),
                     qPrintable(u"'%1' is %2×%3, needs %4×%5"_s.arg(label->text())
                                    .arg(label->width())
                                    .arg(label->height())
                                    .arg(label->sizeHint().width())
                                    .arg(label->sizeHint().height())));
        }
    }
};

QTEST_MAIN(TestRunBar)
#include "tst_runbar.moc"

// The event log: rows arrive in batches (not one model update per event), the oldest are
// dropped past the cap, the filter bar narrows by type, model and text, the view follows
// new rows unless the user scrolled up, and no key reaches a row.
#include "config/configloader.h"
#include "engine/eventstream.h"
#include "panels/eventlogfilter.h"
#include "panels/eventlogmodel.h"
#include "panels/eventlogview.h"
#include "runtime/lab.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;
constexpr int kBatchTimeoutMs = 2000;

// Successes by default: failures would also make the lab's alert rule publish events.
AttemptFinished attemptFinished(int n, const QString &model = kPrimary,
                                Outcome outcome = Outcome::Success)
{
    AttemptFinished event;
    event.callId = u"call-%1"_s.arg(n);
    event.at = Millis{1000 + n};
    event.model = model;
    event.outcome = outcome;
    event.httpStatus = outcome == Outcome::Success ? 200 : 529;
    event.duration = Millis{40};
    return event;
}

RetryScheduled retryScheduled(int n, const QString &model = kPrimary)
{
    return RetryScheduled{u"call-%1"_s.arg(n),  Millis{2000 + n},   model, 1, Millis{250},
                          DelaySource::Backoff, Outcome::Overloaded};
}

std::unique_ptr<Lab> makeLab()
{
    ConfigParseResult parsed = parseConfig(defaultConfigJson(), u"test"_s);
    if (!parsed.config)
        qFatal("default config invalid");
    return std::make_unique<Lab>(*parsed.config, Lab::Options{}, LabWorld::real());
}

} // namespace

class TestEventLog : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

private Q_SLOTS:
    void rowsArriveInOneBatch()
    {
        EventStream stream;
        EventLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.attach(&stream);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int n = 0; n < 1000; ++n)
            stream.publish(attemptFinished(n));
        QCOMPARE(model.rowCount(), 0); // not one model update per event
        QCOMPARE(model.pendingCount(), 1000);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1000, kBatchTimeoutMs);
        QCOMPARE(inserted.count(), 1);

        const QModelIndex first = model.index(0, 0);
        QCOMPARE(model.index(0, EventLogModel::TimeColumn).data().toString(), u"1.000"_s);
        QCOMPARE(model.index(0, EventLogModel::TypeColumn).data().toString(),
                 u"attempt_finished"_s);
        QCOMPARE(model.index(0, EventLogModel::ModelColumn).data().toString(), kPrimary);
        QCOMPARE(model.index(0, EventLogModel::CallColumn).data().toString(), u"call-0"_s);
        QCOMPARE(model.index(0, EventLogModel::SummaryColumn).data().toString(),
                 describeEvent(attemptFinished(0)));
        QCOMPARE(first.data(EventLogModel::TypeRole).toString(), u"attempt_finished"_s);
        QCOMPARE(model.models(), QStringList{kPrimary});
    }

    void timesCountFromTheOrigin()
    {
        EventLogModel model;
        model.append(attemptFinished(500)); // at 1.5 s
        model.flush();
        model.setOrigin(Millis{500});
        QCOMPARE(model.index(0, EventLogModel::TimeColumn).data().toString(), u"1.000"_s);
    }

    void capDropsTheOldestRows()
    {
        EventLogModel model(100);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int n = 0; n < 60; ++n)
            model.append(attemptFinished(n));
        model.flush();
        QCOMPARE(model.rowCount(), 60);
        for (int n = 60; n < 250; ++n)
            model.append(attemptFinished(n));
        QVERIFY(model.pendingCount() <= 100); // bounded while waiting too
        model.flush();
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.index(0, EventLogModel::CallColumn).data().toString(), u"call-150"_s);
        QCOMPARE(model.index(99, EventLogModel::CallColumn).data().toString(), u"call-249"_s);

        model.setCapacity(10);
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.index(0, EventLogModel::CallColumn).data().toString(), u"call-240"_s);
    }

    void rowsNeverShowKeys()
    {
        EventLogModel model;
        AttemptFinished event = attemptFinished(1, kPrimary, Outcome::Auth);
        event.message = u"invalid x-api-key sk-ant-api03-LEAKEDKEYVALUE"_s;
        model.append(event);
        model.flush();
        const QString summary = model.index(0, EventLogModel::SummaryColumn).data().toString();
        QVERIFY(!summary.contains(u"LEAKEDKEYVALUE"_s));
        QVERIFY(summary.contains(u"invalid x-api-key sk-•••"_s));
    }

    void filterBarNarrowsByTypeModelAndText()
    {
        auto lab = makeLab();
        EventLogView view(lab.get());
        QAbstractItemModelTester tester(view.filter(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int n = 0; n < 10; ++n) {
            lab->events().publish(attemptFinished(n, n < 4 ? kPrimary : kFallback));
            lab->events().publish(retryScheduled(n, n < 4 ? kPrimary : kFallback));
        }
        lab->events().publish(TimelineNote{Millis{3000}, kPrimary, u"primary down"_s});
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 21, kBatchTimeoutMs);
        QCOMPARE(view.filter()->rowCount(), 21);

        auto *type = child<QComboBox>(view, u"typeFilter"_s);
        type->setCurrentIndex(type->findText(u"retry_scheduled"_s));
        QCOMPARE(view.filter()->rowCount(), 10);

        auto *model = child<QComboBox>(view, u"modelFilter"_s);
        QVERIFY(model->findText(kPrimary) > 0); // from the lab's chain and from the events
        model->setCurrentIndex(model->findText(kPrimary));
        QCOMPARE(view.filter()->rowCount(), 4);

        type->setCurrentIndex(0);               // all types
        QCOMPARE(view.filter()->rowCount(), 9); // 4 attempts, 4 retries, the note

        auto *text = child<QLineEdit>(view, u"textFilter"_s);
        text->setFocus();
        QTest::keyClicks(text, u"PRIMARY DOWN"_s); // case blind
        QCOMPARE(view.filter()->rowCount(), 1);
        QCOMPARE(view.filter()->index(0, EventLogModel::TypeColumn).data().toString(),
                 u"timeline"_s);

        text->clear();
        model->setCurrentIndex(0);
        QTest::keyClicks(text, u"call-7"_s);
        QCOMPARE(view.filter()->rowCount(), 2);

        // New events are filtered as they arrive.
        lab->events().publish(attemptFinished(7, kFallback, Outcome::Success));
        QTRY_COMPARE_WITH_TIMEOUT(view.filter()->rowCount(), 3, kBatchTimeoutMs);
        QVERIFY(child<QLabel>(view, u"eventCount"_s)->text().contains(u"3 of 22"_s));
    }

    void followsNewRowsUnlessScrolledUp()
    {
        auto lab = makeLab();
        EventLogView view(lab.get());
        view.resize(700, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QScrollBar *scroll = view.table()->verticalScrollBar();
        for (int n = 0; n < 200; ++n)
            lab->events().publish(attemptFinished(n));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 200, kBatchTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(scroll->maximum() > 0, kBatchTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(scroll->value(), scroll->maximum(), kBatchTimeoutMs);
        QVERIFY(view.isFollowing());

        for (int n = 200; n < 300; ++n)
            lab->events().publish(attemptFinished(n));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 300, kBatchTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(scroll->value(), scroll->maximum(), kBatchTimeoutMs);

        scroll->setValue(10); // the user scrolls up to read
        QVERIFY(!view.isFollowing());
        const int maximumBefore = scroll->maximum();
        for (int n = 300; n < 400; ++n)
            lab->events().publish(attemptFinished(n));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 400, kBatchTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(scroll->maximum() > maximumBefore, kBatchTimeoutMs);
        QCOMPARE(scroll->value(), 10);

        scroll->setValue(scroll->maximum()); // back at the bottom: following again
        QVERIFY(view.isFollowing());
    }

    void clearEmptiesTheLog()
    {
        auto lab = makeLab();
        EventLogView view(lab.get());
        for (int n = 0; n < 5; ++n)
            lab->events().publish(attemptFinished(n));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, kBatchTimeoutMs);
        QTest::mouseClick(child<QPushButton>(view, u"clearLog"_s), Qt::LeftButton);
        QCOMPARE(view.model()->rowCount(), 0);
        QCOMPARE(child<QLabel>(view, u"eventCount"_s)->text(), u"0 events"_s);
    }

    void rebindingStartsAFreshLog()
    {
        auto first = makeLab();
        EventLogView view(first.get());
        first->events().publish(attemptFinished(1));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, kBatchTimeoutMs);

        auto second = makeLab();
        view.setLab(second.get());
        QCOMPARE(view.model()->rowCount(), 0);
        first->events().publish(attemptFinished(2));
        second->events().publish(attemptFinished(3));
        QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 1, kBatchTimeoutMs);
        QCOMPARE(view.model()->index(0, EventLogModel::CallColumn).data().toString(), u"call-3"_s);

        second.reset();
        QVERIFY(!view.lab());
        QVERIFY(!child<QLineEdit>(view, u"textFilter"_s)->isEnabled());
        QCOMPARE(child<QLabel>(view, u"eventCount"_s)->text(), u"No session"_s);
    }

    void typeNamesCoverEveryEvent()
    {
        QStringList names = EventLogModel::typeNames();
        QCOMPARE(names.size(), static_cast<qsizetype>(std::variant_size_v<EngineEvent>));
        QVERIFY(names.contains(u"attempt_finished"_s));
        QVERIFY(names.contains(u"timeline"_s));
        QCOMPARE(names.removeDuplicates(), 0);
    }

    void presenterModeEnlargesTheText()
    {
        EventLogView view;
        const qreal normal = view.font().pointSizeF();
        const int rowHeight = view.table()->verticalHeader()->defaultSectionSize();
        view.setPresenterMode(true);
        QVERIFY(view.font().pointSizeF() > normal * 1.2);
        QVERIFY(view.table()->verticalHeader()->defaultSectionSize() > rowHeight);
    }
};

QTEST_MAIN(TestEventLog)
#include "tst_eventlog.moc"

// The virtual-time driver: posted events first, then the clock's next timer, until done.
#include "common/fakeclock.h"
#include "runtime/virtualtime.h"

#include <QCoreApplication>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestVirtualTime final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void postedEventsRunBeforeTheClockMoves()
    {
        FakeClock clock;
        QStringList log;
        const auto note = [&](const QString &what) {
            log.append(u"%1@%2"_s.arg(what).arg(clock.now().count()));
        };
        const auto post = [&](const QString &what, std::function<void()> then = {}) {
            QMetaObject::invokeMethod(
                this,
                [note, what, then] {
                    note(what);
                    if (then)
                        then();
                },
                Qt::QueuedConnection);
        };
        bool done = false;
        auto first = clock.createTimer([&] {
            note(u"timer"_s);
            post(u"posted by the timer"_s);
        });
        auto last = clock.createTimer([&] {
            note(u"last"_s);
            done = true;
        });
        first->start(Millis(100));
        last->start(Millis(250));
        post(u"posted"_s, [&] { post(u"posted by an event"_s); });

        QVERIFY(runInVirtualTime(clock, [&] { return done; }));
        QCOMPARE(log, (QStringList{u"posted@0"_s, u"posted by an event@0"_s, u"timer@100"_s,
                                   u"posted by the timer@100"_s, u"last@250"_s}));
        QCOMPARE(clock.now(), Millis(250));
    }

    void returnsFalseWhenNothingIsLeftToHappen()
    {
        FakeClock clock;
        int fired = 0;
        auto timer = clock.createTimer([&] { ++fired; });
        timer->start(Millis(30));
        QVERIFY(!runInVirtualTime(clock, [] { return false; }));
        QCOMPARE(fired, 1);
        QCOMPARE(clock.now(), Millis(30));
    }

    void stopsBeforeATimerBeyondItsLimit()
    {
        FakeClock clock;
        int fired = 0;
        auto timer = clock.createTimer([&] { ++fired; });
        timer->start(Millis(500));
        QVERIFY(!runInVirtualTime(
            clock, [] { return false; }, Millis(400)));
        QCOMPARE(fired, 0);
        QVERIFY(clock.now() <= Millis(400));
        QVERIFY(timer->isActive());
    }

    void aRepeatingTimerAdvancesTimeOnlyAsFarAsNeeded()
    {
        FakeClock clock;
        int ticks = 0;
        std::unique_ptr<Timer> tick;
        tick = clock.createTimer([&] {
            ++ticks;
            tick->start(Millis(1000));
        });
        tick->start(Millis(1000));
        QVERIFY(runInVirtualTime(clock, [&] { return ticks == 60; }));
        QCOMPARE(clock.now(), Millis(60000));
    }
};

QTEST_GUILESS_MAIN(TestVirtualTime)
#include "tst_virtualtime.moc"

// The in-process twin of alerts.yml on simulated time: HighErrorRate fires above the
// threshold with enough attempts and clears when the window moves on, AuthFailure fires at
// once, and changes are published on the event stream only when they happen.
#include "common/fakeclock.h"
#include "engine/eventstream.h"
#include "metrics/alertevaluator.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kModel = u"claude-sonnet-4-5"_s;
const QString kHigh = u"HighErrorRate"_s;
const QString kAuth = u"AuthFailure"_s;

/// An evaluator wired to a stream the way the app wires it, recording every AlertChanged.
struct Rig {
    explicit Rig(AlertPolicy policy = {}, AlertRuleOptions options = {})
        : evaluator(policy, clock, stream, options)
    {
        QObject::connect(&stream, &EventStream::event, &evaluator, &AlertEvaluator::record);
        QObject::connect(&stream, &EventStream::event, &stream, [this](const EngineEvent &event) {
            if (const auto *change = std::get_if<AlertChanged>(&event))
                changes.append(*change);
        });
    }

    void attempts(int count, Outcome outcome, const QString &model = kModel)
    {
        for (int i = 0; i < count; ++i) {
            stream.publish(AttemptFinished{u"call-%1"_s.arg(++m_calls), clock.now(), model, 0,
                                           outcome, outcome == Outcome::Auth ? 401 : 0, Millis(100),
                                           u"invalid x-api-key"_s});
        }
    }

    FakeClock clock;
    EventStream stream;
    AlertEvaluator evaluator;
    QList<AlertChanged> changes;

private:
    int m_calls = 0;
};

} // namespace

class TestAlertEvaluator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firesOnlyAboveThresholdWithEnoughAttempts_data()
    {
        QTest::addColumn<int>("successes");
        QTest::addColumn<int>("errors");
        QTest::addColumn<bool>("firing");
        // The alert's value is the ratio at the attempt that made it fire: errors arrive
        // after the successes, so it fires as soon as the ratio crosses the threshold.
        QTest::addColumn<double>("valueWhenFired");
        QTest::newRow("no attempts") << 0 << 0 << false << 0.0;
        QTest::newRow("1 of 10 is exactly 10%") << 9 << 1 << false << 0.0;
        QTest::newRow("2 of 10") << 8 << 2 << true << 0.2;
        QTest::newRow("2 of 20 is exactly 10%") << 18 << 2 << false << 0.0;
        QTest::newRow("3 of 20 fires at 2 of 19") << 17 << 3 << true << 2.0 / 19;
        QTest::newRow("9 of 9 is below the minimum") << 0 << 9 << false << 0.0;
        QTest::newRow("10 of 10") << 0 << 10 << true << 1.0;
        QTest::newRow("11 of 100 fires at 10 of 99") << 89 << 11 << true << 10.0 / 99;
    }

    void firesOnlyAboveThresholdWithEnoughAttempts()
    {
        QFETCH(int, successes);
        QFETCH(int, errors);
        QFETCH(bool, firing);
        QFETCH(double, valueWhenFired);
        Rig rig;
        rig.attempts(successes, Outcome::Success);
        rig.attempts(errors, Outcome::ServerError);
        QCOMPARE(rig.evaluator.attemptsInWindow(), successes + errors);
        QCOMPARE(rig.evaluator.errorsInWindow(), errors);
        QCOMPARE(rig.evaluator.isFiring(kHigh), firing);
        QCOMPARE(rig.evaluator.firingAlerts(), firing ? QStringList{kHigh} : QStringList());
        QCOMPARE(rig.changes.size(), firing ? 1 : 0);
        if (firing) {
            QCOMPARE(rig.changes[0].name, kHigh);
            QVERIFY(rig.changes[0].firing);
            QCOMPARE(rig.changes[0].value, valueWhenFired);
            QCOMPARE(rig.changes[0].at, Millis(0));
        }
    }

    void publishesOnlyWhenTheStateChanges()
    {
        Rig rig;
        rig.attempts(10, Outcome::Timeout);
        rig.attempts(30, Outcome::Overloaded);
        rig.clock.advance(Millis(20000));
        rig.attempts(5, Outcome::Timeout);
        QCOMPARE(rig.changes.size(), 1);
        QCOMPARE(rig.changes[0].value, 1.0);
        QCOMPARE(rig.changes[0].message,
                 u"error rate 100.0% (10 of 10 attempts) in the last 300 s is above 10.0%"_s);
    }

    void clearsWhenErrorsAgeOutOfTheWindowWithoutTraffic()
    {
        Rig rig;
        rig.attempts(10, Outcome::ServerError);
        QVERIFY(rig.evaluator.isFiring(kHigh));

        rig.clock.advance(Millis(299000));
        QVERIFY(rig.evaluator.isFiring(kHigh));
        QCOMPARE(rig.changes.size(), 1);

        rig.clock.advance(Millis(1000));
        QVERIFY(!rig.evaluator.isFiring(kHigh));
        QCOMPARE(rig.changes.size(), 2);
        const AlertChanged &resolved = rig.changes[1];
        QCOMPARE(resolved.name, kHigh);
        QVERIFY(!resolved.firing);
        QCOMPARE(resolved.at, Millis(300000));
        QCOMPARE(resolved.value, 0.0);
        QCOMPARE(resolved.message, u"no attempts in the last 300 s"_s);
        // Nothing left to watch: an idle evaluator keeps no timer armed.
        QCOMPARE(rig.clock.pendingTimers(), 0);
    }

    void clearsWhenSuccessesBringTheRatioBackDown()
    {
        Rig rig;
        rig.attempts(10, Outcome::RateLimited);
        rig.clock.advance(Millis(10000));
        rig.attempts(89, Outcome::Success);
        QVERIFY(rig.evaluator.isFiring(kHigh));
        rig.attempts(1, Outcome::Success); // 10 of 100: back to exactly the threshold
        QVERIFY(!rig.evaluator.isFiring(kHigh));
        QCOMPARE(rig.changes.size(), 2);
        QCOMPARE(rig.changes[1].at, Millis(10000));
        QCOMPARE(rig.changes[1].value, 0.1);
        QVERIFY(rig.changes[1].message.contains(u"at or below 10.0%"_s));
    }

    void forgetsOnlyTheBucketsThatLeftTheWindow()
    {
        Rig rig;
        rig.attempts(10, Outcome::ServerError);
        rig.clock.advance(Millis(100000));
        rig.attempts(10, Outcome::Success);
        QVERIFY(rig.evaluator.isFiring(kHigh)); // 50 %
        QCOMPARE(rig.evaluator.errorRatio(), 0.5);

        rig.clock.advance(Millis(199000));
        QCOMPARE(rig.evaluator.attemptsInWindow(), 20);
        QVERIFY(rig.evaluator.isFiring(kHigh));

        rig.clock.advance(Millis(1000)); // t = 300 s: the errors of t = 0 leave
        QCOMPARE(rig.evaluator.attemptsInWindow(), 10);
        QCOMPARE(rig.evaluator.errorsInWindow(), 0);
        QVERIFY(!rig.evaluator.isFiring(kHigh));
        QCOMPARE(rig.changes.last().at, Millis(300000));

        rig.clock.advance(Millis(100000)); // t = 400 s: the successes leave too
        QCOMPARE(rig.evaluator.attemptsInWindow(), 0);
        QCOMPARE(rig.evaluator.errorRatio(), 0.0);
        QCOMPARE(rig.clock.pendingTimers(), 0);
    }

    void authFailureFiresAtOnceAndClearsAfterTheWindow()
    {
        Rig rig;
        rig.attempts(1, Outcome::Auth);
        // No time passed: it fired on the event itself, below the attempt minimum.
        QCOMPARE(rig.evaluator.firingAlerts(), QStringList{kAuth});
        QCOMPARE(rig.changes.size(), 1);
        QCOMPARE(rig.changes[0].name, kAuth);
        QVERIFY(rig.changes[0].firing);
        QCOMPARE(rig.changes[0].value, 1.0);
        QVERIFY(rig.changes[0].message.contains(kModel));
        QVERIFY(rig.changes[0].message.contains(u"invalid x-api-key"_s));

        rig.clock.advance(Millis(299000));
        QVERIFY(rig.evaluator.isFiring(kAuth));
        rig.clock.advance(Millis(1000));
        QVERIFY(rig.evaluator.firingAlerts().isEmpty());
        QCOMPARE(rig.changes.size(), 2);
        QCOMPARE(rig.changes[1].name, kAuth);
        QVERIFY(!rig.changes[1].firing);
        QCOMPARE(rig.changes[1].at, Millis(300000));
    }

    void laterAuthFailureKeepsItFiring()
    {
        Rig rig;
        rig.attempts(1, Outcome::Auth);
        rig.clock.advance(Millis(100000));
        rig.attempts(1, Outcome::Auth, u"claude-haiku-4-5"_s);
        QCOMPARE(rig.changes.size(), 1);
        rig.clock.advance(Millis(250000)); // t = 350 s: the first has left, the second not
        QVERIFY(rig.evaluator.isFiring(kAuth));
        rig.clock.advance(Millis(50000)); // t = 400 s
        QVERIFY(!rig.evaluator.isFiring(kAuth));
        QCOMPARE(rig.changes.last().at, Millis(400000));
    }

    void bothAlertsFireTogetherAndAreListedSorted()
    {
        Rig rig;
        rig.attempts(10, Outcome::Auth);
        QCOMPARE(rig.evaluator.firingAlerts(), (QStringList{kAuth, kHigh}));
        QCOMPARE(rig.changes.size(), 2);
    }

    void cancelledAndUnsentAttemptsDoNotCount()
    {
        Rig rig;
        rig.attempts(20, Outcome::Cancelled);
        rig.attempts(20, Outcome::ShortCircuited);
        rig.attempts(20, Outcome::BulkheadFull);
        for (int i = 0; i < 20; ++i)
            rig.stream.publish(ShortCircuited{u"c"_s, Millis(0), kModel, Outcome::ShortCircuited});
        QCOMPARE(rig.evaluator.attemptsInWindow(), 0);
        QVERIFY(rig.changes.isEmpty());
        QCOMPARE(rig.clock.pendingTimers(), 0);
    }

    void honoursThePolicyThresholdAndWindow()
    {
        Rig rig(AlertPolicy{0.5, Millis(60000)});
        rig.attempts(6, Outcome::Success);
        rig.attempts(4, Outcome::ServerError);
        QVERIFY(!rig.evaluator.isFiring(kHigh)); // 40 %
        rig.attempts(2, Outcome::ServerError);
        QVERIFY(!rig.evaluator.isFiring(kHigh)); // exactly 50 %
        rig.attempts(1, Outcome::ServerError);
        QVERIFY(rig.evaluator.isFiring(kHigh)); // 7 of 13
        rig.clock.advance(Millis(59000));
        QVERIFY(rig.evaluator.isFiring(kHigh));
        rig.clock.advance(Millis(1000));
        QVERIFY(!rig.evaluator.isFiring(kHigh));
        QCOMPARE(rig.changes.last().at, Millis(60000));
        QCOMPARE(rig.changes.last().message, u"no attempts in the last 60 s"_s);
    }

    void minimumAttemptsIsConfigurable()
    {
        AlertRuleOptions options;
        options.minAttempts = 1;
        Rig rig(AlertPolicy{}, options);
        rig.attempts(1, Outcome::Timeout);
        QVERIFY(rig.evaluator.isFiring(kHigh));
    }

    void idleEvaluatorArmsNoTimer()
    {
        Rig rig;
        QCOMPARE(rig.clock.pendingTimers(), 0);
        rig.attempts(1, Outcome::Success);
        QCOMPARE(rig.clock.pendingTimers(), 1);
        QCOMPARE(rig.clock.nextDeadline(), Millis(1000));
        rig.clock.advance(Millis(300000));
        QCOMPARE(rig.clock.pendingTimers(), 0);
        QVERIFY(rig.changes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAlertEvaluator)
#include "tst_alertevaluator.moc"

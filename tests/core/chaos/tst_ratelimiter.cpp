#include "chaos/chaoscontroller.h"
#include "chaos/tokenbucket.h"
#include "common/fakeclock.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;
using nlohmann::json;

namespace {

ChaosProfile limitedProfile(int rpm, int tpm)
{
    ChaosModelProfile model;
    model.rpm = rpm;
    model.tpm = tpm;
    ChaosProfile profile;
    profile.models.insert(QStringLiteral("m"), model);
    return profile;
}

ChaosCall call(int inputTokens = 10, int outputTokens = 10)
{
    ChaosCall c;
    c.model = QStringLiteral("m");
    c.inputTokens = inputTokens;
    c.outputTokens = outputTokens;
    return c;
}

} // namespace

class TestRateLimiter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsFullAndDrains()
    {
        TokenBucket bucket(3, Millis(0));
        QCOMPARE(bucket.available(Millis(0)), 3.0);
        QVERIFY(bucket.tryTake(1, Millis(0)));
        QVERIFY(bucket.tryTake(1, Millis(0)));
        QVERIFY(bucket.tryTake(1, Millis(0)));
        QVERIFY(!bucket.tryTake(1, Millis(0)));
        QCOMPARE(bucket.available(Millis(0)), 0.0);
    }

    void refillsContinuouslyAtCapacityPerMinute()
    {
        TokenBucket bucket(60, Millis(0)); // one token a second
        for (int i = 0; i < 60; ++i)
            QVERIFY(bucket.tryTake(1, Millis(0)));
        QVERIFY(!bucket.tryTake(1, Millis(999)));
        QVERIFY(bucket.tryTake(1, Millis(1000)));
        QCOMPARE(bucket.available(Millis(1500)), 0.5);
        QCOMPARE(bucket.available(Millis(1000 + 120000)), 60.0); // never above capacity
    }

    void tellsHowLongUntilTokensAreBack()
    {
        TokenBucket bucket(600, Millis(0)); // ten a second
        QVERIFY(bucket.tryTake(600, Millis(0)));
        QCOMPARE(bucket.timeUntilAvailable(1, Millis(0)), Millis(100));
        QCOMPARE(bucket.timeUntilAvailable(1, Millis(50)), Millis(50));
        QCOMPARE(bucket.timeUntilAvailable(0.5, Millis(50)), Millis(0));
        QCOMPARE(bucket.timeUntilFull(Millis(0)), Millis(60000));
        QCOMPARE(bucket.timeUntilFull(Millis(30000)), Millis(30000));
    }

    void restartsFullLessWhatWasUsed()
    {
        TokenBucket bucket(100, Millis(0));
        QVERIFY(bucket.tryTake(100, Millis(0)));
        bucket.restart(200, 30, Millis(0));
        QCOMPARE(bucket.capacity(), 200.0);
        QCOMPARE(bucket.available(Millis(0)), 170.0);
        QCOMPARE(bucket.available(Millis(6000)), 190.0); // refills at the new rate
        bucket.restart(20, 30, Millis(6000));
        QCOMPARE(bucket.available(Millis(6000)), 0.0); // never below zero
        QCOMPARE(bucket.timeUntilAvailable(1, Millis(6000)), Millis(3000));
    }

    void takesUpToWhatIsThere()
    {
        TokenBucket bucket(10, Millis(0));
        bucket.takeUpTo(4, Millis(0));
        QCOMPARE(bucket.available(Millis(0)), 6.0);
        bucket.takeUpTo(50, Millis(0));
        QCOMPARE(bucket.available(Millis(0)), 0.0);
    }

    void countsUsageOverTheLastWindowOnly()
    {
        WindowUsage usage;
        QCOMPARE(usage.total(Millis(0)), 0.0);
        usage.add(3, Millis(500));
        usage.add(2, Millis(30000));
        QCOMPARE(usage.total(Millis(30000)), 5.0);
        QCOMPARE(usage.total(Millis(59999)), 5.0);
        QCOMPARE(usage.total(Millis(60000)), 2.0); // the first second has left the window
        // Second 120 reuses the slot of second 0.
        usage.add(1, Millis(120500));
        QCOMPARE(usage.total(Millis(120500)), 1.0);
        QCOMPARE(usage.total(Millis(200000)), 0.0);

        WindowUsage sixSeconds(Millis(6000)); // slots of 100 ms
        sixSeconds.add(4, Millis(50));
        sixSeconds.add(1, Millis(5950));
        QCOMPARE(sixSeconds.total(Millis(5999)), 5.0);
        QCOMPARE(sixSeconds.total(Millis(6000)), 1.0);
    }

    void refillsItsCapacityOverItsWindow()
    {
        TokenBucket bucket(300, Millis(0), Millis(6000));
        QVERIFY(bucket.tryTake(300, Millis(0)));
        QCOMPARE(bucket.available(Millis(3000)), 150.0);
        QCOMPARE(bucket.timeUntilAvailable(1, Millis(6000)), Millis(0));
        bucket.restart(600, 100, Millis(6000)); // keeps its window
        QCOMPARE(bucket.window(), Millis(6000));
        QCOMPARE(bucket.available(Millis(7000)), 600.0);
    }

    void aForcedTakeCanGoBelowZero()
    {
        TokenBucket bucket(60, Millis(0));
        bucket.take(70, Millis(0));
        QCOMPARE(bucket.available(Millis(0)), -10.0);
        QCOMPARE(bucket.timeUntilAvailable(1, Millis(0)), Millis(11000));
    }

    void requestsPerMinuteProduceReal429sAndDrainRemaining()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(3, 0));
        QList<int> remaining;
        for (int i = 0; i < 3; ++i) {
            const ChaosDecision decision = controller.decide(call());
            QCOMPARE(decision.verdict, ChaosDecision::Verdict::Ok);
            QCOMPARE(decision.rateLimits.requestsLimit, 3);
            remaining.append(decision.rateLimits.requestsRemaining);
        }
        QCOMPARE(remaining, QList<int>({2, 1, 0}));
        const ChaosDecision limited = controller.decide(call());
        QCOMPARE(limited.verdict, ChaosDecision::Verdict::RateLimited);
        QVERIFY(!limited.tokenLimit);
        QCOMPARE(limited.limit, 3);
        QCOMPARE(limited.retryAfter, Millis(20000)); // 3 a minute: one every 20 s
        QCOMPARE(limited.rateLimits.requestsRemaining, 0);
        QCOMPARE(limited.rateLimits.requestsReset, Millis(60000));

        clock.advance(Millis(19999));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::RateLimited);
        clock.advance(Millis(1));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(controller.stats()
                     .value(QStringLiteral("m"))
                     .answers.value(QStringLiteral("rate_limited")),
                 2);
    }

    void tokensPerMinuteCountPromptAndAnswer()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 100));
        ChaosDecision first = controller.decide(call(30, 30));
        QCOMPARE(first.verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(first.rateLimits.tokensRemaining, 40);
        QCOMPARE(first.rateLimits.requestsLimit, kLargeAccountRpm); // no request limit set
        const ChaosDecision second = controller.decide(call(30, 30));
        QCOMPARE(second.verdict, ChaosDecision::Verdict::RateLimited);
        QVERIFY(second.tokenLimit);
        QCOMPARE(second.limit, 100);
        // 20 tokens missing at 100 a minute: 12 s.
        QCOMPARE(second.retryAfter, Millis(12000));
        QCOMPARE(controller.decide(call(20, 20)).verdict, ChaosDecision::Verdict::Ok);
    }

    void aRequestLargerThanTheBucketWaitsForAFullOne()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 100));
        QCOMPARE(controller.decide(call(500, 500)).verdict, ChaosDecision::Verdict::Ok);
        const ChaosDecision next = controller.decide(call(500, 500));
        QCOMPARE(next.verdict, ChaosDecision::Verdict::RateLimited);
        QCOMPARE(next.retryAfter, Millis(60000));
    }

    void eachModelHasItsOwnBuckets()
    {
        FakeClock clock;
        ChaosProfile profile;
        ChaosModelProfile any;
        any.rpm = 1;
        profile.models.insert(kChaosAnyModel, any);
        ChaosController controller(clock, 1, profile);
        ChaosCall a = call();
        a.model = QStringLiteral("a");
        ChaosCall b = call();
        b.model = QStringLiteral("b");
        QCOMPARE(controller.decide(a).verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(controller.decide(a).verdict, ChaosDecision::Verdict::RateLimited);
        QCOMPARE(controller.decide(b).verdict, ChaosDecision::Verdict::Ok);
    }

    void forcingOkPassesAnEmptyBucketButStillCosts()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(1, 0));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
        ChaosCall forced = call();
        forced.forcedOk = true;
        QCOMPARE(controller.decide(forced).verdict, ChaosDecision::Verdict::Ok);
        // Now in debt: two tokens needed before the next request passes.
        clock.advance(Millis(60000));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::RateLimited);
        clock.advance(Millis(60000));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
    }

    void profileChangesResizeTheBucketsAndResetRefillsThem()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(2, 0));
        controller.decide(call());
        controller.decide(call());
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::RateLimited);
        QVERIFY(controller.patchModel(QStringLiteral("m"), json::parse(R"({"limits":{"rpm":0}})"))
                    .isEmpty());
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
        controller.reset();
        const ChaosDecision fresh = controller.decide(call());
        QCOMPARE(fresh.verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(fresh.rateLimits.requestsRemaining, 1);
    }

    void withoutLimitsTheHeadersAreALargeAccountsThatDrainAndRefill()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 0));
        const ChaosDecision first = controller.decide(call(10, 10));
        QCOMPARE(first.verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(first.rateLimits.requestsLimit, kLargeAccountRpm);
        QCOMPARE(first.rateLimits.requestsLimit, 4000);
        QCOMPARE(first.rateLimits.requestsRemaining, 3999);
        QCOMPARE(first.rateLimits.tokensLimit, kLargeAccountTpm);
        QCOMPARE(first.rateLimits.tokensLimit, 2000000);
        QCOMPARE(first.rateLimits.tokensRemaining, 2000000 - 20);
        QCOMPARE(first.rateLimits.requestsReset, Millis(15)); // 4,000 a minute: one per 15 ms
        QCOMPARE(controller.decide(call(10, 10)).rateLimits.requestsRemaining, 3998);
        clock.advance(Millis(60000));
        const ChaosDecision later = controller.decide(call(10, 10));
        QCOMPARE(later.rateLimits.requestsRemaining, 3999);
        QCOMPARE(later.rateLimits.tokensRemaining, 2000000 - 20);
    }

    void withoutLimitsNothingIsRefused()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 0));
        ChaosDecision decision;
        for (int i = 0; i < kLargeAccountRpm + 100; ++i) {
            decision = controller.decide(call(400, 400));
            QCOMPARE(decision.verdict, ChaosDecision::Verdict::Ok);
        }
        QCOMPARE(decision.rateLimits.requestsRemaining, 0);
        QCOMPARE(decision.rateLimits.tokensRemaining, 0);
    }

    void aLimitSetAtRunTimeStartsFullLessThisMinutesUse_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("PATCH") << u"patch"_s;
        QTest::newRow("PUT") << u"put"_s;
        QTest::newRow("timeline step") << u"timeline"_s;
    }
    void aLimitSetAtRunTimeStartsFullLessThisMinutesUse()
    {
        QFETCH(QString, how);
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 0));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(controller.decide(call(10, 10)).verdict, ChaosDecision::Verdict::Ok);
        clock.advance(Millis(1000));
        const json limits = json::parse(R"({"limits":{"rpm":600,"tpm":1000}})");
        if (how == u"patch") {
            QVERIFY(controller.patchModel(u"m"_s, limits).isEmpty());
        } else if (how == u"put") {
            QVERIFY(controller.setProfileJson(json{{"models", {{"m", limits}}}}).isEmpty());
        } else {
            QVERIFY(controller
                        .startTimelineJson(
                            json::array({{{"at_s", 1}, {"model", "m"}, {"set", limits}}}))
                        .isEmpty());
            clock.advance(Millis(1000));
            QCOMPARE(controller.pendingTimelineSteps(), 0);
        }
        const ChaosDecision next = controller.decide(call(10, 10));
        QCOMPARE(next.verdict, ChaosDecision::Verdict::Ok);
        QCOMPARE(next.rateLimits.requestsLimit, 600);
        QCOMPARE(next.rateLimits.requestsRemaining, 600 - 5 - 1);
        QCOMPARE(next.rateLimits.tokensLimit, 1000);
        QCOMPARE(next.rateLimits.tokensRemaining, 1000 - 5 * 20 - 20);
    }

    void aLimitRaisedAtRunTimeStartsFullLessThisMinutesUse()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(2, 0));
        controller.decide(call());
        controller.decide(call());
        const ChaosDecision refused = controller.decide(call());
        QCOMPARE(refused.verdict, ChaosDecision::Verdict::RateLimited);
        QCOMPARE(refused.rateLimits.requestsRemaining, 0);
        QVERIFY(controller.patchModel(u"m"_s, json::parse(R"({"limits":{"rpm":600}})")).isEmpty());
        const ChaosDecision raised = controller.decide(call());
        QCOMPARE(raised.verdict, ChaosDecision::Verdict::Ok);
        // A refused request took nothing: two were served before this one.
        QCOMPARE(raised.rateLimits.requestsRemaining, 600 - 2 - 1);
    }

    void aLimitBelowThisMinutesUseStartsEmptyAndRefillsAtItsRate()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 0));
        for (int i = 0; i < 10; ++i)
            controller.decide(call());
        QVERIFY(controller.patchModel(u"m"_s, json::parse(R"({"limits":{"rpm":6}})")).isEmpty());
        const ChaosDecision limited = controller.decide(call());
        QCOMPARE(limited.verdict, ChaosDecision::Verdict::RateLimited);
        QCOMPARE(limited.rateLimits.requestsRemaining, 0);
        QCOMPARE(limited.retryAfter, Millis(10000)); // 6 a minute
        clock.advance(Millis(10000));
        QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
    }

    void useOlderThanAMinuteDoesNotCount()
    {
        FakeClock clock;
        ChaosController controller(clock, 1, limitedProfile(0, 0));
        for (int i = 0; i < 5; ++i)
            controller.decide(call());
        clock.advance(Millis(61000));
        QVERIFY(controller.patchModel(u"m"_s, json::parse(R"({"limits":{"rpm":10}})")).isEmpty());
        QCOMPARE(controller.decide(call()).rateLimits.requestsRemaining, 9);
    }

    void aTimeScaledRunKeepsTheScenariosLimitsOverAShorterWindow()
    {
        FakeClock clock;
        // rpm 30 scaled by 0.1 (timeScaled() divides it): 300 a real minute, in bursts of 30.
        ChaosController controller(clock, 1, limitedProfile(300, 0));
        controller.setTimeScale(0.1);
        for (int i = 0; i < 30; ++i)
            QCOMPARE(controller.decide(call()).verdict, ChaosDecision::Verdict::Ok);
        const ChaosDecision limited = controller.decide(call());
        QCOMPARE(limited.verdict, ChaosDecision::Verdict::RateLimited);
        QCOMPARE(limited.limit, 30);
        QCOMPARE(limited.rateLimits.requestsLimit, 30);
        QCOMPARE(limited.retryAfter, Millis(200)); // 30 per 6 s
        QCOMPARE(limited.rateLimits.tokensLimit, kLargeAccountTpm);

        // A limit set at run time starts full less the last (scaled) window's use.
        ChaosController unlimited(clock, 1, limitedProfile(0, 0));
        unlimited.setTimeScale(0.1);
        for (int i = 0; i < 20; ++i)
            unlimited.decide(call());
        QVERIFY(unlimited.patchModel(u"m"_s, json::parse(R"({"limits":{"rpm":300}})")).isEmpty());
        QCOMPARE(unlimited.decide(call()).rateLimits.requestsRemaining, 30 - 20 - 1);
        clock.advance(Millis(6000)); // a scaled minute later the use is forgotten
        QVERIFY(unlimited.patchModel(u"m"_s, json::parse(R"({"limits":{"rpm":600}})")).isEmpty());
        QCOMPARE(unlimited.decide(call()).rateLimits.requestsRemaining, 60 - 1);
    }

    void anInjectedRateLimitAnnouncesTheProfilesRetryAfter()
    {
        FakeClock clock;
        ChaosProfile profile = limitedProfile(0, 0);
        profile.models[QStringLiteral("m")].setFaultRate(ChaosFault::RateLimited, 1.0);
        profile.models[QStringLiteral("m")].retryAfterS = 2.5;
        ChaosController controller(clock, 1, profile);
        const ChaosDecision decision = controller.decide(call());
        QCOMPARE(decision.verdict, ChaosDecision::Verdict::Fault);
        QCOMPARE(decision.fault, ChaosFault::RateLimited);
        QCOMPARE(decision.retryAfter, Millis(2500));
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"

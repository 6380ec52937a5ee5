#include "common/random.h"
#include "retry/backoff.h"

#include <QTest>
#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

using namespace breakwater;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(breakwater::JitterMode)
Q_DECLARE_METATYPE(breakwater::DelaySource)
Q_DECLARE_METATYPE(breakwater::Outcome)

namespace {

constexpr int kSamples = 10000;

/// Returns the given draws in turn (cycling) and counts them, so a test can state the exact
/// delay a formula gives for a draw and check that a mode draws only from this source.
class ScriptedRandom final : public RandomSource {
public:
    explicit ScriptedRandom(std::vector<double> draws) : m_draws(std::move(draws)) {}
    double uniform01() override { return m_draws[m_calls++ % m_draws.size()]; }
    int calls() const { return static_cast<int>(m_calls); }

private:
    std::vector<double> m_draws;
    std::size_t m_calls = 0;
};

RetryPolicy makePolicy(JitterMode jitter, qint64 initialMs, qint64 maxMs, double multiplier,
                       qint64 jitterMs = 0)
{
    RetryPolicy policy;
    policy.jitter = jitter;
    policy.initial = Millis(initialMs);
    policy.max = Millis(maxMs);
    policy.multiplier = multiplier;
    policy.jitterMax = Millis(jitterMs);
    return policy;
}

qint64 ms(Millis duration)
{
    return static_cast<qint64>(duration.count());
}

struct Stats {
    qint64 min = 0;
    qint64 max = 0;
    double mean = 0;
    double stdDev = 0;
};

Stats sample(const RetryPolicy &policy, int attempt, qint64 previousMs, std::uint64_t seed)
{
    SeededRandom random(seed);
    std::vector<qint64> values;
    values.reserve(kSamples);
    for (int i = 0; i < kSamples; ++i)
        values.push_back(ms(backoffDelay(policy, attempt, Millis(previousMs), random)));
    Stats stats;
    stats.min = *std::min_element(values.begin(), values.end());
    stats.max = *std::max_element(values.begin(), values.end());
    double sum = 0;
    for (qint64 value : values)
        sum += static_cast<double>(value);
    stats.mean = sum / kSamples;
    double squares = 0;
    for (qint64 value : values)
        squares +=
            (static_cast<double>(value) - stats.mean) * (static_cast<double>(value) - stats.mean);
    stats.stdDev = std::sqrt(squares / (kSamples - 1));
    return stats;
}

} // namespace

class TestBackoff final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noJitterGivesExactCappedExponentialDelay_data();
    void noJitterGivesExactCappedExponentialDelay();
    void jitterModeFollowsItsFormulaForAGivenDraw_data();
    void jitterModeFollowsItsFormulaForAGivenDraw();
    void jitterStaysWithinBoundsAndCoversThem_data();
    void jitterStaysWithinBoundsAndCoversThem();
    void jitterMeanAndSpreadMatchTheDistribution_data();
    void jitterMeanAndSpreadMatchTheDistribution();
    void decorrelatedChainStaysWithinInitialAndThreeTimesPrevious();
    void largeAttemptCapsAtMaxWithoutOverflow_data();
    void largeAttemptCapsAtMaxWithoutOverflow();
    void sameSeedGivesSameSequence_data();
    void sameSeedGivesSameSequence();

    void decideRetryFollowsPolicy_data();
    void decideRetryFollowsPolicy();
    void decideRetryBacksOffThroughTheInjectedSource_data();
    void decideRetryBacksOffThroughTheInjectedSource();
};

void TestBackoff::noJitterGivesExactCappedExponentialDelay_data()
{
    QTest::addColumn<qint64>("initialMs");
    QTest::addColumn<qint64>("maxMs");
    QTest::addColumn<double>("multiplier");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<qint64>("expectedMs");

    QTest::newRow("first retry waits initial") << 1000LL << 60000LL << 2.0 << 0 << 1000LL;
    QTest::newRow("second retry doubles") << 1000LL << 60000LL << 2.0 << 1 << 2000LL;
    QTest::newRow("sixth retry 2^5") << 1000LL << 60000LL << 2.0 << 5 << 32000LL;
    QTest::newRow("seventh retry capped (64 s > 60 s)") << 1000LL << 60000LL << 2.0 << 6 << 60000LL;
    QTest::newRow("exactly at max") << 1000LL << 64000LL << 2.0 << 6 << 64000LL;
    QTest::newRow("fractional multiplier 1.5^3") << 1000LL << 60000LL << 1.5 << 3 << 3375LL;
    QTest::newRow("multiplier 3") << 500LL << 60000LL << 3.0 << 4 << 40500LL;
    QTest::newRow("multiplier 1 stays at initial") << 1500LL << 60000LL << 1.0 << 10 << 1500LL;
    QTest::newRow("initial above max gives max") << 90000LL << 60000LL << 2.0 << 0 << 60000LL;
    QTest::newRow("zero initial gives zero") << 0LL << 60000LL << 2.0 << 3 << 0LL;
    QTest::newRow("negative attempt treated as first") << 1000LL << 60000LL << 2.0 << -3 << 1000LL;
}

void TestBackoff::noJitterGivesExactCappedExponentialDelay()
{
    QFETCH(qint64, initialMs);
    QFETCH(qint64, maxMs);
    QFETCH(double, multiplier);
    QFETCH(int, attempt);
    QFETCH(qint64, expectedMs);

    ScriptedRandom random({0.5});
    const RetryPolicy policy = makePolicy(JitterMode::None, initialMs, maxMs, multiplier);
    QCOMPARE(ms(backoffDelay(policy, attempt, Millis(0), random)), expectedMs);
    QCOMPARE(random.calls(), 0);
}

void TestBackoff::jitterModeFollowsItsFormulaForAGivenDraw_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::addColumn<qint64>("maxMs");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<qint64>("previousMs");
    QTest::addColumn<double>("draw");
    QTest::addColumn<qint64>("expectedMs");

    // initial 1 s, multiplier 2, additive jitter up to 2 s: attempt 3 has base 8 s.
    QTest::newRow("additive, lowest draw")
        << JitterMode::Additive << 60000LL << 3 << 0LL << 0.0 << 8000LL;
    QTest::newRow("additive, middle draw")
        << JitterMode::Additive << 60000LL << 3 << 0LL << 0.5 << 9000LL;
    QTest::newRow("additive capped at max")
        << JitterMode::Additive << 9000LL << 3 << 0LL << 0.75 << 9000LL;
    QTest::newRow("full, quarter draw")
        << JitterMode::Full << 60000LL << 3 << 0LL << 0.25 << 2000LL;
    QTest::newRow("full, lowest draw is zero")
        << JitterMode::Full << 60000LL << 3 << 0LL << 0.0 << 0LL;
    QTest::newRow("equal, middle draw")
        << JitterMode::Equal << 60000LL << 3 << 0LL << 0.5 << 6000LL;
    QTest::newRow("equal, lowest draw is half")
        << JitterMode::Equal << 60000LL << 3 << 0LL << 0.0 << 4000LL;
    QTest::newRow("decorrelated, no previous uses initial")
        << JitterMode::Decorrelated << 60000LL << 0 << 0LL << 0.5 << 2000LL;
    QTest::newRow("decorrelated grows from previous")
        << JitterMode::Decorrelated << 60000LL << 1 << 4000LL << 0.5 << 6500LL;
    QTest::newRow("decorrelated ignores attempt number")
        << JitterMode::Decorrelated << 60000LL << 9 << 4000LL << 0.5 << 6500LL;
    QTest::newRow("decorrelated capped at max")
        << JitterMode::Decorrelated << 60000LL << 4 << 30000LL << 0.9 << 60000LL;
}

void TestBackoff::jitterModeFollowsItsFormulaForAGivenDraw()
{
    QFETCH(JitterMode, mode);
    QFETCH(qint64, maxMs);
    QFETCH(int, attempt);
    QFETCH(qint64, previousMs);
    QFETCH(double, draw);
    QFETCH(qint64, expectedMs);

    ScriptedRandom random({draw});
    const RetryPolicy policy = makePolicy(mode, 1000, maxMs, 2.0, 2000);
    QCOMPARE(ms(backoffDelay(policy, attempt, Millis(previousMs), random)), expectedMs);
    // Every jittered mode takes exactly one draw, and only from the injected source.
    QCOMPARE(random.calls(), 1);
}

void TestBackoff::jitterStaysWithinBoundsAndCoversThem_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::addColumn<qint64>("maxMs");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<qint64>("previousMs");
    QTest::addColumn<qint64>("lowerMs");
    QTest::addColumn<qint64>("upperMs");

    // initial 1 s, multiplier 2, additive jitter up to 2 s.
    QTest::newRow("additive: base to base + jitter")
        << JitterMode::Additive << 60000LL << 3 << 0LL << 8000LL << 10000LL;
    QTest::newRow("additive near max: base to max")
        << JitterMode::Additive << 9000LL << 3 << 0LL << 8000LL << 9000LL;
    QTest::newRow("full: zero to base") << JitterMode::Full << 60000LL << 3 << 0LL << 0LL << 8000LL;
    QTest::newRow("full at max: zero to max")
        << JitterMode::Full << 60000LL << 12 << 0LL << 0LL << 60000LL;
    QTest::newRow("equal: half base to base")
        << JitterMode::Equal << 60000LL << 3 << 0LL << 4000LL << 8000LL;
    QTest::newRow("decorrelated first: initial to 3 x initial")
        << JitterMode::Decorrelated << 60000LL << 0 << 0LL << 1000LL << 3000LL;
    QTest::newRow("decorrelated: initial to 3 x previous")
        << JitterMode::Decorrelated << 60000LL << 2 << 4000LL << 1000LL << 12000LL;
    QTest::newRow("decorrelated near max: initial to max")
        << JitterMode::Decorrelated << 60000LL << 5 << 30000LL << 1000LL << 60000LL;
}

void TestBackoff::jitterStaysWithinBoundsAndCoversThem()
{
    QFETCH(JitterMode, mode);
    QFETCH(qint64, maxMs);
    QFETCH(int, attempt);
    QFETCH(qint64, previousMs);
    QFETCH(qint64, lowerMs);
    QFETCH(qint64, upperMs);

    const RetryPolicy policy = makePolicy(mode, 1000, maxMs, 2.0, 2000);
    // A 2 % margin: 10,000 uniform draws miss the outer 2 % of the range with odds of 1e-88.
    const qint64 margin = (upperMs - lowerMs) / 50;
    for (std::uint64_t seed : {1ULL, 42ULL, 20261129ULL}) {
        const Stats stats = sample(policy, attempt, previousMs, seed);
        QVERIFY2(stats.min >= lowerMs, qPrintable(u"min %1 < %2"_s.arg(stats.min).arg(lowerMs)));
        QVERIFY2(stats.max <= upperMs, qPrintable(u"max %1 > %2"_s.arg(stats.max).arg(upperMs)));
        QVERIFY2(stats.min <= lowerMs + margin,
                 qPrintable(u"min %1 never near %2"_s.arg(stats.min).arg(lowerMs)));
        QVERIFY2(stats.max >= upperMs - margin,
                 qPrintable(u"max %1 never near %2"_s.arg(stats.max).arg(upperMs)));
    }
}

void TestBackoff::jitterMeanAndSpreadMatchTheDistribution_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::addColumn<qint64>("previousMs");
    QTest::addColumn<double>("expectedMean");
    QTest::addColumn<double>("meanTolerance");
    QTest::addColumn<double>("expectedStdDev");

    // initial 1 s, multiplier 2, max 60 s, additive jitter up to 2 s; attempt 3: base 8 s.
    // A uniform draw over width w has standard deviation w / sqrt(12); the mean of 10,000
    // draws then errs by w * 0.0029 (one sigma), so each tolerance is about five sigma.
    const double sqrt12 = std::sqrt(12.0);
    QTest::newRow("full: mean base / 2")
        << JitterMode::Full << 0LL << 4000.0 << 120.0 << 8000 / sqrt12;
    QTest::newRow("equal: mean 3/4 base")
        << JitterMode::Equal << 0LL << 6000.0 << 60.0 << 4000 / sqrt12;
    QTest::newRow("additive: mean base + jitter / 2")
        << JitterMode::Additive << 0LL << 9000.0 << 30.0 << 2000 / sqrt12;
    QTest::newRow("decorrelated first: mean 2 x initial")
        << JitterMode::Decorrelated << 0LL << 2000.0 << 30.0 << 2000 / sqrt12;
    QTest::newRow("decorrelated: mean (initial + 3 x previous) / 2")
        << JitterMode::Decorrelated << 4000LL << 6500.0 << 160.0 << 11000 / sqrt12;
}

void TestBackoff::jitterMeanAndSpreadMatchTheDistribution()
{
    QFETCH(JitterMode, mode);
    QFETCH(qint64, previousMs);
    QFETCH(double, expectedMean);
    QFETCH(double, meanTolerance);
    QFETCH(double, expectedStdDev);

    const RetryPolicy policy = makePolicy(mode, 1000, 60000, 2.0, 2000);
    for (std::uint64_t seed : {7ULL, 99ULL}) {
        const Stats stats = sample(policy, 3, previousMs, seed);
        QVERIFY2(std::abs(stats.mean - expectedMean) <= meanTolerance,
                 qPrintable(u"mean %1, expected %2"_s.arg(stats.mean).arg(expectedMean)));
        QVERIFY2(std::abs(stats.stdDev - expectedStdDev) <= 0.05 * expectedStdDev,
                 qPrintable(u"stddev %1, expected %2"_s.arg(stats.stdDev).arg(expectedStdDev)));
    }
}

void TestBackoff::decorrelatedChainStaysWithinInitialAndThreeTimesPrevious()
{
    const RetryPolicy policy = makePolicy(JitterMode::Decorrelated, 1000, 60000, 2.0);
    SeededRandom random(31337);
    Millis previous(0);
    bool reachedMax = false;
    bool fellBackAfterMax = false;
    for (int i = 0; i < kSamples; ++i) {
        const Millis delay = backoffDelay(policy, i % 8, previous, random);
        const qint64 grownFrom = previous.count() > 0 ? ms(previous) : 1000;
        const qint64 upper = std::min<qint64>(60000, 3 * grownFrom);
        QVERIFY2(ms(delay) >= 1000 && ms(delay) <= upper,
                 qPrintable(u"step %1: %2 outside [1000, %3]"_s.arg(i).arg(ms(delay)).arg(upper)));
        if (ms(delay) == 60000)
            reachedMax = true;
        else if (reachedMax && ms(delay) < 30000)
            fellBackAfterMax = true;
        previous = delay;
    }
    // The chain is a random walk, not a ratchet: it hits the cap and comes back down.
    QVERIFY(reachedMax);
    QVERIFY(fellBackAfterMax);
}

void TestBackoff::largeAttemptCapsAtMaxWithoutOverflow_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::addColumn<double>("multiplier");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<qint64>("lowerMs");
    QTest::addColumn<qint64>("upperMs");

    const struct {
        JitterMode mode;
        const char *name;
        qint64 lower;
    } modes[] = {
        {JitterMode::None, "none", 60000},
        {JitterMode::Additive, "additive", 60000},
        {JitterMode::Full, "full", 0},
        {JitterMode::Equal, "equal", 30000},
    };
    for (const auto &mode : modes) {
        for (int attempt : {60, 1000, INT_MAX}) {
            QTest::addRow("%s, attempt %d", mode.name, attempt)
                << mode.mode << 2.0 << attempt << mode.lower << 60000LL;
        }
        QTest::addRow("%s, multiplier 1e300", mode.name)
            << mode.mode << 1e300 << 3 << mode.lower << 60000LL;
        QTest::addRow("%s, multiplier 1.0001, attempt 2e9", mode.name)
            << mode.mode << 1.0001 << 2000000000 << mode.lower << 60000LL;
    }
    QTest::newRow("decorrelated, attempt INT_MAX")
        << JitterMode::Decorrelated << 2.0 << INT_MAX << 1000LL << 3000LL;
}

void TestBackoff::largeAttemptCapsAtMaxWithoutOverflow()
{
    QFETCH(JitterMode, mode);
    QFETCH(double, multiplier);
    QFETCH(int, attempt);
    QFETCH(qint64, lowerMs);
    QFETCH(qint64, upperMs);

    const RetryPolicy policy = makePolicy(mode, 1000, 60000, multiplier, 2000);
    SeededRandom random(5);
    for (int i = 0; i < 1000; ++i) {
        const qint64 delay = ms(backoffDelay(policy, attempt, Millis(0), random));
        QVERIFY2(delay >= lowerMs && delay <= upperMs,
                 qPrintable(u"%1 outside [%2, %3]"_s.arg(delay).arg(lowerMs).arg(upperMs)));
    }
}

void TestBackoff::sameSeedGivesSameSequence_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::newRow("additive") << JitterMode::Additive;
    QTest::newRow("full") << JitterMode::Full;
    QTest::newRow("equal") << JitterMode::Equal;
    QTest::newRow("decorrelated") << JitterMode::Decorrelated;
}

void TestBackoff::sameSeedGivesSameSequence()
{
    QFETCH(JitterMode, mode);
    const RetryPolicy policy = makePolicy(mode, 1000, 60000, 2.0, 2000);
    const auto sequence = [&policy](std::uint64_t seed) {
        SeededRandom random(seed);
        std::vector<qint64> delays;
        Millis previous(0);
        for (int i = 0; i < 200; ++i) {
            previous = backoffDelay(policy, i % 7, previous, random);
            delays.push_back(ms(previous));
        }
        return delays;
    };
    const std::vector<qint64> first = sequence(1234);
    QVERIFY(first == sequence(1234));
    QVERIFY(first != sequence(1235));
}

void TestBackoff::decideRetryFollowsPolicy_data()
{
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("maxAttempts");
    QTest::addColumn<qint64>("hintMs"); // -1: the server sent no hint
    QTest::addColumn<DelaySource>("hintSource");
    QTest::addColumn<bool>("honorRetryAfter");
    QTest::addColumn<bool>("expectRetry");
    QTest::addColumn<qint64>("expectDelayMs");
    QTest::addColumn<DelaySource>("expectSource");
    QTest::addColumn<QString>("expectReason");

    // Policy: no jitter, initial 1 s, multiplier 2, max 60 s, cap on hints 60 s.
    const auto B = DelaySource::Backoff;
    const auto RA = DelaySource::RetryAfter;
    const auto RAms = DelaySource::RetryAfterMs;
    QTest::newRow("auth is not retried") << Outcome::Auth << false << 0 << 5 << -1LL << B << true
                                         << false << 0LL << B << u"not retryable (auth)"_s;
    QTest::newRow("not retryable wins over a hint")
        << Outcome::BadRequest << false << 0 << 5 << 1000LL << RA << true << false << 0LL << B
        << u"not retryable (bad_request)"_s;
    QTest::newRow("x-should-retry false on a 503")
        << Outcome::ServerError << false << 1 << 5 << -1LL << B << true << false << 0LL << B
        << u"not retryable (server_error)"_s;
    QTest::newRow("retryable error backs off") << Outcome::ServerError << true << 2 << 5 << -1LL
                                               << B << true << true << 4000LL << B << QString();
    QTest::newRow("last allowed retry") << Outcome::Overloaded << true << 3 << 5 << -1LL << B
                                        << true << true << 8000LL << B << QString();
    QTest::newRow("attempts exhausted")
        << Outcome::Overloaded << true << 4 << 5 << -1LL << B << true << false << 0LL << B
        << u"attempts exhausted (5 of 5)"_s;
    QTest::newRow("single-attempt policy never retries")
        << Outcome::Timeout << true << 0 << 1 << -1LL << B << true << false << 0LL << B
        << u"attempts exhausted (1 of 1)"_s;
    QTest::newRow("exhausted wins over a hint")
        << Outcome::RateLimited << true << 4 << 5 << 500LL << RA << true << false << 0LL << B
        << u"attempts exhausted (5 of 5)"_s;
    QTest::newRow("retry-after honoured with its source")
        << Outcome::RateLimited << true << 0 << 5 << 7000LL << RA << true << true << 7000LL << RA
        << QString();
    QTest::newRow("retry-after-ms honoured with its source")
        << Outcome::RateLimited << true << 0 << 5 << 1500LL << RAms << true << true << 1500LL
        << RAms << QString();
    QTest::newRow("hint without a source is reported as retry-after")
        << Outcome::RateLimited << true << 0 << 5 << 3000LL << B << true << true << 3000LL << RA
        << QString();
    QTest::newRow("hint shorter than backoff still wins")
        << Outcome::RateLimited << true << 3 << 5 << 500LL << RA << true << true << 500LL << RA
        << QString();
    QTest::newRow("hint equal to cap honoured") << Outcome::RateLimited << true << 0 << 5 << 60000LL
                                                << RA << true << true << 60000LL << RA << QString();
    QTest::newRow("hint above cap ends retries")
        << Outcome::RateLimited << true << 0 << 5 << 120000LL << RA << true << false << 0LL << B
        << u"retry-after 120 s above cap 60 s"_s;
    QTest::newRow("ms hint above cap ends retries")
        << Outcome::Overloaded << true << 1 << 5 << 90500LL << RAms << true << false << 0LL << B
        << u"retry-after-ms 90.5 s above cap 60 s"_s;
    QTest::newRow("zero hint retries now") << Outcome::RateLimited << true << 0 << 5 << 0LL << RA
                                           << true << true << 0LL << RA << QString();
    QTest::newRow("hint ignored when not honoured")
        << Outcome::RateLimited << true << 1 << 5 << 7000LL << RA << false << true << 2000LL << B
        << QString();
    QTest::newRow("hint above cap ignored when not honoured")
        << Outcome::RateLimited << true << 1 << 5 << 120000LL << RA << false << true << 2000LL << B
        << QString();
}

void TestBackoff::decideRetryFollowsPolicy()
{
    QFETCH(Outcome, outcome);
    QFETCH(bool, retryable);
    QFETCH(int, attempt);
    QFETCH(int, maxAttempts);
    QFETCH(qint64, hintMs);
    QFETCH(DelaySource, hintSource);
    QFETCH(bool, honorRetryAfter);
    QFETCH(bool, expectRetry);
    QFETCH(qint64, expectDelayMs);
    QFETCH(DelaySource, expectSource);
    QFETCH(QString, expectReason);

    RetryPolicy policy = makePolicy(JitterMode::None, 1000, 60000, 2.0);
    policy.maxAttempts = maxAttempts;
    policy.honorRetryAfter = honorRetryAfter;
    policy.retryAfterCap = Millis(60000);

    ClassifiedError error;
    error.outcome = outcome;
    error.retryable = retryable;
    if (hintMs >= 0) {
        error.retryAfter = Millis(hintMs);
        error.retryAfterSource = hintSource;
    }

    SeededRandom random(1);
    const RetryDecision decision = decideRetry(policy, error, attempt, Millis(0), random);
    QCOMPARE(decision.retry, expectRetry);
    QCOMPARE(decision.reason, expectReason);
    if (expectRetry) {
        QCOMPARE(ms(decision.delay), expectDelayMs);
        QCOMPARE(delaySourceName(decision.source), delaySourceName(expectSource));
    }
}

void TestBackoff::decideRetryBacksOffThroughTheInjectedSource_data()
{
    QTest::addColumn<JitterMode>("mode");
    QTest::addColumn<qint64>("previousMs");
    QTest::newRow("additive") << JitterMode::Additive << 0LL;
    QTest::newRow("full") << JitterMode::Full << 0LL;
    QTest::newRow("decorrelated from previous") << JitterMode::Decorrelated << 9000LL;
}

void TestBackoff::decideRetryBacksOffThroughTheInjectedSource()
{
    QFETCH(JitterMode, mode);
    QFETCH(qint64, previousMs);

    const RetryPolicy policy = makePolicy(mode, 1000, 60000, 2.0, 2000);
    ClassifiedError error;
    error.outcome = Outcome::ServerError;
    error.retryable = true;

    SeededRandom forDecision(77);
    SeededRandom forBackoff(77);
    for (int attempt = 0; attempt < policy.maxAttempts - 1; ++attempt) {
        const RetryDecision decision =
            decideRetry(policy, error, attempt, Millis(previousMs), forDecision);
        QVERIFY(decision.retry);
        QCOMPARE(decision.source, DelaySource::Backoff);
        QCOMPARE(ms(decision.delay),
                 ms(backoffDelay(policy, attempt, Millis(previousMs), forBackoff)));
    }
}

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"

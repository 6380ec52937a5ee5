// Regressions found while fuzzing the chaos profile loader (fuzz/fuzz_chaosprofile.cpp).

#include "chaos/chaosprofile.h"

#include <QTest>
#include <cmath>

using namespace breakwater;
using nlohmann::json;

class TestChaosProfileRegression final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A partial entry that sets one latency end and removes the other with null must leave
    // the removed end to its default (a missing p99 is p50), as a null does anywhere else.
    // patchChaosModel's "move the other end along" step read the removed end through
    // json::operator[], which put it back as null, so the patch failed with a type error.
    void nullRemovesTheOtherLatencyEndWhenOneIsSet_data()
    {
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<double>("p50");
        QTest::addColumn<double>("p99");
        QTest::newRow("p50 set, p99 removed")
            << QByteArray(R"({"latency_ms":{"p50":500,"p99":null}})") << 500.0 << 500.0;
        QTest::newRow("p99 set, p50 removed")
            << QByteArray(R"({"latency_ms":{"p50":null,"p99":800}})") << 800.0 << 800.0;
    }

    void nullRemovesTheOtherLatencyEndWhenOneIsSet()
    {
        QFETCH(QByteArray, patch);
        QFETCH(double, p50);
        QFETCH(double, p99);
        ChaosModelProfile base;
        base.latency = LatencySpec{200, 300};
        const ChaosModelPatchResult result =
            patchChaosModel(base, json::parse(patch.toStdString()));
        QStringList errors;
        for (const ValidationError &error : result.errors)
            errors.append(error.toString());
        QVERIFY2(result.model, qPrintable(errors.join(u'\n')));
        QCOMPARE(result.model->latency.p50Ms, p50);
        QCOMPARE(result.model->latency.p99Ms, p99);
    }

    // Every profile parseChaosProfile accepts must sample delays the chaos controller can
    // round to Millis (it uses llround, unspecified outside long long: LLONG_MIN on x86). A
    // tiny p50 under a large p99 makes sigma huge, so the tail overflows to inf, and a
    // denormal p50 makes p99/p50 inf (then inf * 0 = NaN at the median). Inputs saved from
    // fuzz_chaosprofile: fuzz/crashers/chaosprofile-latency-*.json.
    void sampledLatencyFitsMillisForEveryAcceptedProfile_data()
    {
        QTest::addColumn<QByteArray>("profile");
        QTest::addColumn<double>("u");
        QTest::newRow("tiny p50, tail overflows to inf")
            << QByteArray(R"({"models":{"*":{"latency_ms":{"p50":1e-300,"p99":3600000}}}})")
            << 0.999;
        QTest::newRow("denormal p50, NaN at the median")
            << QByteArray(R"({"models":{"*":{"latency_ms":{"p50":5e-324,"p99":1}}}})") << 0.5;
        QTest::newRow("small p50, tail beyond long long")
            << QByteArray(R"({"models":{"*":{"latency_ms":{"p50":0.001,"p99":3600000}}}})")
            << 1.0 - 1e-9;
    }

    void sampledLatencyFitsMillisForEveryAcceptedProfile()
    {
        QFETCH(QByteArray, profile);
        QFETCH(double, u);
        const ChaosProfileParseResult result =
            parseChaosProfile(json::parse(profile.toStdString()));
        QVERIFY(result.profile); // the loader accepts it: the sample must then be usable
        const ChaosModelProfile *model = result.profile->find(QStringLiteral("any-model"));
        QVERIFY(model);
        const double ms = sampleLatencyMs(model->latency, u);
        QVERIFY2(std::isfinite(ms) && ms >= 0 && ms < 9.2e18, qPrintable(QString::number(ms)));
    }
};

QTEST_GUILESS_MAIN(TestChaosProfileRegression)
#include "tst_chaosprofile_regression.moc"

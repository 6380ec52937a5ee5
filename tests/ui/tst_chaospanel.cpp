// The chaos panel against a real embedded chaos server (a Lab on the default config, on a
// free loopback port): its switches and rates change the server's profile at once, and the
// server's own changes (PATCH from elsewhere, timeline steps, reset) show in the controls.
#include "chaos/chaosserver.h"
#include "config/configloader.h"
#include "panels/chaospanel.h"
#include "runtime/lab.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <memory>
#include <optional>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;

Config configFrom(const nlohmann::json &json)
{
    ConfigParseResult parsed = parseConfig(json, u"test"_s);
    if (!parsed.config)
        qFatal("test config invalid: %s", qPrintable(parsed.errors.value(0).toString()));
    return *parsed.config;
}

std::unique_ptr<Lab> startedLab(const nlohmann::json &config = defaultConfigJson())
{
    auto lab = std::make_unique<Lab>(configFrom(config), Lab::Options{}, LabWorld::real());
    QString error;
    if (!lab->start(&error))
        qFatal("lab did not start: %s", qPrintable(error));
    return lab;
}

// Only real providers: no embedded chaos server is started.
nlohmann::json realOnlyConfig()
{
    return mergePatch(defaultConfigJson(),
                      {{"providers", {{"chaos", nullptr}}},
                       {"chain", {{{"provider", "anthropic"}, {"model", "claude-sonnet-4-6"}}}}});
}

/// The server's entry for `model` now (a copy: the profile is returned by value).
std::optional<ChaosModelProfile> entryOf(Lab &lab, const QString &model)
{
    const ChaosProfile profile = lab.chaos()->controller().profile();
    const ChaosModelProfile *entry = profile.find(model);
    return entry ? std::optional<ChaosModelProfile>(*entry) : std::nullopt;
}

double unavailableRate(Lab &lab, const QString &model)
{
    const std::optional<ChaosModelProfile> entry = entryOf(lab, model);
    return entry ? entry->faultRate(ChaosFault::Unavailable) : -1.0;
}

} // namespace

class TestChaosPanel : public QObject {
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
    void showsTheChainModelsThenTheCatchAll()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        QVERIFY(panel.isActive());
        QCOMPARE(panel.models(), (QStringList{kPrimary, kFallback, kChaosAnyModel}));
        QVERIFY(panel.inactiveReason().isEmpty());
    }

    void takeDownSetsUnavailableAndRecoverRestoresTheBaseline()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *button = child<QPushButton>(panel, u"takeDown:"_s + kPrimary);
        QCOMPARE(button->text(), u"Take down"_s);
        QCOMPARE(unavailableRate(*lab, kPrimary), 0.0);

        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(unavailableRate(*lab, kPrimary), 1.0);
        QCOMPARE(unavailableRate(*lab, kFallback), 0.0);
        QCOMPARE(button->text(), u"Recover"_s);
        QCOMPARE(child<QDoubleSpinBox>(panel, u"fault:%1:unavailable"_s.arg(kPrimary))->value(),
                 100.0);

        // Something else turned up while it was down goes back to the baseline too.
        lab->chaos()->controller().patchModel(kPrimary, {{"faults", {{"rate_limited", 0.3}}}});
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(unavailableRate(*lab, kPrimary), 0.0);
        QCOMPARE(
            lab->chaos()->controller().profile().find(kPrimary)->faultRate(ChaosFault::RateLimited),
            0.0);
        QCOMPARE(button->text(), u"Take down"_s);
    }

    void typedRateReachesTheServerOnceWithoutEcho()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy changes(&lab->chaos()->controller(), &ChaosController::profileChanged);
        auto *rate = child<QDoubleSpinBox>(panel, u"fault:%1:overloaded"_s.arg(kFallback));
        rate->setFocus();
        rate->selectAll();
        QTest::keyClicks(rate, u"12.5"_s);
        QTest::keyClick(rate, Qt::Key_Return);

        std::optional<ChaosModelProfile> entry = entryOf(*lab, kFallback);
        QVERIFY(entry);
        QCOMPARE(entry->faultRate(ChaosFault::Overloaded), 0.125);
        QCOMPARE(changes.count(), 1); // the refresh it caused did not patch again
        QCOMPARE(child<QSlider>(panel, u"faultSlider:%1:overloaded"_s.arg(kFallback))->value(),
                 125);
    }

    void sliderMovesThePercentAndTheServer()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        auto *slider = child<QSlider>(panel, u"faultSlider:%1:server_error"_s.arg(kPrimary));
        slider->setValue(400); // as a drag or a page step does
        QCOMPARE(
            lab->chaos()->controller().profile().find(kPrimary)->faultRate(ChaosFault::ServerError),
            0.4);
        QCOMPARE(child<QDoubleSpinBox>(panel, u"fault:%1:server_error"_s.arg(kPrimary))->value(),
                 40.0);
    }

    void latencyEditsPatchTheModel()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        auto *p50 = child<QSpinBox>(panel, u"p50:"_s + kPrimary);
        auto *p99 = child<QSpinBox>(panel, u"p99:"_s + kPrimary);
        QSignalSpy rejected(&panel, &ChaosPanel::changeRejected);
        // From no latency, p99 alone opens the range at that value (p50 must be > 0).
        p99->setValue(800);
        std::optional<ChaosModelProfile> entry = entryOf(*lab, kPrimary);
        QCOMPARE(entry->latency.p50Ms, 800.0);
        QCOMPARE(entry->latency.p99Ms, 800.0);
        QCOMPARE(p50->value(), 800);

        p50->setValue(600);
        p99->setValue(2500);
        entry = entryOf(*lab, kPrimary);
        QCOMPARE(entry->latency.p50Ms, 600.0);
        QCOMPARE(entry->latency.p99Ms, 2500.0);
        QCOMPARE(rejected.count(), 0);

        // A p50 above p99 drags p99 along on the server, and the control follows.
        p50->setValue(3000);
        entry = entryOf(*lab, kPrimary);
        QCOMPARE(entry->latency.p50Ms, 3000.0);
        QVERIFY(entry->latency.p99Ms >= 3000.0);
        QCOMPARE(p99->value(), qRound(entry->latency.p99Ms));

        // And back to none: both ends go to zero.
        p50->setValue(0);
        entry = entryOf(*lab, kPrimary);
        QCOMPARE(entry->latency.p50Ms, 0.0);
        QCOMPARE(entry->latency.p99Ms, 0.0);
        QCOMPARE(p99->value(), 0);
        QCOMPARE(rejected.count(), 0);
    }

    void outsideChangesShowInTheControls()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        ChaosController &controller = lab->chaos()->controller();
        QSignalSpy changes(&controller, &ChaosController::profileChanged);

        controller.patchModel(kFallback,
                              {{"faults", {{"rate_limited", 0.25}, {"unavailable", 1.0}}},
                               {"latency_ms", {{"p50", 700}, {"p99", 1900}}}});
        QCOMPARE(changes.count(), 1);
        QCOMPARE(child<QDoubleSpinBox>(panel, u"fault:%1:rate_limited"_s.arg(kFallback))->value(),
                 25.0);
        QCOMPARE(child<QSlider>(panel, u"faultSlider:%1:rate_limited"_s.arg(kFallback))->value(),
                 250);
        QCOMPARE(child<QSpinBox>(panel, u"p50:"_s + kFallback)->value(), 700);
        QCOMPARE(child<QSpinBox>(panel, u"p99:"_s + kFallback)->value(), 1900);
        QCOMPARE(child<QPushButton>(panel, u"takeDown:"_s + kFallback)->text(), u"Recover"_s);
        QCOMPARE(changes.count(), 1); // showing it changed nothing on the server

        // A model the chain does not use gets a card of its own.
        controller.patchModel(u"gpt-4.1-mini"_s, {{"faults", {{"timeout", 0.5}}}});
        QVERIFY(panel.models().contains(u"gpt-4.1-mini"_s));
        QTRY_VERIFY_WITH_TIMEOUT(panel.findChild<QDoubleSpinBox *>(u"fault:gpt-4.1-mini:timeout"_s),
                                 2000);
        QCOMPARE(child<QDoubleSpinBox>(panel, u"fault:gpt-4.1-mini:timeout"_s)->value(), 50.0);
    }

    void timelineStepsShowInTheControlsAndTheStatus()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        const QList<ValidationError> errors = lab->chaos()->controller().startTimelineJson(
            {{{"at_s", 0.01},
              {"model", kPrimary.toStdString()},
              {"set", {{"faults", {{"unavailable", 1.0}}}}},
              {"note", "primary down"}}});
        QVERIFY(errors.isEmpty());
        auto *button = child<QPushButton>(panel, u"takeDown:"_s + kPrimary);
        QTRY_COMPARE_WITH_TIMEOUT(button->text(), u"Recover"_s, 3000);
        QVERIFY(child<QLabel>(panel, u"chaosStatus"_s)->text().contains(u"primary down"_s));
    }

    void resetChaosReturnsToTheBaseline()
    {
        auto lab = startedLab();
        ChaosPanel panel(lab.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::mouseClick(child<QPushButton>(panel, u"takeDown:"_s + kPrimary), Qt::LeftButton);
        QCOMPARE(unavailableRate(*lab, kPrimary), 1.0);
        QTest::mouseClick(child<QPushButton>(panel, u"resetChaos"_s), Qt::LeftButton);
        QCOMPARE(unavailableRate(*lab, kPrimary), 0.0);
        QVERIFY(!lab->chaos()->controller().profile().models.contains(kPrimary));
        QCOMPARE(child<QPushButton>(panel, u"takeDown:"_s + kPrimary)->text(), u"Take down"_s);
    }

    void realProvidersDisableThePanelAndSayWhy()
    {
        auto lab = startedLab(realOnlyConfig());
        QVERIFY(!lab->chaos());
        ChaosPanel panel(lab.get());
        QVERIFY(!panel.isActive());
        QVERIFY(panel.models().isEmpty());
        QVERIFY(!child<QPushButton>(panel, u"resetChaos"_s)->isEnabled());
        auto *message = child<QLabel>(panel, u"chaosMessage"_s);
        QVERIFY(!message->isHidden());
        QVERIFY(message->text().contains(u"no embedded chaos server"_s));
        QVERIFY(message->text().contains(u"anthropic"_s));
    }

    void rebindsWhenTheLabChangesOrGoes()
    {
        auto first = startedLab();
        ChaosPanel panel;
        QVERIFY(!panel.isActive());
        QVERIFY(panel.inactiveReason().contains(u"No session"_s));

        panel.setLab(first.get());
        QVERIFY(panel.isActive());
        auto second = startedLab();
        panel.setLab(second.get());
        // The first lab's server no longer reaches the panel, the second's does.
        first->chaos()->controller().patchModel(kPrimary, {{"faults", {{"unavailable", 1.0}}}});
        QCOMPARE(child<QPushButton>(panel, u"takeDown:"_s + kPrimary)->text(), u"Take down"_s);
        second->chaos()->controller().patchModel(kPrimary, {{"faults", {{"unavailable", 1.0}}}});
        QCOMPARE(child<QPushButton>(panel, u"takeDown:"_s + kPrimary)->text(), u"Recover"_s);

        second.reset();
        QVERIFY(!panel.isActive());
        QVERIFY(!child<QPushButton>(panel, u"resetChaos"_s)->isEnabled());
    }

    void presenterModeEnlargesTheText()
    {
        ChaosPanel panel;
        const qreal normal = panel.font().pointSizeF();
        panel.setPresenterMode(true);
        QVERIFY(panel.presenterMode());
        QVERIFY(panel.font().pointSizeF() > normal * 1.2);
        panel.setPresenterMode(false);
        QCOMPARE(panel.font().pointSizeF(), normal);
    }
};

QTEST_MAIN(TestChaosPanel)
#include "tst_chaospanel.moc"

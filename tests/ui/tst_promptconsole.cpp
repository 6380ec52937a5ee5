// The prompt console against a Lab on the embedded chaos server: a prompt sent with a
// forced fault shows every attempt, wait and fallback hop and the final source; a streamed
// prompt shows its text while it arrives. Retry waits are made short in the config so that
// the calls take well under a second of real time.
#include "chaos/chaosserver.h"
#include "config/configloader.h"
#include "panels/promptconsole.h"
#include "panels/waterfallmodel.h"
#include "runtime/lab.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kFallback = u"claude-haiku-4-5"_s;
constexpr int kCallTimeoutMs = 8000;

// The default config with waits of 10, 20, 40, 50 ms and no jitter.
nlohmann::json fastRetryConfig()
{
    return mergePatch(defaultConfigJson(),
                      {{"retry", {{"initial_s", 0.01}, {"max_s", 0.05}, {"jitter", "none"}}}});
}

std::unique_ptr<Lab> startedLab(const nlohmann::json &json = fastRetryConfig())
{
    ConfigParseResult parsed = parseConfig(json, u"test"_s);
    if (!parsed.config)
        qFatal("test config invalid: %s", qPrintable(parsed.errors.value(0).toString()));
    auto lab = std::make_unique<Lab>(*parsed.config, Lab::Options{}, LabWorld::real());
    QString error;
    if (!lab->start(&error))
        qFatal("lab did not start: %s", qPrintable(error));
    return lab;
}

QList<WaterfallRow> rowsOfKind(const WaterfallModel &model, WaterfallRow::Kind kind)
{
    QList<WaterfallRow> rows;
    std::copy_if(model.rows().cbegin(), model.rows().cend(), std::back_inserter(rows),
                 [kind](const WaterfallRow &row) { return row.kind == kind; });
    return rows;
}

QString cell(const WaterfallModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestPromptConsole : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

    void typePrompt(PromptConsole &console, const QString &text)
    {
        auto *prompt = child<QPlainTextEdit>(console, u"prompt"_s);
        prompt->setFocus();
        QTest::keyClicks(prompt, text);
    }

private Q_SLOTS:
    void forcedOverloadShowsAttemptsWaitsFallbackAndSource()
    {
        auto lab = startedLab();
        PromptConsole console(lab.get());
        console.resize(900, 700);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        QAbstractItemModelTester tester(console.waterfall(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy finished(&console, &PromptConsole::callFinished);

        typePrompt(console, u"Why is the sky blue?"_s);
        auto *fault = child<QComboBox>(console, u"forceFault"_s);
        QVERIFY(fault->isEnabled());
        fault->setCurrentIndex(fault->findText(u"overloaded"_s));
        auto *send = child<QPushButton>(console, u"send"_s);
        QVERIFY(send->isEnabled());
        QTest::mouseClick(send, Qt::LeftButton);
        QVERIFY(console.isBusy());
        QVERIFY(!send->isEnabled());

        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kCallTimeoutMs);
        QVERIFY(!console.isBusy());
        const auto result = finished.at(0).at(0).value<CallResult>();
        QCOMPARE(result.source, sources::degraded); // every attempt overloaded, cache empty

        const WaterfallModel &model = *console.waterfall();
        const QList<WaterfallRow> attempts = rowsOfKind(model, WaterfallRow::Kind::Attempt);
        QCOMPARE(attempts.size(), result.attempts.size());
        QVERIFY(attempts.size() >= 2);
        for (const WaterfallRow &attempt : attempts) {
            QCOMPARE(attempt.outcome, Outcome::Overloaded);
            QCOMPARE(attempt.httpStatus, 529);
        }
        QVERIFY(std::any_of(attempts.cbegin(), attempts.cend(),
                            [](const auto &row) { return row.model == kPrimary; }));
        QVERIFY(std::any_of(attempts.cbegin(), attempts.cend(),
                            [](const auto &row) { return row.model == kFallback; }));

        // Waits after each failed attempt but the last on a model: 10 ms, then doubling.
        const QList<WaterfallRow> waits = rowsOfKind(model, WaterfallRow::Kind::Wait);
        QVERIFY(!waits.isEmpty());
        QCOMPARE(waits.first().model, kPrimary);
        QCOMPARE(waits.first().duration, Millis{10});
        QCOMPARE(waits.first().delaySource, DelaySource::Backoff);
        QCOMPARE(waits.first().detail, u"after overloaded"_s);

        const QList<WaterfallRow> hops = rowsOfKind(model, WaterfallRow::Kind::Fallback);
        QVERIFY(std::any_of(hops.cbegin(), hops.cend(), [](const WaterfallRow &hop) {
            return hop.model == kPrimary && hop.target == kFallback;
        }));
        // Out of the chain to the cache (announced by the engine), which has nothing yet.
        QCOMPARE(hops.at(hops.size() - 2).model, kFallback);
        QCOMPARE(hops.at(hops.size() - 2).target, sources::cache);
        QCOMPARE(hops.last().model, sources::cache);
        QCOMPARE(hops.last().target, sources::degraded);
        QCOMPARE(hops.last().detail, u"no cached answer for this prompt"_s);

        // The answer row is last, and the table says it in words.
        const int last = model.rowCount() - 1;
        QCOMPARE(model.rows().at(last).kind, WaterfallRow::Kind::Answer);
        QCOMPARE(cell(model, last, WaterfallModel::StepColumn), u"Answer"_s);
        QCOMPARE(cell(model, last, WaterfallModel::ModelColumn), sources::degraded);
        QCOMPARE(cell(model, 0, WaterfallModel::OutcomeColumn), u"overloaded"_s);
        QCOMPARE(cell(model, 0, WaterfallModel::HttpColumn), u"529"_s);
        const int firstWait = static_cast<int>(
            std::find_if(model.rows().cbegin(), model.rows().cend(),
                         [](const auto &row) { return row.kind == WaterfallRow::Kind::Wait; }) -
            model.rows().cbegin());
        QCOMPARE(cell(model, firstWait, WaterfallModel::OutcomeColumn), u"backoff"_s);
        QCOMPARE(cell(model, firstWait, WaterfallModel::DurationColumn), u"0.010 s"_s);

        QVERIFY(child<QLabel>(console, u"verdict"_s)->text().contains(u"Degraded"_s));
        QCOMPARE(child<QPlainTextEdit>(console, u"answer"_s)->toPlainText(), result.text);
        QVERIFY(send->isEnabled());
    }

    void fallbackAnswerNamesTheFallbackModel()
    {
        auto lab = startedLab();
        lab->chaos()->controller().patchModel(kPrimary, {{"faults", {{"unavailable", 1.0}}}});
        PromptConsole console(lab.get());
        QSignalSpy finished(&console, &PromptConsole::callFinished);
        typePrompt(console, u"hello"_s);
        console.send();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kCallTimeoutMs);

        const WaterfallModel &model = *console.waterfall();
        const WaterfallRow &answer = model.rows().last();
        QCOMPARE(answer.kind, WaterfallRow::Kind::Answer);
        QCOMPARE(answer.model, kFallback);
        const QList<WaterfallRow> attempts = rowsOfKind(model, WaterfallRow::Kind::Attempt);
        QCOMPARE(attempts.first().outcome, Outcome::ServerError);
        QCOMPARE(attempts.first().httpStatus, 503);
        QCOMPARE(attempts.last().outcome, Outcome::Success);
        QCOMPARE(attempts.last().model, kFallback);
        QCOMPARE(rowsOfKind(model, WaterfallRow::Kind::Fallback).size(), 1);
        const QString verdict = child<QLabel>(console, u"verdict"_s)->text();
        QVERIFY2(verdict.contains(kFallback) && verdict.contains(u"fallback"_s),
                 qPrintable(verdict));
        QVERIFY(!child<QPlainTextEdit>(console, u"answer"_s)->toPlainText().isEmpty());
    }

    void streamingShowsTextAsItArrives()
    {
        auto lab = startedLab();
        // Paced deltas, so that the call is still running when the first text shows.
        lab->chaos()->controller().patchModel(kPrimary, {{"tokens_per_s", 40}, {"ttft_ms", 0}});
        PromptConsole console(lab.get());
        QSignalSpy finished(&console, &PromptConsole::callFinished);
        auto *answer = child<QPlainTextEdit>(console, u"answer"_s);
        typePrompt(console, u"Tell me about breakwaters"_s);
        QTest::mouseClick(child<QCheckBox>(console, u"stream"_s), Qt::LeftButton);
        QVERIFY(child<QCheckBox>(console, u"stream"_s)->isChecked());
        console.send();

        QTRY_VERIFY_WITH_TIMEOUT(!answer->toPlainText().isEmpty(), kCallTimeoutMs);
        QVERIFY(console.isBusy());
        QCOMPARE(finished.count(), 0);
        const QString partial = answer->toPlainText();

        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kCallTimeoutMs);
        const auto result = finished.at(0).at(0).value<CallResult>();
        QCOMPARE(result.source, kPrimary);
        QVERIFY(result.text.startsWith(partial));
        QVERIFY(result.text.size() > partial.size());
        QCOMPARE(answer->toPlainText(), result.text);
        QVERIFY(
            child<QLabel>(console, u"verdict"_s)->text().contains(u"Answered by "_s + kPrimary));
    }

    void ctrlEnterSends()
    {
        auto lab = startedLab();
        PromptConsole console(lab.get());
        QSignalSpy started(&console, &PromptConsole::callStarted);
        QSignalSpy finished(&console, &PromptConsole::callFinished);
        auto *prompt = child<QPlainTextEdit>(console, u"prompt"_s);
        typePrompt(console, u"first line"_s);
        QTest::keyClick(prompt, Qt::Key_Return); // a plain Return is a new line
        QCOMPARE(started.count(), 0);
        QTest::keyClicks(prompt, u"second line"_s);
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(started.count(), 1);
        QCOMPARE(prompt->toPlainText(), u"first line\nsecond line"_s);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kCallTimeoutMs);
        QCOMPARE(finished.at(0).at(0).value<CallResult>().id, started.at(0).at(0).toString());
    }

    void forceFaultIsOffForRealProviders()
    {
        auto lab = startedLab(
            mergePatch(defaultConfigJson(),
                       {{"providers", {{"chaos", nullptr}}},
                        {"chain", {{{"provider", "anthropic"}, {"model", "claude-sonnet-4-6"}}}}}));
        PromptConsole console(lab.get());
        QVERIFY(!child<QComboBox>(console, u"forceFault"_s)->isEnabled());
        typePrompt(console, u"hello"_s);
        QVERIFY(child<QPushButton>(console, u"send"_s)->isEnabled());
    }

    void withoutALabNothingCanBeSent()
    {
        PromptConsole console;
        QVERIFY(!child<QPlainTextEdit>(console, u"prompt"_s)->isEnabled());
        QVERIFY(!child<QPushButton>(console, u"send"_s)->isEnabled());
        QSignalSpy started(&console, &PromptConsole::callStarted);
        console.send();
        QCOMPARE(started.count(), 0);
        QCOMPARE(child<QLabel>(console, u"verdict"_s)->text(), u"No session"_s);

        auto lab = startedLab();
        console.setLab(lab.get());
        QVERIFY(!child<QPushButton>(console, u"send"_s)->isEnabled()); // nothing typed yet
        typePrompt(console, u"hello"_s);
        QVERIFY(child<QPushButton>(console, u"send"_s)->isEnabled());
        lab.reset();
        QVERIFY(!console.lab());
        QVERIFY(!child<QPushButton>(console, u"send"_s)->isEnabled());
    }

    void waterfallRowsFromAResult()
    {
        // The SPEC.md section 4 example: a backoff wait, a short-circuited attempt, a hop.
        CallResult result;
        result.id = u"call-1"_s;
        result.success = true;
        result.source = kFallback;
        result.duration = Millis{3210};
        AttemptRecord first{kPrimary,
                            0,
                            Millis{0},
                            Millis{410},
                            Outcome::Overloaded,
                            529,
                            Millis{1700},
                            DelaySource::Backoff,
                            {}};
        AttemptRecord second{kPrimary,
                             1,
                             Millis{2100},
                             Millis{0},
                             Outcome::ShortCircuited,
                             0,
                             std::nullopt,
                             DelaySource::Backoff,
                             {}};
        AttemptRecord third{kFallback,
                            0,
                            Millis{2100},
                            Millis{1100},
                            Outcome::Success,
                            200,
                            std::nullopt,
                            DelaySource::Backoff,
                            {}};
        result.attempts = {first, second, third};
        FallbackHop hop{u"call-1"_s, Millis{10000 + 2100}, kPrimary, kFallback, u"breaker open"_s};

        const QList<WaterfallRow> rows =
            WaterfallModel::rowsFromResult(result, {hop}, Millis{10000});
        QCOMPARE(rows.size(), 6);
        QCOMPARE(rows.at(0).kind, WaterfallRow::Kind::Attempt);
        QCOMPARE(rows.at(1).kind, WaterfallRow::Kind::Wait);
        QCOMPARE(rows.at(1).start, Millis{410});
        QCOMPARE(rows.at(1).duration, Millis{1700});
        QCOMPARE(rows.at(2).outcome, Outcome::ShortCircuited);
        QCOMPARE(rows.at(3).kind, WaterfallRow::Kind::Fallback);
        QCOMPARE(rows.at(3).detail, u"breaker open"_s);
        QCOMPARE(rows.at(3).start, Millis{2100});
        QCOMPARE(rows.at(4).model, kFallback);
        QCOMPARE(rows.at(5).kind, WaterfallRow::Kind::Answer);
        QCOMPARE(rows.at(5).model, kFallback);

        WaterfallModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.beginCall(u"call-1"_s);
        model.finish(result);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.span(), Millis{3210});
        QCOMPARE(model.index(1, WaterfallModel::OutcomeColumn).data().toString(), u"backoff"_s);
        QCOMPARE(model.index(3, WaterfallModel::ModelColumn).data().toString(), kPrimary);
        QCOMPARE(model.index(3, WaterfallModel::OutcomeColumn).data().toString(),
                 u"→ "_s + kFallback);
    }

    void presenterModeEnlargesTheText()
    {
        PromptConsole console;
        const qreal normal = console.font().pointSizeF();
        console.setPresenterMode(true);
        QVERIFY(console.font().pointSizeF() > normal * 1.2);
        QVERIFY(child<QLabel>(console, u"verdict"_s)->font().pointSizeF() >
                console.font().pointSizeF());
    }
};

QTEST_MAIN(TestPromptConsole)
#include "tst_promptconsole.moc"

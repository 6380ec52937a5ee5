// The config editor: validation as you type (debounced) with the config loader's own
// messages and JSON paths, navigation from a problem to its place in the text, Apply only
// when valid, and no key ever shown in the problem list.
#include "config/configloader.h"
#include "panels/configeditor.h"
#include "panels/jsonpathlocator.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

constexpr int kValidationTimeoutMs = 2000;

QStringList listed(QListWidget *list)
{
    QStringList texts;
    for (int row = 0; row < list->count(); ++row)
        texts.append(list->item(row)->text());
    return texts;
}

} // namespace

class TestConfigEditor : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

    // Selects the first occurrence of `text` in the editor, as a user double-clicking it.
    void select(QPlainTextEdit *editor, const QString &text)
    {
        const qsizetype at = editor->toPlainText().indexOf(text);
        QVERIFY2(at >= 0, qPrintable(text));
        QTextCursor cursor = editor->textCursor();
        cursor.setPosition(static_cast<int>(at));
        cursor.setPosition(static_cast<int>(at + text.size()), QTextCursor::KeepAnchor);
        editor->setTextCursor(cursor);
    }

private Q_SLOTS:
    void typedErrorIsListedAndFixingItEnablesApply()
    {
        ConfigEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setConfigJson(defaultConfigJson());
        auto *apply = child<QPushButton>(editor, u"apply"_s);
        auto *text = child<QPlainTextEdit>(editor, u"configText"_s);
        auto *problems = child<QListWidget>(editor, u"problems"_s);
        QVERIFY(editor.isValid());
        QVERIFY(apply->isEnabled());

        // Replace the default of "max_attempts" by a 0.
        text->setFocus();
        select(text, u"\"max_attempts\": %1"_s.arg(RetryPolicy().maxAttempts));
        QTest::keyClicks(text, u"\"max_attempts\": 0"_s);
        QVERIFY(!apply->isEnabled()); // no Apply while the edit is unchecked
        QElapsedTimer typed;
        typed.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            listed(problems).contains(u"retry.max_attempts: must be an integer >= 1"_s),
            kValidationTimeoutMs);
        // Debounced: not checked on every key stroke, but soon after the typing stopped.
        QVERIFY(typed.elapsed() >= ConfigEditor::kValidationDelayMs / 2);
        QVERIFY(!apply->isEnabled());
        QVERIFY(!editor.isValid());
        QVERIFY(child<QLabel>(editor, u"configStatus"_s)->text().contains(u"1 problem"_s));

        QSignalSpy applied(&editor, &ConfigEditor::configApplied);
        select(text, u"\"max_attempts\": 0"_s);
        QTest::keyClicks(text, u"\"max_attempts\": 3"_s);
        QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), kValidationTimeoutMs);
        QCOMPARE(problems->count(), 0);
        QTest::mouseClick(apply, Qt::LeftButton);
        QCOMPARE(applied.count(), 1);
        const auto config = applied.at(0).at(0).value<nlohmann::json>();
        QCOMPARE(config["retry"]["max_attempts"].get<int>(), 3);
        QCOMPARE(config["chain"].size(), std::size_t{2});
    }

    void problemsCarryTheirPaths_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("problem");
        QTest::newRow("range") << u"{\"breaker\": {\"failure_rate\": 1.5}}"_s
                               << u"breaker.failure_rate: must be a number <= 1"_s;
        QTest::newRow("type") << u"{\"retry\": {\"max_s\": \"60\"}}"_s
                              << u"retry.max_s: must be a number"_s;
        QTest::newRow("choice") << u"{\"retry\": {\"jitter\": \"gaussian\"}}"_s
                                << u"retry.jitter: must be one of"_s;
        QTest::newRow("unknown field") << u"{\"retry\": {\"max_attempt\": 3}}"_s
                                       << u"retry: unknown field 'max_attempt' (did you mean "
                                          u"'max_attempts'?)"_s;
        QTest::newRow("chain item") << u"{\"chain\": [{\"provider\": \"chaos\", \"model\": \"a\"}, "
                                       u"{\"provider\": \"chaos\", "
                                       u"\"model\": \"b\", \"max_tokens\": 0}]}"_s
                                    << u"chain[1].max_tokens: must be an integer >= 1"_s;
        QTest::newRow("syntax") << u"{\n  \"retry\": {\"max_attempts\": 3\n}"_s
                                << u"invalid JSON at line 3"_s;
        QTest::newRow("empty") << u"  "_s << u"the config is empty"_s;
        // Deep enough to overflow the stack of any walk that recurses over the document.
        QTest::newRow("nested 200,000 deep")
            << u"{\"retry\": "_s + QString(200000, u'[') + QString(200000, u']') + u"}"_s
            << u"nested deeper than"_s;
    }

    void problemsCarryTheirPaths()
    {
        QFETCH(QString, text);
        QFETCH(QString, problem);
        ConfigEditor editor;
        editor.setText(text);
        editor.validateNow();
        const QStringList problems = listed(child<QListWidget>(editor, u"problems"_s));
        QVERIFY2(std::any_of(problems.cbegin(), problems.cend(),
                             [&](const QString &listedProblem) {
                                 return listedProblem.startsWith(problem);
                             }),
                 qPrintable(problems.join(u" | "_s)));
        QVERIFY(!editor.isValid());
        QVERIFY(!child<QPushButton>(editor, u"apply"_s)->isEnabled());
    }

    void clickingAProblemGoesToItsPlace()
    {
        ConfigEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const QString text =
            u"{\n  \"chain\": [\n    {\"provider\": \"chaos\", \"model\": \"a\"},\n"
            u"    {\"provider\": \"chaos\", \"model\": \"b\", \"max_tokens\": -1}\n"
            u"  ]\n}\n"_s;
        editor.setText(text);
        auto *problems = child<QListWidget>(editor, u"problems"_s);
        QTRY_VERIFY_WITH_TIMEOUT(problems->count() == 1 && problems->item(0)->text().startsWith(
                                                               u"chain[1].max_tokens: "_s),
                                 kValidationTimeoutMs);
        const QRect itemRect = problems->visualItemRect(problems->item(0));
        QTest::mouseClick(problems->viewport(), Qt::LeftButton, {}, itemRect.center());

        auto *editorText = child<QPlainTextEdit>(editor, u"configText"_s);
        const QTextCursor cursor = editorText->textCursor();
        QCOMPARE(cursor.selectedText(), u"\"max_tokens\""_s);
        QCOMPARE(cursor.selectionStart(), text.indexOf(u"\"max_tokens\""_s));
        QVERIFY(editorText->hasFocus());
    }

    void clickingAnUnknownFieldGoesToTheField()
    {
        ConfigEditor editor;
        const QString text = u"{\"retry\": {\"initial_s\": 1, \"max_attempt\": 3}}"_s;
        editor.setText(text);
        editor.validateNow();
        QCOMPARE(editor.problems().size(), 1);
        QCOMPARE(editor.problems().at(0).path, u"retry"_s);
        editor.goToProblem(0);
        const QTextCursor cursor = child<QPlainTextEdit>(editor, u"configText"_s)->textCursor();
        QCOMPARE(cursor.selectedText(), u"\"max_attempt\""_s);
    }

    void clickingASyntaxErrorGoesToItsPosition()
    {
        ConfigEditor editor;
        const QString text = u"{\n  \"retry\": {\"max_attempts\" 3}\n}"_s;
        editor.setText(text);
        editor.validateNow();
        QCOMPARE(editor.problems().size(), 1);
        QVERIFY2(editor.problems().at(0).text().startsWith(u"invalid JSON at line 2"_s),
                 qPrintable(editor.problems().at(0).text()));
        editor.goToProblem(0);
        // On the number where the colon should have been (the parser may have read one more).
        const QTextCursor cursor = child<QPlainTextEdit>(editor, u"configText"_s)->textCursor();
        QCOMPARE(cursor.blockNumber(), 1);
        QVERIFY2(qAbs(cursor.position() - text.indexOf(u'3')) <= 1,
                 qPrintable(QString::number(cursor.position())));
    }

    void keysAreRefusedAndNeverShown()
    {
        ConfigEditor editor;
        nlohmann::json config = defaultConfigJson();
        config["providers"]["anthropic"]["api_key_env"] = "sk-ant-api03-VERYSECRETVALUE";
        config["providers"]["sk-proj-ANOTHERSECRET"] = {{"kind", "openai"},
                                                        {"base_url", "https://example.com"}};
        editor.setConfigJson(config);
        QVERIFY(!editor.isValid());
        QVERIFY(!child<QPushButton>(editor, u"apply"_s)->isEnabled());
        const QStringList problems = listed(child<QListWidget>(editor, u"problems"_s));
        QVERIFY(problems.size() >= 2);
        for (const QString &problem : problems) {
            QVERIFY2(!problem.contains(u"VERYSECRETVALUE"_s), qPrintable(problem));
            QVERIFY2(!problem.contains(u"ANOTHERSECRET"_s), qPrintable(problem));
        }
        QVERIFY(problems.join(u'\n').contains(u"providers.anthropic.api_key_env: looks like an "
                                              u"API key"_s));
        QVERIFY(problems.join(u'\n').contains(u"sk-•••"_s));
    }

    void showsWhichProvidersAreReal()
    {
        ConfigEditor editor;
        editor.setConfigJson(defaultConfigJson());
        const QString providers = child<QLabel>(editor, u"providers"_s)->text();
        QVERIFY(providers.contains(u"chaos: simulated"_s));
        QVERIFY(providers.contains(u"anthropic: REAL"_s));
        QVERIFY(providers.contains(u"$ANTHROPIC_API_KEY"_s));
    }

    void showsTheConfigInSpecOrder()
    {
        nlohmann::json config = defaultConfigJson();
        config["providers"]["local"] = {{"kind", "openai"}, {"base_url", "http://127.0.0.1:8000"}};
        const QString text = configText(config);
        QVERIFY(nlohmann::json::parse(text.toStdString()) == config);
        const QStringList order = {u"\"providers\""_s, u"\"chain\""_s,    u"\"retry\""_s,
                                   u"\"breaker\""_s,   u"\"timeouts\""_s, u"\"alert\""_s};
        for (qsizetype i = 1; i < order.size(); ++i)
            QVERIFY2(text.indexOf(order.at(i - 1)) < text.indexOf(order.at(i)),
                     qPrintable(order.at(i)));
        // Within an entry too: a chain entry names its provider, then its model.
        QVERIFY(text.indexOf(u"\"provider\": \"chaos\""_s) < text.indexOf(u"\"model\""_s));
        QVERIFY(text.indexOf(u"\"kind\": \"openai\",\n      \"base_url\": \"http://127"_s) > 0);
    }

    void revertReturnsToTheAppliedText()
    {
        ConfigEditor editor;
        editor.setConfigJson(defaultConfigJson());
        const QString applied = editor.text();
        editor.setText(u"{ broken"_s);
        QTest::mouseClick(child<QPushButton>(editor, u"revert"_s), Qt::LeftButton);
        QCOMPARE(editor.text(), applied);
        QVERIFY(editor.isValid());
    }

    void locatesJsonPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected"); // the text the span covers
        QTest::newRow("member") << u"retry.max_s"_s << u"\"max_s\""_s;
        QTest::newRow("array item member") << u"chain[1].model"_s << u"\"model\""_s;
        QTest::newRow("array item") << u"chain[0]"_s << u"{\"model\": \"x\"}"_s;
        QTest::newRow("quoted key") << u"models[\"*\"].rpm"_s << u"\"rpm\""_s;
        QTest::newRow("missing falls back to parent") << u"retry.nope"_s << u"\"retry\""_s;
        QTest::newRow("escaped key") << u"odd[\"a\\\"b\"]"_s << u"\"a\\\"b\""_s;
    }

    void locatesJsonPaths()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        const QString text =
            u"{\"retry\": {\"max_s\": 2}, \"chain\": [{\"model\": \"x\"}, {\"model\": \"y\"}],\n"
            u" \"models\": {\"*\": {\"rpm\": 5}}, \"odd\": {\"a\\\"b\": 1}}"_s;
        const std::optional<panels::JsonTextSpan> span = panels::locateJsonPath(text, path);
        QVERIFY(span);
        const QString covered = text.mid(span->start, span->length);
        if (expected == u"\"model\""_s && path.startsWith(u"chain[1]"_s))
            QCOMPARE(span->start, text.lastIndexOf(u"\"model\""_s));
        QCOMPARE(covered, expected);
    }

    void presenterModeEnlargesTheText()
    {
        ConfigEditor editor;
        const qreal normal = editor.font().pointSizeF();
        const qreal mono = child<QPlainTextEdit>(editor, u"configText"_s)->font().pointSizeF();
        editor.setPresenterMode(true);
        QVERIFY(editor.font().pointSizeF() > normal * 1.2);
        QVERIFY(child<QPlainTextEdit>(editor, u"configText"_s)->font().pointSizeF() > mono);
    }
};

QTEST_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"

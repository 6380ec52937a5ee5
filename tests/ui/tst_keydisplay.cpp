// API keys in the dashboard (issue 7): never shown beyond their last four characters. The
// masking helpers, and the main window's every label, line edit, button, tooltip and status
// text with a canary key in the environment.
#include "config/configloader.h"
#include "mainwindow.h"
#include "runsafety.h"
#include "session.h"
#include "theme.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QTest>
#include <QTextEdit>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

const QString kCanary = u"sk-canary-keydisplay-9d2e71b04c3a"_s;
const QString kCanaryVariable = u"BREAKWATER_TST_KEYDISPLAY_KEY"_s;
const QString kUnsetVariable = u"BREAKWATER_TST_KEYDISPLAY_UNSET"_s;

ProviderConfig provider(const QString &baseUrl, const QString &keyVariable)
{
    ProviderConfig config;
    config.name = u"p"_s;
    config.kind = ProviderKind::OpenAI;
    config.baseUrl = baseUrl;
    config.apiKeyEnv = keyVariable;
    return config;
}

/// Every piece of text `window` shows or holds for display: widget texts, tooltips, combo
/// entries, the status message and the title.
QStringList visibleTexts(QMainWindow &window)
{
    QStringList texts{window.windowTitle(), window.statusBar()->currentMessage()};
    for (QWidget *widget : window.findChildren<QWidget *>()) {
        texts.append(widget->toolTip());
        texts.append(widget->statusTip());
        texts.append(widget->accessibleName());
        if (const auto *label = qobject_cast<QLabel *>(widget))
            texts.append(label->text());
        if (const auto *edit = qobject_cast<QLineEdit *>(widget))
            texts << edit->text() << edit->placeholderText();
        if (const auto *button = qobject_cast<QAbstractButton *>(widget))
            texts.append(button->text());
        if (const auto *edit = qobject_cast<QPlainTextEdit *>(widget))
            texts.append(edit->toPlainText());
        if (const auto *edit = qobject_cast<QTextEdit *>(widget))
            texts.append(edit->toPlainText());
        if (const auto *combo = qobject_cast<QComboBox *>(widget)) {
            for (int i = 0; i < combo->count(); ++i)
                texts.append(combo->itemText(i));
        }
    }
    for (const QAction *action : window.findChildren<QAction *>())
        texts << action->text() << action->toolTip() << action->statusTip();
    return texts;
}

} // namespace

class TestKeyDisplay : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv(kCanaryVariable.toLatin1().constData(), kCanary.toLatin1());
        qunsetenv(kUnsetVariable.toLatin1().constData());
    }

    void maskedKeyShowsAtMostTheLastFour_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("shown");
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("one character") << u"x"_s << u"…"_s;
        QTest::newRow("eleven characters: too short to show any") << u"sk-12345678"_s << u"…"_s;
        QTest::newRow("twelve characters") << u"sk-123456789"_s << u"…6789"_s;
        QTest::newRow("a real-length key") << kCanary << u"…4c3a"_s;
        QTest::newRow("non-ASCII") << u"ключ-очень-длинный-Ωμέγα"_s << u"…μέγα"_s;
    }
    void maskedKeyShowsAtMostTheLastFour()
    {
        QFETCH(QString, key);
        QFETCH(QString, shown);
        const QString masked = maskedKey(key);
        QCOMPARE(masked, shown);
        if (key.size() > 4)
            QVERIFY(!masked.contains(key.left(key.size() - 4)));
    }

    void providerKeyTextSaysWhereTheKeyComesFrom_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("text");
        QTest::newRow("simulated, no key") << u"embedded"_s << QString() << u"no key (simulated)"_s;
        QTest::newRow("real, no key variable")
            << u"http://localhost:8000/v1"_s << QString() << u"no key"_s;
        QTest::newRow("variable not set") << u"https://api.openai.com/v1"_s << kUnsetVariable
                                          << u"no key ($%1 is not set)"_s.arg(kUnsetVariable);
        QTest::newRow("key set") << u"https://api.openai.com/v1"_s << kCanaryVariable
                                 << u"key …4c3a (from $%1)"_s.arg(kCanaryVariable);
        QTest::newRow("simulated with a key")
            << u"embedded"_s << kCanaryVariable << u"key …4c3a (from $%1)"_s.arg(kCanaryVariable);
    }
    void providerKeyTextSaysWhereTheKeyComesFrom()
    {
        QFETCH(QString, baseUrl);
        QFETCH(QString, variable);
        QFETCH(QString, text);
        QCOMPARE(providerKeyText(provider(baseUrl, variable)), text);
    }

    void theMainWindowShowsOnlyTheLastFourOfAKey()
    {
        // The simulated provider sends the canary; a real fallback names a variable that is
        // not set (nothing may be sent to it: the lab stays idle).
        nlohmann::json config = defaultConfigJson();
        config["providers"]["chaos"]["api_key_env"] = kCanaryVariable.toStdString();
        config["providers"]["openai"]["api_key_env"] = kUnsetVariable.toStdString();
        config["chain"].push_back({{"provider", "openai"}, {"model", "gpt-4.1-mini"}});
        QVERIFY(parseConfig(config, u"test"_s).config);

        DashboardSession session(config, u"test config"_s, DashboardSession::Options{});
        QString error;
        QVERIFY2(session.start(&error), qPrintable(error));
        Theme theme;
        MainWindow window(session, theme);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCoreApplication::processEvents();

        const auto *keys = window.findChild<QLabel *>(u"providerKeys"_s);
        QVERIFY(keys);
        QCOMPARE(keys->text(),
                 u"chaos: key …4c3a (from $%1) · openai: no key ($%2 is not set)"_s.arg(
                     kCanaryVariable, kUnsetVariable));

        const QString all = visibleTexts(window).join(u'\n');
        QVERIFY2(!all.contains(kCanary), "the whole key is shown");
        QVERIFY2(!all.contains(kCanary.left(kCanary.size() - 4)), "more than the last four shown");
        QVERIFY2(!all.contains(kCanary.right(5)), "more than the last four shown");
        QVERIFY(all.contains(u"…"_s + kCanary.right(4)));
    }
};

QTEST_MAIN(TestKeyDisplay)
#include "tst_keydisplay.moc"

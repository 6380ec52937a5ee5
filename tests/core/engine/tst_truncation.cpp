// Truncation of over-long prompts: which part survives, the size bound, surrogate pairs.
#include "engine/truncation.h"

#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(breakwater::KeepPart)

class TestTruncation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsTheConfiguredPart_data()
    {
        QTest::addColumn<KeepPart>("keep");
        QTest::addColumn<QString>("expectedStart");
        QTest::addColumn<QString>("expectedEnd");
        QTest::newRow("head") << KeepPart::Head << u"AAAA"_s << kTruncationMarker;
        QTest::newRow("tail") << KeepPart::Tail << kTruncationMarker << u"ZZZZ"_s;
        QTest::newRow("head_tail") << KeepPart::HeadTail << u"AAAA"_s << u"ZZZZ"_s;
    }
    void keepsTheConfiguredPart()
    {
        QFETCH(KeepPart, keep);
        QFETCH(QString, expectedStart);
        QFETCH(QString, expectedEnd);
        const QString prompt = QString(500, u'A') + QString(1000, u'm') + QString(500, u'Z');
        const QString cut = truncateToChars(prompt, 300, keep);
        QCOMPARE(cut.size(), 300);
        QVERIFY(cut.startsWith(expectedStart));
        QVERIFY(cut.endsWith(expectedEnd));
        QVERIFY(cut.contains(kTruncationMarker));
    }

    void leavesAPromptThatFitsAlone()
    {
        QCOMPARE(truncateToChars(u"short"_s, 10, KeepPart::HeadTail), u"short"_s);
    }

    void neverSplitsASurrogatePair()
    {
        // U+1F600 is two UTF-16 code units; cut positions land inside pairs on purpose.
        QString prompt;
        for (int i = 0; i < 400; ++i)
            prompt += QString::fromUcs4(U"\U0001F600");
        for (const KeepPart keep : {KeepPart::Head, KeepPart::Tail, KeepPart::HeadTail}) {
            for (int max = 20; max < 60; ++max) {
                const QString cut = truncateToChars(prompt, max, keep);
                QVERIFY(cut.size() <= max);
                QVERIFY2(cut.isValidUtf16(), qPrintable(u"keep %1 max %2"_s.arg(int(keep)).arg(max)));
            }
        }
    }

    void targetScalesByTheServersOwnTokenCount()
    {
        const QString prompt(10000, u'x');
        // The server counted 5,000 tokens against a 1,000 window: keep a fifth, less 5 %.
        QCOMPARE(truncationTarget(prompt, 1000, 5000), 1900);
        // Without the server's count, the 4-characters-per-token estimate (2,500 tokens).
        QCOMPARE(truncationTarget(prompt, 1000, 0), 3800);
        QCOMPARE(truncationTarget(prompt, 0, 0), 0);
        QCOMPARE(estimateTokens(u"abcde"_s), 2);
    }
};

QTEST_GUILESS_MAIN(TestTruncation)
#include "tst_truncation.moc"

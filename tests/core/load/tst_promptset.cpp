// The prompt sources of a load run: builtin:unique (distinct, realistic, seeded, lazy, with a
// seeded share of repeats from recent requests) and the fixed sets, which cycle as before.
#include "load/promptset.h"
#include "load/uniqueprompts.h"
#include "scenario/scenario.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

/// 64 bits of a prompt: enough to tell 100,000 prompts apart (a collision is ~1e-10 likely)
/// without holding them all.
quint64 fingerprint(const QString &prompt)
{
    return static_cast<quint64>(qHash(prompt, 0x5eed));
}

} // namespace

class TestPromptSet : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uniquePromptsNeverRepeatWithoutRepeatRate()
    {
        const PromptSet prompts = PromptSet::builtinUnique({7, 0.0});
        QVERIFY(prompts.isUnique());
        constexpr int kCount = 100000;
        QSet<quint64> seen;
        seen.reserve(kCount);
        for (int i = 0; i < kCount; ++i) {
            const QString prompt = prompts.at(static_cast<quint64>(i));
            QVERIFY2(!seen.contains(fingerprint(prompt)),
                     qPrintable(u"request %1 repeats: %2"_s.arg(i).arg(prompt)));
            seen.insert(fingerprint(prompt));
        }
        // Beyond what this test checks, the building blocks last for far longer runs.
        QVERIFY(UniquePrompts(7, 0.0).distinctRequests() > 200000);
    }

    void uniquePromptsReadAsRealRequests()
    {
        const PromptSet prompts = PromptSet::builtinUnique({3, 0.0});
        qsizetype shortest = std::numeric_limits<qsizetype>::max();
        qsizetype longest = 0;
        QSet<QString> firstWords;
        int withPastedText = 0;
        for (quint64 i = 0; i < 2000; ++i) {
            const QString prompt = prompts.at(i);
            // Every blank filled, words not letters: a sentence starting with a capital.
            QVERIFY2(!prompt.contains(u'{') && !prompt.contains(u"%1"_s) &&
                         !prompt.contains(u"%2"_s),
                     qPrintable(prompt));
            QVERIFY2(prompt.at(0).isUpper(), qPrintable(prompt));
            QVERIFY2(prompt.split(u' ').size() >= 4, qPrintable(prompt));
            QVERIFY2(!prompt.contains(u"  "_s), qPrintable(prompt));
            shortest = std::min(shortest, prompt.size());
            longest = std::max(longest, prompt.size());
            firstWords.insert(prompt.section(u' ', 0, 0));
            if (prompt.contains(u"\n\n"_s))
                ++withPastedText;
        }
        // Varied length: one-line questions and pasted documents.
        QVERIFY2(shortest < 60, qPrintable(QString::number(shortest)));
        QVERIFY2(longest > 500, qPrintable(QString::number(longest)));
        QVERIFY(withPastedText > 200 && withPastedText < 600); // 4 in 20 have a document
        QVERIFY2(firstWords.size() > 40, qPrintable(QString::number(firstWords.size())));
        // Every kind of request shows up.
        int kinds = 0;
        for (const QString &marker :
             {u"Translate"_s, u"Summarise"_s, u"function"_s, u"trip"_s, u"Rewrite"_s,
              u"difference between"_s, u"Write a"_s, u"Give me"_s, u"What is"_s}) {
            for (quint64 i = 0; i < 2000; ++i) {
                if (prompts.at(i).contains(marker)) {
                    ++kinds;
                    break;
                }
            }
        }
        QCOMPARE(kinds, 9);
    }

    void uniquePromptsAreDeterministicForASeed()
    {
        const PromptSet a = PromptSet::builtinUnique({42, 0.1});
        const PromptSet b = PromptSet::builtinUnique({42, 0.1});
        const PromptSet other = PromptSet::builtinUnique({43, 0.1});
        int different = 0;
        for (quint64 i = 0; i < 500; ++i) {
            QCOMPARE(a.at(i), b.at(i));
            if (a.at(i) != other.at(i))
                ++different;
        }
        QVERIFY(different > 450);
        // Asked in any order, request n sends the same prompt: nothing is kept per request.
        QCOMPARE(a.at(123), b.at(123));
        QCOMPARE(a.at(7), PromptSet::builtinUnique({42, 0.1}).at(7));
    }

    void farRequestsNeedNoMemory()
    {
        // Request ten billion is computed, not looked up: a run of any length holds nothing.
        const PromptSet prompts = PromptSet::builtinUnique({1, 0.1});
        QVERIFY(!prompts.at(10'000'000'000ULL).isEmpty());
        QCOMPARE(prompts.size(), 0);
    }

    void repeatRateIsTheShareOfRequestsAskedAgain_data()
    {
        QTest::addColumn<double>("repeatRate");
        QTest::newRow("default 0.1") << 0.1;
        QTest::newRow("0.3") << 0.3;
        QTest::newRow("none") << 0.0;
        QTest::newRow("all but the first") << 1.0;
    }
    void repeatRateIsTheShareOfRequestsAskedAgain()
    {
        QFETCH(double, repeatRate);
        const PromptSet prompts = PromptSet::builtinUnique({11, repeatRate});
        constexpr int kCount = 20000;
        QHash<quint64, int> lastSent;
        int repeats = 0;
        for (int i = 0; i < kCount; ++i) {
            const quint64 key = fingerprint(prompts.at(static_cast<quint64>(i)));
            if (const auto found = lastSent.constFind(key); found != lastSent.constEnd()) {
                ++repeats;
                // Asked again soon enough for the default cache (512 entries) to hold it.
                QVERIFY2(i - *found <= static_cast<int>(UniquePrompts::kRepeatWindow),
                         qPrintable(u"request %1 repeats request %2"_s.arg(i).arg(*found)));
            }
            lastSent.insert(key, i);
        }
        const double share = static_cast<double>(repeats) / kCount;
        QVERIFY2(std::abs(share - repeatRate) < 0.01, qPrintable(QString::number(share)));
    }

    void loadReadsTheScenarioDrawAndKeepsFixedSetsAsTheyWere()
    {
        LoadProfile load;
        QCOMPARE(load.prompts, u"builtin:unique"_s);
        QCOMPARE(load.repeatRate, 0.1);
        load.repeatRate = 0.0;
        const std::optional<PromptSet> unique = PromptSet::forLoad(load, 9);
        QVERIFY(unique && unique->isUnique());
        QCOMPARE(unique->seed(), quint64(9));
        QCOMPARE(unique->at(5), PromptSet::builtinUnique({9, 0.0}).at(5));

        // A fixed set cycles in its order whatever the draw: every prompt repeats anyway.
        load.prompts = u"builtin:short"_s;
        load.repeatRate = 0.5;
        const std::optional<PromptSet> fixed = PromptSet::forLoad(load, 9);
        QVERIFY(fixed && !fixed->isUnique());
        const PromptSet plain = PromptSet::builtinShort();
        QCOMPARE(fixed->size(), plain.size());
        for (quint64 i = 0; i < static_cast<quint64>(2 * plain.size()); ++i)
            QCOMPARE(fixed->at(i), plain.at(i % static_cast<quint64>(plain.size())));
        QCOMPARE(fixed->seed(), quint64(9));
    }
};

QTEST_GUILESS_MAIN(TestPromptSet)
#include "tst_promptset.moc"

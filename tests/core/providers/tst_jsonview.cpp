// JsonView, the reader of complete answers: it must accept exactly what nlohmann::json
// accepts and read the same values (fuzz/jsonviewdiff.h does the comparing; fuzz_jsonview
// runs the same check under libFuzzer).

#include "../../../fuzz/jsonviewdiff.h"
#include "providers/jsonview.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QtTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestJsonView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void agreesWithNlohmann_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        const std::pair<const char *, bool> cases[] = {
            {R"({"a":1})", true},
            {" \t\r\n[1, 2 ,3]\n", true},
            {"\xef\xbb\xbf{}", true},       // byte order mark
            {"\"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\\"\\\\\"", true},
            {"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", true},
            {"\"\xef\xbb\xbf\xc3\xa9\"", true},     // U+FEFF opening a string is kept
            {"\"\\n\xef\xbb\xbfx\"", true},         // and after an escape
            {"-0", true},
            {"0.5e-3", true},
            {"1E+2", true},
            {"1e-400", true},                // underflows to zero
            {"123456789012345678901234567890", true},
            {R"({"k":1,"k":2})", true},      // the last one wins in both
            {"[[[[[[[[[[]]]]]]]]]]", true},
            {"", false},
            {"   ", false},
            {"{", false},
            {"[1,]", false},
            {R"({"a":1,})", false},
            {R"({"a" 1})", false},
            {R"({a:1})", false},
            {"[1] x", false},
            {"01", false},
            {"1.", false},
            {".5", false},
            {"-", false},
            {"1e", false},
            {"+1", false},
            {"1e400", false},                // overflows a double
            {"-1e400", false},
            {"NaN", false},
            {"tru", false},
            {"nul", false},
            // Unpaired surrogates are kept, as JSON.parse keeps them (nlohmann refuses them;
            // jsonviewdiff compares against it with U+FFFD in their place).
            {"\"\\ud800\"", true},
            {"\"\\udc00\\ud800\"", true},
            {"\"\\ud800\\u0041\"", true},
            {"\"\\\\ud800\"", true},         // an escaped backslash, then text
            {"\"\\x\"", false},
            {"\"\\u12\"", false},
            {"\"a\nb\"", false},             // unescaped control character
            {"\"\xc0\xaf\"", false},         // overlong
            {"\"\xed\xa0\x80\"", false},     // a surrogate in UTF-8
            {"\"\xf4\x90\x80\x80\"", false}, // beyond U+10FFFF
            {"\"\xe2\x82\"", false},         // cut short
            {"\"\x80\"", false},
            {"\"abc", false},
        };
        for (const auto &[text, valid] : cases)
            QTest::newRow(text) << QByteArray(text) << valid;
        const QByteArray deep = QByteArray("[").repeated(JsonView::kMaxDepth) +
                                QByteArray("]").repeated(JsonView::kMaxDepth);
        QTest::newRow("nested to the limit") << deep << true;
    }

    void agreesWithNlohmann()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QCOMPARE(JsonView::parse(text).has_value(), valid);
        QCOMPARE(QString::fromStdString(jsonviewdiff::disagreement(text)), QString());
    }

    /// The string scan reads eight bytes at a time: a byte that needs a look is found at
    /// every offset of a word, whatever comes before it.
    void findsASpecialByteAtEveryOffset()
    {
        const char specials[] = {'"', '\\', '\n', '\x1f', '\x7f', '\xc3', '\xff'};
        for (int offset = 0; offset < 24; ++offset) {
            for (const char special : specials) {
                QByteArray text = "[\"" + QByteArray(offset, 'a') + special + "bcdefghijklmnop\"]";
                const std::string difference = jsonviewdiff::disagreement(text);
                QVERIFY2(difference.empty(),
                         qPrintable(u"offset %1, byte %2: %3"_s.arg(offset).arg(
                             int(static_cast<unsigned char>(special)))
                                        .arg(QString::fromStdString(difference))));
            }
        }
    }

    void refusesDeepNestingAndNulBytes()
    {
        const QByteArray deep = QByteArray("[").repeated(JsonView::kMaxDepth + 1) +
                                QByteArray("]").repeated(JsonView::kMaxDepth + 1);
        QVERIFY(!JsonView::parse(deep));
        // A NUL byte is never valid unescaped (nlohmann reads "0\0x" as 0: it stops there).
        QVERIFY(!JsonView::parse(QByteArray("0\0x", 3)));
        QVERIFY(!JsonView::parse(QByteArray("\"a\0\"", 4)));
        QCOMPARE(QString::fromStdString(jsonviewdiff::disagreement(QByteArray("0\0x", 3))),
                 QString());
        // Two hundred thousand levels: refused without overflowing the stack.
        QVERIFY(!JsonView::parse(QByteArray("[").repeated(200000)));
    }

    void readsMembersAndDecodesOnlyWhatIsAsked()
    {
        // Not a raw string literal: moc cannot read one that holds a backslash and a quote.
        const QByteArray text =
            "{\"type\":\"message\",\"content\":[{\"type\":\"text\","
            "\"text\":\"caf\\u00e9 \\\"ok\\\"\"},{\"type\":\"tool_use\"}],"
            "\"usage\":{\"input_tokens\":12,\"output_tokens\":3.0},"
            "\"type\":\"mess\\u0061ge\"}";
        const auto json = JsonView::parse(text);
        QVERIFY(json);
        const JsonView::Index root = json->root();
        QVERIFY(json->is(root, JsonView::Kind::Object));
        // The repeated key's last value, escaped, still compares equal.
        QVERIFY(json->stringEquals(json->member(root, "type"_L1), "message"_L1));
        const JsonView::Index content = json->member(root, "content"_L1);
        const JsonView::Index block = json->first(content);
        QCOMPARE(json->string(json->member(block, "text"_L1)), std::optional(u"café \"ok\""_s));
        QVERIFY(json->is(json->next(block), JsonView::Kind::Object));
        QCOMPARE(json->next(json->next(block)), JsonView::kNone);
        const JsonView::Index usage = json->member(root, "usage"_L1);
        QCOMPARE(json->number(json->member(usage, "output_tokens"_L1)), std::optional(3.0));
        QCOMPARE(json->member(usage, "absent"_L1), JsonView::kNone);
        QCOMPARE(json->member(content, "type"_L1), JsonView::kNone); // an array has no members
        QCOMPARE(json->member(JsonView::kNone, "type"_L1), JsonView::kNone);
        QCOMPARE(json->string(content), std::nullopt);
        QCOMPARE(json->first(json->member(json->member(root, "usage"_L1), "input_tokens"_L1)),
                 JsonView::kNone);
    }

    /// The answers the fuzzers start from, and many seeded mutations of each, read alike.
    void agreesOnMutatedAnswers()
    {
        const QString source = qEnvironmentVariable("BREAKWATER_SOURCE_DIR");
        QVERIFY2(!source.isEmpty(), "BREAKWATER_SOURCE_DIR is not set");
        const QDir corpus(source + u"/fuzz/corpus/fuzz_jsonview"_s);
        const QStringList names = corpus.entryList(QDir::Files);
        QVERIFY(names.size() >= 5);
        static const char kInteresting[] = "{}[]\",:\\u0e+-. \x80\xc3\xed\xf4\xef";
        QRandomGenerator random(20261129);
        int accepted = 0;
        int refused = 0;
        for (const QString &name : names) {
            QFile file(corpus.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray seed = file.readAll();
            for (int round = 0; round < 3000; ++round) {
                QByteArray text = seed;
                const int edits = 1 + random.bounded(3);
                for (int e = 0; e < edits && !text.isEmpty(); ++e) {
                    const int at = random.bounded(text.size());
                    const char byte = kInteresting[random.bounded(int(sizeof kInteresting) - 1)];
                    switch (random.bounded(4)) {
                    case 0:
                        text[at] = byte;
                        break;
                    case 1:
                        text.insert(at, byte);
                        break;
                    case 2:
                        text.remove(at, 1);
                        break;
                    default:
                        text.truncate(at);
                        break;
                    }
                }
                const std::string difference = jsonviewdiff::disagreement(text);
                if (!difference.empty())
                    QFAIL(qPrintable(u"%1 mutated to %2: %3"_s.arg(
                        name, QString::fromLatin1(text.toPercentEncoding()),
                        QString::fromStdString(difference))));
                ++(JsonView::parse(text) ? accepted : refused);
            }
        }
        // The mutations must exercise both sides, or the comparison proves little.
        QVERIFY2(accepted > 1000 && refused > 1000,
                 qPrintable(u"%1 accepted, %2 refused"_s.arg(accepted).arg(refused)));
    }
};

QTEST_GUILESS_MAIN(TestJsonView)
#include "tst_jsonview.moc"

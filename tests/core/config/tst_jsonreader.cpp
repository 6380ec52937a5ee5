#include "config/jsonreader.h"
#include "retry/retrypolicy.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <limits>

using namespace breakwater;

namespace {

enum class Colour { Red, Green, Blue };

const EnumNames<Colour, 3> kColourNames{{{
    {Colour::Red, u"red"},
    {Colour::Green, u"green"},
    {Colour::Blue, u"blue"},
}}};

const QString kFile = QStringLiteral("t.json");

nlohmann::json parse(const QByteArray &text)
{
    return nlohmann::json::parse(text.cbegin(), text.cend());
}

// Runs `read` over `json` as a top-level reader, finishes it and returns every error as
// "file: path: message".
QStringList errorsOf(const nlohmann::json &json, const std::function<void(JsonReader &)> &read)
{
    QList<ValidationError> errors;
    JsonReader reader(json, kFile, errors);
    read(reader);
    reader.finish();
    QStringList lines;
    for (const ValidationError &error : errors)
        lines.append(error.toString());
    return lines;
}

QStringList expected(const QString &error)
{
    return error.isEmpty() ? QStringList() : QStringList{kFile + QStringLiteral(": ") + error};
}

Range rangeOf(double min, double max, bool minExclusive)
{
    Range range{min, max};
    range.minExclusive = minExclusive;
    return range;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

} // namespace

class TestJsonReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void absentFieldsGiveFallbacksWithoutErrors();
    void numberChecksTypeAndRange_data();
    void numberChecksTypeAndRange();
    void integerAcceptsWholeNumbersOnly_data();
    void integerAcceptsWholeNumbersOnly();
    void nonFiniteNumbersAreRejected();
    void integer64KeepsLargeIntegersExact();
    void secondsBecomeRoundedMilliseconds_data();
    void secondsBecomeRoundedMilliseconds();
    void booleanAcceptsOnlyTrueAndFalse_data();
    void booleanAcceptsOnlyTrueAndFalse();
    void stringChecksTypeAndEmptiness_data();
    void stringChecksTypeAndEmptiness();
    void stringsNamesTheBadItem();
    void enumValueFromTableListsAllowedNames_data();
    void enumValueFromTableListsAllowedNames();
    void enumValueFromNameFunctionListsAllowedNames();
    void pathsNameNestedFields();
    void unknownFieldsAreReportedWithSuggestions_data();
    void unknownFieldsAreReportedWithSuggestions();
    void unknownFieldsAreReportedOnce();
    void nestedReadersReportTheirOwnUnknownFields();
    void requireReportsMissingField();
    void containersOfTheWrongTypeAreErrors_data();
    void containersOfTheWrongTypeAreErrors();
    void arrayEnforcesMinimumItems_data();
    void arrayEnforcesMinimumItems();
    void collectsEveryErrorInOnePass();
    void rawMarksKeyKnownWithoutChecking();
    void joinAlternativesReadsLikeASentence_data();
    void joinAlternativesReadsLikeASentence();
};

void TestJsonReader::absentFieldsGiveFallbacksWithoutErrors()
{
    const nlohmann::json json = nlohmann::json::object();
    QList<ValidationError> errors;
    JsonReader reader(json, kFile, errors);
    QCOMPARE(reader.number("n", 1.5), 1.5);
    QCOMPARE(reader.integer("i", 7), 7);
    QCOMPARE(reader.integer64("l", 9), qint64(9));
    QCOMPARE(reader.seconds("s", Millis(250)), Millis(250));
    QCOMPARE(reader.boolean("b", true), true);
    QCOMPARE(reader.string("t", QStringLiteral("x"), StringRule::NonEmpty), QStringLiteral("x"));
    QCOMPARE(reader.strings("l2", {QStringLiteral("a")}), QStringList{QStringLiteral("a")});
    QCOMPARE(reader.enumValue("c", Colour::Blue, kColourNames), Colour::Blue);
    QVERIFY(!reader.object("o", [](JsonReader &) { QFAIL("absent object read"); }));
    QVERIFY(!reader.array(
        "a", [](int, JsonReader &) { QFAIL("absent array read"); }, 1));
    QVERIFY(!reader.members("m", [](const QString &, JsonReader &) { QFAIL("absent map read"); }));
    QVERIFY(!reader.raw("r"));
    reader.finish();
    QVERIFY(errors.isEmpty());
}

void TestJsonReader::numberChecksTypeAndRange_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<bool>("minExclusive");
    QTest::addColumn<double>("expectedValue");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("in range") << QByteArray("12.5") << 0.0 << 3600.0 << false << 12.5 << QString();
    QTest::newRow("lower bound is inclusive")
        << QByteArray("0") << 0.0 << 1.0 << false << 0.0 << QString();
    QTest::newRow("upper bound is inclusive")
        << QByteArray("1") << 0.0 << 1.0 << false << 1.0 << QString();
    QTest::newRow("below minimum") << QByteArray("-0.5") << 0.0 << 3600.0 << false << 9.0
                                   << QStringLiteral("n: must be a number >= 0");
    QTest::newRow("exclusive minimum") << QByteArray("0") << 0.0 << kInf << true << 9.0
                                       << QStringLiteral("n: must be a number > 0");
    QTest::newRow("above maximum") << QByteArray("3601") << 0.0 << 3600.0 << false << 9.0
                                   << QStringLiteral("n: must be a number <= 3600");
    QTest::newRow("absurdly large") << QByteArray("1e300") << 0.0 << 3600.0 << false << 9.0
                                    << QStringLiteral("n: must be a number <= 3600");
    QTest::newRow("fractional bound") << QByteArray("1.5") << 0.0 << 0.25 << false << 9.0
                                      << QStringLiteral("n: must be a number <= 0.25");
    QTest::newRow("string") << QByteArray("\"5\"") << 0.0 << kInf << false << 9.0
                            << QStringLiteral("n: must be a number");
    QTest::newRow("boolean is not a number") << QByteArray("true") << 0.0 << kInf << false << 9.0
                                             << QStringLiteral("n: must be a number");
    QTest::newRow("null is not absent") << QByteArray("null") << 0.0 << kInf << false << 9.0
                                        << QStringLiteral("n: must be a number");
    QTest::newRow("array") << QByteArray("[1]") << 0.0 << kInf << false << 9.0
                           << QStringLiteral("n: must be a number");
}

void TestJsonReader::numberChecksTypeAndRange()
{
    QFETCH(QByteArray, value);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(bool, minExclusive);
    QFETCH(double, expectedValue);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"n\": " + value + '}');
    double result = 0;
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        result = reader.number("n", 9.0, rangeOf(min, max, minExclusive));
    });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result, expectedValue);
}

void TestJsonReader::integerAcceptsWholeNumbersOnly_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<int>("expectedValue");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("integer") << QByteArray("3") << 1.0 << 100.0 << 3 << QString();
    QTest::newRow("negative") << QByteArray("-3") << -kInf << kInf << -3 << QString();
    QTest::newRow("integral float") << QByteArray("2.0") << 1.0 << 100.0 << 2 << QString();
    QTest::newRow("exponent form") << QByteArray("1e2") << 1.0 << 100.0 << 100 << QString();
    QTest::newRow("fraction") << QByteArray("1.5") << 1.0 << 100.0 << -1
                              << QStringLiteral("i: must be an integer");
    QTest::newRow("boolean") << QByteArray("true") << 1.0 << 100.0 << -1
                             << QStringLiteral("i: must be an integer");
    QTest::newRow("numeric string")
        << QByteArray("\"2\"") << 1.0 << 100.0 << -1 << QStringLiteral("i: must be an integer");
    QTest::newRow("below minimum")
        << QByteArray("0") << 1.0 << 100.0 << -1 << QStringLiteral("i: must be an integer >= 1");
    QTest::newRow("above maximum") << QByteArray("101") << 1.0 << 100.0 << -1
                                   << QStringLiteral("i: must be an integer <= 100");
    QTest::newRow("beyond int without a range")
        << QByteArray("10000000000") << -kInf << kInf << -1
        << QStringLiteral("i: must be an integer <= 2147483647");
    QTest::newRow("far below int without a range")
        << QByteArray("-1e300") << -kInf << kInf << -1
        << QStringLiteral("i: must be an integer >= -2147483648");
}

void TestJsonReader::integerAcceptsWholeNumbersOnly()
{
    QFETCH(QByteArray, value);
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(int, expectedValue);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"i\": " + value + '}');
    int result = 0;
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        result = reader.integer("i", -1, Range{min, max});
    });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result, expectedValue);
}

void TestJsonReader::nonFiniteNumbersAreRejected()
{
    // JSON text cannot spell these, but a json built in code (or merged from one) can.
    nlohmann::json json;
    json["nan"] = std::nan("");
    json["inf"] = kInf;
    json["ninf"] = -kInf;
    const QStringList errors = errorsOf(json, [](JsonReader &reader) {
        QCOMPARE(reader.number("inf", 1.0), 1.0);
        QCOMPARE(reader.number("nan", 1.0), 1.0);
        QCOMPARE(reader.integer("ninf", 1), 1);
    });
    QCOMPARE(errors, (QStringList{QStringLiteral("t.json: inf: must be a finite number"),
                                  QStringLiteral("t.json: nan: must be a finite number"),
                                  QStringLiteral("t.json: ninf: must be a finite number")}));
}

void TestJsonReader::integer64KeepsLargeIntegersExact()
{
    // 2^53 + 1 cannot be held by a double: reading it through one would give 2^53.
    const nlohmann::json json = parse("{\"seed\": 9007199254740993, \"f\": 4.0, \"neg\": -5}");
    const QStringList errors = errorsOf(json, [](JsonReader &reader) {
        QCOMPARE(reader.integer64("seed", 0), Q_INT64_C(9007199254740993));
        QCOMPARE(reader.integer64("f", 0), qint64(4));
        QCOMPARE(reader.integer64("neg", 0, Range::atLeast(0)), qint64(0));
    });
    QCOMPARE(errors, expected(QStringLiteral("neg: must be an integer >= 0")));
}

void TestJsonReader::secondsBecomeRoundedMilliseconds_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expectedMs");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("whole seconds") << QByteArray("5") << qint64(5000) << QString();
    QTest::newRow("fraction") << QByteArray("1.5") << qint64(1500) << QString();
    QTest::newRow("rounded to the millisecond") << QByteArray("0.0016") << qint64(2) << QString();
    QTest::newRow("zero") << QByteArray("0") << qint64(0) << QString();
    QTest::newRow("negative") << QByteArray("-1") << qint64(42)
                              << QStringLiteral("s: must be a number >= 0");
    QTest::newRow("more than a year")
        << QByteArray("1e9") << qint64(42) << QStringLiteral("s: must be a number <= 31536000");
    QTest::newRow("string") << QByteArray("\"5s\"") << qint64(42)
                            << QStringLiteral("s: must be a number");
}

void TestJsonReader::secondsBecomeRoundedMilliseconds()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, expectedMs);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"s\": " + value + '}');
    Millis result{0};
    const QStringList errors =
        errorsOf(json, [&](JsonReader &reader) { result = reader.seconds("s", Millis(42)); });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result.count(), expectedMs);
}

void TestJsonReader::booleanAcceptsOnlyTrueAndFalse_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("expectedValue");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("true") << QByteArray("true") << true << QString();
    QTest::newRow("false") << QByteArray("false") << false << QString();
    QTest::newRow("one") << QByteArray("1") << true << QStringLiteral("b: must be true or false");
    QTest::newRow("zero") << QByteArray("0") << true << QStringLiteral("b: must be true or false");
    QTest::newRow("string") << QByteArray("\"false\"") << true
                            << QStringLiteral("b: must be true or false");
}

void TestJsonReader::booleanAcceptsOnlyTrueAndFalse()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, expectedValue);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"b\": " + value + '}');
    bool result = false;
    const QStringList errors =
        errorsOf(json, [&](JsonReader &reader) { result = reader.boolean("b", true); });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result, expectedValue);
}

void TestJsonReader::stringChecksTypeAndEmptiness_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("nonEmpty");
    QTest::addColumn<QString>("expectedValue");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("string") << QByteArray("\"héllo\"") << true << QStringLiteral("héllo")
                            << QString();
    QTest::newRow("empty allowed") << QByteArray("\"\"") << false << QString() << QString();
    QTest::newRow("empty refused") << QByteArray("\"\"") << true << QStringLiteral("fallback")
                                   << QStringLiteral("t: must be a non-empty string");
    QTest::newRow("number") << QByteArray("5") << false << QStringLiteral("fallback")
                            << QStringLiteral("t: must be a string");
    QTest::newRow("object") << QByteArray("{}") << false << QStringLiteral("fallback")
                            << QStringLiteral("t: must be a string");
}

void TestJsonReader::stringChecksTypeAndEmptiness()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, nonEmpty);
    QFETCH(QString, expectedValue);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"t\": " + value + '}');
    QString result;
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        result = reader.string("t", QStringLiteral("fallback"),
                               nonEmpty ? StringRule::NonEmpty : StringRule::Any);
    });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result, expectedValue);
}

void TestJsonReader::stringsNamesTheBadItem()
{
    const nlohmann::json json = parse(R"({"ok": ["a", "b"], "bad": ["a", 3, ""], "scalar": "a"})");
    const QStringList fallback{QStringLiteral("f")};
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        QCOMPARE(reader.strings("ok", fallback),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(reader.strings("bad", fallback, StringRule::NonEmpty), fallback);
        QCOMPARE(reader.strings("scalar", fallback), fallback);
    });
    QCOMPARE(errors, (QStringList{QStringLiteral("t.json: bad[1]: must be a non-empty string"),
                                  QStringLiteral("t.json: bad[2]: must be a non-empty string"),
                                  QStringLiteral("t.json: scalar: must be an array of strings")}));
}

void TestJsonReader::enumValueFromTableListsAllowedNames_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("expectedValue");
    QTest::addColumn<QString>("expectedError");

    const QString error = QStringLiteral("c: must be one of red, green or blue");
    QTest::newRow("known name") << QByteArray("\"green\"") << int(Colour::Green) << QString();
    QTest::newRow("names are case-sensitive")
        << QByteArray("\"Green\"") << int(Colour::Blue) << error;
    QTest::newRow("unknown name") << QByteArray("\"purple\"") << int(Colour::Blue) << error;
    QTest::newRow("number") << QByteArray("1") << int(Colour::Blue) << error;
}

void TestJsonReader::enumValueFromTableListsAllowedNames()
{
    QFETCH(QByteArray, value);
    QFETCH(int, expectedValue);
    QFETCH(QString, expectedError);

    const nlohmann::json json = parse("{\"c\": " + value + '}');
    Colour result = Colour::Red;
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        result = reader.enumValue("c", Colour::Blue, kColourNames);
    });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(int(result), expectedValue);
}

void TestJsonReader::enumValueFromNameFunctionListsAllowedNames()
{
    const nlohmann::json json = parse(R"({"good": "decorrelated", "bad": "gaussian"})");
    const std::initializer_list<JitterMode> modes{JitterMode::Additive, JitterMode::Full,
                                                  JitterMode::Equal, JitterMode::Decorrelated,
                                                  JitterMode::None};
    const QStringList errors = errorsOf(json, [&](JsonReader &reader) {
        QCOMPARE(reader.enumValue("good", JitterMode::None, modes, jitterModeName),
                 JitterMode::Decorrelated);
        QCOMPARE(reader.enumValue("bad", JitterMode::None, modes, jitterModeName),
                 JitterMode::None);
    });
    QCOMPARE(errors, expected(QStringLiteral(
                         "bad: must be one of additive, full, equal, decorrelated or none")));
}

void TestJsonReader::pathsNameNestedFields()
{
    const nlohmann::json json = parse(R"({"chaos": {"timeline": [
        {"at_s": 1}, {"at_s": 2}, {"at_s": -3}]},
      "models": {"claude-sonnet-4-5": {"faults": {"rate": 2}},
                 "*": {"rate": 2},
                 "gpt-4.1": {"rate": 2},
                 "say \"hi\"": {"rate": 2}}})");
    const QStringList errors = errorsOf(json, [](JsonReader &root) {
        root.object("chaos", [](JsonReader &chaos) {
            chaos.array("timeline",
                        [](int, JsonReader &entry) { entry.number("at_s", 0, Range::atLeast(0)); });
        });
        root.members("models", [](const QString &name, JsonReader &model) {
            if (name == u"claude-sonnet-4-5") {
                model.object("faults", [](JsonReader &faults) {
                    faults.number("rate", 0, Range{0, 1});
                });
            } else {
                model.number("rate", 0, Range{0, 1});
            }
        });
    });
    QCOMPARE(
        errors,
        (QStringList{
            QStringLiteral("t.json: chaos.timeline[2].at_s: must be a number >= 0"),
            QStringLiteral("t.json: models[\"*\"].rate: must be a number <= 1"),
            QStringLiteral("t.json: models.claude-sonnet-4-5.faults.rate: must be a number <= 1"),
            QStringLiteral("t.json: models[\"gpt-4.1\"].rate: must be a number <= 1"),
            QStringLiteral("t.json: models[\"say \\\"hi\\\"\"].rate: must be a number <= 1"),
        }));
}

void TestJsonReader::unknownFieldsAreReportedWithSuggestions_data()
{
    QTest::addColumn<QByteArray>("object");
    QTest::addColumn<QString>("expectedError");

    // The reader asks about max_attempts, initial_s, retry and port.
    QTest::newRow("missing letter")
        << QByteArray(R"({"max_attempt": 3})")
        << QStringLiteral("unknown field 'max_attempt' (did you mean 'max_attempts'?)");
    QTest::newRow("transposed letters")
        << QByteArray(R"({"retyr": 3})")
        << QStringLiteral("unknown field 'retyr' (did you mean 'retry'?)");
    QTest::newRow("wrong case") << QByteArray(R"({"Initial_S": 3})")
                                << QStringLiteral(
                                       "unknown field 'Initial_S' (did you mean 'initial_s'?)");
    QTest::newRow("nothing close")
        << QByteArray(R"({"colour": 3})") << QStringLiteral("unknown field 'colour'");
    QTest::newRow("short key not corrected into another")
        << QByteArray(R"({"pt": 3})") << QStringLiteral("unknown field 'pt'");
    QTest::newRow("no suggestion of a key already given")
        << QByteArray(R"({"max_attempts": 3, "max_attempt": 3})")
        << QStringLiteral("unknown field 'max_attempt'");
}

void TestJsonReader::unknownFieldsAreReportedWithSuggestions()
{
    QFETCH(QByteArray, object);
    QFETCH(QString, expectedError);

    const QStringList errors = errorsOf(parse(object), [](JsonReader &reader) {
        reader.integer("max_attempts", 1);
        reader.number("initial_s", 1);
        reader.number("retry", 1);
        reader.integer("port", 1);
    });
    QCOMPARE(errors, expected(expectedError));
}

void TestJsonReader::unknownFieldsAreReportedOnce()
{
    const nlohmann::json json = parse(R"({"a": 1, "b": 2})");
    QList<ValidationError> errors;
    JsonReader reader(json, kFile, errors);
    reader.integer("a", 0);
    reader.finish();
    reader.finish();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().toString(), QStringLiteral("t.json: unknown field 'b'"));
}

void TestJsonReader::nestedReadersReportTheirOwnUnknownFields()
{
    const nlohmann::json json =
        parse(R"({"retry": {"max_attempt": 3}, "chain": [{"model": "m", "modle": "x"}],
                  "providers": {"p": {"kind": "openai", "knd": "x"}}})");
    const QStringList errors = errorsOf(json, [](JsonReader &root) {
        root.object("retry", [](JsonReader &retry) { retry.integer("max_attempts", 1); });
        root.array("chain", [](int, JsonReader &entry) { entry.string("model"); });
        root.members("providers",
                     [](const QString &, JsonReader &provider) { provider.string("kind"); });
    });
    QCOMPARE(errors,
             (QStringList{
                 QStringLiteral(
                     "t.json: retry: unknown field 'max_attempt' (did you mean 'max_attempts'?)"),
                 QStringLiteral("t.json: chain[0]: unknown field 'modle'"),
                 QStringLiteral("t.json: providers.p: unknown field 'knd'"),
             }));
}

void TestJsonReader::requireReportsMissingField()
{
    const nlohmann::json json = parse(R"({"chain": [{"provider": "p"}, {"model": "m"}]})");
    const QStringList errors = errorsOf(json, [](JsonReader &root) {
        root.array("chain", [](int, JsonReader &entry) {
            if (entry.require("model"))
                QCOMPARE(entry.string("model"), QStringLiteral("m"));
            entry.string("provider");
        });
    });
    QCOMPARE(errors, expected(QStringLiteral("chain[0]: missing required field 'model'")));
}

void TestJsonReader::containersOfTheWrongTypeAreErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("object given a number")
        << QByteArray(R"({"o": 5})") << QStringLiteral("o: must be an object");
    QTest::newRow("object given an array")
        << QByteArray(R"({"o": []})") << QStringLiteral("o: must be an object");
    QTest::newRow("array given an object")
        << QByteArray(R"({"a": {}})") << QStringLiteral("a: must be an array");
    QTest::newRow("array item not an object")
        << QByteArray(R"({"a": [{}, 3]})") << QStringLiteral("a[1]: must be an object");
    QTest::newRow("map given an array")
        << QByteArray(R"({"m": [1]})") << QStringLiteral("m: must be an object");
    QTest::newRow("map entry not an object")
        << QByteArray(R"({"m": {"x": "y"}})") << QStringLiteral("m.x: must be an object");
}

void TestJsonReader::containersOfTheWrongTypeAreErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expectedError);

    int reads = 0;
    const QStringList errors = errorsOf(parse(json), [&reads](JsonReader &reader) {
        reader.object("o", [&reads](JsonReader &) { ++reads; });
        reader.array("a", [&reads](int, JsonReader &) { ++reads; });
        reader.members("m", [&reads](const QString &, JsonReader &) { ++reads; });
    });
    QCOMPARE(errors, expected(expectedError));
    // Only the well-formed `{}` item of "a" is handed to a callback.
    QCOMPARE(reads, json.contains("[{}, 3]") ? 1 : 0);
}

void TestJsonReader::arrayEnforcesMinimumItems_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("minItems");
    QTest::addColumn<bool>("expectedResult");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("empty allowed") << QByteArray(R"({"a": []})") << 0 << true << QString();
    QTest::newRow("empty refused") << QByteArray(R"({"a": []})") << 1 << false
                                   << QStringLiteral("a: must be a non-empty array");
    QTest::newRow("too few") << QByteArray(R"({"a": [{}]})") << 2 << false
                             << QStringLiteral("a: must have at least 2 items");
    QTest::newRow("enough") << QByteArray(R"({"a": [{}, {}]})") << 2 << true << QString();
}

void TestJsonReader::arrayEnforcesMinimumItems()
{
    QFETCH(QByteArray, json);
    QFETCH(int, minItems);
    QFETCH(bool, expectedResult);
    QFETCH(QString, expectedError);

    bool result = false;
    const QStringList errors = errorsOf(parse(json), [&](JsonReader &reader) {
        result = reader.array(
            "a", [](int, JsonReader &) {}, minItems);
    });
    QCOMPARE(errors, expected(expectedError));
    QCOMPARE(result, expectedResult);
}

void TestJsonReader::collectsEveryErrorInOnePass()
{
    const nlohmann::json json = parse(R"({"a": "x", "b": -1, "c": {"d": true, "e": 1},
                                          "f": [{"g": 1.5}], "z": 0})");
    const QStringList errors = errorsOf(json, [](JsonReader &root) {
        root.number("a", 0);
        root.integer("b", 0, Range::atLeast(0));
        root.object("c", [](JsonReader &c) { c.string("d"); });
        root.array("f", [](int, JsonReader &f) { f.integer("g", 0); });
    });
    QCOMPARE(errors, (QStringList{
                         QStringLiteral("t.json: a: must be a number"),
                         QStringLiteral("t.json: b: must be an integer >= 0"),
                         QStringLiteral("t.json: c.d: must be a string"),
                         QStringLiteral("t.json: c: unknown field 'e'"),
                         QStringLiteral("t.json: f[0].g: must be an integer"),
                         QStringLiteral("t.json: unknown field 'z'"),
                     }));
}

void TestJsonReader::rawMarksKeyKnownWithoutChecking()
{
    const nlohmann::json json = parse(R"({"config": {"anything": [1, "x"]}})");
    const QStringList errors = errorsOf(json, [](JsonReader &reader) {
        const nlohmann::json *config = reader.raw("config");
        QVERIFY(config);
        QCOMPARE(config->at("anything").size(), std::size_t(2));
        reader.fieldError("config", QStringLiteral("checked elsewhere"));
        reader.error(QStringLiteral("whole-file problem"));
    });
    QCOMPARE(errors, (QStringList{QStringLiteral("t.json: config: checked elsewhere"),
                                  QStringLiteral("t.json: whole-file problem")}));
}

void TestJsonReader::joinAlternativesReadsLikeASentence_data()
{
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("expectedText");

    QTest::newRow("none") << QStringList() << QString();
    QTest::newRow("one") << QStringList{QStringLiteral("a")} << QStringLiteral("a");
    QTest::newRow("two") << QStringList{QStringLiteral("a"), QStringLiteral("b")}
                         << QStringLiteral("a or b");
    QTest::newRow("three") << QStringList{QStringLiteral("a"), QStringLiteral("b"),
                                          QStringLiteral("c")}
                           << QStringLiteral("a, b or c");
}

void TestJsonReader::joinAlternativesReadsLikeASentence()
{
    QFETCH(QStringList, names);
    QFETCH(QString, expectedText);
    QCOMPARE(joinAlternatives(names), expectedText);
}

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"

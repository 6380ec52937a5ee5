#include "chunking.h"
#include "providers/sseparser.h"

#include <QTest>

using namespace breakwater;
using namespace breakwater::testing;

namespace breakwater {
char *toString(const SseEvent &event)
{
    return QTest::toString("SseEvent(type=" + event.type + ", data=" +
                           event.data.toPercentEncoding() + ", id=" + event.lastEventId + ")");
}
} // namespace breakwater

namespace {

using Events = QList<SseEvent>;

SseEvent sse(const QByteArray &data, const QByteArray &type = QByteArrayLiteral("message"),
             const QByteArray &id = QByteArray())
{
    return SseEvent{type, data, id};
}

/// Rewrites a stream written with '\n' to use `ending` (or a rotation of all three for
/// "mixed"; the rotation never puts a CR right before an LF, which would merge two ends).
QByteArray withLineEnding(const QByteArray &lfStream, const QByteArray &ending)
{
    const QList<QByteArray> lines = lfStream.split('\n');
    static const QByteArray mixed[] = {"\r\n", "\n", "\r"};
    QByteArray out;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        out += lines.at(i);
        if (i + 1 < lines.size())
            out += ending.isEmpty() ? mixed[i % 3] : ending;
    }
    return out;
}

Events parseAll(SseParser &parser, const QByteArray &stream, Chunking chunking, quint64 seed)
{
    Events events;
    for (const QByteArray &chunk : chunksOf(stream, chunking, seed))
        events += parser.feed(chunk);
    return events;
}

} // namespace

class TestSseParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dispatchesTheSameEventsForEveryLineEndingAndChunking_data();
    void dispatchesTheSameEventsForEveryLineEndingAndChunking();
    void crlfSplitBetweenChunksEndsOneLine();
    void crAtChunkEndFollowedByCrEndsTwoLines();
    void keepsTheLastValidRetry_data();
    void keepsTheLastValidRetry();
    void rejectsAnEventOverTheLimitHoweverChunked_data();
    void rejectsAnEventOverTheLimitHoweverChunked();
    void ignoresEverythingAfterFailing();
    void limitAppliesPerEventNotPerStream();
};

void TestSseParser::dispatchesTheSameEventsForEveryLineEndingAndChunking_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<Events>("expected");

    struct Case {
        const char *name;
        QByteArray lfStream;
        Events expected;
    };
    const QList<Case> cases = {
        {"named event", "event: greeting\ndata: hello\n\n", {sse("hello", "greeting")}},
        {"unnamed event is message", "data: hi\n\n", {sse("hi")}},
        {"multi-line data joined with LF",
         "data: one\ndata: two\ndata: three\n\n",
         {sse("one\ntwo\nthree")}},
        {"comments ignored", ": keep-alive\ndata: x\n: another\n\n:\n", {sse("x")}},
        {"event without data dropped, type reset", "event: ping\n\ndata: y\n\n", {sse("y")}},
        {"field without colon has empty value", "data\n\n", {sse("")}},
        {"empty data line dispatches empty data", "data:\n\n", {sse("")}},
        {"one leading space stripped only",
         "data:no-space\ndata:  two\n\n",
         {sse("no-space\n two")}},
        {"unknown fields ignored", "foo: bar\nData: no\ndata: z\n\n", {sse("z")}},
        {"empty event type is message", "event:\ndata: e\n\n", {sse("e")}},
        {"colon inside the value kept", "data: {\"a\":\"b:c\"}\n\n", {sse("{\"a\":\"b:c\"}")}},
        {"id persists across events",
         "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
         {sse("a", "message", "7"), sse("b", "message", "7"), sse("c")}},
        {"id containing NUL ignored",
         QByteArray("id: 1\ndata: a\n\nid: 2") + '\0' + "x\ndata: b\n\n",
         {sse("a", "message", "1"), sse("b", "message", "1")}},
        {"blank lines between events are no-ops",
         "data: a\n\n\n\ndata: b\n\n",
         {sse("a"), sse("b")}},
        {"incomplete last event never dispatched", "data: a\n\ndata: b\n", {sse("a")}},
        {"leading BOM ignored once",
         "\xEF\xBB\xBF"
         "data: a\n\n\xEF\xBB\xBF"
         "data: b\n\n",
         {sse("a")}},
        {"UTF-8 passes through as bytes",
         "data: gr\xC3\xBC\xC3\x9F\x65\n\n",
         {sse("gr\xC3\xBC\xC3\x9F\x65")}},
        {"anthropic-shaped stream",
         "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
         "event: ping\ndata: {\"type\": \"ping\"}\n\n"
         "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
         {sse("{\"type\":\"message_start\"}", "message_start"), sse("{\"type\": \"ping\"}", "ping"),
          sse("{\"type\":\"message_stop\"}", "message_stop")}},
        {"openai-shaped stream",
         "data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
         {sse("{\"choices\":[]}"), sse("[DONE]")}},
    };
    const QList<std::pair<const char *, QByteArray>> endings = {
        {"LF", "\n"}, {"CRLF", "\r\n"}, {"CR", "\r"}, {"mixed", QByteArray()}};

    for (const Case &c : cases) {
        for (const auto &[endingName, ending] : endings) {
            QTest::addRow("%s / %s", c.name, endingName)
                << withLineEnding(c.lfStream, ending) << c.expected;
        }
    }
}

void TestSseParser::dispatchesTheSameEventsForEveryLineEndingAndChunking()
{
    QFETCH(QByteArray, stream);
    QFETCH(Events, expected);

    for (const auto &[chunking, seed] : allChunkings()) {
        SseParser parser;
        const Events events = parseAll(parser, stream, chunking, seed);
        QVERIFY2(!parser.hasFailed(), chunkingName(chunking));
        if (events != expected)
            qWarning("chunking %s, seed %llu", chunkingName(chunking), qulonglong(seed));
        QCOMPARE(events, expected);
    }
}

void TestSseParser::crlfSplitBetweenChunksEndsOneLine()
{
    SseParser parser;
    QCOMPARE(parser.feed("data: a\r"), Events());
    // The LF completes the CRLF begun in the last chunk: not a blank line, so no dispatch.
    QCOMPARE(parser.feed("\n"), Events());
    // A bare CR is a whole line end: the event goes out without waiting for an LF.
    QCOMPARE(parser.feed("\r"), Events({sse("a")}));
    QCOMPARE(parser.feed("\ndata: b\r\n\r\n"), Events({sse("b")}));
}

void TestSseParser::crAtChunkEndFollowedByCrEndsTwoLines()
{
    SseParser parser;
    QCOMPARE(parser.feed("data: a\r"), Events());
    QCOMPARE(parser.feed("\rdata: b\r\r"), Events({sse("a"), sse("b")}));
}

void TestSseParser::keepsTheLastValidRetry_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qint64>("expectedMs"); // -1: none

    QTest::newRow("digits") << QByteArray("retry: 1500\n") << qint64(1500);
    QTest::newRow("zero") << QByteArray("retry:0\n") << qint64(0);
    QTest::newRow("not all digits") << QByteArray("retry: 15x\n") << qint64(-1);
    QTest::newRow("negative") << QByteArray("retry: -5\n") << qint64(-1);
    QTest::newRow("empty") << QByteArray("retry:\n") << qint64(-1);
    QTest::newRow("too large to hold")
        << QByteArray("retry: 99999999999999999999999\n") << qint64(-1);
    QTest::newRow("invalid keeps earlier")
        << QByteArray("retry: 1500\nretry: abc\n") << qint64(1500);
    QTest::newRow("later valid wins") << QByteArray("retry: 1500\nretry: 20\n") << qint64(20);
}

void TestSseParser::keepsTheLastValidRetry()
{
    QFETCH(QByteArray, stream);
    QFETCH(qint64, expectedMs);

    SseParser parser;
    parser.feed(stream);
    QCOMPARE(parser.reconnectionTimeMs().value_or(-1), expectedMs);
}

void TestSseParser::rejectsAnEventOverTheLimitHoweverChunked_data()
{
    QTest::addColumn<qsizetype>("limit");
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<bool>("fails");
    QTest::addColumn<Events>("expectedEvents");

    const qsizetype limit = 64;
    const QByteArray fits(limit - 6, 'x'); // "data: " + 58 bytes = exactly 64
    const QByteArray tooBig(limit - 5, 'x');
    QTest::newRow("data line exactly at the limit") << limit << "data: " + fits + "\n\n"
                                                    << false << Events({sse(fits)});
    QTest::newRow("data line one byte over") << limit << "data: a\n\ndata: " + tooBig + "\n\n"
                                             << true << Events({sse("a")});
    QTest::newRow("many short data lines add up")
        << limit << "data: ok\n\n" + QByteArray("data: 0123456789\n").repeated(8) + "\n"
        << true << Events({sse("ok")});
    QTest::newRow("unterminated line") << limit << QByteArray(200, 'y') << true << Events();
    QTest::newRow("long comment line") << limit << ": " + QByteArray(100, 'c') + "\n"
                                       << true << Events();
    QTest::newRow("long event type") << limit << "event: " + QByteArray(100, 't') + "\n"
                                     << true << Events();
    QTest::newRow("long id") << limit << "id: " + QByteArray(100, 'i') + "\n" << true << Events();
    QTest::newRow("8 MiB default: 9 MiB data line")
        << SseParser::kDefaultMaxEventBytes << "data: " + QByteArray(9 * 1024 * 1024, 'z') + "\n\n"
        << true << Events();
}

void TestSseParser::rejectsAnEventOverTheLimitHoweverChunked()
{
    QFETCH(qsizetype, limit);
    QFETCH(QByteArray, stream);
    QFETCH(bool, fails);
    QFETCH(Events, expectedEvents);

    // Byte by byte through 9 MiB is slow and proves nothing more: big rows go whole and random.
    for (const auto &[chunking, seed] : allChunkings()) {
        if (stream.size() > 100000 && (chunking == Chunking::ByteByByte || seed > 1))
            continue;
        SseParser parser(limit);
        const Events events = parseAll(parser, stream, chunking, seed);
        QVERIFY2(parser.hasFailed() == fails, chunkingName(chunking));
        QCOMPARE(events, expectedEvents);
        QCOMPARE(parser.errorString().isEmpty(), !fails);
    }
}

void TestSseParser::ignoresEverythingAfterFailing()
{
    SseParser parser(32);
    QCOMPARE(parser.feed("data: " + QByteArray(40, 'x')), Events());
    QVERIFY(parser.hasFailed());
    QCOMPARE(parser.feed("\n\ndata: fine\n\n"), Events());
    QVERIFY(parser.hasFailed());
    QVERIFY(parser.errorString().contains(u"32"));
}

void TestSseParser::limitAppliesPerEventNotPerStream()
{
    const QByteArray oneEvent = "data: " + QByteArray(40, 'd') + "\n\n";
    for (const auto &[chunking, seed] : allChunkings()) {
        SseParser parser(64);
        const Events events = parseAll(parser, oneEvent.repeated(1000), chunking, seed);
        QVERIFY(!parser.hasFailed());
        QCOMPARE(events.size(), 1000);
    }
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"

// Job files: every kind of bad line is reported by its number and skipped, the good lines
// around it kept; the call each job asks for.
#include "batch/jobfile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestJobFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void badLineIsReportedByNumberAndSkipped_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("invalid JSON")
            << QByteArray(R"({"id":"x","prompt":)") << u"invalid JSON: column 20: syntax error"_s;
        QTest::newRow("not JSON at all") << QByteArray("hello") << u"invalid JSON"_s;
        // Found by fuzz_jobline: out_of_range, not parse_error, escaped and ended the batch.
        QTest::newRow("number beyond double")
            << QByteArray(R"({"id":"x","prompt":"p","n":1e400})") << u"invalid JSON"_s;
        QTest::newRow("an array") << QByteArray(R"(["id","prompt"])") << u"must be a JSON object"_s;
        QTest::newRow("missing id") << QByteArray(R"({"prompt":"p"})") << u"missing \"id\""_s;
        QTest::newRow("numeric id")
            << QByteArray(R"({"id":17,"prompt":"p"})") << u"\"id\" must be a non-empty string"_s;
        QTest::newRow("empty id") << QByteArray(R"({"id":"","prompt":"p"})")
                                  << u"\"id\" must be a non-empty string"_s;
        QTest::newRow("missing prompt") << QByteArray(R"({"id":"x"})") << u"missing \"prompt\""_s;
        QTest::newRow("prompt not a string")
            << QByteArray(R"({"id":"x","prompt":["p"]})") << u"\"prompt\" must be a string"_s;
        QTest::newRow("empty prompt")
            << QByteArray(R"({"id":"x","prompt":""})") << u"empty \"prompt\""_s;
        QTest::newRow("blank prompt")
            << QByteArray(R"({"id":"x","prompt":" \t\n "})") << u"empty \"prompt\""_s;
        QTest::newRow("unknown chaos fault")
            << QByteArray(R"({"id":"x","prompt":"p","chaos_fault":"explode"})")
            << u"\"chaos_fault\" must be one of ok, rate_limited"_s;
        QTest::newRow("negative latency")
            << QByteArray(R"({"id":"x","prompt":"p","chaos_latency_ms":-1})")
            << u"\"chaos_latency_ms\" must be a whole number"_s;
    }

    void badLineIsReportedByNumberAndSkipped()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, message);
        const QByteArray data = R"({"id":"before","prompt":"one"})"
                                "\n\n" +
                                line + "\n" + R"({"id":"after","prompt":"two"})";
        const ParsedJobs parsed = parseJobLines(data);
        QCOMPARE(parsed.errors.size(), 1);
        QCOMPARE(parsed.errors.first().line, 3);
        const QString text = parsed.errors.first().toString(u"jobs.jsonl"_s);
        QVERIFY2(text.startsWith(u"jobs.jsonl:3: "_s + message), qPrintable(text));
        QCOMPARE(parsed.jobs.size(), 2);
        QCOMPARE(parsed.jobs[0].id, u"before"_s);
        QCOMPARE(parsed.jobs[1].id, u"after"_s);
        QCOMPARE(parsed.lines, (QList<int>{1, 4}));
    }

    void repeatedIdKeepsTheFirstLine()
    {
        const ParsedJobs parsed = parseJobLines(R"({"id":"a","prompt":"first"})"
                                                "\n"
                                                R"({"id":"b","prompt":"b"})"
                                                "\n"
                                                R"({"id":"a","prompt":"second"})"
                                                "\n");
        QCOMPARE(parsed.jobs.size(), 2);
        QCOMPARE(parsed.jobs[0].prompt, u"first"_s);
        QCOMPARE(parsed.errors.size(), 1);
        QCOMPARE(parsed.errors[0].toString(u"j"_s), u"j:3: duplicate id \"a\" (first on line 1)"_s);
    }

    void wholeLineIsKeptAsThePayload()
    {
        const ParsedJobs parsed =
            parseJobLines("\xEF\xBB\xBF"
                          R"({"id":"a","prompt":"p","tenant":"acme","chaos_fault":"ok"})"
                          "\r\n");
        QVERIFY(parsed.errors.isEmpty());
        QCOMPARE(parsed.jobs.size(), 1);
        QCOMPARE(QString::fromStdString(parsed.jobs[0].payload["tenant"].get<std::string>()),
                 QStringLiteral("acme"));
        QCOMPARE(QString::fromStdString(parsed.jobs[0].payload["chaos_fault"].get<std::string>()),
                 QStringLiteral("ok"));
    }

    void emptyFileHasNoJobsAndNoErrors()
    {
        const ParsedJobs parsed = parseJobLines("\n  \n\n");
        QVERIFY(parsed.jobs.isEmpty());
        QVERIFY(parsed.errors.isEmpty());
    }

    void unreadableFileIsAnErrorNamingIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"missing.jsonl"_s);
        QString error;
        QVERIFY(!readJobFile(path, &error));
        QVERIFY2(error.startsWith(path + u": cannot read"_s), qPrintable(error));
    }

    void callCarriesTheChaosHeadersAndTheReceive()
    {
        ReceivedJob job;
        job.id = u"doc-3"_s;
        job.prompt = u"summarise"_s;
        job.receiveCount = 2;
        job.payload = {{"id", "doc-3"},
                       {"prompt", "summarise"},
                       {"chaos_fault", "overloaded"},
                       {"chaos_latency_ms", 250}};
        const CallRequest request = callRequestFor(job);
        QCOMPARE(request.id, u"doc-3#2"_s);
        QCOMPARE(request.prompt, u"summarise"_s);
        QCOMPARE(request.extraHeaders.value("x-chaos-fault"), QByteArray("overloaded"));
        QCOMPARE(request.extraHeaders.value("x-chaos-latency-ms"), QByteArray("250"));
        job.payload = {{"id", "doc-3"}, {"prompt", "summarise"}};
        QVERIFY(!callRequestFor(job).extraHeaders.contains("x-chaos-fault"));
    }
};

QTEST_GUILESS_MAIN(TestJobFile)
#include "tst_jobfile.moc"

// Regressions found by fuzz/fuzz_jobline.cpp.
#include "batch/jobfile.h"

#include <QTest>

using namespace breakwater;

class TestJobFileRegression final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // nlohmann throws out_of_range (406 "number overflow parsing '1e400'"), not parse_error,
    // for a number too large for a double; parseJobLines caught only parse_error, so one
    // such line ended `breakwater-cli batch` in std::terminate. It is a bad line like any
    // other: reported by number and skipped, the good lines around it kept. Fuzzer input:
    // fuzz/crashers/jobline-number-overflow.jsonl.
    void numberTooLargeForADoubleIsABadLine_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("in an extra field") << QByteArray(R"({"id":"b","prompt":"p","n":1e400})");
        QTest::newRow("as the latency")
            << QByteArray(R"({"id":"b","prompt":"p","chaos_latency_ms":-1e999})");
        QTest::newRow("alone") << QByteArray("44444444444444444444e444444");
    }

    void numberTooLargeForADoubleIsABadLine()
    {
        QFETCH(QByteArray, line);
        const QByteArray file = QByteArray(R"({"id":"a","prompt":"first"})") + '\n' + line + '\n' +
                                QByteArray(R"({"id":"c","prompt":"third"})") + '\n';
        const ParsedJobs parsed = parseJobLines(file);
        QCOMPARE(parsed.jobs.size(), 2);
        QCOMPARE(parsed.lines, QList<int>({1, 3}));
        QCOMPARE(parsed.errors.size(), 1);
        QCOMPARE(parsed.errors.front().line, 2);
        QVERIFY2(parsed.errors.front().message.contains(QStringLiteral("invalid JSON")),
                 qPrintable(parsed.errors.front().message));
    }
};

QTEST_GUILESS_MAIN(TestJobFileRegression)
#include "tst_jobfile_regression.moc"

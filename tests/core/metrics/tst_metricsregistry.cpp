// The metrics registry: exact Prometheus text exposition (0.0.4), escaping, cumulative
// histogram buckets, the misuse it refuses, and concurrent updates while rendering.
#include "metrics/metricsregistry.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace breakwater;
using namespace Qt::StringLiterals;

class TestMetricsRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rendersCounterWithHelpTypeAndLabels()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"llm_calls_total"_s, u"Total LLM calls"_s,
                                    {u"model"_s, u"status"_s}));
        QVERIFY(registry.increment(u"llm_calls_total"_s, {u"sonnet"_s, u"success"_s}));
        QVERIFY(registry.increment(u"llm_calls_total"_s, {u"sonnet"_s, u"success"_s}, 2));
        QVERIFY(registry.increment(u"llm_calls_total"_s, {u"haiku"_s, u"error"_s}));
        QCOMPARE(registry.render(),
                 QByteArray("# HELP llm_calls_total Total LLM calls\n"
                            "# TYPE llm_calls_total counter\n"
                            "llm_calls_total{model=\"haiku\",status=\"error\"} 1\n"
                            "llm_calls_total{model=\"sonnet\",status=\"success\"} 3\n"));
        QCOMPARE(registry.value(u"llm_calls_total"_s, {u"sonnet"_s, u"success"_s}), 3.0);
    }

    void rendersUnlabelledGaugeAndFamiliesInRegistrationOrder()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addGauge(u"b_gauge"_s, u"second letter, registered first"_s));
        QVERIFY(registry.addCounter(u"a_total"_s, u"registered second"_s));
        QVERIFY(registry.set(u"b_gauge"_s, {}, 7));
        QVERIFY(registry.increment(u"b_gauge"_s, {}, -2.5));
        QVERIFY(registry.touch(u"a_total"_s));
        QCOMPARE(registry.render(), QByteArray("# HELP b_gauge second letter, registered first\n"
                                               "# TYPE b_gauge gauge\n"
                                               "b_gauge 4.5\n"
                                               "# HELP a_total registered second\n"
                                               "# TYPE a_total counter\n"
                                               "a_total 0\n"));
    }

    void rendersFamilyWithoutSeriesAsHelpAndTypeOnly()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"x_total"_s, u"nothing yet"_s, {u"model"_s}));
        QCOMPARE(registry.render(),
                 QByteArray("# HELP x_total nothing yet\n# TYPE x_total counter\n"));
        QVERIFY(!registry.value(u"x_total"_s, {u"m"_s}));
    }

    void escapesLabelValues_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("rendered");
        QTest::newRow("plain") << u"claude-haiku-4-5"_s << QByteArray("claude-haiku-4-5");
        QTest::newRow("backslash") << u"a\\b"_s << QByteArray("a\\\\b");
        QTest::newRow("quote") << u"say \"hi\""_s << QByteArray("say \\\"hi\\\"");
        QTest::newRow("newline") << u"two\nlines"_s << QByteArray("two\\nlines");
        QTest::newRow("all three") << u"\\\"\n"_s << QByteArray("\\\\\\\"\\n");
        QTest::newRow("utf-8 kept") << u"modèle/ü"_s << QByteArray("mod\xc3\xa8le/\xc3\xbc");
        QTest::newRow("empty") << QString() << QByteArray();
    }

    void escapesLabelValues()
    {
        QFETCH(QString, value);
        QFETCH(QByteArray, rendered);
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"e_total"_s, u"h"_s, {u"v"_s}));
        QVERIFY(registry.increment(u"e_total"_s, {value}));
        QCOMPARE(registry.render(),
                 "# HELP e_total h\n# TYPE e_total counter\ne_total{v=\"" + rendered + "\"} 1\n");
        QCOMPARE(registry.value(u"e_total"_s, {value}), 1.0);
    }

    void escapesBackslashAndNewlineInHelpButNotQuotes()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addGauge(u"g"_s, u"a \"quoted\" C:\\path\nsecond line"_s));
        QVERIFY(registry.touch(u"g"_s));
        QCOMPARE(
            registry.render(),
            QByteArray("# HELP g a \"quoted\" C:\\\\path\\nsecond line\n# TYPE g gauge\ng 0\n"));
    }

    void histogramBucketsAreCumulativeWithInfSumAndCount()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addHistogram(u"d_seconds"_s, u"durations"_s, {u"model"_s}, {0.1, 0.5, 1}));
        for (const double value : {0.05, 0.1, 0.3, 0.7, 2.0})
            QVERIFY(registry.observe(u"d_seconds"_s, {u"m"_s}, value));
        QCOMPARE(registry.render(), QByteArray("# HELP d_seconds durations\n"
                                               "# TYPE d_seconds histogram\n"
                                               "d_seconds_bucket{model=\"m\",le=\"0.1\"} 2\n"
                                               "d_seconds_bucket{model=\"m\",le=\"0.5\"} 3\n"
                                               "d_seconds_bucket{model=\"m\",le=\"1\"} 4\n"
                                               "d_seconds_bucket{model=\"m\",le=\"+Inf\"} 5\n"
                                               "d_seconds_sum{model=\"m\"} 3.15\n"
                                               "d_seconds_count{model=\"m\"} 5\n"));
        const auto snapshot = registry.histogram(u"d_seconds"_s, {u"m"_s});
        QVERIFY(snapshot);
        QCOMPARE(snapshot->cumulative, (QList<quint64>{2, 3, 4, 5}));
        QCOMPARE(snapshot->count, quint64(5));
        QCOMPARE(snapshot->bounds, (QList<double>{0.1, 0.5, 1}));
    }

    void unlabelledHistogramPutsOnlyLeInBraces()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {1}));
        QVERIFY(registry.touch(u"h_seconds"_s));
        QCOMPARE(registry.render(), QByteArray("# HELP h_seconds h\n"
                                               "# TYPE h_seconds histogram\n"
                                               "h_seconds_bucket{le=\"1\"} 0\n"
                                               "h_seconds_bucket{le=\"+Inf\"} 0\n"
                                               "h_seconds_sum 0\n"
                                               "h_seconds_count 0\n"));
    }

    void formatsSampleValues_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("integer") << 42.0 << QByteArray("42");
        QTest::newRow("large integer") << 12345678901.0 << QByteArray("12345678901");
        QTest::newRow("fraction") << 0.25 << QByteArray("0.25");
        QTest::newRow("shortest round trip") << 0.1 << QByteArray("0.1");
        QTest::newRow("negative") << -2.5 << QByteArray("-2.5");
        QTest::newRow("tiny") << 1e-9 << QByteArray("1e-09");
        QTest::newRow("huge") << 1.5e300 << QByteArray("1.5e+300");
        QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
        QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    }

    void formatsSampleValues()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(formatMetricValue(value), text);
        // Whatever the spelling, it must read back as the same number.
        if (std::isfinite(value))
            QCOMPARE(text.toDouble(), value);
    }

    void refusesInvalidRegistrations_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("labels");
        QTest::addColumn<QList<double>>("bounds");
        const QList<double> ok{1, 2};
        QTest::newRow("empty name") << QString() << QStringList() << ok;
        QTest::newRow("name starts with a digit") << u"1abc"_s << QStringList() << ok;
        QTest::newRow("name with a dash") << u"llm-calls"_s << QStringList() << ok;
        QTest::newRow("label with a colon") << u"m"_s << QStringList{u"a:b"_s} << ok;
        QTest::newRow("reserved label") << u"m"_s << QStringList{u"__name"_s} << ok;
        QTest::newRow("duplicate label") << u"m"_s << QStringList{u"a"_s, u"a"_s} << ok;
        QTest::newRow("le label on a histogram") << u"m"_s << QStringList{u"le"_s} << ok;
        QTest::newRow("no bounds") << u"m"_s << QStringList() << QList<double>();
        QTest::newRow("unsorted bounds") << u"m"_s << QStringList() << QList<double>{2, 1};
        QTest::newRow("repeated bound") << u"m"_s << QStringList() << QList<double>{1, 1};
        QTest::newRow("infinite bound")
            << u"m"_s << QStringList() << QList<double>{1, std::numeric_limits<double>::infinity()};
    }

    void refusesInvalidRegistrations()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, labels);
        QFETCH(QList<double>, bounds);
        MetricsRegistry registry;
        QVERIFY(!registry.addHistogram(name, u"h"_s, labels, bounds));
        QVERIFY(!registry.contains(name));
        QVERIFY(registry.render().isEmpty());
    }

    void acceptsSameShapeTwiceButNotAnotherShape()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(!registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s, u"status"_s}));
        QVERIFY(!registry.addGauge(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {1, 2}));
        QVERIFY(!registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {1, 3}));
    }

    void refusesMisuseWithoutChangingAnything()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.addGauge(u"g"_s, u"h"_s));
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {1}));
        QVERIFY(registry.increment(u"c_total"_s, {u"m"_s}, 5));
        const QByteArray before = registry.render();

        QVERIFY(!registry.increment(u"c_total"_s, {u"m"_s}, -1));     // counters only go up
        QVERIFY(!registry.increment(u"c_total"_s, {}));               // too few labels
        QVERIFY(!registry.increment(u"c_total"_s, {u"m"_s, u"x"_s})); // too many labels
        QVERIFY(!registry.increment(u"unknown_total"_s, {}));
        QVERIFY(!registry.set(u"c_total"_s, {u"m"_s}, 1)); // set is for gauges
        QVERIFY(!registry.observe(u"c_total"_s, {u"m"_s}, 1));
        QVERIFY(!registry.increment(u"h_seconds"_s, {}));
        QVERIFY(!registry.observe(u"h_seconds"_s, {}, std::numeric_limits<double>::quiet_NaN()));
        QVERIFY(!registry.touch(u"g"_s, {u"extra"_s}));
        QVERIFY(!registry.value(u"h_seconds"_s));
        QVERIFY(!registry.histogram(u"c_total"_s, {u"m"_s}));

        QCOMPARE(registry.render(), before);
    }

    void touchCreatesZeroSeriesAndKeepsExistingValues()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.increment(u"c_total"_s, {u"a"_s}, 3));
        QVERIFY(registry.touch(u"c_total"_s, {u"a"_s}));
        QVERIFY(registry.touch(u"c_total"_s, {u"b"_s}));
        QCOMPARE(registry.value(u"c_total"_s, {u"a"_s}), 3.0);
        QCOMPARE(registry.value(u"c_total"_s, {u"b"_s}), 0.0);
    }

    void aSeriesFoundOnceUpdatesTheSameSeries()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {u"model"_s}, {1, 2}));
        const MetricsRegistry::SeriesRef counter = registry.series(u"c_total"_s, {u"a"_s});
        const MetricsRegistry::SeriesRef histogram = registry.series(u"h_seconds"_s, {u"a"_s});
        QVERIFY(counter.isValid() && histogram.isValid());
        // Created at zero, so exposed before any update.
        QCOMPARE(registry.value(u"c_total"_s, {u"a"_s}), 0.0);
        // Families and series added later leave the references valid.
        for (int i = 0; i < 50; ++i) {
            QVERIFY(registry.addGauge(u"g%1"_s.arg(i), u"h"_s, {u"x"_s}));
            QVERIFY(registry.touch(u"c_total"_s, {u"m%1"_s.arg(i)}));
        }
        QVERIFY(registry.increment(counter));
        QVERIFY(registry.increment(counter, 2));
        QVERIFY(registry.increment(u"c_total"_s, {u"a"_s}));
        QCOMPARE(registry.value(u"c_total"_s, {u"a"_s}), 4.0);
        QVERIFY(registry.observe(histogram, 1.5));
        QVERIFY(registry.observe(histogram, 0.5));
        const auto snapshot = registry.histogram(u"h_seconds"_s, {u"a"_s});
        QVERIFY(snapshot);
        QCOMPARE(snapshot->cumulative, (QList<quint64>{1, 2, 2}));
        QCOMPARE(snapshot->sum, 2.0);
    }

    void refusesMisuseOfAFoundSeries()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"model"_s}));
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {1}));
        QVERIFY(!registry.series(u"unknown_total"_s).isValid());
        QVERIFY(!registry.series(u"c_total"_s).isValid()); // too few labels
        QVERIFY(!MetricsRegistry::SeriesRef().isValid());
        const MetricsRegistry::SeriesRef counter = registry.series(u"c_total"_s, {u"m"_s});
        const MetricsRegistry::SeriesRef histogram = registry.series(u"h_seconds"_s);
        const QByteArray before = registry.render();
        QVERIFY(!registry.increment(MetricsRegistry::SeriesRef()));
        QVERIFY(!registry.increment(counter, -1)); // counters only go up
        QVERIFY(!registry.increment(counter, std::numeric_limits<double>::quiet_NaN()));
        QVERIFY(!registry.observe(counter, 1));
        QVERIFY(!registry.increment(histogram));
        QVERIFY(!registry.observe(histogram, std::numeric_limits<double>::quiet_NaN()));
        QCOMPARE(registry.render(), before);
    }

    void concurrentUpdatesWhileRenderingLoseNothing()
    {
        MetricsRegistry registry;
        QVERIFY(registry.addCounter(u"c_total"_s, u"h"_s, {u"worker"_s}));
        QVERIFY(registry.addCounter(u"shared_total"_s, u"h"_s));
        QVERIFY(registry.addHistogram(u"h_seconds"_s, u"h"_s, {}, {0.5}));
        constexpr int kThreads = 4;
        constexpr int kPerThread = 20000;
        std::vector<std::thread> workers;
        for (int t = 0; t < kThreads; ++t) {
            workers.emplace_back([&registry, t] {
                const QStringList worker{QString::number(t)};
                for (int i = 0; i < kPerThread; ++i) {
                    registry.increment(u"c_total"_s, worker);
                    registry.increment(u"shared_total"_s);
                    registry.observe(u"h_seconds"_s, {}, (i % 2) ? 1.0 : 0.25);
                }
            });
        }
        int renders = 0;
        QByteArray last;
        while (renders < 50) {
            last = registry.render();
            QVERIFY(last.startsWith("# HELP c_total"));
            ++renders;
        }
        for (std::thread &worker : workers)
            worker.join();

        for (int t = 0; t < kThreads; ++t)
            QCOMPARE(registry.value(u"c_total"_s, {QString::number(t)}), double(kPerThread));
        QCOMPARE(registry.value(u"shared_total"_s), double(kThreads * kPerThread));
        const auto histogram = registry.histogram(u"h_seconds"_s);
        QVERIFY(histogram);
        QCOMPARE(histogram->count, quint64(kThreads * kPerThread));
        QCOMPARE(histogram->cumulative.first(), quint64(kThreads * kPerThread / 2));
        QVERIFY(registry.render().contains("shared_total 80000\n"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsRegistry)
#include "tst_metricsregistry.moc"

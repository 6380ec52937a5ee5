// The metrics collector: engine events become the SPEC.md section 8 counters, histograms and
// gauges, with every series of the chain's models present from the start.
#include "engine/eventstream.h"
#include "metrics/metricnames.h"
#include "metrics/metricscollector.h"
#include "metrics/metricsregistry.h"

#include <QTest>

Q_DECLARE_METATYPE(breakwater::Outcome)

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

const QString kSonnet = u"claude-sonnet-4-5"_s;
const QString kHaiku = u"claude-haiku-4-5"_s;

AttemptFinished attempt(const QString &model, Outcome outcome, Millis duration = Millis(500))
{
    return AttemptFinished{u"call-1"_s, Millis(0), model, 0, outcome, 0, duration, QString()};
}

double valueOf(const MetricsRegistry &registry, const QString &name, const QStringList &labels)
{
    return registry.value(name, labels).value_or(-1.0);
}

/// The value of every state of one model's breaker gauge, in breakerStateName order.
QList<double> breakerGauge(const MetricsRegistry &registry, const QString &model)
{
    QList<double> values;
    for (const BreakerState state :
         {BreakerState::Closed, BreakerState::Open, BreakerState::HalfOpen,
          BreakerState::ForcedOpen, BreakerState::ForcedClosed})
        values.append(
            valueOf(registry, metricnames::breakerState, {model, breakerStateName(state)}));
    return values;
}

} // namespace

class TestMetricsCollector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void preRegistersEverySeriesOfTheChainAtZero()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet, kHaiku});
        QCOMPARE(collector.models(), (QStringList{kSonnet, kHaiku}));
        for (const QString &model : {kSonnet, kHaiku}) {
            QCOMPARE(valueOf(registry, metricnames::callsTotal, {model, u"success"_s}), 0.0);
            QCOMPARE(valueOf(registry, metricnames::callsTotal, {model, u"error"_s}), 0.0);
            for (const Outcome errorClass : kErrorClasses) {
                QCOMPARE(
                    valueOf(registry, metricnames::callErrors, {model, outcomeName(errorClass)}),
                    0.0);
                QCOMPARE(valueOf(registry, metricnames::retries, {model, outcomeName(errorClass)}),
                         0.0);
            }
            QCOMPARE(valueOf(registry, metricnames::shortCircuited, {model}), 0.0);
            QCOMPARE(valueOf(registry, metricnames::bulkheadRejected, {model}), 0.0);
            QCOMPARE(valueOf(registry, metricnames::responses, {model}), 0.0);
            QCOMPARE(breakerGauge(registry, model), (QList<double>{1, 0, 0, 0, 0}));
            QVERIFY(registry.histogram(metricnames::callDuration, {model}));
        }
        for (const QString &source : {u"cache"_s, u"degraded"_s, u"error"_s})
            QCOMPARE(valueOf(registry, metricnames::responses, {source}), 0.0);
        for (const QString &source : {u"backoff"_s, u"retry-after"_s, u"retry-after-ms"_s})
            QVERIFY(registry.histogram(metricnames::retryDelay, {source}));
        QVERIFY(registry.histogram(metricnames::requestDuration));
        QCOMPARE(valueOf(registry, metricnames::dlqMessages, {}), 0.0);
        QCOMPARE(valueOf(registry, metricnames::alertsFiring, {u"HighErrorRate"_s}), 0.0);
        QCOMPARE(valueOf(registry, metricnames::alertsFiring, {u"AuthFailure"_s}), 0.0);
    }

    void countsSentAttemptsByStatusAndErrorClass_data()
    {
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<QString>("status");
        QTest::newRow("success") << Outcome::Success << u"success"_s;
        for (const Outcome errorClass : kErrorClasses)
            QTest::newRow(qPrintable(outcomeName(errorClass))) << errorClass << u"error"_s;
    }

    void countsSentAttemptsByStatusAndErrorClass()
    {
        QFETCH(Outcome, outcome);
        QFETCH(QString, status);
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        collector.record(attempt(kSonnet, outcome, Millis(1500)));
        collector.record(attempt(kSonnet, outcome, Millis(250)));

        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, status}), 2.0);
        const QString other = status == u"success"_s ? u"error"_s : u"success"_s;
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, other}), 0.0);
        double errorsCounted = 0;
        for (const Outcome errorClass : kErrorClasses) {
            const double count =
                valueOf(registry, metricnames::callErrors, {kSonnet, outcomeName(errorClass)});
            QCOMPARE(count, errorClass == outcome ? 2.0 : 0.0);
            errorsCounted += count;
        }
        QCOMPARE(errorsCounted, outcome == Outcome::Success ? 0.0 : 2.0);

        const auto durations = registry.histogram(metricnames::callDuration, {kSonnet});
        QVERIFY(durations);
        QCOMPARE(durations->count, quint64(2));
        QCOMPARE(durations->sum, 1.75);
    }

    void cancelledAttemptsAreCountedApartFromCalls()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        collector.record(attempt(kSonnet, Outcome::Cancelled));
        QCOMPARE(valueOf(registry, metricnames::attemptsCancelled, {kSonnet}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, u"error"_s}), 0.0);
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, u"success"_s}), 0.0);
        QCOMPARE(registry.histogram(metricnames::callDuration, {kSonnet})->count, quint64(0));
    }

    void shortCircuitsAndBulkheadRejectionsAreCountedApart()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        collector.record(ShortCircuited{u"c"_s, Millis(0), kSonnet, Outcome::ShortCircuited});
        collector.record(ShortCircuited{u"c"_s, Millis(0), kSonnet, Outcome::ShortCircuited});
        collector.record(ShortCircuited{u"c"_s, Millis(0), kSonnet, Outcome::BulkheadFull});
        QCOMPARE(valueOf(registry, metricnames::shortCircuited, {kSonnet}), 2.0);
        QCOMPARE(valueOf(registry, metricnames::bulkheadRejected, {kSonnet}), 1.0);
        // Never sent, so never a call.
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, u"error"_s}), 0.0);
    }

    void countsRetriesByReasonAndDelaysBySource()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        collector.record(RetryScheduled{u"c"_s, Millis(0), kSonnet, 1, Millis(1000),
                                        DelaySource::Backoff, Outcome::ServerError});
        collector.record(RetryScheduled{u"c"_s, Millis(0), kSonnet, 2, Millis(30000),
                                        DelaySource::RetryAfter, Outcome::RateLimited});
        collector.record(RetryScheduled{u"c"_s, Millis(0), kSonnet, 3, Millis(250),
                                        DelaySource::RetryAfterMs, Outcome::RateLimited});
        QCOMPARE(valueOf(registry, metricnames::retries, {kSonnet, u"server_error"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::retries, {kSonnet, u"rate_limited"_s}), 2.0);
        QCOMPARE(valueOf(registry, metricnames::retries, {kSonnet, u"overloaded"_s}), 0.0);

        const auto backoff = registry.histogram(metricnames::retryDelay, {u"backoff"_s});
        const auto retryAfter = registry.histogram(metricnames::retryDelay, {u"retry-after"_s});
        const auto retryAfterMs =
            registry.histogram(metricnames::retryDelay, {u"retry-after-ms"_s});
        QVERIFY(backoff && retryAfter && retryAfterMs);
        QCOMPARE(backoff->sum, 1.0);
        QCOMPARE(retryAfter->sum, 30.0);
        QCOMPARE(retryAfterMs->sum, 0.25);
        QCOMPARE(retryAfterMs->count, quint64(1));
    }

    void breakerTransitionsMoveTheStateGauge()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet, kHaiku});
        collector.record(
            BreakerTransition{Millis(0), kSonnet, BreakerState::Closed, BreakerState::Open});
        QCOMPARE(breakerGauge(registry, kSonnet), (QList<double>{0, 1, 0, 0, 0}));
        QCOMPARE(breakerGauge(registry, kHaiku), (QList<double>{1, 0, 0, 0, 0}));
        collector.record(
            BreakerTransition{Millis(0), kSonnet, BreakerState::Open, BreakerState::HalfOpen});
        QCOMPARE(breakerGauge(registry, kSonnet), (QList<double>{0, 0, 1, 0, 0}));
        collector.record(BreakerTransition{Millis(0), kSonnet, BreakerState::HalfOpen,
                                           BreakerState::ForcedClosed});
        QCOMPARE(breakerGauge(registry, kSonnet), (QList<double>{0, 0, 0, 0, 1}));
        QCOMPARE(valueOf(registry, metricnames::breakerTransitions, {kSonnet, u"open"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::breakerTransitions, {kSonnet, u"half_open"_s}),
                 1.0);
        QCOMPARE(valueOf(registry, metricnames::breakerTransitions, {kSonnet, u"closed"_s}), 0.0);
    }

    void modelSeenFirstInAnEventGetsEverySeries()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry);
        collector.record(
            BreakerTransition{Millis(0), u"gpt-4o"_s, BreakerState::Closed, BreakerState::Open});
        QCOMPARE(collector.models(), QStringList{u"gpt-4o"_s});
        QCOMPARE(breakerGauge(registry, u"gpt-4o"_s), (QList<double>{0, 1, 0, 0, 0}));
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {u"gpt-4o"_s, u"success"_s}), 0.0);
        QCOMPARE(valueOf(registry, metricnames::callErrors, {u"gpt-4o"_s, u"auth"_s}), 0.0);
    }

    void finishedCallsCountBySourceAndEndToEndDuration()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet});
        CallResult fromModel;
        fromModel.source = kSonnet;
        fromModel.duration = Millis(3000);
        CallResult degraded;
        degraded.source = u"degraded"_s;
        degraded.duration = Millis(45000);
        collector.record(CallFinished{Millis(0), fromModel});
        collector.record(CallFinished{Millis(0), degraded});
        collector.record(CallFinished{Millis(0), degraded});
        QCOMPARE(valueOf(registry, metricnames::responses, {kSonnet}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::responses, {u"degraded"_s}), 2.0);
        QCOMPARE(valueOf(registry, metricnames::responses, {u"cache"_s}), 0.0);
        const auto endToEnd = registry.histogram(metricnames::requestDuration);
        QVERIFY(endToEnd);
        QCOMPARE(endToEnd->count, quint64(3));
        QCOMPARE(endToEnd->sum, 93.0);
    }

    void alertChangesSetTheFiringGauge()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry);
        collector.record(AlertChanged{Millis(0), u"HighErrorRate"_s, true, 0.4, u"m"_s});
        QCOMPARE(valueOf(registry, metricnames::alertsFiring, {u"HighErrorRate"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::alertsFiring, {u"AuthFailure"_s}), 0.0);
        collector.record(AlertChanged{Millis(0), u"HighErrorRate"_s, false, 0.0, u"m"_s});
        QCOMPARE(valueOf(registry, metricnames::alertsFiring, {u"HighErrorRate"_s}), 0.0);
    }

    void deadLetterCountSetsTheGauge()
    {
        MetricsRegistry registry;
        MetricsCollector collector(registry);
        collector.setDeadLetterCount(12);
        QCOMPARE(valueOf(registry, metricnames::dlqMessages, {}), 12.0);
        collector.setDeadLetterCount(3);
        QCOMPARE(valueOf(registry, metricnames::dlqMessages, {}), 3.0);
        QVERIFY(registry.render().contains("\nllm_dlq_messages 3\n"));
    }

    void followsARetriedCallPublishedOnTheEventStream()
    {
        EventStream stream;
        MetricsRegistry registry;
        MetricsCollector collector(registry, {kSonnet, kHaiku});
        QObject::connect(&stream, &EventStream::event, &collector, &MetricsCollector::record);

        // The events of one call: 503, retry after 1 s, 529, retry after 2 s, then success.
        stream.publish(CallStarted{u"call-1"_s, Millis(0), false});
        stream.publish(AttemptStarted{u"call-1"_s, Millis(0), kSonnet, 0, false});
        stream.publish(AttemptFinished{u"call-1"_s, Millis(300), kSonnet, 0, Outcome::ServerError,
                                       503, Millis(300), u"unavailable"_s});
        stream.publish(RetryScheduled{u"call-1"_s, Millis(300), kSonnet, 1, Millis(1000),
                                      DelaySource::Backoff, Outcome::ServerError});
        stream.publish(AttemptStarted{u"call-1"_s, Millis(1300), kSonnet, 1, false});
        stream.publish(AttemptFinished{u"call-1"_s, Millis(1500), kSonnet, 1, Outcome::Overloaded,
                                       529, Millis(200), u"busy"_s});
        stream.publish(RetryScheduled{u"call-1"_s, Millis(1500), kSonnet, 2, Millis(2000),
                                      DelaySource::Backoff, Outcome::Overloaded});
        stream.publish(AttemptStarted{u"call-1"_s, Millis(3500), kSonnet, 2, false});
        stream.publish(AttemptFinished{u"call-1"_s, Millis(3900), kSonnet, 2, Outcome::Success, 200,
                                       Millis(400), QString()});
        CallResult result;
        result.id = u"call-1"_s;
        result.success = true;
        result.source = kSonnet;
        result.duration = Millis(3900);
        stream.publish(CallFinished{Millis(3900), result});

        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, u"success"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kSonnet, u"error"_s}), 2.0);
        QCOMPARE(valueOf(registry, metricnames::callErrors, {kSonnet, u"server_error"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::callErrors, {kSonnet, u"overloaded"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::retries, {kSonnet, u"server_error"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::retries, {kSonnet, u"overloaded"_s}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::responses, {kSonnet}), 1.0);
        QCOMPARE(valueOf(registry, metricnames::callsTotal, {kHaiku, u"success"_s}), 0.0);
        QCOMPARE(registry.histogram(metricnames::callDuration, {kSonnet})->sum, 0.9);
        QCOMPARE(registry.histogram(metricnames::retryDelay, {u"backoff"_s})->sum, 3.0);
        QCOMPARE(registry.histogram(metricnames::requestDuration)->sum, 3.9);
        const QByteArray text = registry.render();
        QVERIFY(text.contains("llm_calls_total{model=\"claude-sonnet-4-5\",status=\"error\"} 2\n"));
        QVERIFY(text.contains(
            "llm_call_duration_seconds_bucket{model=\"claude-sonnet-4-5\",le=\"0.25\"} 1\n"));
        QVERIFY(text.contains(
            "llm_call_duration_seconds_bucket{model=\"claude-sonnet-4-5\",le=\"0.5\"} 3\n"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsCollector)
#include "tst_metricscollector.moc"

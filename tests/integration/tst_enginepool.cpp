// EnginePool over loopback against the embedded chaos server: the batched hand-offs between
// the pool's thread and its engine threads must lose, duplicate or reorder nothing a caller
// can see.
#include "config/configloader.h"
#include "engine/eventstream.h"
#include "runtime/lab.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QTest>
#include <QThread>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

Config fastConfig()
{
    // No retries and no breaker trips, so each call's fate is its own chaos header's.
    const nlohmann::json patch = nlohmann::json::parse(R"({
      "retry": {"max_attempts": 1},
      "breaker": {"consecutive_failures": 1000000, "window_size": 1000, "minimum_calls": 1000,
                  "failure_rate": 1},
      "timeouts": {"connect_s": 5, "first_token_s": 5, "attempt_s": 10, "total_s": 20}
    })");
    const ConfigParseResult parsed =
        parseConfig(mergePatch(defaultConfigJson(), patch), u"test-config"_s);
    if (!parsed.config)
        qFatal("test config is invalid");
    return *parsed.config;
}

/// Spins the event loop until `done` holds (bounded: everything here takes milliseconds).
template <typename Predicate> bool waitFor(Predicate done, int timeoutMs = 20000)
{
    QElapsedTimer guard;
    guard.start();
    while (!done() && guard.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return done();
}

struct Completions {
    QHash<QString, int> timesDone;
    QHash<QString, CallResult> results;
    QSet<QString> finishedEvents;
    QStringList doneBeforeItsEvent;
    QStringList doneOffThePoolThread;
};

} // namespace

class TestEnginePool final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyCallCompletesOnceOnThePoolThreadAfterItsEvent_data();
    void everyCallCompletesOnceOnThePoolThreadAfterItsEvent();
    void completionNeverRunsInsideSubmit();
    void cancelAllEndsEveryCallInFlight();
};

void TestEnginePool::everyCallCompletesOnceOnThePoolThreadAfterItsEvent_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("engine on the pool's thread") << 0;
    QTest::newRow("two engine threads") << 2;
    QTest::newRow("three engine threads") << 3;
}

void TestEnginePool::everyCallCompletesOnceOnThePoolThreadAfterItsEvent()
{
    QFETCH(int, threads);
    Lab::Options options;
    options.threads = threads;
    options.concurrency = 24;
    Lab lab(fastConfig(), options, LabWorld::real());
    QString error;
    QVERIFY2(lab.start(&error), qPrintable(error));

    Completions seen;
    connect(&lab.events(), &EventStream::event, this, [&seen](const EngineEvent &event) {
        if (const auto *finished = std::get_if<CallFinished>(&event))
            seen.finishedEvents.insert(finished->result.id);
    });

    // A burst far larger than the connections, so batches of several calls form both ways;
    // every third call is told to fail with an overload (then the fallback model answers).
    constexpr int kCalls = 300;
    QThread *poolThread = QThread::currentThread();
    for (int i = 0; i < kCalls; ++i) {
        CallRequest request;
        request.id = u"job-%1"_s.arg(i);
        request.prompt = u"Say hello %1"_s.arg(i);
        if (i % 3 == 0)
            request.extraHeaders.add("x-chaos-fault", "overloaded");
        const QString id =
            lab.engines().submit(request, [&seen, poolThread](const CallResult &result) {
                ++seen.timesDone[result.id];
                seen.results.insert(result.id, result);
                if (!seen.finishedEvents.contains(result.id))
                    seen.doneBeforeItsEvent.append(result.id);
                if (QThread::currentThread() != poolThread)
                    seen.doneOffThePoolThread.append(result.id);
            });
        QCOMPARE(id, request.id);
    }
    QVERIFY(lab.engines().inFlight() > 0);
    QVERIFY2(waitFor([&] { return lab.engines().inFlight() == 0; }),
             qPrintable(u"%1 calls never completed"_s.arg(lab.engines().inFlight())));

    QCOMPARE(seen.timesDone.size(), kCalls);
    for (auto it = seen.timesDone.cbegin(); it != seen.timesDone.cend(); ++it)
        QVERIFY2(it.value() == 1, qPrintable(it.key()));
    QVERIFY2(seen.doneBeforeItsEvent.isEmpty(), qPrintable(seen.doneBeforeItsEvent.join(u' ')));
    QVERIFY2(seen.doneOffThePoolThread.isEmpty(), qPrintable(seen.doneOffThePoolThread.join(u' ')));
    const QStringList models = lab.modelLabels();
    for (int i = 0; i < kCalls; ++i) {
        const CallResult &result = seen.results.value(u"job-%1"_s.arg(i));
        QVERIFY2(result.success, qPrintable(result.id));
        // The header goes with every attempt, so the overloaded ones end degraded (each prompt
        // is new: no cache hit); the others the primary answered.
        QCOMPARE(result.source, i % 3 == 0 ? sources::degraded : models.at(0));
    }
}

void TestEnginePool::completionNeverRunsInsideSubmit()
{
    for (const int threads : {0, 2}) {
        Lab::Options options;
        options.threads = threads;
        Lab lab(fastConfig(), options, LabWorld::real());
        QString error;
        QVERIFY2(lab.start(&error), qPrintable(error));
        bool insideSubmit = false;
        bool ranInside = false;
        int done = 0;
        // An empty prompt ends at once, inside the engine's start: the closest a call gets
        // to completing synchronously.
        insideSubmit = true;
        for (int i = 0; i < 20; ++i) {
            lab.engines().submit(
                CallRequest{{}, QString(), false, {}}, [&](const CallResult &result) {
                    ranInside = ranInside || insideSubmit;
                    QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::BadRequest));
                    ++done;
                });
        }
        insideSubmit = false;
        QVERIFY(waitFor([&] { return done == 20; }));
        QVERIFY2(!ranInside, qPrintable(u"threads = %1"_s.arg(threads)));
        QCOMPARE(lab.engines().inFlight(), 0);
    }
}

void TestEnginePool::cancelAllEndsEveryCallInFlight()
{
    Lab::Options options;
    options.threads = 2;
    options.concurrency = 40;
    Lab lab(fastConfig(), options, LabWorld::real());
    QString error;
    QVERIFY2(lab.start(&error), qPrintable(error));
    int attemptsStarted = 0;
    connect(&lab.events(), &EventStream::event, this, [&](const EngineEvent &event) {
        if (std::holds_alternative<AttemptStarted>(event))
            ++attemptsStarted;
    });
    QList<CallResult> results;
    for (int i = 0; i < 40; ++i) {
        CallRequest request;
        request.prompt = u"slow"_s;
        request.extraHeaders.add("x-chaos-latency-ms", "60000");
        lab.engines().submit(request,
                             [&results](const CallResult &result) { results.append(result); });
    }
    QVERIFY(waitFor([&] { return attemptsStarted == 40; }));
    QVERIFY(results.isEmpty());
    lab.engines().cancelAll();
    QVERIFY(waitFor([&] { return results.size() == 40; }, 5000));
    for (const CallResult &result : results)
        QCOMPARE(result.errorClass, std::optional<Outcome>(Outcome::Cancelled));
    QCOMPARE(lab.engines().inFlight(), 0);
}

QTEST_GUILESS_MAIN(TestEnginePool)
#include "tst_enginepool.moc"

// The run recorder on a fake clock: totals and per-model counts from scripted event
// sequences, the report's section-6 keys and types, live window figures, series that keep
// their totals, bounded memory after a million events, and events queued from a thread.
#include "common/fakeclock.h"
#include "engine/eventstream.h"
#include "recorder/runrecorder.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <memory>

using namespace breakwater;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString kPrimary = u"claude-sonnet-4-5"_s;
const QString kSecondary = u"claude-haiku-4-5"_s;

/// Publishes engine events at the fake clock's present time, as the engine would.
class Script {
public:
    Script(FakeClock &clock, RunRecorder &recorder) : m_clock(clock), m_recorder(recorder) {}

    Millis now() const { return m_clock.now(); }
    void wait(Millis duration) { m_clock.advance(duration); }
    void send(const EngineEvent &event) { m_recorder.record(event); }

    void start(const QString &id) { send(CallStarted{id, now(), false}); }
    void attempt(const QString &id, const QString &model, int n, bool probe = false)
    {
        send(AttemptStarted{id, now(), model, n, probe});
    }
    /// Waits `duration` and finishes the attempt with `outcome`.
    void finish(const QString &id, const QString &model, int n, Outcome outcome, Millis duration,
                int status = 0)
    {
        wait(duration);
        send(AttemptFinished{id, now(), model, n, outcome, status, duration, QString()});
    }
    void retry(const QString &id, const QString &model, int next, Millis delay, DelaySource source,
               Outcome reason)
    {
        send(RetryScheduled{id, now(), model, next, delay, source, reason});
    }
    void shortCircuit(const QString &id, const QString &model,
                      Outcome reason = Outcome::ShortCircuited)
    {
        send(ShortCircuited{id, now(), model, reason});
    }
    void hop(const QString &id, const QString &from, const QString &to)
    {
        send(FallbackHop{id, now(), from, to, u"moving on"_s});
    }
    void breaker(const QString &model, BreakerState from, BreakerState to)
    {
        send(BreakerTransition{now(), model, from, to});
    }
    void done(const QString &id, const QString &source, Millis duration,
              std::optional<Outcome> errorClass = std::nullopt)
    {
        CallResult result;
        result.id = id;
        result.source = source;
        result.success = source != sources::error;
        result.degraded = source == sources::degraded;
        result.errorClass = errorClass;
        result.duration = duration;
        send(CallFinished{now(), result});
    }
    void alert(const QString &name, bool firing, double value = 0.0)
    {
        send(AlertChanged{now(), name, firing, value, u"error ratio"_s});
    }
    void note(const QString &text, const QString &model = QString())
    {
        send(TimelineNote{now(), model, text});
    }

private:
    FakeClock &m_clock;
    RunRecorder &m_recorder;
};

/// The scripted run of scriptedCallsGiveTotalsAndPerModelCounts: every path through the chain.
void playEveryPath(Script &s)
{
    // 1: the primary answers at once.
    s.start(u"c1"_s);
    s.attempt(u"c1"_s, kPrimary, 0);
    s.finish(u"c1"_s, kPrimary, 0, Outcome::Success, 400ms, 200);
    s.done(u"c1"_s, kPrimary, 400ms);
    // 2: overloaded, a backoff retry, then an answer.
    s.start(u"c2"_s);
    s.attempt(u"c2"_s, kPrimary, 0);
    s.finish(u"c2"_s, kPrimary, 0, Outcome::Overloaded, 300ms, 529);
    s.retry(u"c2"_s, kPrimary, 1, 1500ms, DelaySource::Backoff, Outcome::Overloaded);
    s.wait(1500ms);
    s.attempt(u"c2"_s, kPrimary, 1);
    s.finish(u"c2"_s, kPrimary, 1, Outcome::Success, 200ms, 200);
    s.done(u"c2"_s, kPrimary, 2000ms);
    // 3: rate limited with retry-after; the breaker opens meanwhile; the secondary answers.
    s.note(u"primary down"_s, kPrimary);
    s.start(u"c3"_s);
    s.attempt(u"c3"_s, kPrimary, 0);
    s.finish(u"c3"_s, kPrimary, 0, Outcome::RateLimited, 100ms, 429);
    s.retry(u"c3"_s, kPrimary, 1, 2000ms, DelaySource::RetryAfter, Outcome::RateLimited);
    s.breaker(kPrimary, BreakerState::Closed, BreakerState::Open);
    s.alert(u"HighErrorRate"_s, true, 0.4);
    s.wait(2000ms);
    s.shortCircuit(u"c3"_s, kPrimary);
    s.hop(u"c3"_s, kPrimary, kSecondary);
    s.attempt(u"c3"_s, kSecondary, 0);
    s.finish(u"c3"_s, kSecondary, 0, Outcome::Success, 500ms, 200);
    s.done(u"c3"_s, kSecondary, 2600ms);
    // 4: short-circuited, the secondary times out, the cache answers.
    s.start(u"c4"_s);
    s.shortCircuit(u"c4"_s, kPrimary);
    s.hop(u"c4"_s, kPrimary, kSecondary);
    s.attempt(u"c4"_s, kSecondary, 0);
    s.finish(u"c4"_s, kSecondary, 0, Outcome::Timeout, 30000ms);
    s.hop(u"c4"_s, kSecondary, sources::cache);
    s.done(u"c4"_s, sources::cache, 30000ms, Outcome::Timeout);
    // 5: short-circuited, the secondary fails with 503, nothing cached: degraded.
    s.start(u"c5"_s);
    s.shortCircuit(u"c5"_s, kPrimary);
    s.hop(u"c5"_s, kPrimary, kSecondary);
    s.attempt(u"c5"_s, kSecondary, 0);
    s.finish(u"c5"_s, kSecondary, 0, Outcome::ServerError, 800ms, 503);
    s.hop(u"c5"_s, kSecondary, sources::degraded);
    s.done(u"c5"_s, sources::degraded, 800ms, Outcome::ServerError);
    // 6: short-circuited, the secondary rejects the request: an error result.
    s.start(u"c6"_s);
    s.shortCircuit(u"c6"_s, kPrimary);
    s.hop(u"c6"_s, kPrimary, kSecondary);
    s.attempt(u"c6"_s, kSecondary, 0);
    s.finish(u"c6"_s, kSecondary, 0, Outcome::BadRequest, 50ms, 400);
    s.done(u"c6"_s, sources::error, 50ms, Outcome::BadRequest);
    // 7: short-circuited, the secondary's bulkhead is full, the cache answers.
    s.start(u"c7"_s);
    s.shortCircuit(u"c7"_s, kPrimary);
    s.hop(u"c7"_s, kPrimary, kSecondary);
    s.shortCircuit(u"c7"_s, kSecondary, Outcome::BulkheadFull);
    s.hop(u"c7"_s, kSecondary, sources::cache);
    s.done(u"c7"_s, sources::cache, 0ms, Outcome::BulkheadFull);
    // 8: cancelled while the secondary works on it.
    s.start(u"c8"_s);
    s.attempt(u"c8"_s, kSecondary, 0);
    s.finish(u"c8"_s, kSecondary, 0, Outcome::Cancelled, 100ms);
    s.done(u"c8"_s, sources::error, 100ms, Outcome::Cancelled);
    s.alert(u"HighErrorRate"_s, false, 0.05);
}

std::int64_t sumOf(const nlohmann::json &array)
{
    std::int64_t sum = 0;
    for (const nlohmann::json &value : array)
        sum += value.get<std::int64_t>();
    return sum;
}

/// True when `object` has exactly `keys` (at least) and each is of the JSON kind given.
void requireKeys(const nlohmann::json &object,
                 std::initializer_list<std::pair<const char *, nlohmann::json::value_t>> keys,
                 const char *where)
{
    QVERIFY2(object.is_object(), where);
    for (const auto &[key, kind] : keys) {
        QVERIFY2(object.contains(key), qPrintable(u"%1: missing %2"_s.arg(
                                           QString::fromLatin1(where), QString::fromLatin1(key))));
        const nlohmann::json &value = object.at(key);
        const bool ok = kind == nlohmann::json::value_t::number_integer ? value.is_number_integer()
                        : kind == nlohmann::json::value_t::number_float ? value.is_number()
                                                                        : value.type() == kind;
        QVERIFY2(ok, qPrintable(u"%1.%2 has the wrong type: %3"_s.arg(
                         QString::fromLatin1(where), QString::fromLatin1(key),
                         QString::fromStdString(value.dump()))));
    }
}

constexpr auto kInt = nlohmann::json::value_t::number_integer;
constexpr auto kNumber = nlohmann::json::value_t::number_float;
constexpr auto kObject = nlohmann::json::value_t::object;
constexpr auto kArray = nlohmann::json::value_t::array;
constexpr auto kString = nlohmann::json::value_t::string;

} // namespace

class TestRunRecorder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scriptedCallsGiveTotalsAndPerModelCounts()
    {
        FakeClock clock;
        clock.advance(100s); // the origin is not the clock's zero
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        Script script(clock, recorder);
        playEveryPath(script);

        const RecorderTotals &totals = recorder.totals();
        QCOMPARE(totals.started, 8);
        QCOMPARE(totals.requests, 8);
        QCOMPARE(totals.succeeded, 5); // c1, c2, c3 by a model; c4, c7 from the cache
        QCOMPARE(totals.answeredByModel, 3); // c1, c2, c3: not the cache, not degraded
        QCOMPARE(totals.degraded, 1);
        QCOMPARE(totals.failed, 2);
        QCOMPARE(totals.attempts, 9);
        QCOMPARE(totals.retries, 2);
        QCOMPARE(totals.shortCircuited, 5);
        QCOMPARE(totals.bulkheadFull, 1);
        QCOMPARE(totals.fallbacks, 8);
        QCOMPARE(totals.inFlight, 0);

        const nlohmann::json report = recorder.reportJson();
        const nlohmann::json &bySource = report["totals"]["by_source"];
        QCOMPARE(bySource[kPrimary.toStdString()].get<int>(), 2);
        QCOMPARE(bySource[kSecondary.toStdString()].get<int>(), 1);
        QCOMPARE(bySource["cache"].get<int>(), 2);
        QCOMPARE(bySource["degraded"].get<int>(), 1);
        QCOMPARE(report["totals"]["answered_by_model"].get<int>(), 3);

        const nlohmann::json &primary = report["models"][kPrimary.toStdString()];
        QCOMPARE(primary["attempts"].get<int>(), 4);
        QCOMPARE(primary["successes"].get<int>(), 2);
        QCOMPARE(primary["short_circuited"].get<int>(), 5);
        QCOMPARE(primary["errors"]["overloaded"].get<int>(), 1);
        QCOMPARE(primary["errors"]["rate_limited"].get<int>(), 1);
        QCOMPARE(
            sumOf(nlohmann::json::array({primary["errors"]["server_error"],
                                         primary["errors"]["timeout"], primary["errors"]["auth"]})),
            0);
        QCOMPARE(primary["retry_delay_s"]["count"].get<int>(), 2);
        QCOMPARE(primary["retry_delay_s"]["p50"].get<double>(), 1.5);
        QCOMPARE(primary["retry_delay_s"]["max"].get<double>(), 2.0);
        QCOMPARE(primary["retry_delay_s"]["by_source"]["backoff"].get<int>(), 1);
        QCOMPARE(primary["retry_delay_s"]["by_source"]["retry-after"].get<int>(), 1);
        QCOMPARE(primary["breaker"].size(), std::size_t(1));
        QCOMPARE(primary["breaker"][0]["from"].get<std::string>(), std::string("closed"));
        QCOMPARE(primary["breaker"][0]["to"].get<std::string>(), std::string("open"));
        // c1 400 ms + c2 300 + 1500 + 200 + c3 100 ms: the breaker opened at 2.5 s.
        QCOMPARE(primary["breaker"][0]["t_s"].get<double>(), 2.5);

        const nlohmann::json &secondary = report["models"][kSecondary.toStdString()];
        QCOMPARE(secondary["attempts"].get<int>(), 5);
        QCOMPARE(secondary["successes"].get<int>(), 1);
        QCOMPARE(secondary["errors"]["timeout"].get<int>(), 1);
        QCOMPARE(secondary["errors"]["server_error"].get<int>(), 1);
        QCOMPARE(secondary["errors"]["bad_request"].get<int>(), 1);
        QCOMPARE(secondary["short_circuited"].get<int>(), 0);
        QCOMPARE(secondary["bulkhead_full"].get<int>(), 1);
        QCOMPARE(secondary["cancelled"].get<int>(), 1);
        QCOMPARE(secondary["retry_delay_s"]["count"].get<int>(), 0);
        QCOMPARE(secondary["latency_s"]["max"].get<double>(), 30.0);

        QCOMPARE(report["latency_s"]["max"].get<double>(), 30.0);
        QCOMPARE(report["alerts"].size(), std::size_t(2));
        QCOMPARE(report["alerts"][0]["state"].get<std::string>(), std::string("firing"));
        QCOMPARE(report["alerts"][0]["t_s"].get<double>(), 2.5);
        QCOMPARE(report["alerts"][1]["state"].get<std::string>(), std::string("resolved"));
        QCOMPARE(report["timeline"].size(), std::size_t(1));
        QCOMPARE(report["timeline"][0]["note"].get<std::string>(), std::string("primary down"));
        QCOMPARE(report["timeline"][0]["t_s"].get<double>(), 2.4);
        QCOMPARE(report["duration_s"].get<double>(), toSeconds(recorder.elapsed()));
    }

    void endToEndLatencyPercentilesFollowTheCalls()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary});
        Script script(clock, recorder);
        std::vector<qint64> durations;
        for (int i = 1; i <= 1000; ++i) {
            const qint64 ms = (i * 7919) % 20000; // a scrambled spread up to 20 s
            durations.push_back(ms);
            script.start(u"c"_s);
            script.done(u"c"_s, kPrimary, Millis(ms));
        }
        std::sort(durations.begin(), durations.end());
        const nlohmann::json latency = recorder.reportJson()["latency_s"];
        for (const auto &[key, p] :
             {std::pair{"p50", 50.0}, std::pair{"p95", 95.0}, std::pair{"p99", 99.0}}) {
            const double expected =
                static_cast<double>(durations[static_cast<std::size_t>(p * 10) - 1]) / 1000.0;
            QVERIFY2(std::abs(latency[key].get<double>() - expected) <= 0.01 * expected + 0.001,
                     key);
        }
        QCOMPARE(latency["max"].get<double>(), static_cast<double>(durations.back()) / 1000.0);
    }

    void reportHasEverySection6KeyWithTheRightTypes()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        Script script(clock, recorder);
        playEveryPath(script);
        script.wait(1500ms);
        const nlohmann::json report = recorder.reportJson();

        requireKeys(report,
                    {{"duration_s", kNumber},
                     {"totals", kObject},
                     {"latency_s", kObject},
                     {"models", kObject},
                     {"alerts", kArray},
                     {"timeline", kArray},
                     {"series", kObject}},
                    "report");
        for (const char *owned : {"scenario", "seed", "started_at", "expect"})
            QVERIFY2(!report.contains(owned), owned); // the run command adds these
        requireKeys(report["totals"],
                    {{"requests", kInt},
                     {"answered_by_model", kInt},
                     {"succeeded", kInt},
                     {"degraded", kInt},
                     {"failed", kInt},
                     {"attempts", kInt},
                     {"retries", kInt},
                     {"short_circuited", kInt},
                     {"by_source", kObject}},
                    "totals");
        const nlohmann::json &bySource = report["totals"]["by_source"];
        requireKeys(bySource,
                    {{"claude-sonnet-4-5", kInt},
                     {"claude-haiku-4-5", kInt},
                     {"cache", kInt},
                     {"degraded", kInt}},
                    "totals.by_source");
        requireKeys(report["latency_s"],
                    {{"p50", kNumber}, {"p95", kNumber}, {"p99", kNumber}, {"max", kNumber}},
                    "latency_s");
        QCOMPARE(report["models"].size(), std::size_t(2));
        for (const auto &[name, model] : report["models"].items()) {
            requireKeys(model,
                        {{"attempts", kInt},
                         {"successes", kInt},
                         {"errors", kObject},
                         {"short_circuited", kInt},
                         {"retry_delay_s", kObject},
                         {"breaker", kArray}},
                        name.c_str());
            QCOMPARE(model["errors"].size(), std::size_t(9));
            requireKeys(model["errors"],
                        {{"rate_limited", kInt},
                         {"server_error", kInt},
                         {"overloaded", kInt},
                         {"timeout", kInt},
                         {"connection", kInt},
                         {"malformed", kInt},
                         {"context_overflow", kInt},
                         {"auth", kInt},
                         {"bad_request", kInt}},
                        "errors");
            requireKeys(model["retry_delay_s"],
                        {{"count", kInt}, {"p50", kNumber}, {"max", kNumber}}, "retry_delay_s");
            for (const nlohmann::json &transition : model["breaker"])
                requireKeys(transition, {{"t_s", kNumber}, {"from", kString}, {"to", kString}},
                            "breaker[]");
        }
        for (const nlohmann::json &alert : report["alerts"])
            requireKeys(alert, {{"t_s", kNumber}, {"name", kString}, {"state", kString}},
                        "alerts[]");
        for (const nlohmann::json &note : report["timeline"])
            requireKeys(note, {{"t_s", kNumber}, {"note", kString}}, "timeline[]");

        const nlohmann::json &series = report["series"];
        requireKeys(
            series,
            {{"step_s", kNumber}, {"requests", kArray}, {"errors", kArray}, {"by_source", kObject}},
            "series");
        QCOMPARE(series["step_s"].get<double>(), 1.0);
        const std::size_t points = series["requests"].size();
        // 35.95 s of script + 1.5 s: 37 whole steps and the partial 38th.
        QCOMPARE(points, std::size_t(38));
        QCOMPARE(series["errors"].size(), points);
        for (const auto &[source, counts] : series["by_source"].items()) {
            QVERIFY2(counts.is_array() && counts.size() == points, source.c_str());
            QCOMPARE(sumOf(counts), bySource[source].get<std::int64_t>());
        }
        QCOMPARE(sumOf(series["requests"]), report["totals"]["requests"].get<std::int64_t>());
        // errors counts attempts that ended in an error class: 2 on the primary, 3 on the
        // secondary.
        QCOMPARE(sumOf(series["errors"]), 5);
    }

    void seriesKeepTotalsAfterManyHalvings()
    {
        FakeClock clock;
        RecorderOptions options;
        options.seriesCapacity = 16;
        RunRecorder recorder(clock, {kPrimary, kSecondary}, options);
        Script script(clock, recorder);
        for (int i = 0; i < 20000; ++i) {
            const QString id = u"c"_s;
            script.start(id);
            script.attempt(id, kPrimary, 0);
            if (i % 3 == 0) {
                script.finish(id, kPrimary, 0, Outcome::ServerError, 100ms, 500);
                script.retry(id, kPrimary, 1, 250ms, DelaySource::Backoff, Outcome::ServerError);
                script.shortCircuit(id, kPrimary);
                script.done(id, i % 2 ? sources::cache : sources::degraded, 350ms);
            } else {
                script.finish(id, i % 5 ? kPrimary : kSecondary, 0, Outcome::Success, 200ms);
                script.done(id, i % 5 ? kPrimary : kSecondary, 200ms);
            }
            script.wait(Millis(i % 700)); // about 4 hours in all
        }
        const nlohmann::json report = recorder.reportJson();
        const nlohmann::json &series = report["series"];
        const nlohmann::json &totals = report["totals"];
        QVERIFY(series["points"].get<int>() <= 16);
        QVERIFY(series["step_s"].get<double>() >= 1024.0);
        QCOMPARE(sumOf(series["requests"]), totals["requests"].get<std::int64_t>());
        QCOMPARE(sumOf(series["attempts"]), totals["attempts"].get<std::int64_t>());
        QCOMPARE(sumOf(series["retries"]), totals["retries"].get<std::int64_t>());
        QCOMPARE(sumOf(series["short_circuited"]), totals["short_circuited"].get<std::int64_t>());
        for (const auto &[source, count] : totals["by_source"].items())
            QCOMPARE(sumOf(series["by_source"][source]), count.get<std::int64_t>());
        QCOMPARE(sumOf(series["models"][kPrimary.toStdString()]["attempts"]),
                 report["models"][kPrimary.toStdString()]["attempts"].get<std::int64_t>());
    }

    void snapshotShowsCompletedStepsAndReportAddsThePartialOne()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary});
        Script script(clock, recorder);
        for (int i = 0; i < 5; ++i) {
            script.start(u"c"_s);
            script.done(u"c"_s, kPrimary, 10ms);
            script.wait(500ms);
        }
        // At 2.5 s: steps 0 and 1 are complete, step 2 holds one call so far.
        const RecorderSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.series.points, 2);
        QCOMPARE(snapshot.series.requests, (QList<double>{2, 2}));
        QCOMPARE(snapshot.series.bySource.at(0), (QList<double>{2, 2}));
        const nlohmann::json series = recorder.reportJson()["series"];
        QCOMPARE(series["points"].get<int>(), 3);
        QCOMPARE(sumOf(series["requests"]), 5);
    }

    void liveWindowFiguresRollAndForget()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        Script script(clock, recorder);
        // 5 s of traffic: per second 6 answers and 4 overloaded attempts on the primary.
        for (int second = 0; second < 5; ++second) {
            for (int i = 0; i < 10; ++i) {
                script.start(u"c"_s);
                script.attempt(u"c"_s, kPrimary, 0);
                const bool fails = i < 4;
                script.finish(u"c"_s, kPrimary, 0, fails ? Outcome::Overloaded : Outcome::Success,
                              fails ? 10ms : 90ms);
                script.done(u"c"_s, fails ? sources::cache : kPrimary, 100ms);
            }
            script.wait(1000ms - 580ms); // 4 × 10 ms + 6 × 90 ms went by in the attempts
        }
        script.shortCircuit(u"c"_s, kPrimary);
        script.breaker(kPrimary, BreakerState::Closed, BreakerState::Open);

        RecorderSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.models.size(), 2);
        const ModelFigures &primary = snapshot.models.at(0);
        QCOMPARE(primary.model, kPrimary);
        QCOMPARE(primary.state, BreakerState::Open);
        QCOMPARE(primary.stateSinceSeconds, 5.0);
        QCOMPARE(primary.callsInWindow, 50);
        QCOMPARE(primary.errorsInWindow, 20);
        QCOMPARE(primary.errorPercentInWindow, 40.0);
        QCOMPARE(primary.shortCircuitedInWindow, 1);
        QCOMPARE(primary.p50InWindow, 90ms);
        QCOMPARE(primary.p99InWindow, 90ms);
        QCOMPARE(snapshot.models.at(1).callsInWindow, 0);
        QCOMPARE(snapshot.models.at(1).errorPercentInWindow, 0.0);
        // 50 calls in the first 5 s of a 10 s window: rates are over the 5 s elapsed.
        QCOMPARE(snapshot.throughputPerSecond, 10.0);
        QCOMPARE(snapshot.sources.at(0).source, kPrimary);
        QCOMPARE(snapshot.sources.at(0).perSecond, 6.0);
        QCOMPARE(snapshot.sources.at(2).source, sources::cache);
        QCOMPARE(snapshot.sources.at(2).perSecond, 4.0);

        script.wait(7s); // at 12 s only the buckets from 3 s on are live
        snapshot = recorder.snapshot();
        QCOMPARE(snapshot.models.at(0).callsInWindow, 20);
        QCOMPARE(snapshot.throughputPerSecond, 2.0);
        script.wait(10s);
        snapshot = recorder.snapshot();
        QCOMPARE(snapshot.models.at(0).callsInWindow, 0);
        QCOMPARE(snapshot.models.at(0).errorPercentInWindow, 0.0);
        QCOMPARE(snapshot.models.at(0).p99InWindow, 0ms);
        QCOMPARE(snapshot.models.at(0).shortCircuitedInWindow, 0);
        QCOMPARE(snapshot.throughputPerSecond, 0.0);
        // Whole-run figures stay.
        QCOMPARE(snapshot.models.at(0).attempts, 50);
        QCOMPARE(snapshot.models.at(0).errors, 20);
        QCOMPARE(snapshot.totals.requests, 50);
        QCOMPARE(snapshot.sources.at(0).answers, 30);
    }

    void snapshotCarriesRetryDelaysAlertsAndNotes()
    {
        FakeClock clock;
        RecorderOptions options;
        options.recentRetryDelays = 3;
        RunRecorder recorder(clock, {kPrimary});
        RunRecorder small(clock, {kPrimary}, options);
        for (RunRecorder *target : {&recorder, &small}) {
            Script script(clock, *target);
            script.retry(u"c"_s, kPrimary, 1, 1200ms, DelaySource::Backoff, Outcome::ServerError);
            script.retry(u"c"_s, kPrimary, 2, 3000ms, DelaySource::RetryAfterMs,
                         Outcome::RateLimited);
            script.retry(u"c"_s, kPrimary, 3, 400ms, DelaySource::RetryAfter, Outcome::Overloaded);
            script.retry(u"c"_s, kPrimary, 4, 800ms, DelaySource::Backoff, Outcome::Timeout);
            script.alert(u"HighErrorRate"_s, true);
            script.alert(u"AuthFailure"_s, true);
            script.alert(u"HighErrorRate"_s, false);
            script.note(u"primary down"_s);
        }
        const RecorderSnapshot full = recorder.snapshot();
        QCOMPARE(full.models.at(0).recentRetryDelays.size(), 4);
        QCOMPARE(full.models.at(0).retries, 4);
        const RecorderSnapshot bounded = small.snapshot();
        const QList<RetryDelayPoint> &recent = bounded.models.at(0).recentRetryDelays;
        QCOMPARE(recent.size(), 3); // the oldest was dropped
        QCOMPARE(recent.at(0).delay, 3000ms);
        QCOMPARE(recent.at(0).source, DelaySource::RetryAfterMs);
        QCOMPARE(recent.at(0).reason, Outcome::RateLimited);
        QCOMPARE(recent.at(2).delay, 800ms);
        QCOMPARE(bounded.firingAlerts, QStringList{u"AuthFailure"_s});
        QCOMPARE(bounded.timeline.size(), 1);
        QCOMPARE(bounded.timeline.at(0).note, u"primary down"_s);
    }

    void startMakesNowTheOriginAndForgetsEverything()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary});
        Script script(clock, recorder);
        playEveryPath(script);
        script.wait(100s);
        recorder.start();
        QCOMPARE(recorder.totals().requests, 0);
        QCOMPARE(recorder.elapsed(), 0ms);
        script.wait(5s);
        script.note(u"after start"_s);
        script.breaker(kPrimary, BreakerState::Closed, BreakerState::Open);
        const nlohmann::json report = recorder.reportJson();
        QCOMPARE(report["timeline"].size(), std::size_t(1));
        QCOMPARE(report["timeline"][0]["t_s"].get<double>(), 5.0);
        QCOMPARE(report["models"][kPrimary.toStdString()]["breaker"][0]["t_s"].get<double>(), 5.0);
        QCOMPARE(report["models"][kPrimary.toStdString()]["attempts"].get<int>(), 0);
        QCOMPARE(report["alerts"].size(), std::size_t(0));
        QCOMPARE(report["series"]["points"].get<int>(), 6); // 5 whole steps and the open one
        QCOMPARE(report["duration_s"].get<double>(), 5.0);
        QCOMPARE(recorder.snapshot().series.modelBreaker.at(0).last(), 0.0); // step 4: closed
    }

    void inFlightIsStartedMinusFinished()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary});
        Script script(clock, recorder);
        for (int i = 0; i < 5; ++i)
            script.start(u"c"_s);
        script.done(u"c"_s, kPrimary, 1ms);
        QCOMPARE(recorder.totals().inFlight, 4);
        QCOMPARE(recorder.totals().started, 5);
        script.wait(1s);
        script.done(u"c"_s, kPrimary, 1ms);
        script.wait(1s);
        const QList<double> inFlight = recorder.snapshot().series.inFlight;
        QCOMPARE(inFlight, (QList<double>{5, 4})); // the peak of each step
        // A finish without a start (begun before a reset) never drives it negative.
        recorder.reset();
        script.done(u"c"_s, kPrimary, 1ms);
        QCOMPARE(recorder.totals().inFlight, 0);
    }

    void modelsFirstSeenInEventsAreAddedUpToTheCap()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary});
        Script script(clock, recorder);
        for (int i = 0; i < 40; ++i)
            script.attempt(u"c"_s, u"model-%1"_s.arg(i), 0);
        const RecorderSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.models.size(), RunRecorder::kMaxModels);
        QCOMPARE(snapshot.models.at(0).model, kPrimary); // chain order first
        QCOMPARE(snapshot.models.at(1).model, u"model-0"_s);
        QCOMPARE(snapshot.totals.attempts, 40); // the totals still count every one
        QCOMPARE(recorder.reportJson()["models"].size(), std::size_t(RunRecorder::kMaxModels));
    }

    void memoryStaysBoundedAfterAMillionEvents()
    {
        FakeClock clock;
        RunRecorder recorder(clock, {kPrimary, kSecondary});
        const RecorderOptions &limits = recorder.options();
        Script script(clock, recorder);
        const QString id = u"call"_s;
        const QString alert = u"HighErrorRate"_s;
        const QString note = u"tick"_s;
        constexpr int kEventsPerRound = 10;
        constexpr int kRounds = 100000;
        for (int round = 0; round < kRounds; ++round) {
            const bool odd = round % 2 != 0;
            script.start(id);
            script.attempt(id, kPrimary, 0);
            script.send(AttemptFinished{id, script.now(), kPrimary, 0,
                                        odd ? Outcome::Overloaded : Outcome::Success, 200,
                                        Millis(round % 5000), QString()});
            script.retry(id, kPrimary, 1, Millis(round % 60000), DelaySource::Backoff,
                         Outcome::Overloaded);
            script.shortCircuit(id, kPrimary);
            script.hop(id, kPrimary, kSecondary);
            script.breaker(kPrimary, odd ? BreakerState::Open : BreakerState::Closed,
                           odd ? BreakerState::Closed : BreakerState::Open);
            script.send(AlertChanged{script.now(), alert, !odd, 0.2, QString()});
            script.note(note);
            script.done(id, odd ? kSecondary : sources::cache, Millis(round % 9000));
            script.wait(113ms); // about 3 hours in all
        }
        const std::int64_t events = std::int64_t(kRounds) * kEventsPerRound;
        QCOMPARE(events, 1000000);

        const RecorderSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.totals.requests, kRounds);
        QCOMPARE(snapshot.models.at(0).recentRetryDelays.size(), limits.recentRetryDelays);
        QCOMPARE(snapshot.timeline.size(), limits.maxTimelineNotes);
        QVERIFY(snapshot.series.points <= limits.seriesCapacity);
        QVERIFY(snapshot.series.points > limits.seriesCapacity / 2);
        QCOMPARE(snapshot.series.requests.size(), snapshot.series.points);
        QCOMPARE(snapshot.series.bySource.size(), 4);
        for (const QList<double> &column : snapshot.series.bySource)
            QCOMPARE(column.size(), snapshot.series.points);

        const nlohmann::json report = recorder.reportJson();
        const nlohmann::json &primary = report["models"][kPrimary.toStdString()];
        QCOMPARE(primary["breaker"].size(), std::size_t(limits.maxBreakerTransitions));
        QCOMPARE(primary["breaker_dropped"].get<int>(), kRounds - limits.maxBreakerTransitions);
        QCOMPARE(primary["opened"].get<int>(), kRounds / 2); // dropped openings still count
        QCOMPARE(report["alerts"].size(), std::size_t(limits.maxAlerts));
        QCOMPARE(report["dropped"]["alerts"].get<int>(), kRounds - limits.maxAlerts);
        QCOMPARE(report["timeline"].size(), std::size_t(limits.maxTimelineNotes));
        QCOMPARE(report["dropped"]["timeline"].get<int>(), kRounds - limits.maxTimelineNotes);
        QVERIFY(report["series"]["points"].get<int>() <= limits.seriesCapacity);
        QCOMPARE(sumOf(report["series"]["requests"]), kRounds);
        // The kept transitions are the newest, in order.
        QCOMPARE(primary["breaker"].back()["to"].get<std::string>(), std::string("closed"));
        QCOMPARE(primary["retry_delay_s"]["count"].get<int>(), kRounds);
    }

    void receivesEventsQueuedFromAnotherThread()
    {
        FakeClock clock;
        EventStream stream;
        RunRecorder recorder(clock, {kPrimary});
        connect(&stream, &EventStream::event, &recorder, &RunRecorder::record);
        std::unique_ptr<QThread> engineThread(QThread::create([&stream, &clock] {
            for (int i = 0; i < 1000; ++i) {
                stream.publish(CallStarted{u"c%1"_s.arg(i), clock.now(), false});
                CallResult result;
                result.source = kPrimary;
                result.success = true;
                result.duration = Millis(i);
                stream.publish(CallFinished{clock.now(), result});
            }
        }));
        engineThread->start();
        QVERIFY(engineThread->wait(QDeadlineTimer(60000)));
        QCOMPARE(recorder.totals().requests, 0); // queued, not yet delivered
        QCoreApplication::sendPostedEvents();
        QCOMPARE(recorder.totals().started, 1000);
        QCOMPARE(recorder.totals().requests, 1000);
        QCOMPARE(recorder.snapshot().sources.at(0).answers, 1000);
    }
};

QTEST_GUILESS_MAIN(TestRunRecorder)
#include "tst_runrecorder.moc"

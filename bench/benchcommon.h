#pragma once

#include "config/config.h"
#include "engine/engine.h"
#include "load/promptset.h"
#include "scenario/scenario.h"
#include "transport/transport.h"

#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QString>
#include <QUrl>
#include <atomic>
#include <functional>
#include <mutex>
#include <memory>
#include <vector>

class QCommandLineParser;
class QThread;

namespace breakwater {
class Lab;
class LoadGenerator;
class RunRecorder;
} // namespace breakwater

namespace breakwater::bench {

/// The model every benchmark asks for; the chaos server's default profile answers it at once.
inline const QString kModel = QStringLiteral("claude-haiku-4-5");

/// Microseconds on a monotonic clock.
qint64 nowMicros();
/// Resident set size of this process in bytes (/proc/self/statm, second field × page size).
qint64 residentBytes();
/// Established TCP connections (IPv4, this network namespace) whose remote port is `port`:
/// the client side of every connection this process holds to that server; -1 when
/// /proc/self/net/tcp cannot be read.
int connectionsTo(quint16 port);
double median(std::vector<double> values);
double mean(const std::vector<double> &values);

/// Parses the `--server URL` every benchmark takes plus the caller's options; exits with a
/// message on bad input. Returns the server's base URL.
QUrl parseServerArgument(QCommandLineParser &parser, const QString &description);
/// An integer option's value, exiting with a message when it is not a number >= `minimum`.
int intOption(const QCommandLineParser &parser, const QString &name, int minimum);

/// The default config with one provider, "bench", an Anthropic-format server at `server`,
/// and one model in the chain: what a run against a standalone chaos server uses.
Config benchConfig(const QUrl &server);

/// The HTTP request the engine sends for `prompt` under benchConfig(), built by the same
/// provider adapter, so the bare clients send byte-for-byte the same requests.
HttpRequest engineRequest(const QUrl &server, const QString &prompt,
                          const HttpHeaders &extraHeaders = {});
/// engineRequest() as a QNetworkRequest plus body, ready for a bare manager.
struct BareRequest {
    QNetworkRequest request;
    QByteArray method;
    QByteArray body;
};
BareRequest bareRequest(const HttpRequest &request);

/// Runs the event loop for `ms` milliseconds.
void spin(int ms);
/// Runs the event loop until `done()` holds, checking every millisecond; false on timeout.
bool spinUntil(const std::function<bool()> &done, int timeoutMs);

/// The engine as `breakwater-cli run` drives it: a Lab (engine pool on worker threads,
/// metrics, alerts), a RunRecorder on the event stream and a closed-loop LoadGenerator,
/// wired as ScenarioRun wires them. Only the submit step is wrapped, to time each call.
class EngineLoad final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineLoad)

public:
    struct Options {
        int threads = 2;
        int concurrency = 64;
        /// Closed-loop workers start evenly over this time.
        Millis ramp{0};
        /// Added to every call (e.g. `x-chaos-latency-ms`).
        HttpHeaders extraHeaders;
    };
    /// Runs on this thread for every completed call, times from nowMicros().
    using Observer = std::function<void(qint64 startedUs, qint64 finishedUs, const CallResult &)>;

    EngineLoad(const QUrl &server, Options options, Observer observer, QObject *parent = nullptr);
    ~EngineLoad() override;

    /// Starts the lab's engines; false with `error` when it cannot.
    bool startLab(QString *error);
    /// Starts a fresh closed-loop load of `concurrency` workers for `duration`.
    void startLoad(Millis duration);
    /// Stops starting calls and waits (spinning the event loop) until every call completed.
    bool stopLoadAndDrain(int timeoutMs);
    /// One call outside the load generator, for the one-at-a-time latency benchmark.
    void submitOne(const QString &prompt, Engine::Completion done);
    int inFlight() const;
    Lab &lab() { return *m_lab; }

    quint64 completed() const { return m_completed; }
    /// Completed calls answered by the model (not cache, degraded or an error).
    quint64 answeredByModel() const { return m_answeredByModel; }

private:
    Options m_options;
    Observer m_observer;
    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<RunRecorder> m_recorder;
    std::unique_ptr<LoadGenerator> m_load;
    quint64 m_completed = 0;
    quint64 m_answeredByModel = 0;
};

/// Bare QNetworkAccessManager clients: `threads` threads, each with `managersPerThread`
/// managers (each request to the least busy, as QnamTransport does) and its share of
/// `inFlight` requests kept in flight, each sent again as soon as its answer is read. No
/// engine, no parsing: the reference for what Qt itself can do in the same layout.
/// Worker objects each living in a thread of their own (bench/benchcommon.cpp).
template <typename Worker> class WorkerThreads;

class BareLoad final {
public:
    BareLoad(QList<BareRequest> requests, int threads, int managersPerThread, int inFlight);
    BareLoad(const BareLoad &) = delete;
    BareLoad &operator=(const BareLoad &) = delete;
    ~BareLoad();

    void start();
    /// Stops sending and waits until every request in flight has come back.
    bool stopAndDrain(int timeoutMs);
    quint64 completed() const;
    /// Answers that were not a 200 or failed at the network level.
    quint64 failed() const;

private:
    class Worker;
    std::unique_ptr<WorkerThreads<Worker>> m_workers;
};

/// Bare QNetworkAccessManager clients in the engine pool's layout: this (the caller's) thread
/// keeps `inFlight` requests going, handing each to one of `threads` worker threads (round
/// robin, each with `managersPerThread` managers, least busy first) and getting each answer
/// handed back, both ways batched as EnginePool batches them: one wake-up per batch. The
/// like-for-like reference for the engine pool, whose calls make the same two trips.
class BarePoolLoad final {
public:
    BarePoolLoad(QList<BareRequest> requests, int threads, int managersPerThread, int inFlight);
    BarePoolLoad(const BarePoolLoad &) = delete;
    BarePoolLoad &operator=(const BarePoolLoad &) = delete;
    ~BarePoolLoad();

    void start();
    bool stopAndDrain(int timeoutMs);
    quint64 completed() const { return m_completed; }
    quint64 failed() const { return m_failed; }

private:
    class Worker;
    void submit();
    /// On a worker's thread.
    void complete(bool ok);
    void deliverCompleted();

    int m_requestCount;
    int m_target;
    bool m_running = false;
    int m_inFlight = 0;
    quint64 m_completed = 0;
    quint64 m_failed = 0;
    quint64 m_nextRequest = 0;
    std::size_t m_nextWorker = 0;
    QObject m_context;
    std::mutex m_outboxMutex;
    std::vector<bool> m_outbox;
    std::unique_ptr<WorkerThreads<Worker>> m_workers;
};

/// Diagnostic: engines driven from inside their own threads. Each of `threads` threads has
/// an Engine on its own QnamTransport (the managers EnginePool would give it) and keeps its
/// share of `inFlight` calls going itself, so no call passes through another thread on its
/// way in or out. Engines share breakers, cache and bulkheads as a pool's do; the event
/// stream has no consumers unless `withConsumers` (then metrics, alerts and a recorder on
/// this thread get every event queued, as in a run).
class DirectEngineLoad final {
public:
    DirectEngineLoad(const QUrl &server, int threads, int managersPerThread, int inFlight,
                     bool withConsumers);
    DirectEngineLoad(const DirectEngineLoad &) = delete;
    DirectEngineLoad &operator=(const DirectEngineLoad &) = delete;
    ~DirectEngineLoad();

    void start();
    bool stopAndDrain(int timeoutMs);
    quint64 completed() const;
    quint64 notAnswered() const;

private:
    class Worker;
    struct Shared;
    std::unique_ptr<Shared> m_shared;
    std::unique_ptr<WorkerThreads<Worker>> m_workers;
};

} // namespace breakwater::bench

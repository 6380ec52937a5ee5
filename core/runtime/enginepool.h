#pragma once

#include "common/clock.h"
#include "config/config.h"
#include "engine/engine.h"
#include "transport/transport.h"

#include <QObject>
#include <QUrl>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

class QThread;

namespace breakwater {

/// Engines on worker threads, each with its own transport, sharing one EngineShared: what
/// a load run needs to pass one thread's and one QNetworkAccessManager's limits (SPEC.md
/// section 1: 6 connections per manager; about 7,000 requests/s per thread). Calls are
/// handed out round-robin; completions come back on the pool's own thread.
///
/// Hand-offs between threads are batched both ways: submissions wait in a worker's inbox and
/// completions in the pool's outbox, and only the first entry of a batch posts a wake-up, so
/// at load a thread wakes once for many calls rather than once per call.
class EnginePool final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EnginePool)

public:
    struct Options {
        /// Worker threads; 0 runs one engine on the pool's own thread (for tests on a FakeClock).
        int threads = 2;
        /// Concurrent requests the pool must be able to keep open to one host.
        int concurrency = 6;
        std::uint64_t seed = 1;
        QUrl embeddedBaseUrl;
    };

    /// `clock` must be usable from every thread (QtClock is; FakeClock only with threads = 0).
    /// `transports` makes each engine's transport, in the engine's thread.
    EnginePool(const Config &config, EngineShared shared, Clock &clock, TransportFactory transports,
               Options options, QObject *parent = nullptr);
    ~EnginePool() override;

    /// Starts a call on the next engine; `done` runs on the pool's thread. Returns the call id.
    QString submit(CallRequest request, Engine::Completion done = {});
    /// Cancels every call in flight; each still yields its (cancelled) result.
    void cancelAll();
    /// Calls submitted and not yet completed.
    int inFlight() const { return m_inFlight.load(); }
    int engineCount() const { return static_cast<int>(m_workers.size()); }

private:
    struct Worker;
    struct Completed {
        Engine::Completion done;
        CallResult result;
    };
    /// On a worker's thread: starts the calls waiting in its inbox.
    static void startPending(Worker &worker);
    /// On a worker's thread: queues a finished call's completion for the pool's thread.
    void complete(Engine::Completion done, const CallResult &result);
    /// On the pool's thread: runs the completions waiting in the outbox.
    void deliverCompleted();

    EventStream &m_events;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::mutex m_outboxMutex;
    std::vector<Completed> m_outbox;
    std::size_t m_next = 0;
    quint64 m_nextCallNumber = 1;
    std::atomic<int> m_inFlight{0};
};

} // namespace breakwater

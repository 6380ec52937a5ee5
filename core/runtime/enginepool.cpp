#include "enginepool.h"

#include "breaker/breakerregistry.h"
#include "common/random.h"
#include "engine/eventstream.h"

#include <QPointer>
#include <QThread>
#include <cmath>

namespace breakwater {

/// One engine and what it owns, all living in one thread.
struct EnginePool::Worker {
    std::unique_ptr<QThread> thread;
    /// Created and destroyed in `thread` (a QNetworkAccessManager belongs to its thread).
    QObject *context = nullptr;
    std::unique_ptr<Transport> transport;
    std::unique_ptr<SeededRandom> random;
    std::unique_ptr<Engine> engine;

    struct Submission {
        CallRequest request;
        Engine::Completion finished;
    };
    std::mutex inboxMutex;
    std::vector<Submission> inbox;
};

EnginePool::EnginePool(const Config &config, EngineShared shared, Clock &clock,
                       TransportFactory transports, Options options, QObject *parent)
    : QObject(parent), m_events(shared.events)
{
    // Breakers (and their timers) are made here, in this thread, before any worker runs.
    for (const QString &label : chainLabels(config.chain))
        shared.breakers.breaker(label);

    const int engines = std::max(1, options.threads);
    const int perEngine = (options.concurrency + engines - 1) / engines;
    for (int i = 0; i < engines; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->context = new QObject;
        auto build = [&, i] {
            worker->transport = transports(perEngine);
            worker->random =
                std::make_unique<SeededRandom>(options.seed * 7919 + static_cast<std::uint64_t>(i));
            worker->engine = std::make_unique<Engine>(config, shared, *worker->transport, clock,
                                                      *worker->random, options.embeddedBaseUrl);
            // On a worker thread a completion only moves the result to the pool's outbox, so
            // it may run inside the engine at once (the pool's thread runs `done`).
            worker->engine->setCompletionsHandedOff(options.threads > 0);
        };
        if (options.threads <= 0) {
            build();
        } else {
            worker->thread = std::make_unique<QThread>();
            worker->thread->setObjectName(QStringLiteral("engine-%1").arg(i));
            worker->thread->start();
            worker->context->moveToThread(worker->thread.get());
            QMetaObject::invokeMethod(worker->context, build, Qt::BlockingQueuedConnection);
        }
        m_workers.push_back(std::move(worker));
    }
}

EnginePool::~EnginePool()
{
    for (auto &worker : m_workers) {
        auto teardown = [&worker] {
            worker->engine.reset();
            worker->transport.reset();
            delete worker->context;
        };
        if (worker->thread) {
            QMetaObject::invokeMethod(worker->context, teardown, Qt::BlockingQueuedConnection);
            worker->thread->quit();
            worker->thread->wait();
        } else {
            teardown();
        }
    }
}

QString EnginePool::submit(CallRequest request, Engine::Completion done)
{
    if (request.id.isEmpty())
        request.id = QStringLiteral("call-") + QString::number(m_nextCallNumber++);
    const QString id = request.id;
    Worker &worker = *m_workers[m_next];
    m_next = (m_next + 1) % m_workers.size();
    ++m_inFlight;
    if (!worker.thread) {
        // One engine on this thread (tests on a FakeClock): no hand-off at all. The engine
        // runs completions from the event loop, never inside call(), so neither does submit().
        worker.engine->call(std::move(request), [this, done = std::move(done)](
                                                    const CallResult &result) {
            --m_inFlight;
            if (done)
                done(result);
        });
        return id;
    }
    // The pool tears its engines down before it dies, and an engine destroyed mid-call runs
    // no completion, so `this` is alive whenever this runs.
    auto finished = [this, done = std::move(done)](const CallResult &result) mutable {
        complete(std::move(done), result);
    };
    bool wake = false;
    {
        std::lock_guard lock(worker.inboxMutex);
        wake = worker.inbox.empty();
        worker.inbox.push_back({std::move(request), std::move(finished)});
    }
    if (wake) {
        Worker *target = &worker;
        QMetaObject::invokeMethod(
            worker.context, [target] { startPending(*target); }, Qt::QueuedConnection);
    }
    return id;
}

void EnginePool::startPending(Worker &worker)
{
    std::vector<Worker::Submission> batch;
    {
        std::lock_guard lock(worker.inboxMutex);
        batch.swap(worker.inbox);
    }
    for (Worker::Submission &submission : batch)
        worker.engine->call(std::move(submission.request), std::move(submission.finished));
}

void EnginePool::complete(Engine::Completion done, const CallResult &result)
{
    // On a worker's thread, as its engine finishes the call (completions handed off).
    bool wake = false;
    {
        std::lock_guard lock(m_outboxMutex);
        wake = m_outbox.empty();
        m_outbox.push_back({std::move(done), result});
    }
    if (wake)
        QMetaObject::invokeMethod(this, &EnginePool::deliverCompleted, Qt::QueuedConnection);
}

void EnginePool::deliverCompleted()
{
    std::vector<Completed> batch;
    {
        std::lock_guard lock(m_outboxMutex);
        batch.swap(m_outbox);
    }
    // Events a call published before it completed must reach the consumers first (a run's
    // report is built once the last completion is in). Every completion taken above was
    // queued after its call's events were, so handing over what the stream holds now, after
    // taking the batch and not before, covers them all.
    m_events.flushPending();
    const QPointer<EnginePool> self(this);
    for (Completed &completed : batch) {
        if (!self)
            return; // a completion ended the run and destroyed the pool: the rest are moot
        --m_inFlight;
        if (completed.done)
            completed.done(completed.result);
    }
}

void EnginePool::cancelAll()
{
    for (auto &worker : m_workers) {
        Engine *engine = worker->engine.get();
        QMetaObject::invokeMethod(
            worker->context, [engine] { engine->cancelAll(); },
            worker->thread ? Qt::BlockingQueuedConnection : Qt::DirectConnection);
    }
}

} // namespace breakwater

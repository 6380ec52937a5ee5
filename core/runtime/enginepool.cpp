#include "enginepool.h"

#include "breaker/breakerregistry.h"
#include "common/random.h"
#include "transport/qnamtransport.h"

#include <QPointer>
#include <QThread>

#include <cmath>

namespace breakwater {

/// One engine and what it owns, all living in one thread.
struct EnginePool::Worker {
    std::unique_ptr<QThread> thread;
    /// Created and destroyed in `thread` (a QNetworkAccessManager belongs to its thread).
    QObject *context = nullptr;
    std::unique_ptr<QnamTransport> transport;
    std::unique_ptr<SeededRandom> random;
    std::unique_ptr<Engine> engine;
};

EnginePool::EnginePool(const Config &config, EngineShared shared, Clock &clock, Options options,
                       QObject *parent)
    : QObject(parent)
{
    // Breakers (and their timers) are made here, in this thread, before any worker runs.
    for (const QString &label : chainLabels(config.chain))
        shared.breakers.breaker(label);

    const int engines = std::max(1, options.threads);
    const int perEngine = (options.concurrency + engines - 1) / engines;
    const int managers = std::max(
        1, (perEngine + QnamTransport::kConnectionsPerManager - 1) / QnamTransport::kConnectionsPerManager);
    for (int i = 0; i < engines; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->context = new QObject;
        auto build = [&, i] {
            worker->transport = std::make_unique<QnamTransport>(managers);
            worker->random = std::make_unique<SeededRandom>(options.seed * 7919 + static_cast<std::uint64_t>(i));
            worker->engine = std::make_unique<Engine>(config, shared, *worker->transport, clock,
                                                      *worker->random, options.embeddedBaseUrl);
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
        request.id = QStringLiteral("call-%1").arg(m_nextCallNumber++);
    const QString id = request.id;
    Worker &worker = *m_workers[m_next];
    m_next = (m_next + 1) % m_workers.size();
    ++m_inFlight;
    QPointer<EnginePool> self(this);
    auto finished = [this, self, done = std::move(done)](const CallResult &result) {
        // From the worker's thread back to ours.
        QMetaObject::invokeMethod(
            self.data(),
            [this, done, result] {
                --m_inFlight;
                if (done)
                    done(result);
            },
            Qt::QueuedConnection);
    };
    Engine *engine = worker.engine.get();
    QMetaObject::invokeMethod(
        worker.context,
        [engine, request = std::move(request), finished = std::move(finished)]() mutable {
            engine->call(std::move(request), std::move(finished));
        },
        Qt::QueuedConnection);
    return id;
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

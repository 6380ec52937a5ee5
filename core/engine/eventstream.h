#pragma once

#include "common/clock.h"
#include "engine/events.h"

#include <QObject>

#include <memory>
#include <mutex>
#include <vector>

namespace breakwater {

/// The one event stream every consumer (dashboard models, metrics, recorder, log)
/// subscribes to. publish() may be called from any thread. On the stream's own thread the
/// event is emitted at once. From another thread (engines on worker threads) events are
/// collected and handed over in batches, then emitted on the stream's thread in the order
/// they were published: the first event after a quiet spell wakes the stream's thread at
/// once; while events keep coming, the stream's thread takes whatever has gathered once every
/// kBatchInterval instead of being woken for each (bench/README.md: at saturation those
/// wake-ups cost more CPU than the engine's own work on a call).
class EventStream final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    /// How long events published from other threads may wait while a stream of them flows.
    static constexpr int kBatchIntervalMs = 5;

    /// Batch intervals on wall-clock time.
    explicit EventStream(QObject *parent = nullptr);
    /// Batch intervals on `clock` (a FakeClock in tests), which must outlive the stream.
    explicit EventStream(Clock &clock, QObject *parent = nullptr);
    ~EventStream() override;

    void publish(const EngineEvent &event);
    void publish(EngineEvent &&event);
    /// On the stream's thread: emits at once the events other threads have published and
    /// that wait for their batch (for a consumer that must see them before acting on
    /// something those threads sent it by another route).
    void flushPending();
    /// Batches of other threads' events handed over so far (each one wake-up or flush that
    /// found events waiting): for tests and benchmarks.
    quint64 crossThreadBatches() const;

Q_SIGNALS:
    void event(const breakwater::EngineEvent &event);

private:
    void setUp(Clock &clock);
    void enqueue(EngineEvent &&event);
    void onWokenUp();
    void onBatchInterval();
    void drain();

    mutable std::mutex m_mutex;
    std::vector<EngineEvent> m_pending;
    /// Set from the wake-up a publisher posts until a batch interval finds nothing waiting;
    /// while set, publishers only append. Guarded by m_mutex.
    bool m_handOverActive = false;
    quint64 m_batches = 0;
    std::unique_ptr<Clock> m_ownClock;
    std::unique_ptr<Timer> m_batchTimer;
};

} // namespace breakwater

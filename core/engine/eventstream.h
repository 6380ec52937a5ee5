#pragma once

#include "engine/events.h"

#include <QObject>

#include <mutex>
#include <vector>

namespace breakwater {

/// The one event stream every consumer (dashboard models, metrics, recorder, log)
/// subscribes to. publish() may be called from any thread. On the stream's own thread the
/// event is emitted at once; from another thread (engines on worker threads) events are
/// collected and handed over in batches, one queued wake-up per batch rather than one per
/// event and receiver, then emitted on the stream's thread in the order they were published.
class EventStream final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    explicit EventStream(QObject *parent = nullptr);

    void publish(const EngineEvent &event);
    /// On the stream's thread: emits at once the events other threads have published and
    /// that wait for their batch's wake-up (for a consumer that must see them before acting
    /// on something those threads sent it by another route).
    void flushPending();

Q_SIGNALS:
    void event(const breakwater::EngineEvent &event);

private:
    void drain();

    std::mutex m_mutex;
    std::vector<EngineEvent> m_pending;
};

} // namespace breakwater

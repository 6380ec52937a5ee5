#pragma once

#include "engine/events.h"

#include <QObject>

namespace breakwater {

/// The one event stream every consumer (dashboard models, metrics, recorder, log)
/// subscribes to. publish() may be called from any thread; receivers in other threads get
/// the event queued, in order.
class EventStream final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStream)

public:
    explicit EventStream(QObject *parent = nullptr);

    void publish(const EngineEvent &event);

Q_SIGNALS:
    void event(const breakwater::EngineEvent &event);
};

} // namespace breakwater

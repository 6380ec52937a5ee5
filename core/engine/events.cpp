#include "events.h"

#include "engine/eventstream.h"

#include "common/qtclock.h"

#include <QThread>

namespace breakwater {
namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
    using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

QString seconds(Millis duration)
{
    return QString::number(toSeconds(duration), 'f', 2) + QStringLiteral(" s");
}

} // namespace

Millis eventTime(const EngineEvent &event)
{
    return std::visit([](const auto &value) { return value.at; }, event);
}

QString eventTypeName(const EngineEvent &event)
{
    return std::visit(
        Overloaded{
            [](const CallStarted &) { return QStringLiteral("call_started"); },
            [](const AttemptStarted &) { return QStringLiteral("attempt_started"); },
            [](const AttemptFinished &) { return QStringLiteral("attempt_finished"); },
            [](const RetryScheduled &) { return QStringLiteral("retry_scheduled"); },
            [](const ShortCircuited &) { return QStringLiteral("short_circuited"); },
            [](const FallbackHop &) { return QStringLiteral("fallback"); },
            [](const StreamDelta &) { return QStringLiteral("stream_delta"); },
            [](const BreakerTransition &) { return QStringLiteral("breaker"); },
            [](const CallFinished &) { return QStringLiteral("call_finished"); },
            [](const AlertChanged &) { return QStringLiteral("alert"); },
            [](const TimelineNote &) { return QStringLiteral("timeline"); },
        },
        event);
}

QString describeEvent(const EngineEvent &event)
{
    return std::visit(
        Overloaded{
            [](const CallStarted &e) {
                return QStringLiteral("call %1 started%2")
                    .arg(e.callId, e.stream ? QStringLiteral(" (streaming)") : QString());
            },
            [](const AttemptStarted &e) {
                return QStringLiteral("%1: attempt %2 on %3%4")
                    .arg(e.callId)
                    .arg(e.attempt)
                    .arg(e.model, e.probe   ? QStringLiteral(" (half-open probe)")
                                  : e.hedge ? QStringLiteral(" (hedge)")
                                  : e.panic ? QStringLiteral(" (every model open: tried anyway)")
                                            : QString());
            },
            [](const AttemptFinished &e) {
                QString text = QStringLiteral("%1: attempt %2 on %3 → %4")
                                   .arg(e.callId)
                                   .arg(e.attempt)
                                   .arg(e.model, outcomeName(e.outcome));
                if (e.httpStatus != 0)
                    text += QStringLiteral(" (HTTP %1)").arg(e.httpStatus);
                text += QStringLiteral(" in ") + seconds(e.duration);
                if (!e.message.isEmpty())
                    text += QStringLiteral(": ") + e.message;
                return text;
            },
            [](const RetryScheduled &e) {
                return QStringLiteral("%1: retry %2 on %3 in %4 (%5, after %6)")
                    .arg(e.callId)
                    .arg(e.nextAttempt)
                    .arg(e.model, seconds(e.delay), delaySourceName(e.source),
                         outcomeName(e.reason));
            },
            [](const ShortCircuited &e) {
                return QStringLiteral("%1: %2 skipped (%3)")
                    .arg(e.callId, e.model, outcomeName(e.reason));
            },
            [](const FallbackHop &e) {
                return QStringLiteral("%1: fallback %2 → %3 (%4)")
                    .arg(e.callId, e.from, e.to, e.reason);
            },
            [](const StreamDelta &e) {
                return QStringLiteral("%1: %2 streamed %3 characters")
                    .arg(e.callId, e.model)
                    .arg(e.text.size());
            },
            [](const BreakerTransition &e) {
                return QStringLiteral("breaker %1: %2 → %3")
                    .arg(e.model, breakerStateName(e.from), breakerStateName(e.to));
            },
            [](const CallFinished &e) {
                QString text = QStringLiteral("%1: answered by %2 in %3")
                                   .arg(e.result.id, e.result.source, seconds(e.result.duration));
                if (e.result.errorClass)
                    text += QStringLiteral(" (%1)").arg(outcomeName(*e.result.errorClass));
                return text;
            },
            [](const AlertChanged &e) {
                QString text = QStringLiteral("alert %1 %2")
                                   .arg(e.name, e.firing ? QStringLiteral("firing")
                                                         : QStringLiteral("resolved"));
                if (!e.message.isEmpty())
                    text += QStringLiteral(": ") + e.message;
                return text;
            },
            [](const TimelineNote &e) {
                return e.model.isEmpty() ? QStringLiteral("timeline: %1").arg(e.note)
                                         : QStringLiteral("timeline: %1 (%2)").arg(e.note, e.model);
            },
        },
        event);
}

EventStream::EventStream(QObject *parent)
    : QObject(parent), m_ownClock(std::make_unique<QtClock>())
{
    setUp(*m_ownClock);
}

EventStream::EventStream(Clock &clock, QObject *parent) : QObject(parent)
{
    setUp(clock);
}

EventStream::~EventStream() = default;

void EventStream::setUp(Clock &clock)
{
    qRegisterMetaType<breakwater::EngineEvent>();
    m_batchTimer = clock.createTimer([this] { onBatchInterval(); });
}

void EventStream::publish(const EngineEvent &event)
{
    if (QThread::currentThread() == thread()) {
        Q_EMIT this->event(event);
        return;
    }
    enqueue(EngineEvent(event));
}

void EventStream::publish(EngineEvent &&event)
{
    if (QThread::currentThread() == thread()) {
        Q_EMIT this->event(event);
        return;
    }
    enqueue(std::move(event));
}

void EventStream::enqueue(EngineEvent &&event)
{
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(std::move(event));
        wake = !m_handOverActive;
        m_handOverActive = true;
    }
    if (wake)
        QMetaObject::invokeMethod(this, &EventStream::onWokenUp, Qt::QueuedConnection);
}

void EventStream::onWokenUp()
{
    drain();
    // Publishers now only append; the timer takes what gathers meanwhile.
    m_batchTimer->start(Millis(kBatchIntervalMs));
}

void EventStream::onBatchInterval()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_pending.empty()) {
            // Quiet: the next event wakes this thread again.
            m_handOverActive = false;
            return;
        }
    }
    drain();
    m_batchTimer->start(Millis(kBatchIntervalMs));
}

void EventStream::flushPending()
{
    drain();
}

quint64 EventStream::crossThreadBatches() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

void EventStream::drain()
{
    std::vector<EngineEvent> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_pending);
        if (!batch.empty())
            ++m_batches;
    }
    for (const EngineEvent &event : batch)
        Q_EMIT this->event(event);
}

} // namespace breakwater

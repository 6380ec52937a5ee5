#include "events.h"

#include "engine/eventstream.h"

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
                    .arg(e.model, e.probe ? QStringLiteral(" (half-open probe)") : QString());
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

EventStream::EventStream(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<breakwater::EngineEvent>();
}

void EventStream::publish(const EngineEvent &event)
{
    if (QThread::currentThread() == thread()) {
        Q_EMIT this->event(event);
        return;
    }
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        wake = m_pending.empty();
        m_pending.push_back(event);
    }
    if (wake)
        QMetaObject::invokeMethod(this, &EventStream::drain, Qt::QueuedConnection);
}

void EventStream::flushPending()
{
    drain();
}

void EventStream::drain()
{
    std::vector<EngineEvent> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_pending);
    }
    for (const EngineEvent &event : batch)
        Q_EMIT this->event(event);
}

} // namespace breakwater

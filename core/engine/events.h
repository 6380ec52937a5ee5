#pragma once

#include "breaker/breakerstate.h"
#include "common/clock.h"
#include "common/errorclass.h"
#include "engine/callresult.h"
#include "errors/classifiederror.h"

#include <QMetaType>
#include <QString>

#include <variant>

namespace breakwater {

// One struct per event, as resilience4j does; `at` is the engine clock's time.

/// A robust call began.
struct CallStarted {
    QString callId;
    Millis at{0};
    bool stream = false;
};

/// An attempt was sent to a model.
struct AttemptStarted {
    QString callId;
    Millis at{0};
    QString model;
    int attempt = 0;
    /// Admitted as a half-open probe.
    bool probe = false;
    /// Started by hedging, beside an attempt that had produced no first token.
    bool hedge = false;
    /// Sent past an open breaker because every model left in the chain was open.
    bool panic = false;
};

/// An attempt that was sent came back (or timed out, or was cancelled).
struct AttemptFinished {
    QString callId;
    Millis at{0};
    QString model;
    int attempt = 0;
    Outcome outcome = Outcome::Success;
    int httpStatus = 0;
    Millis duration{0};
    QString message;
};

/// The same model will be tried again after `delay`.
struct RetryScheduled {
    QString callId;
    Millis at{0};
    QString model;
    /// The attempt number the retry will have.
    int nextAttempt = 1;
    Millis delay{0};
    DelaySource source = DelaySource::Backoff;
    /// The outcome that caused the retry.
    Outcome reason = Outcome::ServerError;
};

/// An attempt was not sent: the model's breaker is open, or its bulkhead is full.
struct ShortCircuited {
    QString callId;
    Millis at{0};
    QString model;
    Outcome reason = Outcome::ShortCircuited;
};

/// The chain moved on from one model to the next model, the cache or the degraded answer.
struct FallbackHop {
    QString callId;
    Millis at{0};
    QString from;
    /// A model name, "cache" or "degraded".
    QString to;
    QString reason;
};

/// Streamed text arrived.
struct StreamDelta {
    QString callId;
    Millis at{0};
    QString model;
    QString text;
};

/// A model's breaker changed state.
struct BreakerTransition {
    Millis at{0};
    QString model;
    BreakerState from = BreakerState::Closed;
    BreakerState to = BreakerState::Closed;
};

/// A robust call ended; `result.source` tells model, cache hit or degraded answer.
struct CallFinished {
    Millis at{0};
    CallResult result;
};

/// An alert rule started or stopped firing (the in-process twin of alerts.yml).
struct AlertChanged {
    Millis at{0};
    /// "HighErrorRate", "AuthFailure", …
    QString name;
    bool firing = false;
    /// The measured value that decided it (an error ratio), when there is one.
    double value = 0.0;
    QString message;
};

/// A note from a chaos timeline or the operator ("primary down"), shown as a marker.
struct TimelineNote {
    Millis at{0};
    QString model;
    QString note;
};

using EngineEvent = std::variant<CallStarted, AttemptStarted, AttemptFinished, RetryScheduled,
                                 ShortCircuited, FallbackHop, StreamDelta, BreakerTransition,
                                 CallFinished, AlertChanged, TimelineNote>;

/// When the event happened.
Millis eventTime(const EngineEvent &event);
/// The event's type name for logs ("attempt_finished").
QString eventTypeName(const EngineEvent &event);
/// A one-line, key-free description for the event log.
QString describeEvent(const EngineEvent &event);

} // namespace breakwater

Q_DECLARE_METATYPE(breakwater::EngineEvent)

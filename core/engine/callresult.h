#pragma once

#include "common/clock.h"
#include "common/errorclass.h"
#include "common/jsonqt.h"
#include "errors/classifiederror.h"

#include <nlohmann/json.hpp>

#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace breakwater {

/// One attempt of one call on one model (SPEC.md section 4 `attempts[]`).
struct AttemptRecord {
    QString model;
    /// 0-based attempt number on this model.
    int n = 0;
    /// From the start of the call.
    Millis start{0};
    Millis duration{0};
    Outcome outcome = Outcome::Success;
    /// 0 when no HTTP status was received.
    int httpStatus = 0;
    /// The wait scheduled after this attempt before the next one on the same model.
    std::optional<Millis> delay;
    DelaySource delaySource = DelaySource::Backoff;
    QString message;
    /// Started by hedging, beside an attempt that had produced no first token.
    bool hedge = false;
    /// Sent past an open breaker because every model left in the chain was open.
    bool panic = false;
};

/// Where an answer came from, besides a model name.
namespace sources {
inline const QString cache = QStringLiteral("cache");
inline const QString degraded = QStringLiteral("degraded");
inline const QString error = QStringLiteral("error");
} // namespace sources

/// What a robust call always yields (SPEC.md section 4). Never an exception.
struct CallResult {
    QString id;
    bool success = false;
    /// A model name, "cache", "degraded" or "error".
    QString source;
    QString text;
    /// Why no model answered, when none did (cache, degraded, error); empty otherwise.
    QString error;
    std::optional<Outcome> errorClass;
    bool degraded = false;
    bool truncated = false;
    Millis duration{0};
    QList<AttemptRecord> attempts;
    int inputTokens = 0;
    int outputTokens = 0;
};

nlohmann::json toJson(const AttemptRecord &attempt);
nlohmann::json toJson(const CallResult &result);
/// Reads a call result written by toJson (DLQ entries, saved reports); nullopt if malformed.
std::optional<CallResult> callResultFromJson(const nlohmann::json &json);


} // namespace breakwater

Q_DECLARE_METATYPE(breakwater::CallResult)

#pragma once

#include <QMetaType>
#include <QString>

#include <optional>

namespace breakwater {

/// The states of a circuit breaker. Forced states are set by hand and hold until reset.
enum class BreakerState { Closed, Open, HalfOpen, ForcedOpen, ForcedClosed };

/// "closed", "open", "half_open", "forced_open", "forced_closed".
QString breakerStateName(BreakerState state);
std::optional<BreakerState> breakerStateFromName(const QString &name);

} // namespace breakwater

Q_DECLARE_METATYPE(breakwater::BreakerState)

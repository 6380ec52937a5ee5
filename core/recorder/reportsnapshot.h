#pragma once

#include "recorder/recordersnapshot.h"

#include <QStringList>
#include <nlohmann/json.hpp>

namespace breakwater {

/// The snapshot a saved run report (SPEC.md section 6) stands for, so the dashboard's charts
/// can show a past run as they showed it live: totals, run-wide latency, per-model totals and
/// final breaker state, timeline notes, alerts still firing at the end, and every series
/// column (`series.*`; error rates are recomputed from the counts as live). What a report does
/// not keep stays empty: rolling-window figures and the individual retry delays.
///
/// A report's objects carry no chain order, so models are ordered as in `modelOrder` (the
/// chain's labels, when known), then the rest by name. Never throws: a field that is missing
/// or of the wrong type reads as zero or empty.
RecorderSnapshot snapshotFromReport(const nlohmann::json &report,
                                    const QStringList &modelOrder = {});

/// A report's `totals.answered_by_model`; for a report saved before that figure existed,
/// `succeeded` less the cache's answers (the same count). 0 when neither can be read.
std::int64_t answeredByModel(const nlohmann::json &totals);

} // namespace breakwater

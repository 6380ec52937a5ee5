#pragma once

#include "recorder/recordersnapshot.h"

#include <QByteArray>
#include <QString>

namespace breakwater::ui {

/// The run's series as CSV: one row per point, a `t_s` column (the point's start, seconds
/// since the run's start) and one column per series: requests, failed, errors, attempts,
/// retries, short_circuited, in_flight, latency_p50_s, latency_p95_s, latency_p99_s,
/// answers:<source> for each source, and attempts:, successes:, errors:, error_rate: and
/// breaker: (the state's name) for each model. Fields are quoted as RFC 4180 wants.
QByteArray seriesCsv(const SeriesView &series);

/// Writes `data` to `path` atomically (QSaveFile). False with `error` set on failure.
bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error);

} // namespace breakwater::ui

#pragma once

#include <QString>

namespace breakwater {

/// The metric names of SPEC.md section 8, written once for the collector, tests and docs.
namespace metricnames {
/// Counter {model,status}: attempts actually sent; status "success" or "error".
inline const QString callsTotal = QStringLiteral("llm_calls_total");
/// Histogram {model}: duration of each sent attempt, in seconds.
inline const QString callDuration = QStringLiteral("llm_call_duration_seconds");
/// Counter {model,class}: failed sent attempts by error class.
inline const QString callErrors = QStringLiteral("llm_call_errors_total");
/// Counter {model}: sent attempts aborted because the caller cancelled the call.
inline const QString attemptsCancelled = QStringLiteral("llm_attempts_cancelled_total");
/// Counter {model,reason}: retries scheduled; reason is the error class that caused them.
inline const QString retries = QStringLiteral("llm_retries_total");
/// Histogram {source}: scheduled retry delays; source backoff, retry-after or retry-after-ms.
inline const QString retryDelay = QStringLiteral("llm_retry_delay_seconds");
/// Gauge {model,state}: 1 for the breaker's current state, 0 for the others.
inline const QString breakerState = QStringLiteral("llm_circuit_breaker_state");
/// Counter {model,state}: breaker transitions into `state`.
inline const QString breakerTransitions = QStringLiteral("llm_circuit_breaker_transitions_total");
/// Counter {model}: attempts not sent because the model's breaker was open.
inline const QString shortCircuited = QStringLiteral("llm_short_circuited_total");
/// Counter {model}: attempts not sent because the model's bulkhead was full.
inline const QString bulkheadRejected = QStringLiteral("llm_bulkhead_rejected_total");
/// Counter {source}: finished calls by where the answer came from (model, cache, degraded,
/// error).
inline const QString responses = QStringLiteral("llm_responses_total");
/// Histogram: end-to-end duration of each robust call, in seconds.
inline const QString requestDuration = QStringLiteral("llm_request_duration_seconds");
/// Gauge: messages waiting in the dead-letter queue.
inline const QString dlqMessages = QStringLiteral("llm_dlq_messages");
/// Gauge {alertname}: 1 while the in-process alert fires.
inline const QString alertsFiring = QStringLiteral("llm_alerts_firing");
} // namespace metricnames

/// The alert rules of resources/prometheus/alerts.yml, also evaluated in-process.
namespace alertnames {
/// Error ratio of sent attempts over the window above the threshold.
inline const QString highErrorRate = QStringLiteral("HighErrorRate");
/// An attempt failed authentication within the window.
inline const QString authFailure = QStringLiteral("AuthFailure");
} // namespace alertnames

} // namespace breakwater

#pragma once

#include "common/httpheaders.h"
#include "errors/classifiederror.h"
#include "transport/transport.h"

#include <QByteArray>
#include <QDateTime>

#include <optional>
#include <utility>

namespace breakwater {

/// Which limit of the timeout budget fired.
enum class TimeoutKind { Connect, FirstToken, Idle, Attempt };

/// Classifies an HTTP answer whose status is not 2xx (SPEC.md section 3), reading the error
/// body of either API, `x-should-retry`, `retry-after-ms` and `retry-after`. `nowUtc` resolves
/// an HTTP-date `retry-after`.
ClassifiedError classifyHttpError(int status, const HttpHeaders &headers, const QByteArray &body,
                                  const QDateTime &nowUtc);

/// Classifies an API error object that arrived inside a 2xx stream (Anthropic `event: error`
/// data, or an OpenAI chunk carrying `error`).
ClassifiedError classifyStreamErrorBody(const QByteArray &json);

ClassifiedError classifyTransportFailure(TransportFailure failure, const QString &detail);
ClassifiedError timeoutError(TimeoutKind kind, Millis limit);
/// A 2xx answer or stream that could not be understood.
ClassifiedError malformedError(const QString &detail);
/// A 2xx answer or stream the provider stopped on content grounds (OpenAI finish_reason
/// `content_filter`, Anthropic stop_reason `refusal`): `stopReason` as sent, `detail` the
/// provider's reason in its own words where it gave one.
ClassifiedError contentFilterError(const QString &stopReason, const QString &detail);

/// The server's delay hint: `retry-after-ms` first, then `retry-after` (delta-seconds or
/// HTTP-date, resolved against `nowUtc`). Unparseable or negative values are ignored.
std::optional<std::pair<Millis, DelaySource>> parseRetryAfter(const HttpHeaders &headers,
                                                              const QDateTime &nowUtc);

/// `x-should-retry: true|false`, if present and valid.
std::optional<bool> parseShouldRetry(const HttpHeaders &headers);

} // namespace breakwater

#include "classifier.h"

#include <QRegularExpression>
#include <QTimeZone>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace breakwater {

using namespace Qt::StringLiterals;

namespace {

// Real error bodies are well under a kilobyte. A body far larger than this is not an API error
// object, and parsing it would only cost time on the engine's thread.
constexpr qsizetype kMaxParsedBodyBytes = 1024 * 1024;
// Long enough for any real API message, short enough for a log line or a table cell.
constexpr qsizetype kMaxMessageChars = 300;
// About 31 years. A hint this long already exceeds any retry-after cap (so it still ends
// retries on the model), and clamping keeps the double-to-integer conversion defined.
constexpr double kMaxHintMs = 1e12;

/// The error object of either API, reduced to what classification needs.
struct ApiError {
    /// `{"type":"error","error":{…}}`: Anthropic's envelope, whose error.type is authoritative.
    bool anthropicEnvelope = false;
    QString type; ///< as sent; compared case-insensitively
    QString code; ///< only string codes (vLLM sends the HTTP status as a number)
    QString message;

    /// The most specific identifier the API gave: OpenAI's code, else the type.
    QString identifier() const { return code.isEmpty() ? type : code; }
};

QString stringMember(const nlohmann::json &object, const char *key)
{
    if (!object.is_object())
        return QString();
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        return QString();
    return QString::fromStdString(it->get_ref<const std::string &>());
}

void readErrorObject(const nlohmann::json &object, ApiError &error)
{
    error.type = stringMember(object, "type");
    error.code = stringMember(object, "code");
    error.message = stringMember(object, "message");
}

/// Reads the error object of an Anthropic or OpenAI(-compatible) error body; nullopt when the
/// body is not JSON or carries nothing recognisable. Never throws, whatever the bytes.
std::optional<ApiError> parseApiError(const QByteArray &body)
{
    if (body.isEmpty() || body.size() > kMaxParsedBodyBytes)
        return std::nullopt;
    const nlohmann::json document =
        nlohmann::json::parse(body.constData(), body.constData() + body.size(), nullptr,
                              /*allow_exceptions=*/false);
    if (document.is_discarded())
        return std::nullopt;

    // Some OpenAI-compatible gateways (Gemini's) wrap the error object in a one-element array.
    const nlohmann::json *root = &document;
    if (root->is_array() && !root->empty())
        root = &root->front();
    if (!root->is_object())
        return std::nullopt;

    ApiError error;
    error.anthropicEnvelope = stringMember(*root, "type") == u"error";
    const auto member = root->find("error");
    if (member != root->end() && member->is_object()) {
        readErrorObject(*member, error);
    } else if (member != root->end() && member->is_string()) {
        // Ollama and a few proxies send `{"error":"text"}`.
        error.message = QString::fromStdString(member->get_ref<const std::string &>());
    } else if (!error.anthropicEnvelope && root->contains("message")) {
        // Older vLLM puts the OpenAI fields at the top level (`"object":"error"`).
        readErrorObject(*root, error);
    }
    if (error.type.isEmpty() && error.code.isEmpty() && error.message.isEmpty())
        return std::nullopt;
    return error;
}

/// The class an API error type or code names, for the vocabularies of both APIs.
std::optional<Outcome> outcomeForIdentifier(const QString &identifier)
{
    const QString id = identifier.toLower();
    if (id.isEmpty())
        return std::nullopt;
    if (id.contains(u"overloaded"))
        return Outcome::Overloaded;
    // timeout_error is Anthropic's 504 (the server gave up), not one of our own timeouts.
    if (id == u"api_error" || id == u"server_error" || id == u"timeout_error" ||
        id == u"conflict_error")
        return Outcome::ServerError;
    if (id == u"rate_limit_error" || id == u"rate_limit_exceeded")
        return Outcome::RateLimited;
    if (id == u"authentication_error" || id == u"permission_error" || id == u"invalid_api_key")
        return Outcome::Auth;
    // OpenAI's content policy 400 (the code beats type invalid_request_error), and Azure
    // OpenAI's, whose prompt filter says content_filter.
    if (id == u"content_policy_violation" || id == u"content_filter")
        return Outcome::ContentFilter;
    if (id == u"invalid_request_error" || id == u"not_found_error" || id == u"request_too_large" ||
        id == u"billing_error" || id == u"insufficient_quota" || id == u"context_length_exceeded")
        return Outcome::BadRequest;
    return std::nullopt;
}

std::optional<Outcome> outcomeForApiError(const ApiError &error)
{
    if (const auto byCode = outcomeForIdentifier(error.code))
        return byCode;
    return outcomeForIdentifier(error.type);
}

bool isQuotaError(const ApiError &error)
{
    for (const QString &id : {error.type.toLower(), error.code.toLower()}) {
        if (id == u"insufficient_quota" || id.startsWith(u"billing_"))
            return true;
    }
    // "exceeded your current quota" is OpenAI's billing phrase; a bare "quota" is not enough:
    // Gemini's OpenAI-compatible per-minute 429 says "check quota" and must be retried.
    for (const QStringView phrase : {u"usage limit", u"spend limit", u"credit balance",
                                     u"exceeded your current quota"}) {
        if (error.message.contains(phrase, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool saysOverloaded(const ApiError &error)
{
    return error.type.contains(u"overloaded", Qt::CaseInsensitive) ||
           error.code.contains(u"overloaded", Qt::CaseInsensitive) ||
           error.message.contains(u"overloaded", Qt::CaseInsensitive);
}

std::optional<int> capturedInt(const QRegularExpressionMatch &match, int group)
{
    bool ok = false;
    const int value = match.capturedView(group).toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}

/// Whether the error says the prompt does not fit the model's window; fills in the sizes the
/// message reports.
bool readContextOverflow(const ApiError &error, ClassifiedError &result)
{
    bool overflow = error.code.compare(u"context_length_exceeded", Qt::CaseInsensitive) == 0 ||
                    error.type.compare(u"context_length_exceeded", Qt::CaseInsensitive) == 0 ||
                    // llama.cpp's server
                    error.type.compare(u"exceed_context_size_error", Qt::CaseInsensitive) == 0;

    // Anthropic: "prompt is too long: 208310 tokens > 200000 maximum".
    static const QRegularExpression anthropicPrompt(
        u"prompt is too long(?::\\s*(\\d+)\\s*tokens?\\s*>\\s*(\\d+))?"_s,
        QRegularExpression::CaseInsensitiveOption);
    // Anthropic, when input plus max_tokens does not fit:
    // "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, …".
    static const QRegularExpression anthropicSum(
        u"exceed context limit:\\s*(\\d+)\\s*\\+\\s*\\d+\\s*>\\s*(\\d+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    // OpenAI: "This model's maximum context length is 8192 tokens. However, your messages
    // resulted in 9000 tokens." or "… you requested 130500 tokens (130000 in the messages, …".
    static const QRegularExpression openAiLimit(u"maximum context length is\\s*(\\d+)"_s,
                                                QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression openAiInMessages(u"(\\d+)\\s+in the messages"_s,
                                                     QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression openAiTotal(u"(?:resulted in|requested)\\s+(\\d+)\\s+tokens"_s,
                                                QRegularExpression::CaseInsensitiveOption);

    if (const auto match = anthropicPrompt.match(error.message); match.hasMatch()) {
        overflow = true;
        result.promptTokens = capturedInt(match, 1);
        result.contextLimit = capturedInt(match, 2);
    } else if (const auto sum = anthropicSum.match(error.message); sum.hasMatch()) {
        overflow = true;
        result.promptTokens = capturedInt(sum, 1);
        result.contextLimit = capturedInt(sum, 2);
    } else if (const auto limit = openAiLimit.match(error.message); limit.hasMatch()) {
        overflow = true;
        result.contextLimit = capturedInt(limit, 1);
        // The prompt alone is what truncation must shrink, so prefer it over the total that
        // includes the completion budget.
        if (const auto part = openAiInMessages.match(error.message); part.hasMatch())
            result.promptTokens = capturedInt(part, 1);
        else if (const auto total = openAiTotal.match(error.message); total.hasMatch())
            result.promptTokens = capturedInt(total, 1);
    }
    return overflow;
}

Outcome outcomeForStatus(int status)
{
    switch (status) {
    case 401:
    case 403:
        return Outcome::Auth;
    case 429:
        return Outcome::RateLimited;
    case 408:
    case 409:
        return Outcome::ServerError;
    case 529:
        return Outcome::Overloaded;
    default:
        break;
    }
    if (status >= 500 && status <= 599)
        return Outcome::ServerError;
    return Outcome::BadRequest;
}

/// One line of text: control characters (newlines from stack traces, escape sequences) become
/// spaces, and the length is bounded without splitting a surrogate pair.
QString sanitizedText(const QString &text)
{
    QString line = text.left(kMaxMessageChars * 2);
    for (QChar &c : line) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u' ';
    }
    line = line.simplified();
    if (line.size() > kMaxMessageChars) {
        line.truncate(kMaxMessageChars);
        if (line.back().isHighSurrogate())
            line.chop(1);
        line += QChar(0x2026);
    }
    return line;
}

QString classPhrase(Outcome outcome, int status, bool quota)
{
    switch (outcome) {
    case Outcome::RateLimited:
        return u"rate limited"_s;
    case Outcome::ServerError:
        return u"server error"_s;
    case Outcome::Overloaded:
        return u"server overloaded"_s;
    case Outcome::ContextOverflow:
        return u"prompt too long for the model's context window"_s;
    case Outcome::ContentFilter:
        return u"refused by the provider's content filter"_s;
    case Outcome::Auth:
        return status == 403 ? u"permission denied"_s : u"authentication failed"_s;
    case Outcome::BadRequest:
        return quota ? u"quota or spend limit reached"_s : u"request rejected"_s;
    default:
        return outcomeName(outcome);
    }
}

QString joinDetail(const QString &head, const QString &detail)
{
    const QString clean = sanitizedText(detail);
    return clean.isEmpty() ? head : head + u": "_s + clean;
}

/// A proxy's plain-text or HTML error page still says more than the status alone. Only a
/// prefix is decoded (the body may be megabytes); invalid UTF-8 becomes replacement characters.
QString rawBodySummary(const QByteArray &body)
{
    const QString text = QString::fromUtf8(body.left(kMaxMessageChars * 8)).trimmed();
    if (!text.startsWith(u'<'))
        return text;
    // An HTML page: its title ("502 Bad Gateway") is the summary; failing that, its text.
    static const QRegularExpression title(u"<title[^>]*>([^<]*)</title>"_s,
                                          QRegularExpression::CaseInsensitiveOption);
    if (const auto match = title.match(text); match.hasMatch())
        return match.captured(1);
    static const QRegularExpression tag(u"<[^>]*>"_s);
    return QString(text).replace(tag, u" "_s);
}

/// Applies the mappings shared by HTTP and stream errors that depend on the body alone: quota
/// limits are not rate limits, and a too-long prompt is not an ordinary bad request.
void refineFromBody(const ApiError &error, ClassifiedError &result, bool &quota)
{
    quota = false;
    if ((result.outcome == Outcome::RateLimited || result.outcome == Outcome::BadRequest) &&
        isQuotaError(error)) {
        // Waiting seconds does not refill a monthly quota or an exhausted credit balance.
        result.outcome = Outcome::BadRequest;
        quota = true;
        return;
    }
    if (result.outcome != Outcome::BadRequest)
        return;
    if (outcomeForIdentifier(error.code) == Outcome::ContentFilter ||
        outcomeForIdentifier(error.type) == Outcome::ContentFilter)
        result.outcome = Outcome::ContentFilter;
    else if (readContextOverflow(error, result))
        result.outcome = Outcome::ContextOverflow;
}

/// `digits[.digits]`, nothing else: signs, exponents, units, "inf" and "nan" are not delays.
/// Accumulated by hand because a string too long for a double must saturate, not fail.
std::optional<double> parseNonNegativeDecimal(const QByteArray &raw)
{
    const QByteArray text = raw.trimmed();
    double value = 0.0;
    double scale = 1.0;
    bool sawDigit = false;
    bool sawDot = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            sawDigit = true;
            if (sawDot)
                value += (scale /= 10.0) * (c - '0');
            else
                value = value * 10.0 + (c - '0');
        } else if (c == '.' && !sawDot) {
            sawDot = true;
        } else {
            return std::nullopt;
        }
    }
    if (!sawDigit)
        return std::nullopt;
    return std::isfinite(value) ? value : kMaxHintMs;
}

Millis hintFromMs(double ms)
{
    return Millis(static_cast<Millis::rep>(std::llround(std::min(ms, kMaxHintMs))));
}

int monthFromName(QStringView name)
{
    static const QStringView months[] = {u"jan", u"feb", u"mar", u"apr", u"may", u"jun",
                                         u"jul", u"aug", u"sep", u"oct", u"nov", u"dec"};
    for (int i = 0; i < 12; ++i) {
        if (name.compare(months[i], Qt::CaseInsensitive) == 0)
            return i + 1;
    }
    return 0;
}

/// An HTTP-date in any of the three forms RFC 9110 requires recipients to accept.
std::optional<QDateTime> parseHttpDate(const QByteArray &raw)
{
    const QString text = QString::fromLatin1(raw).simplified();
    // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT"
    static const QRegularExpression imf(
        u"^[a-z]{3}, (\\d{1,2}) ([a-z]{3}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) gmt$"_s,
        QRegularExpression::CaseInsensitiveOption);
    // RFC 850: "Wednesday, 21-Oct-15 07:28:00 GMT"
    static const QRegularExpression rfc850(
        u"^[a-z]+, (\\d{1,2})-([a-z]{3})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) gmt$"_s,
        QRegularExpression::CaseInsensitiveOption);
    // asctime: "Wed Oct 21 07:28:00 2015" (a one-digit day is padded with a space)
    static const QRegularExpression asctime(
        u"^[a-z]{3} ([a-z]{3}) (\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$"_s,
        QRegularExpression::CaseInsensitiveOption);

    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (const auto m = imf.match(text); m.hasMatch()) {
        day = m.capturedView(1).toInt();
        month = monthFromName(m.capturedView(2));
        year = m.capturedView(3).toInt();
        hour = m.capturedView(4).toInt();
        minute = m.capturedView(5).toInt();
        second = m.capturedView(6).toInt();
    } else if (const auto m850 = rfc850.match(text); m850.hasMatch()) {
        day = m850.capturedView(1).toInt();
        month = monthFromName(m850.capturedView(2));
        const int yy = m850.capturedView(3).toInt();
        // Two-digit years: nothing here predates 1970.
        year = yy >= 70 ? 1900 + yy : 2000 + yy;
        hour = m850.capturedView(4).toInt();
        minute = m850.capturedView(5).toInt();
        second = m850.capturedView(6).toInt();
    } else if (const auto ma = asctime.match(text); ma.hasMatch()) {
        month = monthFromName(ma.capturedView(1));
        day = ma.capturedView(2).toInt();
        hour = ma.capturedView(3).toInt();
        minute = ma.capturedView(4).toInt();
        second = ma.capturedView(5).toInt();
        year = ma.capturedView(6).toInt();
    } else {
        return std::nullopt;
    }
    if (second == 60)
        second = 59; // a leap second is still a valid date
    const QDate date(year, month, day);
    const QTime time(hour, minute, second);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, QTimeZone::utc());
}

} // namespace

ClassifiedError classifyHttpError(int status, const HttpHeaders &headers, const QByteArray &body,
                                  const QDateTime &nowUtc)
{
    ClassifiedError result;
    result.httpStatus = status;
    result.outcome = outcomeForStatus(status);
    const bool authStatus = result.outcome == Outcome::Auth;

    const std::optional<ApiError> apiError = parseApiError(body);
    bool quota = false;
    if (apiError) {
        result.apiErrorType = apiError->identifier();
        // Anthropic's error.type names the class whatever the status (an overloaded_error may
        // come as a 500). A 401 or 403 stays auth: SPEC.md says auth is never retried.
        if (apiError->anthropicEnvelope && !authStatus) {
            if (const auto byType = outcomeForApiError(*apiError))
                result.outcome = *byType;
        }
        // OpenAI sends its overload as a 503 with type server_error: only the text tells.
        if (!apiError->anthropicEnvelope && status >= 500 && status <= 599 &&
            saysOverloaded(*apiError))
            result.outcome = Outcome::Overloaded;
        refineFromBody(*apiError, result, quota);
    }

    result.retryable = isRetryableByDefault(result.outcome);
    // x-should-retry overrides the table (docs/engine.md) with four exceptions. Auth: the
    // table says never retried, so a "true" hint cannot make it retryable. Context overflow:
    // resending the same prompt cannot fit; the engine recovers by truncating or moving to a
    // larger window, outside the retry loop. Content filter: the same prompt is refused again
    // on the same model. Quota and spend limits: they last until billing changes,
    // which no retry delay covers.
    if (const auto shouldRetry = parseShouldRetry(headers);
        shouldRetry && result.outcome != Outcome::Auth &&
        result.outcome != Outcome::ContextOverflow && result.outcome != Outcome::ContentFilter &&
        !quota)
        result.retryable = *shouldRetry;

    if (const auto hint = parseRetryAfter(headers, nowUtc)) {
        result.retryAfter = hint->first;
        result.retryAfterSource = hint->second;
    }

    const QString head =
        classPhrase(result.outcome, status, quota) + u" (HTTP "_s + QString::number(status) + u')';
    if (apiError) {
        result.message = joinDetail(head, apiError->message);
    } else {
        result.message = joinDetail(head, rawBodySummary(body));
    }
    return result;
}

ClassifiedError classifyStreamErrorBody(const QByteArray &json)
{
    const std::optional<ApiError> apiError = parseApiError(json);
    if (!apiError)
        return malformedError(u"stream error event that is not an API error object"_s);

    ClassifiedError result;
    result.apiErrorType = apiError->identifier();
    // The stream already answered 200, so the body is all there is. An error the API does not
    // name is still the server failing mid-answer.
    result.outcome = outcomeForApiError(*apiError).value_or(Outcome::ServerError);
    if (result.outcome == Outcome::ServerError && saysOverloaded(*apiError))
        result.outcome = Outcome::Overloaded;
    bool quota = false;
    refineFromBody(*apiError, result, quota);
    result.retryable = isRetryableByDefault(result.outcome);
    result.message =
        joinDetail(classPhrase(result.outcome, 0, quota) + u" (mid-stream)"_s, apiError->message);
    return result;
}

ClassifiedError classifyTransportFailure(TransportFailure failure, const QString &detail)
{
    ClassifiedError result;
    result.outcome = Outcome::Connection;
    result.retryable = isRetryableByDefault(Outcome::Connection);
    QString head;
    switch (failure) {
    case TransportFailure::ConnectionRefused:
        head = u"connection refused"_s;
        break;
    case TransportFailure::ConnectionReset:
        head = u"connection reset by the server"_s;
        break;
    case TransportFailure::HostNotFound:
        head = u"host not found"_s;
        break;
    case TransportFailure::Tls:
        head = u"TLS failure"_s;
        break;
    case TransportFailure::Other:
        head = u"network error"_s;
        break;
    }
    result.message = joinDetail(head, detail);
    return result;
}

ClassifiedError timeoutError(TimeoutKind kind, Millis limit)
{
    ClassifiedError result;
    result.outcome = Outcome::Timeout;
    result.retryable = isRetryableByDefault(Outcome::Timeout);
    const QString span = limit < Millis(1000) ? QString::number(limit.count()) + u" ms"_s
                                              : QString::number(toSeconds(limit)) + u" s"_s;
    switch (kind) {
    case TimeoutKind::Connect:
        result.message = u"no connection within "_s + span;
        break;
    case TimeoutKind::FirstToken:
        result.message = u"no first token within "_s + span;
        break;
    case TimeoutKind::Idle:
        result.message = u"stream idle for "_s + span + u" between chunks"_s;
        break;
    case TimeoutKind::Attempt:
        result.message = u"attempt not finished within "_s + span;
        break;
    }
    return result;
}

ClassifiedError malformedError(const QString &detail)
{
    ClassifiedError result;
    result.outcome = Outcome::Malformed;
    result.retryable = isRetryableByDefault(Outcome::Malformed);
    result.message = joinDetail(u"malformed answer"_s, detail);
    return result;
}

ClassifiedError contentFilterError(const QString &stopReason, const QString &detail)
{
    ClassifiedError result;
    result.outcome = Outcome::ContentFilter;
    result.retryable = isRetryableByDefault(Outcome::ContentFilter);
    result.apiErrorType = sanitizedText(stopReason);
    result.message = joinDetail(u"content filter"_s, detail);
    return result;
}

std::optional<std::pair<Millis, DelaySource>> parseRetryAfter(const HttpHeaders &headers,
                                                              const QDateTime &nowUtc)
{
    // An unusable retry-after-ms falls through to retry-after rather than dropping the hint.
    if (headers.contains("retry-after-ms")) {
        if (const auto ms = parseNonNegativeDecimal(headers.value("retry-after-ms")))
            return std::make_pair(hintFromMs(*ms), DelaySource::RetryAfterMs);
    }
    if (!headers.contains("retry-after"))
        return std::nullopt;
    const QByteArray value = headers.value("retry-after");
    if (const auto seconds = parseNonNegativeDecimal(value))
        return std::make_pair(hintFromMs(*seconds * 1000.0), DelaySource::RetryAfter);
    if (!nowUtc.isValid())
        return std::nullopt;
    if (const auto date = parseHttpDate(value)) {
        const qint64 delta = nowUtc.msecsTo(*date);
        return std::make_pair(Millis(std::max<qint64>(0, delta)), DelaySource::RetryAfter);
    }
    return std::nullopt;
}

std::optional<bool> parseShouldRetry(const HttpHeaders &headers)
{
    const QByteArray value = headers.value("x-should-retry").trimmed();
    if (value.compare("true", Qt::CaseInsensitive) == 0)
        return true;
    if (value.compare("false", Qt::CaseInsensitive) == 0)
        return false;
    return std::nullopt;
}

} // namespace breakwater

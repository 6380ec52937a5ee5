#include "errors/classifier.h"

#include <QTest>
#include <QTimeZone>

using namespace breakwater;
using namespace Qt::StringLiterals;

namespace {

// A fixed "now" for HTTP-date hints: 30 s before the RFC 9110 example date.
const QDateTime kNow(QDate(2015, 10, 21), QTime(7, 27, 30), QTimeZone::utc());

QByteArray anthropicBody(const char *type, const char *message)
{
    return QByteArrayLiteral(R"({"type":"error","error":{"type":")") + type +
           QByteArrayLiteral(R"(","message":")") + message +
           QByteArrayLiteral(R"("},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})");
}

/// `code` is written raw, so pass `null` or a quoted string.
QByteArray openAiBody(const char *message, const char *type, const char *code)
{
    return QByteArrayLiteral(R"({"error":{"message":")") + message +
           QByteArrayLiteral(R"(","type":")") + type +
           QByteArrayLiteral(R"(","param":null,"code":)") + code + QByteArrayLiteral("}}");
}

HttpHeaders shouldRetryHeader(const QByteArray &value)
{
    HttpHeaders headers;
    if (!value.isNull())
        headers.add("x-should-retry", value);
    return headers;
}

} // namespace

class TestClassifier final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void followsSpecTableByStatus_data();
    void followsSpecTableByStatus();
    void classifiesRealAnthropicErrorBodies_data();
    void classifiesRealAnthropicErrorBodies();
    void classifiesRealOpenAIErrorBodies_data();
    void classifiesRealOpenAIErrorBodies();
    void quotaAndSpendLimitsAreBadRequestsNeverRetried_data();
    void quotaAndSpendLimitsAreBadRequestsNeverRetried();
    void contextOverflowReportsPromptAndWindow_data();
    void contextOverflowReportsPromptAndWindow();
    void shouldRetryHeaderOverridesTableExceptAuthOverflowAndQuota_data();
    void shouldRetryHeaderOverridesTableExceptAuthOverflowAndQuota();
    void parsesShouldRetryHeader_data();
    void parsesShouldRetryHeader();
    void parsesRetryAfterHints_data();
    void parsesRetryAfterHints();
    void httpDateNeedsAValidNow();
    void absurdRetryAfterIsClampedNotDropped();
    void httpErrorCarriesRetryHint();
    void classifiesStreamErrorBodies_data();
    void classifiesStreamErrorBodies();
    void transportFailuresAreRetryableConnectionErrors_data();
    void transportFailuresAreRetryableConnectionErrors();
    void timeoutsNameTheLimitThatFired_data();
    void timeoutsNameTheLimitThatFired();
    void malformedAnswersAreRetryable();
    void contentFilterErrorsAreNeverRetriedNorBreakerFailures();
    void hostileBodiesFallBackToStatus_data();
    void hostileBodiesFallBackToStatus();
    void longApiMessageIsTruncatedToOneLine();
    void htmlErrorPageIsSummarisedByItsTitle();
    void messageNeverContainsHeaders();
    void aPerMinuteQuotaMessageIsStillARetryableRateLimit();
};

void TestClassifier::aPerMinuteQuotaMessageIsStillARetryableRateLimit()
{
    // Gemini's OpenAI-compatible endpoint: a per-minute limit, not a billing quota.
    const QByteArray body = R"([{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}])";
    const ClassifiedError error =
        classifyHttpError(429, {}, body, QDateTime::currentDateTimeUtc());
    QCOMPARE(error.outcome, Outcome::RateLimited);
    QVERIFY(error.retryable);
}

void TestClassifier::followsSpecTableByStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<bool>("countsAgainstBreaker");

    QTest::newRow("429 rate limited") << 429 << u"rate_limited"_s << true << true;
    QTest::newRow("500") << 500 << u"server_error"_s << true << true;
    QTest::newRow("502") << 502 << u"server_error"_s << true << true;
    QTest::newRow("503") << 503 << u"server_error"_s << true << true;
    QTest::newRow("504") << 504 << u"server_error"_s << true << true;
    QTest::newRow("408") << 408 << u"server_error"_s << true << true;
    QTest::newRow("409") << 409 << u"server_error"_s << true << true;
    QTest::newRow("529 overloaded") << 529 << u"overloaded"_s << true << true;
    QTest::newRow("401 auth") << 401 << u"auth"_s << false << false;
    QTest::newRow("403 auth") << 403 << u"auth"_s << false << false;
    QTest::newRow("400") << 400 << u"bad_request"_s << false << false;
    QTest::newRow("404") << 404 << u"bad_request"_s << false << false;
    QTest::newRow("413") << 413 << u"bad_request"_s << false << false;
    QTest::newRow("422") << 422 << u"bad_request"_s << false << false;
    QTest::newRow("unexpected 505") << 505 << u"server_error"_s << true << true;
    QTest::newRow("unexpected 520") << 520 << u"server_error"_s << true << true;
    QTest::newRow("unexpected 599") << 599 << u"server_error"_s << true << true;
    QTest::newRow("unexpected 302") << 302 << u"bad_request"_s << false << false;
    QTest::newRow("unexpected 100") << 100 << u"bad_request"_s << false << false;
    QTest::newRow("unexpected 600") << 600 << u"bad_request"_s << false << false;
}

void TestClassifier::followsSpecTableByStatus()
{
    QFETCH(int, status);
    QFETCH(QString, outcome);
    QFETCH(bool, retryable);
    QFETCH(bool, countsAgainstBreaker);

    const ClassifiedError error = classifyHttpError(status, {}, {}, kNow);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, retryable);
    QCOMPARE(breakwater::countsAgainstBreaker(error.outcome), countsAgainstBreaker);
    QCOMPARE(error.httpStatus, status);
    QVERIFY(!error.retryAfter);
    QVERIFY(error.apiErrorType.isEmpty());
    QVERIFY2(error.message.contains(QString::number(status)), qPrintable(error.message));
}

void TestClassifier::classifiesRealAnthropicErrorBodies_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("apiErrorType");
    QTest::addColumn<QString>("messageContains");

    QTest::newRow("400 invalid_request_error")
        << 400 << anthropicBody("invalid_request_error", "max_tokens: Field required")
        << u"bad_request"_s << u"invalid_request_error"_s << u"max_tokens: Field required"_s;
    QTest::newRow("401 authentication_error")
        << 401 << anthropicBody("authentication_error", "invalid x-api-key") << u"auth"_s
        << u"authentication_error"_s << u"invalid x-api-key"_s;
    QTest::newRow("403 permission_error")
        << 403
        << anthropicBody("permission_error",
                         "Your API key does not have permission to use the specified resource.")
        << u"auth"_s << u"permission_error"_s << u"does not have permission"_s;
    QTest::newRow("404 not_found_error")
        << 404 << anthropicBody("not_found_error", "model: claude-nonexistent-1")
        << u"bad_request"_s << u"not_found_error"_s << u"claude-nonexistent-1"_s;
    QTest::newRow("413 request_too_large")
        << 413
        << anthropicBody("request_too_large",
                         "Request exceeds the maximum allowed number of bytes.")
        << u"bad_request"_s << u"request_too_large"_s << u"maximum allowed number of bytes"_s;
    QTest::newRow("429 rate_limit_error")
        << 429
        << anthropicBody("rate_limit_error",
                         "This request would exceed the rate limit for your organization of "
                         "50,000 input tokens per minute. Please try again later.")
        << u"rate_limited"_s << u"rate_limit_error"_s << u"50,000 input tokens per minute"_s;
    QTest::newRow("500 api_error")
        << 500 << anthropicBody("api_error", "Internal server error") << u"server_error"_s
        << u"api_error"_s << u"Internal server error"_s;
    QTest::newRow("504 timeout_error")
        << 504 << anthropicBody("timeout_error", "Request timed out") << u"server_error"_s
        << u"timeout_error"_s << u"Request timed out"_s;
    QTest::newRow("529 overloaded_error")
        << 529 << anthropicBody("overloaded_error", "Overloaded") << u"overloaded"_s
        << u"overloaded_error"_s << u"Overloaded"_s;
    // The type decides whatever the status.
    QTest::newRow("500 overloaded_error")
        << 500 << anthropicBody("overloaded_error", "Overloaded") << u"overloaded"_s
        << u"overloaded_error"_s << u"Overloaded"_s;
    QTest::newRow("503 overloaded_error")
        << 503 << anthropicBody("overloaded_error", "Overloaded") << u"overloaded"_s
        << u"overloaded_error"_s << u"Overloaded"_s;
    QTest::newRow("529 api_error") << 529 << anthropicBody("api_error", "Internal server error")
                                   << u"server_error"_s << u"api_error"_s << u"Internal"_s;
    QTest::newRow("400 api_error") << 400 << anthropicBody("api_error", "Internal server error")
                                   << u"server_error"_s << u"api_error"_s << u"Internal"_s;
    QTest::newRow("503 rate_limit_error")
        << 503
        << anthropicBody("rate_limit_error", "Number of requests has exceeded your rate limit")
        << u"rate_limited"_s << u"rate_limit_error"_s << u"exceeded your rate limit"_s;
    QTest::newRow("500 invalid_request_error")
        << 500
        << anthropicBody("invalid_request_error", "messages: at least one message is required")
        << u"bad_request"_s << u"invalid_request_error"_s << u"at least one message"_s;
    QTest::newRow("429 authentication_error")
        << 429 << anthropicBody("authentication_error", "invalid x-api-key") << u"auth"_s
        << u"authentication_error"_s << u"invalid x-api-key"_s;
    // SPEC: 401 and 403 are auth, never retried, whatever the body claims.
    QTest::newRow("401 overloaded_error") << 401 << anthropicBody("overloaded_error", "Overloaded")
                                          << u"auth"_s << u"overloaded_error"_s << u"Overloaded"_s;
    QTest::newRow("unknown type: status decides")
        << 503 << anthropicBody("brand_new_error", "Something new") << u"server_error"_s
        << u"brand_new_error"_s << u"Something new"_s;
}

void TestClassifier::classifiesRealAnthropicErrorBodies()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, outcome);
    QFETCH(QString, apiErrorType);
    QFETCH(QString, messageContains);

    const ClassifiedError error = classifyHttpError(status, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, isRetryableByDefault(error.outcome));
    QCOMPARE(error.apiErrorType, apiErrorType);
    QCOMPARE(error.httpStatus, status);
    QVERIFY2(error.message.contains(messageContains), qPrintable(error.message));
    QVERIFY2(!error.message.contains(u"req_011"_s), "the request id is not part of the message");
}

void TestClassifier::classifiesRealOpenAIErrorBodies_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("apiErrorType");
    QTest::addColumn<QString>("messageContains");

    QTest::newRow("401 invalid_api_key")
        << 401
        << openAiBody("Incorrect API key provided: sk-proj-****abcd. You can find your API key at "
                      "https://platform.openai.com/account/api-keys.",
                      "invalid_request_error", R"("invalid_api_key")")
        << u"auth"_s << u"invalid_api_key"_s << u"Incorrect API key provided"_s;
    QTest::newRow("403 unsupported region")
        << 403
        << openAiBody("Country, region, or territory not supported", "request_forbidden",
                      R"("unsupported_country_region_territory")")
        << u"auth"_s << u"unsupported_country_region_territory"_s << u"not supported"_s;
    QTest::newRow("404 model_not_found")
        << 404
        << openAiBody("The model `gpt-9` does not exist or you do not have access to it.",
                      "invalid_request_error", R"("model_not_found")")
        << u"bad_request"_s << u"model_not_found"_s << u"does not exist"_s;
    QTest::newRow("400 invalid value, null code")
        << 400
        << openAiBody("Invalid value for 'temperature': expected a number.",
                      "invalid_request_error", "null")
        << u"bad_request"_s << u"invalid_request_error"_s << u"temperature"_s;
    QTest::newRow("429 rate_limit_exceeded")
        << 429
        << openAiBody("Rate limit reached for gpt-4o in organization org-abc on tokens per min "
                      "(TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2s.",
                      "tokens", R"("rate_limit_exceeded")")
        << u"rate_limited"_s << u"rate_limit_exceeded"_s << u"Rate limit reached"_s;
    QTest::newRow("500 server_error")
        << 500
        << openAiBody("The server had an error while processing your request. Sorry about that!",
                      "server_error", "null")
        << u"server_error"_s << u"server_error"_s << u"Sorry about that"_s;
    QTest::newRow("503 server overloaded")
        << 503 << openAiBody("The server is overloaded or not ready yet.", "server_error", "null")
        << u"overloaded"_s << u"server_error"_s << u"overloaded or not ready"_s;
    QTest::newRow("503 model overloaded")
        << 503
        << openAiBody("That model is currently overloaded with other requests. You can retry "
                      "your request.",
                      "server_error", "null")
        << u"overloaded"_s << u"server_error"_s << u"currently overloaded"_s;
    QTest::newRow("503 overloaded code")
        << 503 << openAiBody("Please retry.", "server_error", R"("engine_overloaded")")
        << u"overloaded"_s << u"engine_overloaded"_s << u"Please retry"_s;
    QTest::newRow("503 not overloaded")
        << 503 << openAiBody("Service Unavailable", "server_error", "null") << u"server_error"_s
        << u"server_error"_s << u"Service Unavailable"_s;
    // OpenAI bodies do not override the status: only the 5xx overload text refines it.
    QTest::newRow("429 with server_error type")
        << 429 << openAiBody("Too many requests", "server_error", "null") << u"rate_limited"_s
        << u"server_error"_s << u"Too many requests"_s;
    QTest::newRow("502 proxy HTML page")
        << 502
        << QByteArrayLiteral("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>"
                             "</body>\r\n</html>\r\n")
        << u"server_error"_s << QString() << u"server error (HTTP 502): 502 Bad Gateway"_s;
    QTest::newRow("503 plain-text proxy body")
        << 503 << QByteArrayLiteral("upstream connect error or disconnect/reset before headers\n")
        << u"server_error"_s << QString()
        << u"server error (HTTP 503): upstream connect error or disconnect/reset before headers"_s;
    QTest::newRow("400 content_policy_violation")
        << 400
        << openAiBody("Your request was rejected as a result of our safety system. Your prompt "
                      "may contain text that is not allowed by our safety system.",
                      "invalid_request_error", R"("content_policy_violation")")
        << u"content_filter"_s << u"content_policy_violation"_s
        << u"refused by the provider's content filter (HTTP 400): Your request was rejected as "
           u"a result of our safety system."_s;
    QTest::newRow("400 content_filter code")
        << 400
        << openAiBody("The response was filtered due to the prompt triggering the content "
                      "management policy.",
                      "invalid_request_error", R"("content_filter")")
        << u"content_filter"_s << u"content_filter"_s << u"management policy"_s;
    QTest::newRow("400 Azure content_filter, type null")
        << 400
        << QByteArrayLiteral(
               R"({"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"violence":{"filtered":true,"severity":"medium"}}}}})")
        << u"content_filter"_s << u"content_filter"_s << u"Azure OpenAI's content management"_s;
    QTest::newRow("Ollama string error")
        << 404
        << QByteArrayLiteral(R"({"error":"model \"llama9\" not found, try pulling it first"})")
        << u"bad_request"_s << QString() << u"model \"llama9\" not found"_s;
}

void TestClassifier::classifiesRealOpenAIErrorBodies()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, outcome);
    QFETCH(QString, apiErrorType);
    QFETCH(QString, messageContains);

    const ClassifiedError error = classifyHttpError(status, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, isRetryableByDefault(error.outcome));
    QCOMPARE(error.apiErrorType, apiErrorType);
    QVERIFY2(error.message.contains(messageContains), qPrintable(error.message));
    QVERIFY2(!error.message.contains(u'\n') && !error.message.contains(u'\r'),
             qPrintable(error.message));
}

void TestClassifier::quotaAndSpendLimitsAreBadRequestsNeverRetried_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("apiErrorType");

    QTest::newRow("OpenAI insufficient_quota")
        << 429
        << openAiBody("You exceeded your current quota, please check your plan and billing "
                      "details. For more information on this error, read the docs: "
                      "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                      "insufficient_quota", R"("insufficient_quota")")
        << u"insufficient_quota"_s;
    QTest::newRow("OpenAI billing_hard_limit_reached")
        << 429
        << openAiBody("Billing hard limit has been reached", "invalid_request_error",
                      R"("billing_hard_limit_reached")")
        << u"billing_hard_limit_reached"_s;
    QTest::newRow("Anthropic workspace usage limit")
        << 429
        << anthropicBody("rate_limit_error",
                         "You have reached your specified workspace API usage limits. You will "
                         "regain access on 2026-08-01 at 00:00 UTC.")
        << u"rate_limit_error"_s;
    QTest::newRow("Anthropic spend limit")
        << 429
        << anthropicBody("rate_limit_error",
                         "Your organization has reached its monthly spend limit.")
        << u"rate_limit_error"_s;
    QTest::newRow("Anthropic credit balance")
        << 400
        << anthropicBody("invalid_request_error",
                         "Your credit balance is too low to access the Anthropic API. Please go "
                         "to Plans & Billing to upgrade or purchase credits.")
        << u"invalid_request_error"_s;
    QTest::newRow("Anthropic billing_error")
        << 402 << anthropicBody("billing_error", "Billing issue: payment required")
        << u"billing_error"_s;
}

void TestClassifier::quotaAndSpendLimitsAreBadRequestsNeverRetried()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, apiErrorType);

    const ClassifiedError error = classifyHttpError(status, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), u"bad_request"_s);
    QVERIFY(!error.retryable);
    QCOMPARE(error.apiErrorType, apiErrorType);
    QVERIFY2(error.message.startsWith(u"quota or spend limit reached"_s),
             qPrintable(error.message));

    // A spend limit lasts until billing changes: a generic retry hint does not help.
    const ClassifiedError hinted = classifyHttpError(status, shouldRetryHeader("true"), body, kNow);
    QCOMPARE(outcomeName(hinted.outcome), u"bad_request"_s);
    QVERIFY(!hinted.retryable);
}

void TestClassifier::contextOverflowReportsPromptAndWindow_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("promptTokens"); // -1: not reported
    QTest::addColumn<int>("contextLimit");
    QTest::addColumn<QString>("apiErrorType");

    QTest::newRow("Anthropic prompt is too long")
        << anthropicBody("invalid_request_error",
                         "prompt is too long: 208310 tokens > 200000 maximum")
        << 208310 << 200000 << u"invalid_request_error"_s;
    QTest::newRow("Anthropic input plus max_tokens")
        << anthropicBody("invalid_request_error",
                         "input length and `max_tokens` exceed context limit: 188240 + 21333 > "
                         "200000, decrease input length or `max_tokens` and try again")
        << 188240 << 200000 << u"invalid_request_error"_s;
    QTest::newRow("OpenAI messages resulted in")
        << openAiBody("This model's maximum context length is 8192 tokens. However, your "
                      "messages resulted in 9000 tokens. Please reduce the length of the "
                      "messages.",
                      "invalid_request_error", R"("context_length_exceeded")")
        << 9000 << 8192 << u"context_length_exceeded"_s;
    QTest::newRow("OpenAI requested, split")
        << openAiBody("This model's maximum context length is 128000 tokens. However, you "
                      "requested 130500 tokens (130000 in the messages, 500 in the completion). "
                      "Please reduce the length of the messages or completion.",
                      "invalid_request_error", R"("context_length_exceeded")")
        << 130000 << 128000 << u"context_length_exceeded"_s;
    QTest::newRow("OpenAI code alone")
        << openAiBody("Your input exceeds the context window of this model. Please adjust your "
                      "input and try again.",
                      "invalid_request_error", R"("context_length_exceeded")")
        << -1 << -1 << u"context_length_exceeded"_s;
    QTest::newRow("OpenAI limit without prompt size")
        << openAiBody("This model's maximum context length is 4096 tokens.",
                      "invalid_request_error", "null")
        << -1 << 4096 << u"invalid_request_error"_s;
    QTest::newRow("vLLM top-level fields")
        << QByteArrayLiteral(
               R"({"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400})")
        << 4000 << 4096 << u"BadRequestError"_s;
}

void TestClassifier::contextOverflowReportsPromptAndWindow()
{
    QFETCH(QByteArray, body);
    QFETCH(int, promptTokens);
    QFETCH(int, contextLimit);
    QFETCH(QString, apiErrorType);

    const ClassifiedError error = classifyHttpError(400, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), u"context_overflow"_s);
    QVERIFY(!error.retryable);
    QVERIFY(!countsAgainstBreaker(error.outcome));
    QCOMPARE(error.promptTokens.value_or(-1), promptTokens);
    QCOMPARE(error.contextLimit.value_or(-1), contextLimit);
    QCOMPARE(error.apiErrorType, apiErrorType);
}

void TestClassifier::shouldRetryHeaderOverridesTableExceptAuthOverflowAndQuota_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("shouldRetry");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<bool>("retryable");

    const QByteArray overflow =
        anthropicBody("invalid_request_error", "prompt is too long: 9000 tokens > 8000 maximum");
    const QByteArray quota = openAiBody("You exceeded your current quota.", "insufficient_quota",
                                        R"("insufficient_quota")");

    QTest::newRow("429 false") << 429 << QByteArray() << QByteArray("false") << u"rate_limited"_s
                               << false;
    QTest::newRow("529 false") << 529 << anthropicBody("overloaded_error", "Overloaded")
                               << QByteArray("false") << u"overloaded"_s << false;
    QTest::newRow("500 false") << 500 << QByteArray() << QByteArray("false") << u"server_error"_s
                               << false;
    QTest::newRow("400 true") << 400 << QByteArray() << QByteArray("true") << u"bad_request"_s
                              << true;
    QTest::newRow("404 true") << 404 << anthropicBody("not_found_error", "model: x")
                              << QByteArray("true") << u"bad_request"_s << true;
    QTest::newRow("429 TRUE padded")
        << 429 << QByteArray() << QByteArray(" TRUE ") << u"rate_limited"_s << true;
    QTest::newRow("400 False") << 400 << QByteArray() << QByteArray("False") << u"bad_request"_s
                               << false;
    QTest::newRow("503 garbage ignored")
        << 503 << QByteArray() << QByteArray("no") << u"server_error"_s << true;
    QTest::newRow("400 garbage ignored")
        << 400 << QByteArray() << QByteArray("1") << u"bad_request"_s << false;
    QTest::newRow("401 true: auth is never retried")
        << 401 << QByteArray() << QByteArray("true") << u"auth"_s << false;
    QTest::newRow("403 true: auth is never retried")
        << 403 << QByteArray() << QByteArray("true") << u"auth"_s << false;
    QTest::newRow("overflow true: truncation, not retry")
        << 400 << overflow << QByteArray("true") << u"context_overflow"_s << false;
    QTest::newRow("quota true") << 429 << quota << QByteArray("true") << u"bad_request"_s << false;
    QTest::newRow("content filter true: the same prompt is refused again")
        << 400
        << openAiBody("Your request was rejected as a result of our safety system.",
                      "invalid_request_error", R"("content_policy_violation")")
        << QByteArray("true") << u"content_filter"_s << false;
}

void TestClassifier::shouldRetryHeaderOverridesTableExceptAuthOverflowAndQuota()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, shouldRetry);
    QFETCH(QString, outcome);
    QFETCH(bool, retryable);

    const ClassifiedError error =
        classifyHttpError(status, shouldRetryHeader(shouldRetry), body, kNow);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, retryable);
}

void TestClassifier::parsesShouldRetryHeader_data()
{
    QTest::addColumn<QByteArray>("value"); // null: header absent
    QTest::addColumn<int>("expected");     // -1: nullopt, else 0/1

    QTest::newRow("absent") << QByteArray() << -1;
    QTest::newRow("true") << QByteArray("true") << 1;
    QTest::newRow("false") << QByteArray("false") << 0;
    QTest::newRow("mixed case, padded") << QByteArray("  True\t") << 1;
    QTest::newRow("FALSE") << QByteArray("FALSE") << 0;
    QTest::newRow("empty") << QByteArray("") << -1;
    QTest::newRow("1") << QByteArray("1") << -1;
    QTest::newRow("yes") << QByteArray("yes") << -1;
    QTest::newRow("truest") << QByteArray("truest") << -1;
}

void TestClassifier::parsesShouldRetryHeader()
{
    QFETCH(QByteArray, value);
    QFETCH(int, expected);

    const std::optional<bool> parsed = parseShouldRetry(shouldRetryHeader(value));
    QCOMPARE(parsed ? int(*parsed) : -1, expected);
}

void TestClassifier::parsesRetryAfterHints_data()
{
    QTest::addColumn<QByteArray>("retryAfterMs"); // null: header absent
    QTest::addColumn<QByteArray>("retryAfter");   // null: header absent
    QTest::addColumn<qint64>("expectedMs");       // -1: no hint
    QTest::addColumn<QString>("source");

    const QString ms = delaySourceName(DelaySource::RetryAfterMs);
    const QString s = delaySourceName(DelaySource::RetryAfter);
    const QByteArray absent;

    QTest::newRow("none") << absent << absent << qint64(-1) << QString();
    QTest::newRow("ms integer") << QByteArray("1500") << absent << qint64(1500) << ms;
    QTest::newRow("ms decimal") << QByteArray("1500.4") << absent << qint64(1500) << ms;
    QTest::newRow("ms decimal rounds") << QByteArray("2.6") << absent << qint64(3) << ms;
    QTest::newRow("ms zero") << QByteArray("0") << absent << qint64(0) << ms;
    QTest::newRow("ms padded") << QByteArray(" 250 ") << absent << qint64(250) << ms;
    QTest::newRow("ms preferred over seconds")
        << QByteArray("250") << QByteArray("7") << qint64(250) << ms;
    QTest::newRow("ms preferred over date")
        << QByteArray("250") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << qint64(250) << ms;
    QTest::newRow("garbage ms falls back")
        << QByteArray("soon") << QByteArray("3") << qint64(3000) << s;
    QTest::newRow("negative ms falls back")
        << QByteArray("-100") << QByteArray("2") << qint64(2000) << s;
    QTest::newRow("empty ms falls back") << QByteArray("") << QByteArray("2") << qint64(2000) << s;
    QTest::newRow("negative ms alone") << QByteArray("-100") << absent << qint64(-1) << QString();
    QTest::newRow("empty ms alone") << QByteArray("") << absent << qint64(-1) << QString();
    QTest::newRow("seconds") << absent << QByteArray("2") << qint64(2000) << s;
    QTest::newRow("seconds decimal") << absent << QByteArray("1.5") << qint64(1500) << s;
    QTest::newRow("seconds padded") << absent << QByteArray(" 7 ") << qint64(7000) << s;
    QTest::newRow("seconds zero") << absent << QByteArray("0") << qint64(0) << s;
    QTest::newRow("IMF-fixdate in the future")
        << absent << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << qint64(30000) << s;
    QTest::newRow("IMF-fixdate in the past")
        << absent << QByteArray("Wed, 21 Oct 2015 07:00:00 GMT") << qint64(0) << s;
    QTest::newRow("IMF-fixdate lower case")
        << absent << QByteArray("wed, 21 oct 2015 07:28:00 gmt") << qint64(30000) << s;
    QTest::newRow("IMF-fixdate next day")
        << absent << QByteArray("Thu, 22 Oct 2015 07:27:30 GMT") << qint64(86400000) << s;
    QTest::newRow("RFC 850 date") << absent << QByteArray("Wednesday, 21-Oct-15 07:28:10 GMT")
                                  << qint64(40000) << s;
    QTest::newRow("asctime date") << absent << QByteArray("Wed Oct 21 07:28:20 2015")
                                  << qint64(50000) << s;
    QTest::newRow("asctime padded day, past")
        << absent << QByteArray("Thu Oct  1 00:00:00 2015") << qint64(0) << s;
    QTest::newRow("impossible date")
        << absent << QByteArray("Wed, 32 Oct 2015 07:28:00 GMT") << qint64(-1) << QString();
    QTest::newRow("unknown month")
        << absent << QByteArray("Wed, 21 Foo 2015 07:28:00 GMT") << qint64(-1) << QString();
    QTest::newRow("date without zone")
        << absent << QByteArray("Wed, 21 Oct 2015 07:28:00") << qint64(-1) << QString();
    QTest::newRow("garbage") << absent << QByteArray("soon") << qint64(-1) << QString();
    QTest::newRow("empty") << absent << QByteArray("") << qint64(-1) << QString();
    QTest::newRow("negative") << absent << QByteArray("-1") << qint64(-1) << QString();
    QTest::newRow("exponent") << absent << QByteArray("1e3") << qint64(-1) << QString();
    QTest::newRow("inf") << absent << QByteArray("inf") << qint64(-1) << QString();
    QTest::newRow("nan") << absent << QByteArray("nan") << qint64(-1) << QString();
    QTest::newRow("with unit") << absent << QByteArray("2 s") << qint64(-1) << QString();
    QTest::newRow("two dots") << absent << QByteArray("1.2.3") << qint64(-1) << QString();
    QTest::newRow("lone dot") << absent << QByteArray(".") << qint64(-1) << QString();
}

void TestClassifier::parsesRetryAfterHints()
{
    QFETCH(QByteArray, retryAfterMs);
    QFETCH(QByteArray, retryAfter);
    QFETCH(qint64, expectedMs);
    QFETCH(QString, source);

    HttpHeaders headers;
    if (!retryAfterMs.isNull())
        headers.add("Retry-After-Ms", retryAfterMs);
    if (!retryAfter.isNull())
        headers.add("Retry-After", retryAfter);

    const auto hint = parseRetryAfter(headers, kNow);
    QCOMPARE(hint ? qint64(hint->first.count()) : qint64(-1), expectedMs);
    QCOMPARE(hint ? delaySourceName(hint->second) : QString(), source);
}

void TestClassifier::httpDateNeedsAValidNow()
{
    const HttpHeaders date{{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    QVERIFY(!parseRetryAfter(date, QDateTime()));

    const HttpHeaders seconds{{"retry-after", "4"}};
    const auto hint = parseRetryAfter(seconds, QDateTime());
    QVERIFY(hint);
    QCOMPARE(hint->first, Millis(4000));
}

void TestClassifier::absurdRetryAfterIsClampedNotDropped()
{
    // A hint longer than any cap must still end retries on the model, so it is kept (clamped)
    // rather than ignored, which would let backoff retry soon.
    for (const char *name : {"retry-after", "retry-after-ms"}) {
        const HttpHeaders headers{{name, QByteArray(400, '9')}};
        const auto hint = parseRetryAfter(headers, kNow);
        QVERIFY2(hint, name);
        QVERIFY2(hint->first > Millis(std::chrono::hours(24 * 365)), name);
    }
}

void TestClassifier::httpErrorCarriesRetryHint()
{
    const HttpHeaders both{{"retry-after", "2"}, {"retry-after-ms", "1500"}};
    const ClassifiedError limited = classifyHttpError(
        429, both,
        openAiBody("Rate limit reached for requests", "requests", R"("rate_limit_exceeded")"),
        kNow);
    QCOMPARE(outcomeName(limited.outcome), u"rate_limited"_s);
    QCOMPARE(limited.retryAfter, std::optional<Millis>(Millis(1500)));
    QCOMPARE(limited.retryAfterSource, DelaySource::RetryAfterMs);

    const HttpHeaders date{{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    const ClassifiedError unavailable = classifyHttpError(503, date, {}, kNow);
    QCOMPARE(unavailable.retryAfter, std::optional<Millis>(Millis(30000)));
    QCOMPARE(unavailable.retryAfterSource, DelaySource::RetryAfter);

    const ClassifiedError none = classifyHttpError(503, {}, {}, kNow);
    QVERIFY(!none.retryAfter);
    QCOMPARE(none.retryAfterSource, DelaySource::Backoff);
}

void TestClassifier::classifiesStreamErrorBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("apiErrorType");

    QTest::newRow("Anthropic overloaded_error")
        << QByteArrayLiteral(
               R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
        << u"overloaded"_s << u"overloaded_error"_s;
    QTest::newRow("Anthropic overloaded_error with details and request id")
        << QByteArrayLiteral(
               R"({"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CW"})")
        << u"overloaded"_s << u"overloaded_error"_s;
    QTest::newRow("Anthropic api_error") << anthropicBody("api_error", "Internal server error")
                                         << u"server_error"_s << u"api_error"_s;
    QTest::newRow("Anthropic rate_limit_error")
        << anthropicBody("rate_limit_error", "Output tokens per minute exceeded")
        << u"rate_limited"_s << u"rate_limit_error"_s;
    QTest::newRow("Anthropic invalid_request_error")
        << anthropicBody("invalid_request_error", "Invalid tool input") << u"bad_request"_s
        << u"invalid_request_error"_s;
    QTest::newRow("OpenAI server_error chunk")
        << QByteArrayLiteral(
               R"({"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","code":null}})")
        << u"server_error"_s << u"server_error"_s;
    QTest::newRow("OpenAI rate limit chunk")
        << openAiBody("Rate limit reached for tokens", "tokens", R"("rate_limit_exceeded")")
        << u"rate_limited"_s << u"rate_limit_exceeded"_s;
    QTest::newRow("OpenAI rate_limit_error type")
        << openAiBody("Slow down", "rate_limit_error", "null") << u"rate_limited"_s
        << u"rate_limit_error"_s;
    QTest::newRow("OpenAI overloaded chunk")
        << openAiBody("The server is overloaded or not ready yet.", "server_error", "null")
        << u"overloaded"_s << u"server_error"_s;
    QTest::newRow("OpenAI content filter chunk")
        << openAiBody("The response was filtered.", "invalid_request_error", R"("content_filter")")
        << u"content_filter"_s << u"content_filter"_s;
    QTest::newRow("unnamed error: the server failed")
        << openAiBody("Something broke", "weird_error", "null") << u"server_error"_s
        << u"weird_error"_s;
    QTest::newRow("error as string")
        << QByteArrayLiteral(R"({"error":"upstream died"})") << u"server_error"_s << QString();
    QTest::newRow("truncated JSON")
        << QByteArrayLiteral(R"({"type":"error","error":{"type":"overloaded_er)") << u"malformed"_s
        << QString();
    QTest::newRow("empty") << QByteArray() << u"malformed"_s << QString();
    QTest::newRow("not JSON") << QByteArrayLiteral("event: error") << u"malformed"_s << QString();
    QTest::newRow("array") << QByteArrayLiteral("[]") << u"malformed"_s << QString();
    QTest::newRow("string") << QByteArrayLiteral(R"("error")") << u"malformed"_s << QString();
    QTest::newRow("number") << QByteArrayLiteral("42") << u"malformed"_s << QString();
    QTest::newRow("object without error")
        << QByteArrayLiteral(R"({"type":"ping"})") << u"malformed"_s << QString();
    QTest::newRow("null error") << QByteArrayLiteral(R"({"type":"error","error":null})")
                                << u"malformed"_s << QString();
    QTest::newRow("invalid UTF-8") << QByteArray("{\"type\":\"error\",\"error\":{\"type\":"
                                                 "\"overloaded_error\",\"message\":\"\xff\xfe\"}}")
                                   << u"malformed"_s << QString();
}

void TestClassifier::classifiesStreamErrorBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, outcome);
    QFETCH(QString, apiErrorType);

    const ClassifiedError error = classifyStreamErrorBody(body);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, isRetryableByDefault(error.outcome));
    QCOMPARE(error.apiErrorType, apiErrorType);
    QCOMPARE(error.httpStatus, 0);
    QVERIFY(!error.retryAfter);
    QVERIFY(!error.message.isEmpty());
}

void TestClassifier::transportFailuresAreRetryableConnectionErrors_data()
{
    QTest::addColumn<int>("failure");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("messageStart");

    QTest::newRow("refused") << int(TransportFailure::ConnectionRefused) << u"Connection refused"_s
                             << u"connection refused"_s;
    QTest::newRow("reset") << int(TransportFailure::ConnectionReset)
                           << u"Remote host closed the connection"_s << u"connection reset"_s;
    QTest::newRow("DNS") << int(TransportFailure::HostNotFound)
                         << u"Host api.example.invalid not found"_s << u"host not found"_s;
    QTest::newRow("TLS") << int(TransportFailure::Tls)
                         << u"The host name did not match any of the valid hosts"_s
                         << u"TLS failure"_s;
    QTest::newRow("other") << int(TransportFailure::Other) << u"Network unreachable"_s
                           << u"network error"_s;
    QTest::newRow("no detail") << int(TransportFailure::Other) << QString() << u"network error"_s;
}

void TestClassifier::transportFailuresAreRetryableConnectionErrors()
{
    QFETCH(int, failure);
    QFETCH(QString, detail);
    QFETCH(QString, messageStart);

    const ClassifiedError error =
        classifyTransportFailure(static_cast<TransportFailure>(failure), detail);
    QCOMPARE(outcomeName(error.outcome), u"connection"_s);
    QVERIFY(error.retryable);
    QCOMPARE(error.httpStatus, 0);
    QVERIFY2(error.message.startsWith(messageStart), qPrintable(error.message));
    QVERIFY2(error.message.contains(detail), qPrintable(error.message));
    if (detail.isEmpty())
        QCOMPARE(error.message, messageStart);
}

void TestClassifier::timeoutsNameTheLimitThatFired_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<qint64>("limitMs");
    QTest::addColumn<QString>("message");

    QTest::newRow("connect") << int(TimeoutKind::Connect) << qint64(5000)
                             << u"no connection within 5 s"_s;
    QTest::newRow("first token") << int(TimeoutKind::FirstToken) << qint64(20000)
                                 << u"no first token within 20 s"_s;
    QTest::newRow("idle") << int(TimeoutKind::Idle) << qint64(10000)
                          << u"stream idle for 10 s between chunks"_s;
    QTest::newRow("attempt") << int(TimeoutKind::Attempt) << qint64(30000)
                             << u"attempt not finished within 30 s"_s;
    QTest::newRow("fractional seconds")
        << int(TimeoutKind::FirstToken) << qint64(1500) << u"no first token within 1.5 s"_s;
    QTest::newRow("sub-second") << int(TimeoutKind::Connect) << qint64(250)
                                << u"no connection within 250 ms"_s;
}

void TestClassifier::timeoutsNameTheLimitThatFired()
{
    QFETCH(int, kind);
    QFETCH(qint64, limitMs);
    QFETCH(QString, message);

    const ClassifiedError error = timeoutError(static_cast<TimeoutKind>(kind), Millis(limitMs));
    QCOMPARE(outcomeName(error.outcome), u"timeout"_s);
    QVERIFY(error.retryable);
    QCOMPARE(error.httpStatus, 0);
    QCOMPARE(error.message, message);
}

void TestClassifier::malformedAnswersAreRetryable()
{
    const ClassifiedError error = malformedError(u"stream ended without message_stop"_s);
    QCOMPARE(outcomeName(error.outcome), u"malformed"_s);
    QVERIFY(error.retryable);
    QVERIFY(countsAgainstBreaker(error.outcome));
    QCOMPARE(error.httpStatus, 0);
    QVERIFY2(error.message.contains(u"stream ended without message_stop"_s),
             qPrintable(error.message));
}

void TestClassifier::contentFilterErrorsAreNeverRetriedNorBreakerFailures()
{
    const ClassifiedError error =
        contentFilterError(u"refusal"_s, u"the model refused to answer\n(stop_reason: refusal)"_s);
    QCOMPARE(error.outcome, Outcome::ContentFilter);
    QVERIFY(!error.retryable);
    QVERIFY(!countsAgainstBreaker(error.outcome));
    QCOMPARE(error.httpStatus, 0);
    QCOMPARE(error.apiErrorType, u"refusal"_s);
    QCOMPARE(error.message,
             u"content filter: the model refused to answer (stop_reason: refusal)"_s);
    const ClassifiedError long_ = contentFilterError(u"refusal"_s, QString(5000, u'x'));
    QVERIFY(long_.message.size() < 400);
}

void TestClassifier::hostileBodiesFallBackToStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("outcome");

    QTest::newRow("truncated JSON")
        << 500 << QByteArrayLiteral(R"({"error":{"message":"The server had)") << u"server_error"_s;
    QTest::newRow("array") << 529 << QByteArrayLiteral("[1,2,3]") << u"overloaded"_s;
    QTest::newRow("empty array") << 429 << QByteArrayLiteral("[]") << u"rate_limited"_s;
    QTest::newRow("string") << 429 << QByteArrayLiteral(R"("rate limited")") << u"rate_limited"_s;
    QTest::newRow("number") << 500 << QByteArrayLiteral("42") << u"server_error"_s;
    QTest::newRow("null") << 503 << QByteArrayLiteral("null") << u"server_error"_s;
    QTest::newRow("error is a number")
        << 400 << QByteArrayLiteral(R"({"error":42})") << u"bad_request"_s;
    QTest::newRow("fields of the wrong type")
        << 400
        << QByteArrayLiteral(
               R"({"error":{"message":42,"type":["invalid_request_error"],"code":{"a":1}}})")
        << u"bad_request"_s;
    QTest::newRow("all fields null")
        << 503 << QByteArrayLiteral(R"({"error":{"message":null,"type":null,"code":null}})")
        << u"server_error"_s;
    QTest::newRow("Anthropic envelope, null error")
        << 503 << QByteArrayLiteral(R"({"type":"error","error":null})") << u"server_error"_s;
    QTest::newRow("Anthropic envelope, string error")
        << 429 << QByteArrayLiteral(R"({"type":"error","error":"boom"})") << u"rate_limited"_s;
    QTest::newRow("type of the wrong type")
        << 529 << QByteArrayLiteral(R"({"type":["error"],"error":{"type":7}})") << u"overloaded"_s;
    QTest::newRow("invalid UTF-8 in a string")
        << 429
        << QByteArray("{\"error\":{\"message\":\"\xff\xfe\",\"code\":\"insufficient_quota\"}}")
        << u"rate_limited"_s;
    QTest::newRow("invalid UTF-8 outside JSON")
        << 500 << QByteArray("\xc3\x28\xff\x00\x01", 5) << u"server_error"_s;
    QTest::newRow("lone surrogate escape")
        << 400 << QByteArrayLiteral(R"({"error":{"message":"\ud800"}})") << u"bad_request"_s;
    QTest::newRow("NUL bytes") << 502 << QByteArray("{\"error\0\":1}", 12) << u"server_error"_s;
    QTest::newRow("deeply nested, unterminated")
        << 500 << QByteArray(200000, '[') << u"server_error"_s;
    QTest::newRow("deeply nested, complete")
        << 503 << QByteArray(100000, '[') + QByteArray(100000, ']') << u"server_error"_s;
    QTest::newRow("huge non-JSON body")
        << 503 << QByteArray(4 * 1024 * 1024, 'x') << u"server_error"_s;
    QTest::newRow("huge JSON body past the parse limit")
        << 400
        << QByteArrayLiteral(R"({"error":{"code":"context_length_exceeded","message":")") +
               QByteArray(2 * 1024 * 1024, 'a') + QByteArrayLiteral(R"("}})")
        << u"bad_request"_s;
}

void TestClassifier::hostileBodiesFallBackToStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, outcome);

    const ClassifiedError error = classifyHttpError(status, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), outcome);
    QCOMPARE(error.retryable, isRetryableByDefault(error.outcome));
    QVERIFY(!error.promptTokens && !error.contextLimit);
    QVERIFY2(error.message.size() <= 400, qPrintable(QString::number(error.message.size())));
    for (const QChar c : error.message)
        QVERIFY2(c.unicode() >= 0x20, "the message is one printable line");

    // The same bytes arriving mid-stream are handled without crashing too.
    const ClassifiedError streamed = classifyStreamErrorBody(body);
    QCOMPARE(streamed.httpStatus, 0);
}

void TestClassifier::longApiMessageIsTruncatedToOneLine()
{
    const QString apiMessage = u"Line one\nline two\t"_s + QString(100000, u'x') + u"the end"_s;
    const std::string escaped = "Line one\\nline two\\t" + std::string(100000, 'x') + "the end";
    const QByteArray body =
        QByteArrayLiteral(R"({"type":"error","error":{"type":"api_error","message":")") +
        QByteArray::fromStdString(escaped) + QByteArrayLiteral(R"("}})");

    const ClassifiedError error = classifyHttpError(500, {}, body, kNow);
    QCOMPARE(outcomeName(error.outcome), u"server_error"_s);
    QVERIFY2(error.message.contains(u"Line one line two xxx"_s), qPrintable(error.message));
    QVERIFY(!error.message.contains(u"the end"_s));
    QVERIFY(error.message.endsWith(QChar(0x2026)));
    QVERIFY2(error.message.size() < 360, qPrintable(QString::number(error.message.size())));
}

void TestClassifier::htmlErrorPageIsSummarisedByItsTitle()
{
    const QByteArray page = QByteArrayLiteral(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
        "Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    QCOMPARE(classifyHttpError(502, {}, page, kNow).message,
             u"server error (HTTP 502): 502 Bad Gateway"_s);

    const QByteArray untitled = QByteArrayLiteral("<html><body><h1>Service Unavailable</h1>"
                                                  "<p>Try later.</p></body></html>");
    QCOMPARE(classifyHttpError(503, {}, untitled, kNow).message,
             u"server error (HTTP 503): Service Unavailable Try later."_s);
}

void TestClassifier::messageNeverContainsHeaders()
{
    const HttpHeaders headers{{"x-api-key", "sk-ant-api03-secret"},
                              {"authorization", "Bearer sk-proj-secret"},
                              {"set-cookie", "session=secret-cookie"},
                              {"retry-after", "1"}};
    for (const int status : {401, 429, 500, 529}) {
        const ClassifiedError error =
            classifyHttpError(status, headers, anthropicBody("api_error", "Oops"), kNow);
        QVERIFY2(!error.message.contains(u"secret"_s), qPrintable(error.message));
        QVERIFY2(error.message.contains(u"Oops"_s), qPrintable(error.message));
    }
}

QTEST_GUILESS_MAIN(TestClassifier)
#include "tst_classifier.moc"

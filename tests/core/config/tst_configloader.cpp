#include "config/configloader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace breakwater;

namespace {

const QString kLabel = QStringLiteral("config.json");

nlohmann::json parse(const QByteArray &text)
{
    return nlohmann::json::parse(text.cbegin(), text.cend());
}

QStringList errorLines(const QList<ValidationError> &errors)
{
    QStringList lines;
    for (const ValidationError &error : errors)
        lines.append(error.toString());
    return lines;
}

Config parseValid(const nlohmann::json &json)
{
    const ConfigParseResult result = parseConfig(json, kLabel);
    if (!result.errors.isEmpty())
        qWarning() << errorLines(result.errors);
    return result.config.value_or(Config());
}

// Checks the documented defaults of docs/formats.md ("Config") field by field, against both the
// literal values and the policy structs' own defaults, so that default.json, the structs
// and the spec cannot drift apart unnoticed.
void verifyDefaults(const Config &config)
{
    const Config structDefaults;

    QCOMPARE(config.providers.size(), 3);
    // A JSON object's members come in name order.
    QCOMPARE(config.providers.at(0).name, QStringLiteral("anthropic"));
    QCOMPARE(config.providers.at(0).kind, ProviderKind::Anthropic);
    QCOMPARE(config.providers.at(0).baseUrl, QStringLiteral("https://api.anthropic.com"));
    QCOMPARE(config.providers.at(0).apiKeyEnv, QStringLiteral("ANTHROPIC_API_KEY"));
    QCOMPARE(config.providers.at(1).name, QStringLiteral("chaos"));
    QCOMPARE(config.providers.at(1).kind, ProviderKind::Anthropic);
    QVERIFY(config.providers.at(1).isEmbedded());
    QVERIFY(config.providers.at(1).apiKeyEnv.isEmpty());
    QCOMPARE(config.providers.at(2).name, QStringLiteral("openai"));
    QCOMPARE(config.providers.at(2).kind, ProviderKind::OpenAI);
    QCOMPARE(config.providers.at(2).baseUrl, QStringLiteral("https://api.openai.com/v1"));
    QCOMPARE(config.providers.at(2).apiKeyEnv, QStringLiteral("OPENAI_API_KEY"));
    QVERIFY(config.provider(QStringLiteral("chaos")));

    QCOMPARE(config.chain.size(), 2);
    QCOMPARE(config.chain.at(0).provider, QStringLiteral("chaos"));
    QCOMPARE(config.chain.at(0).model, QStringLiteral("claude-sonnet-4-5"));
    QCOMPARE(config.chain.at(0).maxTokens, 1024);
    QCOMPARE(config.chain.at(0).contextWindow, 200000);
    QCOMPARE(config.chain.at(0).maxConcurrency, 0);
    QCOMPARE(config.chain.at(1).provider, QStringLiteral("chaos"));
    QCOMPARE(config.chain.at(1).model, QStringLiteral("claude-haiku-4-5"));
    QCOMPARE(config.chain.at(1).maxTokens, ChainEntry().maxTokens);
    QCOMPARE(config.chain.at(1).contextWindow, 0);

    // The policy's numbers are chosen by measurement (resources/config/README.md) and may
    // move; what must hold is that default.json and the structs agree on every one of them.
    const RetryPolicy &retry = config.retry;
    const RetryPolicy &retryDefaults = structDefaults.retry;
    QCOMPARE(retry.maxAttempts, retryDefaults.maxAttempts);
    QCOMPARE(retry.maxAttemptsByClass.size(), retryDefaults.maxAttemptsByClass.size());
    for (const ClassAttemptLimit &limit : retryDefaults.maxAttemptsByClass)
        QCOMPARE(retry.maxAttemptsFor(limit.errorClass), limit.attempts);
    QCOMPARE(retry.initial, retryDefaults.initial);
    QCOMPARE(retry.max, retryDefaults.max);
    QCOMPARE(retry.multiplier, retryDefaults.multiplier);
    QCOMPARE(retry.jitter, retryDefaults.jitter);
    QCOMPARE(retry.jitterMax, retryDefaults.jitterMax);
    QCOMPARE(retry.honorRetryAfter, retryDefaults.honorRetryAfter);
    QCOMPARE(retry.retryAfterCap, retryDefaults.retryAfterCap);
    QCOMPARE(retry.budgetRatio, retryDefaults.budgetRatio);
    QCOMPARE(retry.budgetMinPerSecond, retryDefaults.budgetMinPerSecond);
    QCOMPARE(retry.budgetWindow, Millis(10000));
    // A model that timed out once is left at once, whatever the numbers.
    QCOMPARE(retry.maxAttemptsFor(Outcome::Timeout), 1);

    const BreakerPolicy &breaker = config.breaker;
    const BreakerPolicy &breakerDefaults = structDefaults.breaker;
    QCOMPARE(breaker.counts, breakerDefaults.counts);
    QCOMPARE(breaker.consecutiveFailures, breakerDefaults.consecutiveFailures);
    QCOMPARE(breaker.window, breakerDefaults.window);
    QCOMPARE(breaker.windowSize, breakerDefaults.windowSize);
    QCOMPARE(breaker.minimumCalls, breakerDefaults.minimumCalls);
    QCOMPARE(breaker.failureRate, breakerDefaults.failureRate);
    QCOMPARE(breaker.openDuration, breakerDefaults.openDuration);
    QCOMPARE(breaker.openBackoff, breakerDefaults.openBackoff);
    QCOMPARE(breaker.openMax, breakerDefaults.openMax);
    QCOMPARE(breaker.halfOpenProbes, breakerDefaults.halfOpenProbes);
    QCOMPARE(breaker.slowCall, breakerDefaults.slowCall);
    QCOMPARE(breaker.slowCallRate, breakerDefaults.slowCallRate);
    QCOMPARE(breaker.whenAllOpen, breakerDefaults.whenAllOpen);
    QCOMPARE(breaker.whenAllOpen, WhenAllOpen::Probe);

    QCOMPARE(config.hedge.after, structDefaults.hedge.after);
    QCOMPARE(config.policy.onContentFilter, ContentFilterAction::Fail);

    const TimeoutPolicy &timeouts = config.timeouts;
    QCOMPARE(timeouts.connect, Millis(5000));
    QCOMPARE(timeouts.firstToken, Millis(20000));
    QCOMPARE(timeouts.idle, Millis(10000));
    QCOMPARE(timeouts.attempt, Millis(30000));
    QCOMPARE(timeouts.total, Millis(90000));
    QCOMPARE(timeouts.connect, structDefaults.timeouts.connect);
    QCOMPARE(timeouts.firstToken, structDefaults.timeouts.firstToken);
    QCOMPARE(timeouts.idle, structDefaults.timeouts.idle);
    QCOMPARE(timeouts.attempt, structDefaults.timeouts.attempt);
    QCOMPARE(timeouts.total, structDefaults.timeouts.total);
    QCOMPARE(timeouts.modelShare, structDefaults.timeouts.modelShare);

    QCOMPARE(config.context.onOverflow, OverflowAction::Truncate);
    QCOMPARE(config.context.keep, KeepPart::HeadTail);

    QCOMPARE(config.cache.enabled, true);
    QCOMPARE(config.cache.mode, CacheMode::OnError);
    QCOMPARE(config.cache.ttl, Millis(3600 * 1000));
    QCOMPARE(config.cache.maxEntries, 512);
    QCOMPARE(config.cache.ttl, structDefaults.cache.ttl);
    QCOMPARE(config.cache.maxEntries, structDefaults.cache.maxEntries);

    QCOMPARE(config.degradedText,
             QStringLiteral("I am unable to process this request right now. Please try again "
                            "in a few minutes."));
    QCOMPARE(config.degradedText, structDefaults.degradedText);
    QCOMPARE(config.alert.errorRate, 0.10);
    QCOMPARE(config.alert.window, Millis(300 * 1000));
    QCOMPARE(config.alert.errorRate, structDefaults.alert.errorRate);
    QCOMPARE(config.alert.window, structDefaults.alert.window);
    QCOMPARE(config.metricsPort, 0);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write the test file");
    return path;
}

} // namespace

class TestConfigLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultConfigParsesToTheDefaults();
    void emptyObjectGivesTheDefaults();
    void partialSectionKeepsItsOtherDefaults();
    void readsEveryField();
    void badFieldNamesItsPath_data();
    void badFieldNamesItsPath();
    void validEdgeValuesAreAccepted_data();
    void validEdgeValuesAreAccepted();
    void collectsSeveralErrorsAtOnce();
    void givenProvidersReplaceTheDefaults();
    void defaultChainNeedsItsProviders();
    void malformedProvidersDoNotCascade();
    void apiKeyErrorsNeverEchoTheValue();
    void topLevelMustBeAnObject();
    void readJsonFileReportsProblems_data();
    void readJsonFileReportsProblems();
    void readJsonFileReportsUnreadableFiles();
    void loadConfigFileLabelsErrorsWithThePath();
    void loadConfigFileReadsAValidFile();
    void toStringJoinsTheNonEmptyParts_data();
    void toStringJoinsTheNonEmptyParts();
    void mergePatchFollowsRfc7396_data();
    void mergePatchFollowsRfc7396();
};

void TestConfigLoader::defaultConfigParsesToTheDefaults()
{
    const nlohmann::json json = defaultConfigJson();
    QVERIFY(json.is_object());
    QVERIFY(json.contains("retry"));
    const ConfigParseResult result = parseConfig(json, QStringLiteral("default.json"));
    QCOMPARE(errorLines(result.errors), QStringList());
    QVERIFY(result.config);
    verifyDefaults(*result.config);
}

void TestConfigLoader::emptyObjectGivesTheDefaults()
{
    const ConfigParseResult result = parseConfig(nlohmann::json::object(), kLabel);
    QCOMPARE(errorLines(result.errors), QStringList());
    QVERIFY(result.config);
    verifyDefaults(*result.config);
}

void TestConfigLoader::partialSectionKeepsItsOtherDefaults()
{
    const Config config =
        parseValid(parse(R"({"retry": {"max_attempts": 3}, "breaker": {"open_s": 10}})"));
    QCOMPARE(config.retry.maxAttempts, 3);
    QCOMPARE(config.retry.initial, RetryPolicy().initial);
    QCOMPARE(config.retry.jitter, RetryPolicy().jitter);
    QCOMPARE(config.breaker.openDuration, Millis(10000));
    QCOMPARE(config.breaker.windowSize, BreakerPolicy().windowSize);
    QCOMPARE(config.chain.size(), 2);
    QCOMPARE(config.timeouts.total, Millis(90000));
}

void TestConfigLoader::readsEveryField()
{
    const Config config = parseValid(parse(R"({
      "providers": {"local": {"kind": "openai", "base_url": "http://127.0.0.1:8000/v1",
                              "api_key_env": "LOCAL_KEY_2"}},
      "chain": [{"provider": "local", "model": "llama", "max_tokens": 256,
                 "context_window": 8192, "max_concurrency": 4}],
      "retry": {"max_attempts": 7, "initial_s": 0.25, "max_s": 8, "multiplier": 1.5,
                "jitter": "decorrelated", "jitter_s": 0.5, "honor_retry_after": false,
                "retry_after_cap_s": 30, "max_attempts_by_class": {"timeout": 2, "rate_limited": 3},
                "budget_ratio": 0.5, "budget_min_per_s": 1.5},
      "breaker": {"counts": "calls", "consecutive_failures": 0, "window": "time", "window_size": 30,
                  "minimum_calls": 4, "failure_rate": 0.25, "open_s": 2.5, "open_backoff": 2,
                  "open_max_s": 20, "half_open_probes": 3, "slow_call_s": 1.2,
                  "slow_call_rate": 0.8, "when_all_open": "degrade"},
      "hedge": {"after_s": 1.5},
      "policy": {"on_content_filter": "fallback"},
      "timeouts": {"connect_s": 1, "first_token_s": 2, "idle_s": 3, "attempt_s": 4,
                   "total_s": 0, "model_share": 0.25},
      "context": {"on_overflow": "next_model", "keep": "tail"},
      "cache": {"enabled": false, "mode": "first", "ttl_s": 60, "max_entries": 0},
      "degraded_text": "Busy.",
      "alert": {"error_rate": 0.2, "window_s": 60},
      "metrics": {"port": 9464}})"));

    QCOMPARE(config.providers.size(), 1);
    QCOMPARE(config.providers.at(0).name, QStringLiteral("local"));
    QCOMPARE(config.providers.at(0).kind, ProviderKind::OpenAI);
    QCOMPARE(config.providers.at(0).baseUrl, QStringLiteral("http://127.0.0.1:8000/v1"));
    QCOMPARE(config.providers.at(0).apiKeyEnv, QStringLiteral("LOCAL_KEY_2"));
    QCOMPARE(config.chain.size(), 1);
    QCOMPARE(config.chain.at(0).provider, QStringLiteral("local"));
    QCOMPARE(config.chain.at(0).model, QStringLiteral("llama"));
    QCOMPARE(config.chain.at(0).maxTokens, 256);
    QCOMPARE(config.chain.at(0).contextWindow, 8192);
    QCOMPARE(config.chain.at(0).maxConcurrency, 4);

    QCOMPARE(config.retry.maxAttempts, 7);
    QCOMPARE(config.retry.initial, Millis(250));
    QCOMPARE(config.retry.max, Millis(8000));
    QCOMPARE(config.retry.multiplier, 1.5);
    QCOMPARE(config.retry.jitter, JitterMode::Decorrelated);
    QCOMPARE(config.retry.jitterMax, Millis(500));
    QCOMPARE(config.retry.honorRetryAfter, false);
    QCOMPARE(config.retry.retryAfterCap, Millis(30000));
    QCOMPARE(config.retry.maxAttemptsFor(Outcome::Timeout), 2);
    QCOMPARE(config.retry.maxAttemptsFor(Outcome::RateLimited), 3);
    QCOMPARE(config.retry.maxAttemptsFor(Outcome::Connection), 2); // its default bound stays
    QCOMPARE(config.retry.maxAttemptsFor(Outcome::ServerError), 7);
    QCOMPARE(config.retry.budgetRatio, 0.5);
    QCOMPARE(config.retry.budgetMinPerSecond, 1.5);

    QCOMPARE(config.breaker.counts, BreakerCounting::Calls);
    QCOMPARE(config.breaker.consecutiveFailures, 0);
    QCOMPARE(config.breaker.window, WindowKind::Time);
    QCOMPARE(config.breaker.windowSize, 30);
    QCOMPARE(config.breaker.minimumCalls, 4);
    QCOMPARE(config.breaker.failureRate, 0.25);
    QCOMPARE(config.breaker.openDuration, Millis(2500));
    QCOMPARE(config.breaker.openBackoff, 2.0);
    QCOMPARE(config.breaker.halfOpenProbes, 3);
    QCOMPARE(config.breaker.slowCall, Millis(1200));
    QCOMPARE(config.breaker.slowCallRate, 0.8);
    QCOMPARE(config.breaker.openMax, Millis(20000));
    QCOMPARE(config.breaker.whenAllOpen, WhenAllOpen::Degrade);
    QCOMPARE(config.hedge.after, Millis(1500));
    QCOMPARE(config.policy.onContentFilter, ContentFilterAction::Fallback);
    QCOMPARE(config.timeouts.modelShare, 0.25);

    QCOMPARE(config.timeouts.connect, Millis(1000));
    QCOMPARE(config.timeouts.firstToken, Millis(2000));
    QCOMPARE(config.timeouts.idle, Millis(3000));
    QCOMPARE(config.timeouts.attempt, Millis(4000));
    QCOMPARE(config.timeouts.total, Millis(0));

    QCOMPARE(config.context.onOverflow, OverflowAction::NextModel);
    QCOMPARE(config.context.keep, KeepPart::Tail);
    QCOMPARE(config.cache.enabled, false);
    QCOMPARE(config.cache.mode, CacheMode::First);
    QCOMPARE(config.cache.ttl, Millis(60000));
    QCOMPARE(config.cache.maxEntries, 0);
    QCOMPARE(config.degradedText, QStringLiteral("Busy."));
    QCOMPARE(config.alert.errorRate, 0.2);
    QCOMPARE(config.alert.window, Millis(60000));
    QCOMPARE(config.metricsPort, 9464);
}

void TestConfigLoader::badFieldNamesItsPath_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expectedError");

    const auto row = [](const char *json, const char *error) {
        QTest::newRow(json) << QByteArray(json) << QString::fromUtf8(error);
    };

    // providers: "chaos" keeps the default chain valid, so each row has one error.
    row(R"({"providers": []})", "providers: must be an object");
    row(R"({"providers": {"chaos": 5}})", "providers.chaos: must be an object");
    row(R"({"providers": {"chaos": {"kind": "grpc", "base_url": "embedded"}}})",
        "providers.chaos.kind: must be one of anthropic or openai");
    row(R"({"providers": {"chaos": {"kind": 1, "base_url": "embedded"}}})",
        "providers.chaos.kind: must be one of anthropic or openai");
    row(R"({"providers": {"chaos": {"kind": "openai"}}})",
        "providers.chaos: missing required field 'base_url'");
    row(R"({"providers": {"chaos": {"base_url": 5}}})",
        "providers.chaos.base_url: must be a non-empty string");
    row(R"({"providers": {"chaos": {"base_url": ""}}})",
        "providers.chaos.base_url: must be a non-empty string");
    row(R"({"providers": {"chaos": {"base_url": "ftp://example.com"}}})",
        "providers.chaos.base_url: must be \"embedded\" or an http or https URL with a host");
    row(R"({"providers": {"chaos": {"base_url": "https://"}}})",
        "providers.chaos.base_url: must be \"embedded\" or an http or https URL with a host");
    row(R"({"providers": {"chaos": {"base_url": "api.example.com/v1"}}})",
        "providers.chaos.base_url: must be \"embedded\" or an http or https URL with a host");
    row(R"({"providers": {"chaos": {"base_url": "Embedded"}}})",
        "providers.chaos.base_url: must be \"embedded\" or an http or https URL with a host");
    row(R"({"providers": {"chaos": {"base_url": "https://user:secret@example.com"}}})",
        "providers.chaos.base_url: must not hold credentials: name the key's variable in "
        "api_key_env");
    row(R"({"providers": {"chaos": {"base_url": "embedded", "api_key_env": 5}}})",
        "providers.chaos.api_key_env: must be a string");
    row(R"({"providers": {"chaos": {"base_url": "embedded", "api_key_env": "1KEY"}}})",
        "providers.chaos.api_key_env: must be an environment variable name (letters, digits "
        "and _, not starting with a digit), such as ANTHROPIC_API_KEY");
    row(R"({"providers": {"chaos": {"base_url": "embedded", "api_key_env": ""}}})",
        "providers.chaos.api_key_env: must be an environment variable name (letters, digits "
        "and _, not starting with a digit), such as ANTHROPIC_API_KEY");
    row(R"({"providers": {"chaos": {"base_uri": "embedded", "base_url": "embedded"}}})",
        "providers.chaos: unknown field 'base_uri'");
    row(R"({"providers": {"chaos": {"base_url": "embedded", "base_urls": "x"}}})",
        "providers.chaos: unknown field 'base_urls'");
    row(R"({"providers": {"chaos": {"base_url": "embedded", "api_key_en": "X"}}})",
        "providers.chaos: unknown field 'api_key_en' (did you mean 'api_key_env'?)");

    // chain
    row(R"({"chain": {}})", "chain: must be an array");
    row(R"({"chain": []})", "chain: must be a non-empty array");
    row(R"({"chain": [5]})", "chain[0]: must be an object");
    row(R"({"chain": [{"model": "m"}]})", "chain[0]: missing required field 'provider'");
    row(R"({"chain": [{"provider": "chaos"}]})", "chain[0]: missing required field 'model'");
    row(R"({"chain": [{"provider": "chaos", "model": ""}]})",
        "chain[0].model: must be a non-empty string");
    row(R"({"chain": [{"provider": "chaos", "model": 4}]})",
        "chain[0].model: must be a non-empty string");
    row(R"({"chain": [{"provider": "chaoss", "model": "m"}]})",
        "chain[0].provider: unknown provider 'chaoss' (providers defines anthropic, chaos or "
        "openai)");
    row(R"({"chain": [{"provider": "chaos", "model": "m"}, {"provider": "chaos", "model": "n",
        "max_tokens": 0}]})",
        "chain[1].max_tokens: must be an integer >= 1");
    row(R"({"chain": [{"provider": "chaos", "model": "m", "max_tokens": 1.5}]})",
        "chain[0].max_tokens: must be an integer");
    row(R"({"chain": [{"provider": "chaos", "model": "m", "max_tokens": "1024"}]})",
        "chain[0].max_tokens: must be an integer");
    row(R"({"chain": [{"provider": "chaos", "model": "m", "context_window": -1}]})",
        "chain[0].context_window: must be an integer >= 0");
    row(R"({"chain": [{"provider": "chaos", "model": "m", "max_concurrency": true}]})",
        "chain[0].max_concurrency: must be an integer");
    row(R"({"chain": [{"provider": "chaos", "model": "m", "max_token": 5}]})",
        "chain[0]: unknown field 'max_token' (did you mean 'max_tokens'?)");

    // retry
    row(R"({"retry": 5})", "retry: must be an object");
    row(R"({"retry": {"max_attempts": 0}})", "retry.max_attempts: must be an integer >= 1");
    row(R"({"retry": {"max_attempts": 101}})", "retry.max_attempts: must be an integer <= 100");
    row(R"({"retry": {"max_attempts": 2.5}})", "retry.max_attempts: must be an integer");
    row(R"({"retry": {"initial_s": -1}})", "retry.initial_s: must be a number >= 0");
    row(R"({"retry": {"initial_s": "1"}})", "retry.initial_s: must be a number");
    row(R"({"retry": {"max_s": 1e12}})", "retry.max_s: must be a number <= 31536000");
    row(R"({"retry": {"max_s": false}})", "retry.max_s: must be a number");
    row(R"({"retry": {"multiplier": 0.5}})", "retry.multiplier: must be a number >= 1");
    row(R"({"retry": {"multiplier": 1000}})", "retry.multiplier: must be a number <= 100");
    row(R"({"retry": {"jitter": "gaussian"}})",
        "retry.jitter: must be one of additive, full, equal, decorrelated or none");
    row(R"({"retry": {"jitter": true}})",
        "retry.jitter: must be one of additive, full, equal, decorrelated or none");
    row(R"({"retry": {"jitter_s": -0.1}})", "retry.jitter_s: must be a number >= 0");
    row(R"({"retry": {"honor_retry_after": "yes"}})",
        "retry.honor_retry_after: must be true or false");
    row(R"({"retry": {"honor_retry_after": 1}})", "retry.honor_retry_after: must be true or false");
    row(R"({"retry": {"retry_after_cap_s": null}})", "retry.retry_after_cap_s: must be a number");
    row(R"({"retry": {"retry_after_cap_s": -5}})",
        "retry.retry_after_cap_s: must be a number >= 0");
    row(R"({"retry": {"initial_s": 10, "max_s": 5}})", "retry.max_s: must be >= initial_s (10)");
    row(R"({"retry": {"initial_s": 120}})", "retry.initial_s: must be <= max_s (10, the default)");
    row(R"({"retry": {"max_attempt": 3}})",
        "retry: unknown field 'max_attempt' (did you mean 'max_attempts'?)");
    row(R"({"retry": {"max_attempts_by_class": {"timout": 2}}})",
        "retry.max_attempts_by_class: unknown field 'timout' (did you mean 'timeout'?)");
    row(R"({"retry": {"max_attempts_by_class": {"auth": 2}}})",
        "retry.max_attempts_by_class.auth: is never retried (retried classes: rate_limited, "
        "server_error, overloaded, timeout, connection or malformed)");
    row(R"({"retry": {"max_attempts_by_class": {"timeout": 0}}})",
        "retry.max_attempts_by_class.timeout: must be an integer >= 1");
    row(R"({"retry": {"max_attempts_by_class": [1]}})",
        "retry.max_attempts_by_class: must be an object");
    row(R"({"retry": {"budget_ratio": -0.1}})", "retry.budget_ratio: must be a number >= 0");
    row(R"({"retry": {"budget_min_per_s": "5"}})", "retry.budget_min_per_s: must be a number");

    // breaker
    row(R"({"breaker": []})", "breaker: must be an object");
    row(R"({"breaker": {"consecutive_failures": -1}})",
        "breaker.consecutive_failures: must be an integer >= 0");
    row(R"({"breaker": {"window": "sliding"}})", "breaker.window: must be one of count or time");
    row(R"({"breaker": {"window_size": 0}})", "breaker.window_size: must be an integer >= 1");
    row(R"({"breaker": {"window_size": 100001}})",
        "breaker.window_size: must be an integer <= 100000");
    row(R"({"breaker": {"minimum_calls": 0}})", "breaker.minimum_calls: must be an integer >= 1");
    row(R"({"breaker": {"failure_rate": 1.5}})", "breaker.failure_rate: must be a number <= 1");
    row(R"({"breaker": {"failure_rate": -0.1}})", "breaker.failure_rate: must be a number >= 0");
    row(R"({"breaker": {"failure_rate": "50%"}})", "breaker.failure_rate: must be a number");
    row(R"({"breaker": {"open_s": 0}})", "breaker.open_s: must be a number > 0");
    row(R"({"breaker": {"open_backoff": 0.5}})", "breaker.open_backoff: must be a number >= 1");
    row(R"({"breaker": {"half_open_probes": 0}})",
        "breaker.half_open_probes: must be an integer >= 1");
    row(R"({"breaker": {"slow_call_s": -1}})", "breaker.slow_call_s: must be a number >= 0");
    row(R"({"breaker": {"slow_call_rate": 2}})", "breaker.slow_call_rate: must be a number <= 1");
    row(R"({"breaker": {"counts": "requests"}})",
        "breaker.counts: must be one of attempts or calls");
    row(R"({"breaker": {"open_max_s": 0}})", "breaker.open_max_s: must be a number > 0");
    row(R"({"breaker": {"when_all_open": "wait"}})",
        "breaker.when_all_open: must be one of probe or degrade");
    row(R"({"hedge": {"after_s": -1}})", "hedge.after_s: must be a number >= 0");
    row(R"({"hedge": {"after": 1}})", "hedge: unknown field 'after' (did you mean 'after_s'?)");
    row(R"({"policy": {"on_content_filter": "retry"}})",
        "policy.on_content_filter: must be one of fail or fallback");
    row(R"({"breaker": {"half_open_probe": 2}})",
        "breaker: unknown field 'half_open_probe' (did you mean 'half_open_probes'?)");

    // timeouts
    row(R"({"timeouts": {"connect_s": -1}})", "timeouts.connect_s: must be a number >= 0");
    row(R"({"timeouts": {"first_token_s": "20"}})", "timeouts.first_token_s: must be a number");
    row(R"({"timeouts": {"idle_s": -0.5}})", "timeouts.idle_s: must be a number >= 0");
    row(R"({"timeouts": {"attempt_s": [30]}})", "timeouts.attempt_s: must be a number");
    row(R"({"timeouts": {"total_s": 1e10}})", "timeouts.total_s: must be a number <= 31536000");
    row(R"({"timeouts": {"model_share": 0}})", "timeouts.model_share: must be a number > 0");
    row(R"({"timeouts": {"model_share": 1.5}})", "timeouts.model_share: must be a number <= 1");
    row(R"({"timeouts": {"total": 90}})",
        "timeouts: unknown field 'total' (did you mean 'total_s'?)");

    // context, cache, degraded_text, alert, metrics
    row(R"({"context": {"on_overflow": "drop"}})",
        "context.on_overflow: must be one of truncate, next_model or fail");
    row(R"({"context": {"keep": "middle"}})",
        "context.keep: must be one of head, tail or head_tail");
    row(R"({"cache": {"enabled": "true"}})", "cache.enabled: must be true or false");
    row(R"({"cache": {"mode": "always"}})", "cache.mode: must be one of on_error or first");
    row(R"({"cache": {"ttl_s": -1}})", "cache.ttl_s: must be a number >= 0");
    row(R"({"cache": {"max_entries": -1}})", "cache.max_entries: must be an integer >= 0");
    row(R"({"cache": {"max_entries": 1.5}})", "cache.max_entries: must be an integer");
    row(R"({"degraded_text": 5})", "degraded_text: must be a string");
    row(R"({"alert": {"error_rate": 1.1}})", "alert.error_rate: must be a number <= 1");
    row(R"({"alert": {"window_s": 0}})", "alert.window_s: must be a number > 0");
    row(R"({"metrics": {"port": 65536}})", "metrics.port: must be an integer <= 65535");
    row(R"({"metrics": {"port": -1}})", "metrics.port: must be an integer >= 0");
    row(R"({"metrics": {"port": "9464"}})", "metrics.port: must be an integer");

    // cross-field checks
    row(R"({"chain": [{"provider": "chaos", "model": "m"}, {"provider": "chaos", "model": "m"}]})",
        "chain[1].model: 'm' on provider 'chaos' is already in the chain");
    row(R"({"breaker": {"window": "count", "window_size": 5, "minimum_calls": 10}})",
        "breaker.minimum_calls: must be <= window_size (5) for a count window, or the "
        "failure-rate rule can never open the breaker");

    // top level
    row(R"({"retyr": {}})", "unknown field 'retyr' (did you mean 'retry'?)");
    row(R"({"degraded": "x"})", "unknown field 'degraded'");
}

void TestConfigLoader::badFieldNamesItsPath()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expectedError);

    const ConfigParseResult result = parseConfig(parse(json), kLabel);
    QCOMPARE(errorLines(result.errors), QStringList{kLabel + QStringLiteral(": ") + expectedError});
    QVERIFY(!result.config);
}

void TestConfigLoader::validEdgeValuesAreAccepted_data()
{
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("one attempt") << QByteArray(R"({"retry": {"max_attempts": 1}})");
    QTest::newRow("hundred attempts") << QByteArray(R"({"retry": {"max_attempts": 100}})");
    QTest::newRow("integral float count") << QByteArray(R"({"retry": {"max_attempts": 3.0}})");
    QTest::newRow("max_s equal to initial_s")
        << QByteArray(R"({"retry": {"initial_s": 5, "max_s": 5}})");
    QTest::newRow("zero delays") << QByteArray(R"({"retry": {"initial_s": 0, "max_s": 0}})");
    QTest::newRow("rates at their bounds")
        << QByteArray(R"({"breaker": {"failure_rate": 1, "slow_call_rate": 0},
                          "alert": {"error_rate": 0}})");
    QTest::newRow("highest port") << QByteArray(R"({"metrics": {"port": 65535}})");
    QTest::newRow("every timeout disabled")
        << QByteArray(R"({"timeouts": {"connect_s": 0, "first_token_s": 0, "idle_s": 0,
                                       "attempt_s": 0, "total_s": 0}})");
    QTest::newRow("empty degraded text") << QByteArray(R"({"degraded_text": ""})");
    QTest::newRow("https provider with port and path") << QByteArray(
        R"({"providers": {"chaos": {"base_url": "https://llm.example.com:8443/proxy/v1"}}})");
    QTest::newRow("empty sections") << QByteArray(R"({"retry": {}, "breaker": {}, "cache": {}})");
}

void TestConfigLoader::validEdgeValuesAreAccepted()
{
    QFETCH(QByteArray, json);
    const ConfigParseResult result = parseConfig(parse(json), kLabel);
    QCOMPARE(errorLines(result.errors), QStringList());
    QVERIFY(result.config);
}

void TestConfigLoader::collectsSeveralErrorsAtOnce()
{
    const ConfigParseResult result = parseConfig(parse(R"({
        "chain": [{"provider": "nowhere", "model": ""}, {"provider": "chaos", "model": "m",
                   "max_tokens": -5}],
        "retry": {"max_attempts": 0, "jitter": "lots"},
        "breaker": {"failure_rate": 7},
        "metrics": {"prot": 1}})"),
                                                 kLabel);
    QCOMPARE(errorLines(result.errors),
             (QStringList{
                 QStringLiteral("config.json: chain[0].model: must be a non-empty string"),
                 QStringLiteral("config.json: chain[0].provider: unknown provider 'nowhere' "
                                "(providers defines anthropic, chaos or openai)"),
                 QStringLiteral("config.json: chain[1].max_tokens: must be an integer >= 1"),
                 QStringLiteral("config.json: retry.max_attempts: must be an integer >= 1"),
                 QStringLiteral("config.json: retry.jitter: must be one of additive, full, "
                                "equal, decorrelated or none"),
                 QStringLiteral("config.json: breaker.failure_rate: must be a number <= 1"),
                 QStringLiteral("config.json: metrics: unknown field 'prot' (did you mean "
                                "'port'?)"),
             }));
    QVERIFY(!result.config);
}

void TestConfigLoader::givenProvidersReplaceTheDefaults()
{
    const Config config = parseValid(parse(R"({
        "providers": {"vllm": {"kind": "openai", "base_url": "http://localhost:8000/v1"}},
        "chain": [{"provider": "vllm", "model": "qwen"}]})"));
    QCOMPARE(config.providers.size(), 1);
    QCOMPARE(config.providers.at(0).name, QStringLiteral("vllm"));
    QVERIFY(config.providers.at(0).apiKeyEnv.isEmpty());
    QVERIFY(!config.provider(QStringLiteral("chaos")));
    QCOMPARE(config.chain.size(), 1);
    QCOMPARE(config.chain.at(0).maxTokens, 1024);

    // The built-in providers are gone, so the chain cannot name them.
    const ConfigParseResult result = parseConfig(parse(R"({
        "providers": {"vllm": {"kind": "openai", "base_url": "http://localhost:8000/v1"}},
        "chain": [{"provider": "vllm", "model": "qwen"}, {"provider": "openai", "model": "x"}]})"),
                                                 kLabel);
    QCOMPARE(errorLines(result.errors),
             QStringList{QStringLiteral("config.json: chain[1].provider: unknown provider "
                                        "'openai' (providers defines vllm)")});
}

void TestConfigLoader::defaultChainNeedsItsProviders()
{
    const ConfigParseResult result = parseConfig(
        parse(R"({"providers": {"vllm": {"base_url": "http://localhost:8000"}}})"), kLabel);
    QCOMPARE(errorLines(result.errors),
             QStringList{QStringLiteral("config.json: chain: not given, so the default chain "
                                        "applies, but its provider 'chaos' is not in providers")});

    const ConfigParseResult empty = parseConfig(
        parse(R"({"providers": {}, "chain": [{"provider": "a", "model": "m"}]})"), kLabel);
    QCOMPARE(errorLines(empty.errors),
             QStringList{QStringLiteral("config.json: chain[0].provider: unknown provider 'a' "
                                        "(providers defines none)")});
}

void TestConfigLoader::malformedProvidersDoNotCascade()
{
    // A provider with a bad entry still exists for the chain, and a providers value of the
    // wrong type does not turn every chain entry into a second error.
    const ConfigParseResult badEntry =
        parseConfig(parse(R"({"providers": {"p": {"kind": "x", "base_url": "embedded"}},
                  "chain": [{"provider": "p", "model": "m"}]})"),
                    kLabel);
    QCOMPARE(errorLines(badEntry.errors),
             QStringList{QStringLiteral(
                 "config.json: providers.p.kind: must be one of anthropic or openai")});

    const ConfigParseResult badType = parseConfig(
        parse(R"({"providers": "p", "chain": [{"provider": "p", "model": "m"}]})"), kLabel);
    QCOMPARE(errorLines(badType.errors),
             QStringList{QStringLiteral("config.json: providers: must be an object")});
}

void TestConfigLoader::apiKeyErrorsNeverEchoTheValue()
{
    const ConfigParseResult result = parseConfig(
        parse(R"({"providers": {"chaos": {"base_url": "https://sk:sk-ant-SECRET@example.com",
                  "api_key_env": "sk-ant-SECRET"}}})"),
        kLabel);
    QCOMPARE(result.errors.size(), 2);
    for (const ValidationError &error : result.errors)
        QVERIFY2(!error.toString().contains(QStringLiteral("SECRET")),
                 qPrintable(error.toString()));
}

void TestConfigLoader::topLevelMustBeAnObject()
{
    for (const char *text : {"[1, 2]", "\"config\"", "null", "3"}) {
        const ConfigParseResult result = parseConfig(parse(text), kLabel);
        QCOMPARE(errorLines(result.errors),
                 QStringList{QStringLiteral("config.json: must be a JSON object")});
        QVERIFY(!result.config);
    }
}

void TestConfigLoader::readJsonFileReportsProblems_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("empty") << QByteArray() << QStringLiteral("file is empty");
    QTest::newRow("only whitespace") << QByteArray(" \n\t\n") << QStringLiteral("file is empty");
    QTest::newRow("trailing comma")
        << QByteArray("{\n  \"retry\": {\"max_attempts\": 3,}\n}\n")
        << QStringLiteral("invalid JSON at line 2, column 31: syntax error while parsing "
                          "object key - unexpected '}'; expected string literal");
    QTest::newRow("column counts characters, not bytes")
        << QByteArray("{\"degraded_text\": \"é\" \"x\"}")
        << QStringLiteral("invalid JSON at line 1, column 25: syntax error while parsing "
                          "object - unexpected string literal; expected '}'");
    QTest::newRow("unterminated object")
        << QByteArray("{\"retry\": {\n")
        << QStringLiteral("invalid JSON at line 2, column 1: syntax error while parsing object "
                          "key - unexpected end of input; expected string literal");
    QTest::newRow("bad literal")
        << QByteArray("{\n\n  \"cache\": {\"enabled\": tru}\n}")
        << QStringLiteral("invalid JSON at line 3, column 27: syntax error while parsing value "
                          "- invalid literal; last read: '\"enabled\": tru}'");
    QTest::newRow("number overflow")
        << QByteArray("{\n  \"metrics\": {\"port\": 1e999}}")
        << QStringLiteral("invalid JSON at line 2, column 23: number overflow parsing '1e999'");
    QTest::newRow("array at top level")
        << QByteArray("[{\"retry\": {}}]") << QStringLiteral("must be a JSON object");
    QTest::newRow("string at top level")
        << QByteArray("\"x\"") << QStringLiteral("must be a JSON object");
}

void TestConfigLoader::readJsonFileReportsProblems()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expectedMessage);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, QStringLiteral("config.json"), content);
    nlohmann::json json;
    const std::optional<ValidationError> error = readJsonFile(path, json);
    QVERIFY(error);
    QCOMPARE(error->file, path);
    QVERIFY(error->path.isEmpty());
    QCOMPARE(error->message, expectedMessage);
    QCOMPARE(error->toString(), path + QStringLiteral(": ") + expectedMessage);
}

void TestConfigLoader::readJsonFileReportsUnreadableFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    nlohmann::json json;

    const QString missing = dir.filePath(QStringLiteral("missing.json"));
    const std::optional<ValidationError> notThere = readJsonFile(missing, json);
    QVERIFY(notThere);
    QCOMPARE(notThere->toString(),
             missing + QStringLiteral(": cannot read: No such file or directory"));

    const std::optional<ValidationError> directory = readJsonFile(dir.path(), json);
    QVERIFY(directory);
    QCOMPARE(directory->message, QStringLiteral("cannot read: it is a directory"));
}

void TestConfigLoader::loadConfigFileLabelsErrorsWithThePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path =
        writeFile(dir, QStringLiteral("my.json"), R"({"retry": {"initial_s": -2}})");
    const ConfigParseResult result = loadConfigFile(path);
    QVERIFY(!result.config);
    QCOMPARE(errorLines(result.errors),
             QStringList{path + QStringLiteral(": retry.initial_s: must be a number >= 0")});

    const QString broken = writeFile(dir, QStringLiteral("broken.json"), "{");
    const ConfigParseResult syntax = loadConfigFile(broken);
    QVERIFY(!syntax.config);
    QCOMPARE(syntax.errors.size(), 1);
    QVERIFY(syntax.errors.first().message.startsWith(
        QStringLiteral("invalid JSON at line 1, column 2: ")));
}

void TestConfigLoader::loadConfigFileReadsAValidFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A UTF-8 byte order mark, as some editors write, is accepted.
    const QString path =
        writeFile(dir, QStringLiteral("ok.json"), "\xEF\xBB\xBF{\"breaker\": {\"open_s\": 10}}\n");
    const ConfigParseResult result = loadConfigFile(path);
    QCOMPARE(errorLines(result.errors), QStringList());
    QVERIFY(result.config);
    QCOMPARE(result.config->breaker.openDuration, Millis(10000));
    QCOMPARE(result.config->chain.size(), 2);
}

void TestConfigLoader::toStringJoinsTheNonEmptyParts_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expectedText");

    QTest::newRow("all parts") << QStringLiteral("scenario.json")
                               << QStringLiteral("chaos.timeline[2].at_s")
                               << QStringLiteral("must be a number >= 0")
                               << QStringLiteral("scenario.json: chaos.timeline[2].at_s: must be "
                                                 "a number >= 0");
    QTest::newRow("no path") << QStringLiteral("a.json") << QString()
                             << QStringLiteral("file is empty")
                             << QStringLiteral("a.json: file is empty");
    QTest::newRow("no file") << QString() << QStringLiteral("retry") << QStringLiteral("bad")
                             << QStringLiteral("retry: bad");
}

void TestConfigLoader::toStringJoinsTheNonEmptyParts()
{
    QFETCH(QString, file);
    QFETCH(QString, path);
    QFETCH(QString, message);
    QFETCH(QString, expectedText);
    QCOMPARE((ValidationError{file, path, message}.toString()), expectedText);
}

void TestConfigLoader::mergePatchFollowsRfc7396_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QByteArray>("expectedResult");

    // RFC 7396 appendix A, in order.
    QTest::newRow("A.1") << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":"c"})")
                         << QByteArray(R"({"a":"c"})");
    QTest::newRow("A.2") << QByteArray(R"({"a":"b"})") << QByteArray(R"({"b":"c"})")
                         << QByteArray(R"({"a":"b","b":"c"})");
    QTest::newRow("A.3") << QByteArray(R"({"a":"b"})") << QByteArray(R"({"a":null})")
                         << QByteArray(R"({})");
    QTest::newRow("A.4") << QByteArray(R"({"a":"b","b":"c"})") << QByteArray(R"({"a":null})")
                         << QByteArray(R"({"b":"c"})");
    QTest::newRow("A.5") << QByteArray(R"({"a":["b"]})") << QByteArray(R"({"a":"c"})")
                         << QByteArray(R"({"a":"c"})");
    QTest::newRow("A.6") << QByteArray(R"({"a":"c"})") << QByteArray(R"({"a":["b"]})")
                         << QByteArray(R"({"a":["b"]})");
    QTest::newRow("A.7") << QByteArray(R"({"a":{"b":"c"}})")
                         << QByteArray(R"({"a":{"b":"d","c":null}})")
                         << QByteArray(R"({"a":{"b":"d"}})");
    QTest::newRow("A.8") << QByteArray(R"({"a":[{"b":"c"}]})") << QByteArray(R"({"a":[1]})")
                         << QByteArray(R"({"a":[1]})");
    QTest::newRow("A.9") << QByteArray(R"(["a","b"])") << QByteArray(R"(["c","d"])")
                         << QByteArray(R"(["c","d"])");
    QTest::newRow("A.10") << QByteArray(R"({"a":"b"})") << QByteArray(R"(["c"])")
                          << QByteArray(R"(["c"])");
    QTest::newRow("A.11") << QByteArray(R"({"a":"foo"})") << QByteArray("null")
                          << QByteArray("null");
    QTest::newRow("A.12") << QByteArray(R"({"a":"foo"})") << QByteArray(R"("bar")")
                          << QByteArray(R"("bar")");
    QTest::newRow("A.13") << QByteArray(R"({"e":null})") << QByteArray(R"({"a":1})")
                          << QByteArray(R"({"e":null,"a":1})");
    QTest::newRow("A.14") << QByteArray(R"([1,2])") << QByteArray(R"({"a":"b","c":null})")
                          << QByteArray(R"({"a":"b"})");
    QTest::newRow("A.15") << QByteArray(R"({})") << QByteArray(R"({"a":{"bb":{"ccc":null}}})")
                          << QByteArray(R"({"a":{"bb":{}}})");
    // As a scenario uses it: one field over the default config, the rest untouched.
    QTest::newRow("scenario config")
        << QByteArray(R"({"breaker":{"open_s":60,"window":"count"},"chain":[1,2]})")
        << QByteArray(R"({"breaker":{"open_s":10},"chain":[3]})")
        << QByteArray(R"({"breaker":{"open_s":10,"window":"count"},"chain":[3]})");
}

void TestConfigLoader::mergePatchFollowsRfc7396()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, patch);
    QFETCH(QByteArray, expectedResult);

    const nlohmann::json merged = mergePatch(parse(target), parse(patch));
    QCOMPARE(QByteArray::fromStdString(merged.dump()),
             QByteArray::fromStdString(parse(expectedResult).dump()));
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"

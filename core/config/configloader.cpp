#include "configloader.h"

#include "config/jsonreader.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>
#include <QtDebug>
#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

namespace breakwater {
namespace {

const QString kDefaultConfigPath = QStringLiteral(":/config/default.json");

// Sanity caps: beyond them a value is a mistake, and some (window_size) size buffers.
constexpr double kMaxWindowSize = 100000;
constexpr double kMaxFactor = 100;
constexpr double kMaxRate = 1e6;

QString secondsText(Millis duration)
{
    return QString::number(toSeconds(duration));
}

bool isEnvVarName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return pattern.match(name).hasMatch();
}

// The messages never quote the value: a user who pasted a key where its variable's name
// belongs must not see it echoed into logs.
void readBaseUrl(JsonReader &reader, ProviderConfig &provider)
{
    reader.require("base_url");
    provider.baseUrl = reader.string("base_url", {}, StringRule::NonEmpty);
    if (provider.baseUrl.isEmpty() || provider.isEmbedded())
        return;
    const QUrl url(provider.baseUrl, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != u"http" && scheme != u"https") || url.host().isEmpty()) {
        reader.fieldError(
            "base_url", QStringLiteral("must be \"embedded\" or an http or https URL with a host"));
    } else if (!url.userInfo().isEmpty()) {
        reader.fieldError("base_url",
                          QStringLiteral("must not hold credentials: name the key's variable "
                                         "in api_key_env"));
    }
}

ProviderConfig readProvider(const QString &name, JsonReader &reader)
{
    ProviderConfig provider;
    provider.name = name;
    if (name.isEmpty())
        reader.error(QStringLiteral("a provider name must not be empty"));
    provider.kind = reader.enumValue(
        "kind", provider.kind, {ProviderKind::Anthropic, ProviderKind::OpenAI}, providerKindName);
    readBaseUrl(reader, provider);
    const QString variable = reader.string("api_key_env");
    if (isEnvVarName(variable)) {
        provider.apiKeyEnv = variable;
    } else if (reader.has("api_key_env") && reader.json().at("api_key_env").is_string()) {
        reader.fieldError("api_key_env",
                          QStringLiteral("must be an environment variable name (letters, digits "
                                         "and _, not starting with a digit), such as "
                                         "ANTHROPIC_API_KEY"));
    }
    return provider;
}

ChainEntry readChainEntry(JsonReader &reader)
{
    ChainEntry entry;
    reader.require("provider");
    entry.provider = reader.string("provider", {}, StringRule::NonEmpty);
    reader.require("model");
    entry.model = reader.string("model", {}, StringRule::NonEmpty);
    entry.maxTokens = reader.integer("max_tokens", entry.maxTokens, Range::atLeast(1));
    entry.contextWindow = reader.integer("context_window", entry.contextWindow, Range::atLeast(0));
    entry.maxConcurrency =
        reader.integer("max_concurrency", entry.maxConcurrency, Range::atLeast(0));
    return entry;
}

QList<ProviderConfig> readProviders(JsonReader &root)
{
    QList<ProviderConfig> providers;
    root.members("providers", [&providers](const QString &name, JsonReader &reader) {
        providers.append(readProvider(name, reader));
    });
    return providers;
}

using ChainCheck = std::function<void(const ChainEntry &, JsonReader &)>;

QList<ChainEntry> readChain(JsonReader &root, const ChainCheck &check)
{
    QList<ChainEntry> chain;
    root.array(
        "chain",
        [&](int, JsonReader &reader) {
            chain.append(readChainEntry(reader));
            check(chain.constLast(), reader);
        },
        1);
    return chain;
}

// The default providers and chain, read from the compiled-in default config with the same
// code that reads a user's, so the two cannot drift apart.
struct DefaultLists {
    QList<ProviderConfig> providers;
    QList<ChainEntry> chain;
};

DefaultLists defaultLists()
{
    const nlohmann::json json = defaultConfigJson();
    QList<ValidationError> errors;
    JsonReader root(json, kDefaultConfigPath, errors);
    DefaultLists lists;
    lists.providers = readProviders(root);
    lists.chain = readChain(root, [](const ChainEntry &, JsonReader &) {});
    Q_ASSERT(errors.isEmpty());
    return lists;
}

// The names come from the keys, not from the providers read, so that a provider whose
// entry has an error of its own does not also make every chain entry naming it an error.
QStringList providerNames(const nlohmann::json &providers)
{
    QStringList names;
    for (auto it = providers.begin(); it != providers.end(); ++it)
        names.append(QString::fromStdString(it.key()));
    return names;
}

QString unknownProviderMessage(const QString &name, const QStringList &known)
{
    const QString defined = known.isEmpty()
                                ? QStringLiteral("providers defines none")
                                : QStringLiteral("providers defines ") + joinAlternatives(known);
    return QStringLiteral("unknown provider '") + name + QStringLiteral("' (") + defined + u')';
}

/// `retry.max_attempts_by_class`: a class named here overrides its default bound; the other
/// classes keep theirs (a user tightening timeouts should not loosen connection errors).
/// Unknown keys are reported by the reader's finish(), with a suggestion for a typo.
void readClassAttemptLimits(JsonReader &reader, std::vector<ClassAttemptLimit> &limits)
{
    QStringList retried;
    for (const Outcome errorClass : kErrorClasses) {
        if (isRetryableByDefault(errorClass))
            retried.append(outcomeName(errorClass));
    }
    for (const Outcome errorClass : kErrorClasses) {
        const std::string name = outcomeName(errorClass).toStdString();
        if (!isRetryableByDefault(errorClass)) {
            if (reader.raw(name))
                reader.fieldError(name, QStringLiteral("is never retried (retried classes: ") +
                                            joinAlternatives(retried) + u')');
            continue;
        }
        if (!reader.has(name)) {
            reader.raw(name); // known, for finish()'s suggestions
            continue;
        }
        const int attempts = reader.integer(name, 0, Range{1, 100});
        if (attempts < 1)
            continue; // reported
        auto existing = std::find_if(limits.begin(), limits.end(), [&](const auto &limit) {
            return limit.errorClass == errorClass;
        });
        if (existing != limits.end())
            existing->attempts = attempts;
        else
            limits.push_back({errorClass, attempts});
    }
}

void readRetry(JsonReader &reader, RetryPolicy &retry)
{
    retry.maxAttempts = reader.integer("max_attempts", retry.maxAttempts, Range{1, 100});
    retry.initial = reader.seconds("initial_s", retry.initial);
    retry.max = reader.seconds("max_s", retry.max);
    retry.multiplier = reader.number("multiplier", retry.multiplier, Range{1, kMaxFactor});
    retry.jitter = reader.enumValue("jitter", retry.jitter,
                                    {JitterMode::Additive, JitterMode::Full, JitterMode::Equal,
                                     JitterMode::Decorrelated, JitterMode::None},
                                    jitterModeName);
    retry.jitterMax = reader.seconds("jitter_s", retry.jitterMax);
    retry.honorRetryAfter = reader.boolean("honor_retry_after", retry.honorRetryAfter);
    retry.retryAfterCap = reader.seconds("retry_after_cap_s", retry.retryAfterCap);
    reader.object("max_attempts_by_class", [&retry](JsonReader &limits) {
        readClassAttemptLimits(limits, retry.maxAttemptsByClass);
    });
    retry.budgetRatio = reader.number("budget_ratio", retry.budgetRatio, Range{0, kMaxFactor});
    retry.budgetMinPerSecond =
        reader.number("budget_min_per_s", retry.budgetMinPerSecond, Range{0, kMaxRate});
}

void checkRetry(JsonReader &reader, const RetryPolicy &retry)
{
    if (retry.max >= retry.initial)
        return;
    // Blame the field the user wrote: with max_s left out, initial_s is what is too large.
    if (reader.has("max_s")) {
        reader.fieldError("max_s", QStringLiteral("must be >= initial_s (") +
                                       secondsText(retry.initial) + u')');
    } else {
        reader.fieldError("initial_s", QStringLiteral("must be <= max_s (") +
                                           secondsText(retry.max) +
                                           QStringLiteral(", the default)"));
    }
}

void readBreaker(JsonReader &reader, BreakerPolicy &breaker)
{
    breaker.counts =
        reader.enumValue("counts", breaker.counts,
                         {BreakerCounting::Attempts, BreakerCounting::Calls}, breakerCountingName);
    breaker.consecutiveFailures =
        reader.integer("consecutive_failures", breaker.consecutiveFailures, Range::atLeast(0));
    breaker.window = reader.enumValue("window", breaker.window,
                                      {WindowKind::Count, WindowKind::Time}, windowKindName);
    breaker.windowSize =
        reader.integer("window_size", breaker.windowSize, Range{1, kMaxWindowSize});
    breaker.minimumCalls = reader.integer("minimum_calls", breaker.minimumCalls, Range::atLeast(1));
    breaker.failureRate = reader.number("failure_rate", breaker.failureRate, Range{0, 1});
    breaker.openDuration =
        reader.seconds("open_s", breaker.openDuration, Range::above(0, kMaxSeconds));
    breaker.openBackoff = reader.number("open_backoff", breaker.openBackoff, Range{1, kMaxFactor});
    breaker.openMax = reader.seconds("open_max_s", breaker.openMax, Range::above(0, kMaxSeconds));
    breaker.halfOpenProbes =
        reader.integer("half_open_probes", breaker.halfOpenProbes, Range::atLeast(1));
    breaker.slowCall = reader.seconds("slow_call_s", breaker.slowCall);
    breaker.slowCallRate = reader.number("slow_call_rate", breaker.slowCallRate, Range{0, 1});
    breaker.whenAllOpen =
        reader.enumValue("when_all_open", breaker.whenAllOpen,
                         {WhenAllOpen::Probe, WhenAllOpen::Degrade}, whenAllOpenName);
}

void readTimeouts(JsonReader &reader, TimeoutPolicy &timeouts)
{
    timeouts.connect = reader.seconds("connect_s", timeouts.connect);
    timeouts.firstToken = reader.seconds("first_token_s", timeouts.firstToken);
    timeouts.idle = reader.seconds("idle_s", timeouts.idle);
    timeouts.attempt = reader.seconds("attempt_s", timeouts.attempt);
    timeouts.total = reader.seconds("total_s", timeouts.total);
    timeouts.modelShare = reader.number("model_share", timeouts.modelShare, Range::above(0, 1));
}

void readHedge(JsonReader &reader, HedgePolicy &hedge)
{
    hedge.after = reader.seconds("after_s", hedge.after);
}

void readCallPolicy(JsonReader &reader, CallPolicy &policy)
{
    policy.onContentFilter = reader.enumValue(
        "on_content_filter", policy.onContentFilter,
        {ContentFilterAction::Fail, ContentFilterAction::Fallback}, contentFilterActionName);
}

void readContext(JsonReader &reader, ContextPolicy &context)
{
    context.onOverflow = reader.enumValue(
        "on_overflow", context.onOverflow,
        {OverflowAction::Truncate, OverflowAction::NextModel, OverflowAction::Fail},
        overflowActionName);
    context.keep = reader.enumValue(
        "keep", context.keep, {KeepPart::Head, KeepPart::Tail, KeepPart::HeadTail}, keepPartName);
}

void readCache(JsonReader &reader, CachePolicy &cache)
{
    cache.enabled = reader.boolean("enabled", cache.enabled);
    cache.mode =
        reader.enumValue("mode", cache.mode, {CacheMode::OnError, CacheMode::First}, cacheModeName);
    cache.ttl = reader.seconds("ttl_s", cache.ttl);
    cache.maxEntries = reader.integer("max_entries", cache.maxEntries, Range::atLeast(0));
}

void readAlert(JsonReader &reader, AlertPolicy &alert)
{
    alert.errorRate = reader.number("error_rate", alert.errorRate, Range{0, 1});
    alert.window = reader.seconds("window_s", alert.window, Range::above(0, kMaxSeconds));
}

// nlohmann's message without its "[json.exception…] " tag and its "parse error at line L,
// column C: " prefix: we compute the position ourselves, in characters.
QString describeJsonException(const char *what)
{
    QString text = QString::fromUtf8(what);
    const qsizetype tagEnd = text.indexOf(QStringLiteral("] "));
    if (text.startsWith(u'[') && tagEnd >= 0)
        text.remove(0, tagEnd + 2);
    if (text.startsWith(QStringLiteral("parse error"))) {
        const qsizetype colon = text.indexOf(QStringLiteral(": "));
        if (colon >= 0)
            text.remove(0, colon + 2);
    }
    return text;
}

// 1-based line and column (in characters, not bytes) of byte `offset` of UTF-8 `text`.
QString positionText(const QByteArray &text, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        const auto byte = static_cast<unsigned char>(text.at(i));
        if (byte == '\n') {
            ++line;
            column = 1;
        } else if ((byte & 0xC0) != 0x80) { // continuation bytes do not start a character
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

ValidationError fileError(const QString &path, const QString &message)
{
    return ValidationError{path, QString(), message};
}

// Byte offset of the first bracket of valid JSON `text` that opens level `maxDepth` + 1, or
// -1: a text scan, so that the error can say where.
qsizetype tooDeepOffset(const QByteArray &text, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (inString) {
            if (c == '\\')
                ++i; // the escaped character cannot end the string
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return -1;
}

} // namespace

QString ValidationError::toString() const
{
    QStringList parts;
    for (const QString &part : {file, path, message}) {
        if (!part.isEmpty())
            parts.append(part);
    }
    return parts.join(QStringLiteral(": "));
}

ConfigParseResult parseConfig(const nlohmann::json &json, const QString &fileLabel)
{
    ConfigParseResult result;
    QList<ValidationError> &errors = result.errors;
    if (!json.is_object()) {
        errors.append(
            ValidationError{fileLabel, QString(), QStringLiteral("must be a JSON object")});
        return result;
    }
    if (isNestedDeeperThan(json)) {
        errors.append(ValidationError{fileLabel, QString(), tooDeepMessage()});
        return result;
    }
    JsonReader root(json, fileLabel, errors);
    Config config;
    const DefaultLists defaults = defaultLists();

    // A given "providers" is the whole list: a config naming only its own providers should
    // not silently inherit the built-in ones.
    bool providersKnown = true;
    QStringList names;
    if (root.has("providers")) {
        config.providers = readProviders(root);
        const nlohmann::json &given = root.json().at("providers");
        // When "providers" itself is malformed, every chain entry would look unknown.
        providersKnown = given.is_object();
        if (providersKnown)
            names = providerNames(given);
    } else {
        config.providers = defaults.providers;
        for (const ProviderConfig &provider : std::as_const(config.providers))
            names.append(provider.name);
    }

    if (root.has("chain")) {
        QList<ChainEntry> seen;
        config.chain = readChain(root, [&](const ChainEntry &entry, JsonReader &reader) {
            if (providersKnown && !entry.provider.isEmpty() && !names.contains(entry.provider))
                reader.fieldError("provider", unknownProviderMessage(entry.provider, names));
            // The same model twice would share one breaker and retry budget: a copy-paste slip.
            for (const ChainEntry &earlier : std::as_const(seen)) {
                if (earlier.provider == entry.provider && earlier.model == entry.model) {
                    reader.fieldError("model", QStringLiteral("'%1' on provider '%2' is already "
                                                              "in the chain")
                                                   .arg(entry.model, entry.provider));
                    break;
                }
            }
            seen.append(entry);
        });
    } else {
        config.chain = defaults.chain;
        for (const ChainEntry &entry : std::as_const(config.chain)) {
            if (providersKnown && !names.contains(entry.provider)) {
                root.fieldError("chain", QStringLiteral("not given, so the default chain applies, "
                                                        "but its provider '") +
                                             entry.provider +
                                             QStringLiteral("' is not in providers"));
                break;
            }
        }
    }

    root.object("retry", [&config, &errors](JsonReader &reader) {
        const qsizetype before = errors.size();
        readRetry(reader, config.retry);
        // A cross-field check over a fallback value would blame the wrong field.
        if (errors.size() == before)
            checkRetry(reader, config.retry);
    });
    root.object("breaker", [&config, &errors](JsonReader &reader) {
        const qsizetype before = errors.size();
        readBreaker(reader, config.breaker);
        // A count window that holds fewer calls than minimum_calls can never trip on rate.
        const BreakerPolicy &breaker = config.breaker;
        if (errors.size() == before && breaker.window == WindowKind::Count &&
            breaker.failureRate > 0 && breaker.minimumCalls > breaker.windowSize)
            reader.fieldError("minimum_calls",
                              QStringLiteral("must be <= window_size (%1) for a count window, or "
                                             "the failure-rate rule can never open the breaker")
                                  .arg(breaker.windowSize));
    });
    root.object("timeouts",
                [&config](JsonReader &reader) { readTimeouts(reader, config.timeouts); });
    root.object("hedge", [&config](JsonReader &reader) { readHedge(reader, config.hedge); });
    root.object("policy", [&config](JsonReader &reader) { readCallPolicy(reader, config.policy); });
    root.object("context", [&config](JsonReader &reader) { readContext(reader, config.context); });
    root.object("cache", [&config](JsonReader &reader) { readCache(reader, config.cache); });
    config.degradedText = root.string("degraded_text", config.degradedText);
    // JSON has no comments: a top-level "_comment" says where a preset comes from.
    root.string("_comment");
    root.object("alert", [&config](JsonReader &reader) { readAlert(reader, config.alert); });
    root.object("metrics", [&config](JsonReader &reader) {
        config.metricsPort = reader.integer("port", config.metricsPort, Range{0, 65535});
    });
    root.finish();

    if (errors.isEmpty())
        result.config = std::move(config);
    return result;
}

ConfigParseResult loadConfigFile(const QString &path)
{
    nlohmann::json json;
    if (std::optional<ValidationError> error = readJsonFile(path, json)) {
        ConfigParseResult result;
        result.errors.append(std::move(*error));
        return result;
    }
    return parseConfig(json, path);
}

std::optional<ValidationError> readJsonFile(const QString &path, nlohmann::json &json)
{
    // QFile opens a directory without complaint on Linux, then reads nothing.
    if (QFileInfo(path).isDir())
        return fileError(path, QStringLiteral("cannot read: it is a directory"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fileError(path, QStringLiteral("cannot read: ") + file.errorString());
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fileError(path, QStringLiteral("cannot read: ") + file.errorString());
    if (bytes.trimmed().isEmpty())
        return fileError(path, QStringLiteral("file is empty"));

    try {
        json = nlohmann::json::parse(bytes.cbegin(), bytes.cend());
    } catch (const nlohmann::json::parse_error &error) {
        // `byte` counts the characters read, the offending one included.
        const auto offset = static_cast<qsizetype>(error.byte) - 1;
        return fileError(path, QStringLiteral("invalid JSON at ") + positionText(bytes, offset) +
                                   QStringLiteral(": ") + describeJsonException(error.what()));
    } catch (const nlohmann::json::exception &error) {
        // A number too large for a double ("number overflow parsing '1e999'") carries no
        // position: find the quoted token in the text instead.
        const QString what = describeJsonException(error.what());
        const qsizetype open = what.indexOf(u'\'');
        const qsizetype close = what.lastIndexOf(u'\'');
        const qsizetype at = open >= 0 && close > open
                                 ? bytes.indexOf(what.mid(open + 1, close - open - 1).toUtf8())
                                 : -1;
        if (at < 0)
            return fileError(path, QStringLiteral("invalid JSON: ") + what);
        return fileError(path, QStringLiteral("invalid JSON at ") + positionText(bytes, at) +
                                   QStringLiteral(": ") + what);
    }
    if (!json.is_object()) {
        json = nlohmann::json();
        return fileError(path, QStringLiteral("must be a JSON object"));
    }
    if (isNestedDeeperThan(json)) {
        json = nlohmann::json();
        const qsizetype at = tooDeepOffset(bytes, kMaxJsonDepth);
        const QString where =
            at >= 0 ? QStringLiteral("at ") + positionText(bytes, at) + QStringLiteral(": ")
                    : QString();
        return fileError(path, where + tooDeepMessage());
    }
    return std::nullopt;
}

bool isNestedDeeperThan(const nlohmann::json &value, int maxDepth)
{
    // Depth-first with an explicit stack: recursion is what deep input would overflow.
    std::vector<std::pair<const nlohmann::json *, int>> pending;
    if (value.is_structured())
        pending.emplace_back(&value, 1);
    while (!pending.empty()) {
        const auto [node, depth] = pending.back();
        pending.pop_back();
        if (depth > maxDepth)
            return true;
        for (const nlohmann::json &child : *node) {
            if (child.is_structured())
                pending.emplace_back(&child, depth + 1);
        }
    }
    return false;
}

QString tooDeepMessage(int maxDepth)
{
    return QStringLiteral("nested deeper than %1 levels").arg(maxDepth);
}

nlohmann::json mergePatch(nlohmann::json base, const nlohmann::json &overlay)
{
    // RFC 7396 section 2: a non-object patch replaces the target; an object patch turns a
    // non-object target into {} and then, member by member, null removes and anything else
    // is merged recursively.
    if (!overlay.is_object())
        return overlay;
    if (!base.is_object())
        base = nlohmann::json::object();
    for (auto it = overlay.begin(); it != overlay.end(); ++it) {
        if (it.value().is_null()) {
            base.erase(it.key());
        } else {
            auto existing = base.find(it.key());
            nlohmann::json target =
                existing != base.end() ? std::move(*existing) : nlohmann::json();
            base[it.key()] = mergePatch(std::move(target), it.value());
        }
    }
    return base;
}

nlohmann::json defaultConfigJson()
{
    // Parsed once: the resource is immutable and compiled in.
    static const nlohmann::json parsed = [] {
        QFile file(kDefaultConfigPath);
        if (!file.open(QIODevice::ReadOnly)) {
            qCritical("breakwater: the compiled-in default config is missing");
            return nlohmann::json::object();
        }
        const QByteArray bytes = file.readAll();
        nlohmann::json json = nlohmann::json::parse(bytes.cbegin(), bytes.cend(), nullptr, false);
        if (!json.is_object()) {
            qCritical("breakwater: the compiled-in default config is not a JSON object");
            return nlohmann::json::object();
        }
        return json;
    }();
    return parsed;
}

} // namespace breakwater

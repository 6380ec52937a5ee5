#include "chaosprofile.h"

#include "common/enumnames.h"
#include "config/jsonreader.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

constexpr EnumNames<ChaosFault, kChaosFaultCount> kFaultNames({{
    {ChaosFault::RateLimited, u"rate_limited"},
    {ChaosFault::ServerError, u"server_error"},
    {ChaosFault::Unavailable, u"unavailable"},
    {ChaosFault::Overloaded, u"overloaded"},
    {ChaosFault::Timeout, u"timeout"},
    {ChaosFault::Reset, u"reset"},
    {ChaosFault::Malformed, u"malformed"},
    {ChaosFault::Auth, u"auth"},
    {ChaosFault::StreamError, u"stream_error"},
    {ChaosFault::StreamStall, u"stream_stall"},
    {ChaosFault::StreamTruncate, u"stream_truncate"},
    {ChaosFault::StreamNoTerminator, u"stream_no_terminator"},
    {ChaosFault::ContentFilter, u"content_filter"},
}});

// Sanity caps: beyond them a value is a typo, not an experiment.
constexpr double kMaxMillis = 3600.0 * 1000;
constexpr double kMaxTokensPerSecond = 1e6;
constexpr double kMaxContextWindow = 1e8;
constexpr double kMaxPerMinute = 1e9;
constexpr double kMaxRetryAfterS = 86400;

// z such that P(Z <= z) = 0.99 for a standard normal Z.
constexpr double kZ99 = 2.3263478740408408;

std::string utf8(const QString &text)
{
    return text.toStdString();
}

/// Whole numbers print as integers in JSON ("p50": 600, not 600.0).
nlohmann::json numberJson(double value)
{
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15)
        return static_cast<std::int64_t>(value);
    return value;
}

} // namespace

QString chaosFaultName(ChaosFault fault)
{
    return kFaultNames.name(fault);
}

std::optional<ChaosFault> chaosFaultFromName(QStringView name)
{
    return kFaultNames.value(name);
}

const std::array<ChaosFault, kChaosFaultCount> &allChaosFaults()
{
    static const std::array<ChaosFault, kChaosFaultCount> faults = {
        ChaosFault::RateLimited,   ChaosFault::ServerError,    ChaosFault::Unavailable,
        ChaosFault::Overloaded,    ChaosFault::Timeout,        ChaosFault::Reset,
        ChaosFault::Malformed,     ChaosFault::Auth,           ChaosFault::StreamError,
        ChaosFault::StreamStall,   ChaosFault::StreamTruncate, ChaosFault::StreamNoTerminator,
        ChaosFault::ContentFilter,
    };
    return faults;
}

const ChaosModelProfile *ChaosProfile::find(const QString &model) const
{
    auto it = models.constFind(model);
    if (it == models.cend())
        it = models.constFind(kChaosAnyModel);
    return it == models.cend() ? nullptr : &it.value();
}

ChaosProfile defaultChaosProfile()
{
    ChaosProfile profile;
    profile.models.insert(kChaosAnyModel, ChaosModelProfile{});
    return profile;
}

ChaosModelProfile readChaosModelProfile(JsonReader &reader)
{
    ChaosModelProfile model;
    reader.object("latency_ms", [&](JsonReader &latency) {
        const bool hasP50 = latency.has("p50");
        const bool hasP99 = latency.has("p99");
        double p50 = latency.number("p50", 0, Range{0, kMaxMillis});
        double p99 = latency.number("p99", 0, Range{0, kMaxMillis});
        if (hasP50 && !hasP99)
            p99 = p50;
        else if (hasP99 && !hasP50)
            p50 = p99;
        if (p99 < p50)
            latency.fieldError("p99", QStringLiteral("must be >= p50"));
        else if (p50 <= 0 && p99 > 0)
            latency.fieldError("p50", QStringLiteral("must be > 0 when p99 is > 0"));
        model.latency = LatencySpec{p50, std::max(p50, p99)};
    });
    model.ttftMs = reader.number("ttft_ms", model.ttftMs, Range{0, kMaxMillis});
    model.tokensPerSecond =
        reader.number("tokens_per_s", model.tokensPerSecond, Range{0, kMaxTokensPerSecond});
    model.contextWindow =
        reader.integer("context_window", model.contextWindow, Range{1, kMaxContextWindow});
    reader.object("faults", [&](JsonReader &faults) {
        for (ChaosFault fault : allChaosFaults()) {
            const std::string name = utf8(chaosFaultName(fault));
            model.setFaultRate(fault, faults.number(name, 0, Range{0, 1}));
        }
    });
    model.retryAfterS =
        reader.number("retry_after_s", model.retryAfterS, Range{0, kMaxRetryAfterS});
    reader.object("limits", [&](JsonReader &limits) {
        model.rpm = limits.integer("rpm", 0, Range{0, kMaxPerMinute});
        model.tpm = limits.integer("tpm", 0, Range{0, kMaxPerMinute});
    });
    return model;
}

ChaosProfileParseResult parseChaosProfile(const nlohmann::json &json, const QString &file,
                                          const QString &path)
{
    ChaosProfileParseResult result;
    ChaosProfile profile;
    JsonReader reader(json, file, result.errors, path);
    if (!reader.isObject()) {
        reader.error(QStringLiteral("must be an object"));
        return result;
    }
    if (isNestedDeeperThan(json)) {
        reader.error(tooDeepMessage());
        return result;
    }
    reader.members("models", [&](const QString &name, JsonReader &entry) {
        if (name.isEmpty())
            entry.error(QStringLiteral("a model name must not be empty"));
        profile.models.insert(name, readChaosModelProfile(entry));
    });
    reader.finish();
    if (result.errors.isEmpty())
        result.profile = std::move(profile);
    return result;
}

ChaosProfileParseResult loadChaosProfileFile(const QString &path)
{
    nlohmann::json json;
    if (std::optional<ValidationError> error = readJsonFile(path, json)) {
        ChaosProfileParseResult result;
        result.errors.append(std::move(*error));
        return result;
    }
    return parseChaosProfile(json, path);
}

nlohmann::json chaosModelProfileToJson(const ChaosModelProfile &model)
{
    nlohmann::json faults = nlohmann::json::object();
    for (ChaosFault fault : allChaosFaults())
        faults[utf8(chaosFaultName(fault))] = numberJson(model.faultRate(fault));
    return nlohmann::json{
        {"latency_ms",
         {{"p50", numberJson(model.latency.p50Ms)}, {"p99", numberJson(model.latency.p99Ms)}}},
        {"ttft_ms", numberJson(model.ttftMs)},
        {"tokens_per_s", numberJson(model.tokensPerSecond)},
        {"context_window", model.contextWindow},
        {"faults", faults},
        {"retry_after_s", numberJson(model.retryAfterS)},
        {"limits", {{"rpm", model.rpm}, {"tpm", model.tpm}}},
    };
}

nlohmann::json chaosProfileToJson(const ChaosProfile &profile)
{
    nlohmann::json models = nlohmann::json::object();
    for (auto it = profile.models.cbegin(); it != profile.models.cend(); ++it)
        models[utf8(it.key())] = chaosModelProfileToJson(it.value());
    return nlohmann::json{{"models", models}};
}

ChaosModelPatchResult patchChaosModel(const ChaosModelProfile &model, const nlohmann::json &partial,
                                      const QString &file, const QString &path)
{
    ChaosModelPatchResult result;
    if (!partial.is_object() || isNestedDeeperThan(partial)) {
        JsonReader reader(partial, file, result.errors, path);
        // The merge below recurses as deep as the patch goes.
        reader.error(partial.is_object() ? tooDeepMessage() : QStringLiteral("must be an object"));
        return result;
    }
    nlohmann::json merged = mergePatch(chaosModelProfileToJson(model), partial);
    // Setting one end of the latency range past the other moves the other along, so that
    // "p50": 3000 on a model with p99 2500 means what it says instead of failing.
    const auto latencyPatch = partial.find("latency_ms");
    if (latencyPatch != partial.end() && latencyPatch->is_object()) {
        nlohmann::json &latency = merged["latency_ms"];
        const bool setsP50 = latencyPatch->contains("p50") && latency.contains("p50");
        const bool setsP99 = latencyPatch->contains("p99") && latency.contains("p99");
        // contains() first: operator[] would put a field the patch removed back as null.
        if (setsP50 != setsP99 && latency.contains("p50") && latency.contains("p99") &&
            latency["p50"].is_number() && latency["p99"].is_number() &&
            latency["p99"].get<double>() < latency["p50"].get<double>()) {
            if (setsP50)
                latency["p99"] = latency["p50"];
            else
                latency["p50"] = latency["p99"];
        }
    }
    JsonReader reader(merged, file, result.errors, path);
    ChaosModelProfile patched = readChaosModelProfile(reader);
    reader.finish();
    if (result.errors.isEmpty())
        result.model = patched;
    return result;
}

ChaosTimelineParseResult parseChaosTimeline(const nlohmann::json &json, const QString &file,
                                            const QString &path)
{
    ChaosTimelineParseResult result;
    if (!json.is_array() || isNestedDeeperThan(json)) {
        JsonReader reader(json, file, result.errors, path);
        // Each `set` is copied into its entry, and copying recurses.
        reader.error(json.is_array() ? tooDeepMessage() : QStringLiteral("must be an array"));
        return result;
    }
    QList<ChaosTimelineEntry> timeline;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const QString itemPath = path + u'[' + QString::number(i) + u']';
        JsonReader item(json[i], file, result.errors, itemPath);
        if (!item.isObject()) {
            item.error(QStringLiteral("must be an object"));
            continue;
        }
        ChaosTimelineEntry entry;
        item.require("at_s");
        entry.at = item.seconds("at_s", Millis(0));
        item.require("model");
        entry.model = item.string("model", {}, StringRule::NonEmpty);
        if (const nlohmann::json *set = item.raw("set")) {
            entry.set = *set;
            result.errors.append(
                patchChaosModel(ChaosModelProfile{}, *set, file, item.pathOf("set")).errors);
        }
        entry.note = item.string("note");
        item.finish();
        timeline.append(entry);
    }
    if (result.errors.isEmpty())
        result.timeline = std::move(timeline);
    return result;
}

double standardNormalQuantile(double p)
{
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                   -2.759285104469687e+02, 1.383577518672690e+02,
                                   -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                   -1.556989798598866e+02, 6.680131188771972e+01,
                                   -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                   -2.400758277161838e+00, -2.549732539343734e+00,
                                   4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                   2.445134137142996e+00, 3.754408661907416e+00};
    constexpr double low = 0.02425;
    p = std::clamp(p, 1e-12, 1.0 - 1e-12);
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
        const double q = std::sqrt(-2 * std::log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double q = p - 0.5;
    const double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double sampleLatencyMs(const LatencySpec &latency, double u)
{
    if (latency.p50Ms <= 0)
        return 0;
    if (latency.p99Ms <= latency.p50Ms)
        return latency.p50Ms;
    const double sigma = std::log(latency.p99Ms / latency.p50Ms) / kZ99;
    const double sample = latency.p50Ms * std::exp(sigma * standardNormalQuantile(u));
    // A tiny p50 under a large p99 makes sigma huge: the tail overflows to inf, a denormal
    // p50 gives NaN. Every sample must round to Millis, so clamp into the accepted range.
    if (std::isnan(sample))
        return latency.p50Ms;
    return std::clamp(sample, 0.0, kMaxMillis);
}

} // namespace breakwater

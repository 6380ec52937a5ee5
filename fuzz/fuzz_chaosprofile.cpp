// The chaos profile and timeline loaders on arbitrary JSON text: the document is read as a
// profile, as a timeline and as a partial model entry (PATCH /chaos/models/{model}); an
// object's `timeline` member is read as a timeline too (POST /chaos/timeline). Beyond not
// crashing: a profile that parses survives its own JSON form unchanged, and its latency
// distribution samples finite, non-negative delays that fit Millis.

#include "chaos/chaosprofile.h"
#include "fuzzsupport.h"

#include <cmath>

using namespace breakwater;

namespace {

void checkErrors(const QList<ValidationError> &errors)
{
    for (const ValidationError &error : errors)
        fuzz::check(!error.message.isEmpty(), "a validation error without a message");
}

void checkModel(const ChaosModelProfile &model)
{
    fuzz::check(model.latency.p50Ms <= model.latency.p99Ms, "latency p50 above p99");
    for (const double u : {0.0, 0.5, 0.999, 1.0 - 1e-9}) {
        const double ms = sampleLatencyMs(model.latency, u);
        // The chaos controller rounds the sample to Millis with llround, which is unspecified
        // (LLONG_MIN on x86) for a value outside long long.
        fuzz::check(std::isfinite(ms) && ms >= 0 && ms < 9.2e18,
                    "a sampled latency that is not a delay in Millis");
    }
}

void checkTimeline(const ChaosTimelineParseResult &result)
{
    fuzz::check(result.timeline.has_value() == result.errors.isEmpty(),
                "a timeline must come exactly when there are no errors");
    checkErrors(result.errors);
    if (result.timeline) {
        for (const ChaosTimelineEntry &entry : *result.timeline) {
            fuzz::check(entry.at.count() >= 0, "a timeline step before the start");
            fuzz::check(!entry.model.isEmpty(), "a timeline step without a model");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const nlohmann::json json =
        nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        return 0;

    const ChaosProfileParseResult profile = parseChaosProfile(json, QStringLiteral("fuzz.json"));
    fuzz::check(profile.profile.has_value() == profile.errors.isEmpty(),
                "a profile must come exactly when there are no errors");
    checkErrors(profile.errors);
    if (profile.profile) {
        for (const ChaosModelProfile &model : profile.profile->models)
            checkModel(model);
        const nlohmann::json written = chaosProfileToJson(*profile.profile);
        const ChaosProfileParseResult again = parseChaosProfile(written);
        fuzz::check(again.profile.has_value(), "a profile's own JSON form does not parse");
        fuzz::check(chaosProfileToJson(*again.profile) == written,
                    "a profile changed on the way through its JSON form");
    }

    checkTimeline(parseChaosTimeline(json, QStringLiteral("fuzz.json")));
    if (json.is_object() && json.contains("timeline"))
        checkTimeline(parseChaosTimeline(json["timeline"], QStringLiteral("fuzz.json")));

    const ChaosModelPatchResult patched = patchChaosModel(ChaosModelProfile{}, json);
    fuzz::check(patched.model.has_value() == patched.errors.isEmpty(),
                "a patched model must come exactly when there are no errors");
    checkErrors(patched.errors);
    if (patched.model)
        checkModel(*patched.model);
    return 0;
}

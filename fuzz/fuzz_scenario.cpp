// The scenario loader on arbitrary JSON text: a scenario or errors naming a path, never a
// crash or an escaped nlohmann exception (a scenario carries a config patch, a chaos
// baseline and a timeline, so this drives those loaders too).

#include "fuzzsupport.h"
#include "scenario/scenario.h"

using namespace breakwater;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const nlohmann::json json =
        nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        return 0;
    const ScenarioParseResult result = parseScenario(json, QStringLiteral("fuzz.json"));
    fuzz::check(result.scenario.has_value() == result.errors.isEmpty(),
                "a scenario must come exactly when there are no errors");
    for (const ValidationError &error : result.errors)
        fuzz::check(!error.message.isEmpty(), "a validation error without a message");
    if (result.scenario) {
        fuzz::check(result.scenario->duration.count() > 0, "a scenario without a duration");
        fuzz::check(result.scenario->load.concurrency > 0, "a scenario without workers");
        for (const ChaosTimelineEntry &entry : result.scenario->timeline)
            fuzz::check(entry.at.count() >= 0, "a timeline step before the start");
    }
    return 0;
}

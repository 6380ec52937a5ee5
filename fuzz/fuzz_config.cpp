// The config loader on arbitrary JSON text: any document gives a config or errors that
// name a path, never a crash or an escaped nlohmann exception. A document that parses is
// also merged over the default config, as a scenario's `config` patch is.

#include "config/configloader.h"
#include "fuzzsupport.h"

using namespace breakwater;

namespace {

void checkResult(const ConfigParseResult &result)
{
    fuzz::check(result.config.has_value() == result.errors.isEmpty(),
                "a config must come exactly when there are no errors");
    for (const ValidationError &error : result.errors)
        fuzz::check(!error.message.isEmpty(), "a validation error without a message");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const nlohmann::json json =
        nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        return 0;
    static const nlohmann::json defaults = defaultConfigJson();
    checkResult(parseConfig(json, QStringLiteral("fuzz.json")));
    checkResult(parseConfig(mergePatch(defaults, json), QStringLiteral("fuzz.json")));
    return 0;
}

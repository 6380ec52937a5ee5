// JsonView, the answer reader on the engine's hot path, against nlohmann::json: any bytes are
// accepted by both or refused by both, and every value read is the same (unpaired surrogate
// escapes aside: jsonviewdiff.h).

#include "fuzzsupport.h"
#include "jsonviewdiff.h"

using namespace breakwater;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string difference = jsonviewdiff::disagreement(fuzz::inputView(data, size));
    fuzz::check(difference.empty(), difference.c_str());
    return 0;
}

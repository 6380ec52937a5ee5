#include "config.h"

namespace breakwater {

const ProviderConfig *Config::provider(const QString &name) const
{
    for (const ProviderConfig &candidate : providers) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

} // namespace breakwater

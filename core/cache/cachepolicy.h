#pragma once

#include "common/clock.h"

#include <QString>

#include <optional>

namespace breakwater {

/// `on_error`: the cache answers only when every model failed; `first`: before any model.
enum class CacheMode { OnError, First };

QString cacheModeName(CacheMode mode);
std::optional<CacheMode> cacheModeFromName(const QString &name);

/// Config `cache`.
struct CachePolicy {
    bool enabled = true;
    CacheMode mode = CacheMode::OnError;
    Millis ttl{3600 * 1000};
    int maxEntries = 512;
};

} // namespace breakwater

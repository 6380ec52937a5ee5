#pragma once

#include "common/clock.h"

#include <QString>
#include <optional>

namespace breakwater {

/// What a call does when a model refuses on content grounds.
enum class ContentFilterAction {
    /// End the call as `source: error` with the provider's reason: the caller learns why.
    Fail,
    /// Try the next model in the chain, as for any other failure of that model.
    Fallback,
};

QString contentFilterActionName(ContentFilterAction action);
std::optional<ContentFilterAction> contentFilterActionFromName(const QString &name);

/// Config `policy`: choices about a call's outcome that are not about timing.
struct CallPolicy {
    ContentFilterAction onContentFilter = ContentFilterAction::Fail;
};

/// Config `hedge` (Polly's hedging): off unless `after` is above 0.
struct HedgePolicy {
    /// Start the next model in the chain when the attempt in flight has produced no first
    /// token after this long; the first complete answer wins and the other is cancelled.
    Millis after{0};

    bool enabled() const { return after > Millis(0); }
};

} // namespace breakwater

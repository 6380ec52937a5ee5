#pragma once

#include "breaker/breakerpolicy.h"
#include "cache/cachepolicy.h"
#include "engine/callpolicy.h"
#include "engine/contextpolicy.h"
#include "engine/timeoutpolicy.h"
#include "providers/providerconfig.h"
#include "retry/retrypolicy.h"

#include <QList>
#include <QString>

namespace breakwater {

/// Config `alert`: the seed article's rule, error ratio over a window above a threshold.
struct AlertPolicy {
    double errorRate = 0.10;
    Millis window{300 * 1000};
};

/// The whole validated configuration (docs/formats.md, "Config"). Built once, then read-only.
struct Config {
    QList<ProviderConfig> providers;
    QList<ChainEntry> chain;
    RetryPolicy retry;
    BreakerPolicy breaker;
    TimeoutPolicy timeouts;
    HedgePolicy hedge;
    CallPolicy policy;
    ContextPolicy context;
    CachePolicy cache;
    QString degradedText = QStringLiteral(
        "I am unable to process this request right now. Please try again in a few minutes.");
    AlertPolicy alert;
    /// 0: pick a free port.
    int metricsPort = 0;

    /// The provider called `name`, or nullptr.
    const ProviderConfig *provider(const QString &name) const;
};

} // namespace breakwater

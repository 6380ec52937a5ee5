#pragma once

#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "common/fakeclock.h"
#include "common/random.h"
#include "config/config.h"
#include "engine/bulkhead.h"
#include "engine/engine.h"
#include "engine/eventstream.h"
#include "faketransport.h"

#include <QList>

#include <memory>
#include <optional>

namespace breakwater::testing {

/// A two-model chain on an Anthropic-format provider, with exact (jitter-free) backoff of
/// 1 s, 2 s, 4 s… so that tests can assert delays.
Config twoModelConfig();

inline const QString kPrimary = QStringLiteral("claude-sonnet-4-5");
inline const QString kFallback = QStringLiteral("claude-haiku-4-5");

/// An engine on a FakeClock and a FakeTransport, recording every event it publishes.
class EngineHarness {
public:
    explicit EngineHarness(Config config = twoModelConfig(), std::uint64_t seed = 1);

    /// Runs one call to completion on simulated time.
    CallResult run(const QString &prompt, bool stream = false, HttpHeaders extraHeaders = {});
    /// Starts a call without driving it.
    QString start(const QString &prompt, bool stream = false);
    /// Drives simulated time until every started call finished (or `limit` steps ran out).
    void drive(int limit = 10000);
    /// The result of a started call, once finished.
    std::optional<CallResult> result(const QString &callId) const;

    template <typename Event>
    QList<Event> eventsOf() const
    {
        QList<Event> found;
        for (const EngineEvent &event : events) {
            if (const auto *typed = std::get_if<Event>(&event))
                found.append(*typed);
        }
        return found;
    }

    FakeClock clock;
    SeededRandom random;
    FakeTransport transport{clock};
    BreakerRegistry breakers;
    RetryBudgets retryBudgets;
    ResponseCache cache;
    Bulkheads bulkheads;
    EventStream stream;
    std::unique_ptr<Engine> engine;
    QList<EngineEvent> events;
    QList<CallResult> results;
};

} // namespace breakwater::testing

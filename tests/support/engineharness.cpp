#include "engineharness.h"

#include <QCoreApplication>
#include <QTest>

namespace breakwater::testing {

Config twoModelConfig()
{
    Config config;
    config.providers = {ProviderConfig{QStringLiteral("chaos"), ProviderKind::Anthropic,
                                       QStringLiteral("http://127.0.0.1:9"), QString()}};
    config.chain = {ChainEntry{QStringLiteral("chaos"), kPrimary, 1024, 200000, 0},
                    ChainEntry{QStringLiteral("chaos"), kFallback, 1024, 0, 0}};
    config.retry.jitter = JitterMode::None;
    config.retry.initial = Millis(1000);
    config.retry.max = Millis(60000);
    config.retry.multiplier = 2.0;
    config.retry.maxAttempts = 3;
    return config;
}

EngineHarness::EngineHarness(Config config, std::uint64_t seed)
    : random(seed), breakers(config.breaker, clock), retryBudgets(config.retry, clock),
      cache(config.cache, clock)
{
    QObject::connect(&breakers, &BreakerRegistry::stateChanged, &stream,
                     [this](const QString &model, BreakerState from, BreakerState to) {
                         stream.publish(BreakerTransition{clock.now(), model, from, to});
                     });
    QObject::connect(&stream, &EventStream::event, &stream,
                     [this](const EngineEvent &event) { events.append(event); });
    engine = std::make_unique<Engine>(std::move(config),
                                      EngineShared{breakers, retryBudgets, cache, bulkheads, stream}, transport,
                                      clock, random);
}

QString EngineHarness::start(const QString &prompt, bool stream)
{
    CallRequest request;
    request.prompt = prompt;
    request.stream = stream;
    return engine->call(request, [this](const CallResult &result) { results.append(result); });
}

void EngineHarness::drive(int limit)
{
    for (int step = 0; step < limit; ++step) {
        QCoreApplication::processEvents();
        if (engine->callsInFlight() == 0)
            break;
        if (!clock.advanceToNextTimer())
            QCoreApplication::processEvents();
    }
    // Deferred deletions and queued completions.
    QCoreApplication::processEvents();
}

CallResult EngineHarness::run(const QString &prompt, bool stream, HttpHeaders extraHeaders)
{
    CallRequest request;
    request.prompt = prompt;
    request.stream = stream;
    request.extraHeaders = std::move(extraHeaders);
    std::optional<CallResult> outcome;
    engine->call(request, [&outcome, this](const CallResult &result) {
        outcome = result;
        results.append(result);
    });
    drive();
    if (!outcome)
        qFatal("call did not finish on simulated time");
    return *outcome;
}

std::optional<CallResult> EngineHarness::result(const QString &callId) const
{
    for (const CallResult &result : results) {
        if (result.id == callId)
            return result;
    }
    return std::nullopt;
}

} // namespace breakwater::testing

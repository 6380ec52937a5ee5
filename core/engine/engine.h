#pragma once

#include "common/clock.h"
#include "common/httpheaders.h"
#include "common/random.h"
#include "config/config.h"
#include "engine/callresult.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <functional>
#include <memory>
#include <vector>

namespace breakwater {

class BreakerRegistry;
class Bulkheads;
class CallRun;
struct CallContext;
class EventStream;
class ResponseCache;
class RetryBudgets;
class Transport;

/// What every engine of one run shares: breakers, retry budgets, cache, bulkheads and the
/// event stream.
/// All of them are thread-safe, so engines in several threads may share one set.
struct EngineShared {
    BreakerRegistry &breakers;
    RetryBudgets &retryBudgets;
    ResponseCache &cache;
    Bulkheads &bulkheads;
    EventStream &events;
};

/// The label of each chain entry, in chain order: the model name, or "provider/model" where
/// two providers serve the same model name. Breakers, metrics and reports key on these.
QStringList chainLabels(const QList<ChainEntry> &chain);

/// One prompt to answer robustly.
struct CallRequest {
    /// Empty: the engine makes one up ("call-17").
    QString id;
    QString prompt;
    bool stream = false;
    /// Sent with every attempt (e.g. `x-chaos-fault: overloaded` for the chaos server).
    HttpHeaders extraHeaders;
};

/// The resilience engine (docs/engine.md): each call goes through the chain of models
/// with retries, breakers, bulkheads and the timeout budget, then the cache, then the
/// degraded text, and always ends in exactly one CallResult. Lives in one thread; several
/// engines in several threads can share one EngineShared.
class Engine final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    using Completion = std::function<void(const CallResult &)>;

    /// `embeddedBaseUrl` is where providers with base_url "embedded" are reached.
    Engine(Config config, EngineShared shared, Transport &transport, Clock &clock,
           RandomSource &random, QUrl embeddedBaseUrl = QUrl(), QObject *parent = nullptr);
    ~Engine() override;

    const Config &config() const;
    /// chainLabels() of the engine's chain.
    const QStringList &modelLabels() const;

    /// Starts a robust call and returns its id: the first attempt is under way before this
    /// returns (no trip through the event loop first). `done` (optional) runs exactly once,
    /// from the engine thread's event loop: never inside call() nor inside a transport's
    /// callback, so it may start calls, cancel them or destroy the engine. CallFinished is
    /// published on the event stream before `done` runs.
    QString call(CallRequest request, Completion done = {});
    /// For an owner whose completions only hand the result over to another thread (EnginePool's
    /// worker engines): `done` then runs as soon as the call ends, inside call() or a
    /// transport callback, saving the trip through the engine's event loop. Such a `done` must
    /// not call into the engine.
    void setCompletionsHandedOff(bool handedOff) { m_completionsHandedOff = handedOff; }
    /// Cancels one call: in-flight attempts are aborted, pending retries dropped, and the
    /// call ends with `error_class: cancelled`.
    void cancel(const QString &callId);
    void cancelAll();
    int callsInFlight() const { return static_cast<int>(m_calls.size()); }

private:
    /// A finished call whose completion waits for the event loop.
    struct Finished {
        Completion done;
        CallResult result;
    };

    /// Registers the call under a unique id; does not start it.
    CallRun *admit(CallRequest request, Completion done);
    /// From inside a finishing call: files the run for deletion and its completion for
    /// delivery, both from the event loop.
    void retire(const QString &callId, Completion done, CallResult result);
    /// From the event loop: runs the waiting completions, then deletes the retired runs.
    void deliverFinished();

    std::unique_ptr<CallContext> m_context;
    QHash<QString, CallRun *> m_calls;
    std::vector<Finished> m_finished;
    std::vector<std::unique_ptr<CallRun>> m_retired;
    bool m_cleanUpQueued = false;
    bool m_completionsHandedOff = false;
    quint64 m_nextCallNumber = 1;
};

} // namespace breakwater

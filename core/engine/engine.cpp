#include "engine.h"

#include "breaker/breakerregistry.h"
#include "cache/responsecache.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "engine/truncation.h"
#include "errors/classifier.h"
#include "providers/provideradapter.h"
#include "retry/backoff.h"
#include "retry/retrybudget.h"
#include "transport/transport.h"

#include <QDateTime>
#include <QPointer>
#include <QSet>
#include <algorithm>
#include <array>
#include <optional>
#include <variant>

namespace breakwater {

namespace {

/// Error bodies are small; anything larger is cut (classification reads the start).
constexpr qsizetype kMaxErrorBodyBytes = 1 << 20;

} // namespace

QStringList chainLabels(const QList<ChainEntry> &chain)
{
    QStringList labels;
    for (const ChainEntry &entry : chain) {
        const bool sharedName =
            std::any_of(chain.begin(), chain.end(), [&](const ChainEntry &other) {
                return other.model == entry.model && other.provider != entry.provider;
            });
        labels.append(sharedName ? entry.provider + QLatin1Char('/') + entry.model : entry.model);
    }
    return labels;
}

class CallRun;

/// A call's watchdog timer. The engine keeps idle ones for later calls: making and
/// destroying a timer (a QTimer and its connection) for every call cost more than all the
/// rest of the call's timer work (bench/README.md).
struct Watchdog {
    std::unique_ptr<Timer> timer;
    /// The call it serves; nullptr while idle.
    CallRun *owner = nullptr;
};

/// Everything a call needs from its engine, fixed for the engine's lifetime.
struct CallContext {
    Config config;
    EngineShared shared;
    Transport &transport;
    Clock &clock;
    RandomSource &random;
    QStringList labels;
    /// Where each chain entry's requests go, worked out once rather than per attempt.
    QList<QUrl> endpoints;
    /// Each chain entry's breaker and retry budget (the registries never drop one) and
    /// adapter, looked up once.
    std::vector<CircuitBreaker *> breakers;
    std::vector<RetryBudget *> budgets;
    std::vector<const ProviderAdapter *> adapters;
    std::shared_ptr<ProviderAdapter> anthropic;
    std::shared_ptr<ProviderAdapter> openai;
    std::function<void(const QString &callId, Engine::Completion done, CallResult result)> retire;
    /// Watchdogs of finished calls, ready for new ones; at most kIdleWatchdogs are kept.
    std::vector<std::unique_ptr<Watchdog>> idleWatchdogs;
    static constexpr std::size_t kIdleWatchdogs = 256;

    const ProviderAdapter &adapter(ProviderKind kind) const
    {
        return kind == ProviderKind::OpenAI ? *openai : *anthropic;
    }
};

// Every limit of an attempt (connect, first-token, idle, the attempt's own, and when to hedge)
// is a deadline kept with the attempt, and the call's one watchdog timer is set for the
// earliest of them and the call's budget. Clearing a deadline leaves the watchdog as it is:
// should it fire for nothing, it is set again for the next. A call thus arms one timer where
// it used to make and start five (bench/README.md); a stream's idle limit, moved on every
// chunk, costs no timer operation at all. The retry wait, rare, has a timer of its own.
enum Guard : std::size_t {
    ConnectGuard,
    FirstTokenGuard,
    IdleGuard,
    AttemptGuard,
    HedgeGuard,
    kGuards
};

/// One attempt on one model, from send to its end. A call has at most two at once: the one
/// its chain walk drives, and, after a hedge, the one the hedge overtook.
struct Attempt {
    bool active = false;
    int modelIndex = 0;
    /// 0-based attempt number on its model.
    int n = 0;
    Millis start{0};
    /// The attempt limit in force (attempt_s clipped to the budget and the model's share).
    Millis limit{0};
    std::optional<BreakerPermit> permit;
    bool hedge = false;
    bool panic = false;
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    std::unique_ptr<StreamDecoder> decoder;
    bool sawFirstToken = false;
    std::unique_ptr<TransportRequest> request;
    std::array<std::optional<Millis>, kGuards> guards;
};

/// The per-call state machine (docs/engine.md): one chain walk, with at most one attempt of
/// its own in flight, plus the attempt a hedge overtook. Policy lives in the CallContext;
/// everything here belongs to this call alone.
class CallRun final {
public:
    CallRun(CallContext &context, CallRequest request, Engine::Completion done)
        : m_context(context), m_request(std::move(request)), m_done(std::move(done)),
          m_prompt(m_request.prompt)
    {
        m_result.id = m_request.id;
    }

    ~CallRun()
    {
        // An engine torn down mid-call: the shared breakers and bulkheads outlive it, so give
        // back what the attempts hold, or a half-open breaker would keep a probe slot forever.
        for (Attempt &attempt : m_slots) {
            if (attempt.active) {
                m_context.shared.bulkheads.leave(labelOf(attempt.modelIndex));
                if (attempt.permit)
                    breakerOf(attempt.modelIndex).onIgnored(*attempt.permit);
            }
            abortTransport(attempt);
        }
        releaseVisitPermit();
        if (m_watchdog) {
            m_watchdog->timer->stop();
            m_watchdog->owner = nullptr;
            if (m_context.idleWatchdogs.size() < CallContext::kIdleWatchdogs)
                m_context.idleWatchdogs.push_back(std::move(m_watchdog));
        }
    }

    void start()
    {
        m_startedCall = true;
        m_started = m_context.clock.now();
        publish(CallStarted{m_request.id, m_started, m_request.stream});
        if (m_prompt.trimmed().isEmpty()) {
            finishWithError(Outcome::BadRequest, QStringLiteral("the prompt is empty"));
            return;
        }
        // The watchdog is set once a request is on its way (armAttemptTimers): nothing waits
        // before that, and every later wait (a retry's) follows an attempt.
        if (timeouts().total > Millis(0))
            m_deadline = m_started + timeouts().total;
        const CachePolicy &cache = m_context.config.cache;
        if (cache.enabled && cache.mode == CacheMode::First) {
            if (const auto cached = m_context.shared.cache.lookup(cacheKey())) {
                finishFromCache(*cached);
                return;
            }
        }
        tryModel(0);
    }

    const QString &id() const { return m_request.id; }

    void cancel()
    {
        if (m_finished)
            return;
        if (!m_startedCall)
            m_started = now();
        cutAttempts(Outcome::Cancelled, QStringLiteral("cancelled"));
        stop(m_retryTimer);
        finishWithError(Outcome::Cancelled, QStringLiteral("the call was cancelled"));
    }

private:
    using AttemptEnd = std::variant<ChatAnswer, ClassifiedError>;

    Attempt &main() { return m_slots[m_mainSlot]; }
    Attempt &overtaken() { return m_slots[1 - m_mainSlot]; }
    bool isMain(const Attempt &attempt) const { return &attempt == &m_slots[m_mainSlot]; }

    void setGuard(Attempt &attempt, Guard guard, Millis limit)
    {
        attempt.guards[guard] = now() + limit;
        armWatchdog();
    }
    static void clearGuard(Attempt &attempt, Guard guard) { attempt.guards[guard].reset(); }

    /// Sets the watchdog for the earliest deadline, unless it already fires by then.
    void armWatchdog()
    {
        std::optional<Millis> earliest = m_deadline;
        for (const Attempt &attempt : m_slots) {
            if (!attempt.active)
                continue;
            for (const std::optional<Millis> &deadline : attempt.guards) {
                if (deadline && (!earliest || *deadline < *earliest))
                    earliest = deadline;
            }
        }
        if (!earliest || (m_watchdogAt && *m_watchdogAt <= *earliest))
            return;
        m_watchdogAt = earliest;
        if (!m_watchdog)
            m_watchdog = takeWatchdog();
        m_watchdog->timer->start(std::max(Millis(0), *earliest - now()));
    }

    std::unique_ptr<Watchdog> takeWatchdog()
    {
        std::unique_ptr<Watchdog> watchdog;
        if (!m_context.idleWatchdogs.empty()) {
            watchdog = std::move(m_context.idleWatchdogs.back());
            m_context.idleWatchdogs.pop_back();
        } else {
            watchdog = std::make_unique<Watchdog>();
            Watchdog *self = watchdog.get();
            watchdog->timer = m_context.clock.createTimer([self] {
                if (self->owner)
                    self->owner->onWatchdog();
            });
        }
        watchdog->owner = this;
        return watchdog;
    }

    void onWatchdog()
    {
        m_watchdogAt.reset();
        const Millis at = now();
        // The call's budget first: an attempt's limit is cut to what is left of it, and when
        // both run out together it is the budget that ended the call.
        if (m_deadline && at >= *m_deadline) {
            onDeadline();
        } else {
            // One expiry per wake-up: what it sets off (a retry, the next model) may change
            // the other attempt, whose due limits re-arm the watchdog at once.
            [&] {
                for (Attempt &attempt : m_slots) {
                    if (!attempt.active)
                        continue;
                    if (attempt.guards[HedgeGuard] && at >= *attempt.guards[HedgeGuard]) {
                        attempt.guards[HedgeGuard].reset();
                        startHedge();
                        return;
                    }
                    static constexpr std::pair<Guard, TimeoutKind> kOrder[] = {
                        {ConnectGuard, TimeoutKind::Connect},
                        {FirstTokenGuard, TimeoutKind::FirstToken},
                        {IdleGuard, TimeoutKind::Idle},
                        {AttemptGuard, TimeoutKind::Attempt}};
                    for (const auto &[guard, kind] : kOrder) {
                        if (attempt.guards[guard] && at >= *attempt.guards[guard]) {
                            attempt.guards[guard].reset();
                            endAttempt(attempt, timeoutError(kind, limitOf(attempt, kind)));
                            return;
                        }
                    }
                }
            }();
        }
        if (!m_finished)
            armWatchdog();
    }

    Millis limitOf(const Attempt &attempt, TimeoutKind kind) const
    {
        switch (kind) {
        case TimeoutKind::Connect:
            return timeouts().connect;
        case TimeoutKind::FirstToken:
            return timeouts().firstToken;
        case TimeoutKind::Idle:
            return timeouts().idle;
        case TimeoutKind::Attempt:
            break;
        }
        return attempt.limit;
    }

    static void stop(const std::unique_ptr<Timer> &timer)
    {
        if (timer)
            timer->stop();
    }
    Timer &retryTimer()
    {
        if (!m_retryTimer)
            m_retryTimer = m_context.clock.createTimer([this] { sendAttempt(); });
        return *m_retryTimer;
    }
    const TimeoutPolicy &timeouts() const { return m_context.config.timeouts; }
    const BreakerPolicy &breakerPolicy() const { return m_context.config.breaker; }
    bool countsCalls() const { return breakerPolicy().counts == BreakerCounting::Calls; }
    int chainSize() const { return static_cast<int>(m_context.config.chain.size()); }
    const ChainEntry &entry() const { return m_context.config.chain.at(m_modelIndex); }
    const QString &labelOf(int index) const { return m_context.labels.at(index); }
    const QString &label() const { return labelOf(m_modelIndex); }
    CircuitBreaker &breakerOf(int index) const { return *m_context.breakers.at(index); }
    CircuitBreaker &breaker() const { return breakerOf(m_modelIndex); }
    RetryBudget &budget() const { return *m_context.budgets.at(m_modelIndex); }
    Millis now() const { return m_context.clock.now(); }
    void publish(EngineEvent &&event) { m_context.shared.events.publish(std::move(event)); }
    /// The call's cache key, made once: from the original prompt, whatever truncation does.
    const QString &cacheKey()
    {
        if (m_cacheKey.isNull()) {
            const int maxTokens =
                m_context.config.chain.isEmpty() ? 0 : m_context.config.chain.first().maxTokens;
            m_cacheKey = ResponseCache::keyFor(m_request.prompt, maxTokens);
        }
        return m_cacheKey;
    }
    bool pastDeadline() const { return m_deadline && now() >= *m_deadline; }

    /// Starts the walk's visit of chain entry `index` (or what lies beyond the models).
    void tryModel(int index)
    {
        enterModel(index);
        if (m_modelIndex >= chainSize()) {
            fallBackBeyondModels();
            return;
        }
        sendAttempt();
    }

    void enterModel(int index)
    {
        m_modelIndex = index;
        m_attemptOnModel = 0;
        m_previousDelay = Millis(0);
        m_truncatedOnModel = false;
        m_modelDeadline.reset();
        // While other models remain, this one may spend only its share of what is left, so
        // that a silent or slow model cannot starve the fallbacks.
        if (m_deadline && index < chainSize() - 1 && timeouts().modelShare < 1.0) {
            const Millis left = std::max(Millis(0), *m_deadline - now());
            m_modelDeadline =
                now() + Millis(static_cast<Millis::rep>(static_cast<double>(left.count()) *
                                                        timeouts().modelShare));
        }
    }

    /// When the walk must leave the current model: its share of the budget, or the budget.
    std::optional<Millis> modelDeadline() const
    {
        if (m_modelDeadline && (!m_deadline || *m_modelDeadline < *m_deadline))
            return m_modelDeadline;
        return m_deadline;
    }

    void moveOn(const QString &reason)
    {
        const int next = m_modelIndex + 1;
        const QString to = next < chainSize() ? labelOf(next) : beyondModelsTarget();
        publish(FallbackHop{m_request.id, now(), label(), to, reason});
        tryModel(next);
    }

    /// Where the chain goes once no model is left: "cache" if it could answer, else "degraded".
    QString beyondModelsTarget()
    {
        return m_context.config.cache.enabled ? sources::cache : sources::degraded;
    }

    void sendAttempt()
    {
        if (pastDeadline()) {
            fallBackBeyondModels();
            return;
        }
        const ChainEntry &model = entry();
        CircuitBreaker &breaker = this->breaker();
        // Counting calls, the permit taken for the first attempt covers the model's retries.
        std::optional<BreakerPermit> permit = std::exchange(m_visitPermit, std::nullopt);
        if (!permit)
            permit = breaker.tryAcquire();
        if (!permit) {
            const BreakerState state = breaker.state();
            // An operator's forced opening is a decision, not a guess to probe past.
            if (state == BreakerState::Open || state == BreakerState::HalfOpen)
                m_panicCandidates.push_back(m_modelIndex);
            skipAttempt(Outcome::ShortCircuited, QStringLiteral("circuit breaker open"));
            return;
        }
        if (!m_context.shared.bulkheads.tryEnter(label(), model.maxConcurrency)) {
            breaker.onIgnored(*permit);
            // A full bulkhead is our own capacity, not an open model: no probing past it.
            m_panicBlocked = true;
            skipAttempt(Outcome::BulkheadFull,
                        QStringLiteral("%1 attempts already in flight").arg(model.maxConcurrency));
            return;
        }
        if (m_attemptOnModel == 0)
            budget().recordFirstAttempt();
        launch(main(), m_modelIndex, m_attemptOnModel, *permit, AttemptFlavour::Chain);
    }

    enum class AttemptFlavour { Chain, Hedge, Panic };

    /// Sends one attempt on chain entry `index`, which already holds `permit` and a bulkhead
    /// slot.
    void launch(Attempt &attempt, int index, int n, BreakerPermit permit, AttemptFlavour flavour)
    {
        const ChainEntry &model = m_context.config.chain.at(index);
        const ProviderConfig *provider = m_context.config.provider(model.provider);
        Q_ASSERT(provider); // the config loader guarantees every chain entry's provider exists
        const ProviderAdapter &adapter = *m_context.adapters.at(index);
        const QUrl &endpoint = m_context.endpoints.at(index);
        // The key is read at send time and handed straight to the request; it is never kept.
        const QByteArray apiKey =
            provider->apiKeyEnv.isEmpty() ? QByteArray() : qgetenv(provider->apiKeyEnv.toLatin1());
        ChatRequest chat{model.model, m_prompt, model.maxTokens, m_request.stream,
                         m_request.extraHeaders};
        const HttpRequest httpRequest = adapter.buildRequestTo(endpoint, apiKey, chat);

        // A call that has tried a model has had its one attempt: no attempt past the
        // breakers follows (in an outage, a call's first failures already cost it enough).
        m_panicBlocked = true;
        attempt.active = true;
        attempt.modelIndex = index;
        attempt.n = n;
        attempt.start = now();
        attempt.permit = permit;
        attempt.hedge = flavour == AttemptFlavour::Hedge;
        attempt.panic = flavour == AttemptFlavour::Panic;
        attempt.status = 0;
        attempt.headers = HttpHeaders();
        attempt.body.clear();
        attempt.decoder.reset();
        attempt.sawFirstToken = false;
        attempt.guards = {};
        publish(AttemptStarted{m_request.id, attempt.start, labelOf(index), n, permit.probe,
                               attempt.hedge, attempt.panic});

        Attempt *self = &attempt;
        TransportCallbacks callbacks;
        callbacks.requestSent = [self] {
            clearGuard(*self, ConnectGuard);
        };
        callbacks.responseHead = [this, self](int status, const HttpHeaders &headers) {
            onResponseHead(*self, status, headers);
        };
        callbacks.bodyChunk = [this, self](const QByteArray &chunk) {
            onBodyChunk(*self, chunk);
        };
        callbacks.finished = [this, self] {
            onTransportFinished(*self);
        };
        callbacks.failed = [this, self](TransportFailure failure, const QString &detail) {
            endAttempt(*self, classifyTransportFailure(failure, detail));
        };
        attempt.request = m_context.transport.send(httpRequest, std::move(callbacks));
        // What follows runs while the request is on its way (no transport callback runs
        // inside send()), not between its answer and the caller: the limits, which count from
        // attempt.start all the same, and the key the answer will be cached under.
        armAttemptTimers(attempt);
        if (m_context.config.cache.enabled)
            cacheKey();
    }

    void armAttemptTimers(Attempt &attempt)
    {
        const TimeoutPolicy &limits = timeouts();
        const Millis start = attempt.start;
        if (limits.connect > Millis(0))
            attempt.guards[ConnectGuard] = start + limits.connect;
        if (limits.firstToken > Millis(0))
            attempt.guards[FirstTokenGuard] = start + limits.firstToken;
        attempt.limit = limits.attempt;
        // An attempt ends with its model's share of the budget; a panic attempt, the last the
        // call will make, may use all that is left.
        const std::optional<Millis> end = attempt.panic ? m_deadline : modelDeadline();
        if (end) {
            const Millis remaining = std::max(Millis(0), *end - start);
            if (attempt.limit <= Millis(0) || remaining < attempt.limit)
                attempt.limit = remaining;
        }
        if (attempt.limit > Millis(0))
            attempt.guards[AttemptGuard] = start + attempt.limit;
        if (canHedgeFrom(attempt))
            attempt.guards[HedgeGuard] = start + m_context.config.hedge.after;
        armWatchdog();
    }

    bool canHedgeFrom(const Attempt &attempt) const
    {
        return m_context.config.hedge.enabled() && !m_hedged && !attempt.panic &&
               attempt.modelIndex + 1 < chainSize();
    }

    static void stopAttemptTimers(Attempt &attempt) { attempt.guards = {}; }

    bool streamingAnswer(const Attempt &attempt) const
    {
        return m_request.stream && attempt.status >= 200 && attempt.status < 300;
    }

    void onResponseHead(Attempt &attempt, int status, const HttpHeaders &headers)
    {
        clearGuard(attempt, ConnectGuard);
        attempt.status = status;
        attempt.headers = headers;
        if (streamingAnswer(attempt)) {
            attempt.decoder = m_context.adapters.at(attempt.modelIndex)->createStreamDecoder();
            restartIdleTimer(attempt);
        } else {
            // A complete answer or an error arrives as one body: the first token has come.
            noteFirstToken(attempt);
        }
    }

    void restartIdleTimer(Attempt &attempt)
    {
        if (timeouts().idle > Millis(0))
            setGuard(attempt, IdleGuard, timeouts().idle);
    }

    void noteFirstToken(Attempt &attempt)
    {
        if (attempt.sawFirstToken)
            return;
        attempt.sawFirstToken = true;
        clearGuard(attempt, FirstTokenGuard);
        clearGuard(attempt, HedgeGuard);
        // A stream the user has begun to read cannot be swapped for another mid-way: the
        // first of two racing streams to bring text wins, the other is cancelled, and the
        // walk carries on from the winner should it still fail.
        Attempt &other = &attempt == &m_slots[0] ? m_slots[1] : m_slots[0];
        if (!streamingAnswer(attempt) || !other.active)
            return;
        cutAttempt(other, Outcome::Cancelled,
                   QStringLiteral("lost the hedge race to %1").arg(labelOf(attempt.modelIndex)));
        if (!isMain(attempt)) {
            stop(m_retryTimer);
            releaseVisitPermit();
            m_mainSlot = 1 - m_mainSlot;
            enterModel(attempt.modelIndex);
            m_attemptOnModel = attempt.n;
        }
    }

    /// Counting calls, the permit held between a model's attempts goes back without a verdict.
    void releaseVisitPermit()
    {
        if (m_visitPermit)
            breaker().onIgnored(*std::exchange(m_visitPermit, std::nullopt));
    }

    void onBodyChunk(Attempt &attempt, const QByteArray &chunk)
    {
        if (!attempt.decoder) {
            const bool ok = attempt.status >= 200 && attempt.status < 300;
            const qsizetype limit = ok ? kMaxAnswerBytes : kMaxErrorBodyBytes;
            if (attempt.body.size() + chunk.size() > limit) {
                if (ok) {
                    endAttempt(attempt, malformedError(QStringLiteral("answer larger than %1 MiB")
                                                           .arg(kMaxAnswerBytes >> 20)));
                    return;
                }
                attempt.body.append(chunk.left(limit - attempt.body.size()));
                return;
            }
            attempt.body.append(chunk);
            return;
        }
        restartIdleTimer(attempt);
        const StreamProgress progress = attempt.decoder->feed(chunk);
        // The first token is text (or the answer's end): a stream that only says it has begun,
        // or pings, has not answered yet.
        if (!progress.textDelta.isEmpty() || progress.complete || progress.error)
            noteFirstToken(attempt);
        if (!progress.textDelta.isEmpty())
            publish(
                StreamDelta{m_request.id, now(), labelOf(attempt.modelIndex), progress.textDelta});
        if (progress.error) {
            endAttempt(attempt, *progress.error);
        } else if (progress.complete) {
            endAttempt(attempt, attempt.decoder->finish());
        }
    }

    void onTransportFinished(Attempt &attempt)
    {
        if (attempt.decoder) {
            endAttempt(attempt, attempt.decoder->finish());
            return;
        }
        if (attempt.status >= 200 && attempt.status < 300) {
            endAttempt(attempt,
                       m_context.adapters.at(attempt.modelIndex)->parseAnswer(attempt.body));
            return;
        }
        endAttempt(attempt, classifyHttpError(attempt.status, attempt.headers, attempt.body,
                                              QDateTime::currentDateTimeUtc()));
    }

    void onDeadline()
    {
        if (m_finished)
            return;
        stop(m_retryTimer);
        cutAttempts(Outcome::Timeout, QStringLiteral("the call's total budget of %1 s ran out")
                                          .arg(toSeconds(timeouts().total)));
        fallBackBeyondModels();
    }

    /// Ends every attempt in flight with `outcome`, the walk going no further from them.
    void cutAttempts(Outcome outcome, const QString &message)
    {
        for (Attempt &attempt : m_slots)
            cutAttempt(attempt, outcome, message);
    }

    void cutAttempt(Attempt &attempt, Outcome outcome, const QString &message)
    {
        if (!attempt.active)
            return;
        ClassifiedError error;
        if (outcome == Outcome::Timeout)
            error = timeoutError(TimeoutKind::Attempt, timeouts().total);
        error.outcome = outcome;
        error.message = message;
        endAttempt(attempt, error, /*allowContinue=*/false);
    }

    void abortTransport(Attempt &attempt)
    {
        if (attempt.request) {
            attempt.request->abort();
            // Destroyed with the run: this may run inside the transport's own callback.
            m_retiredRequests.push_back(std::move(attempt.request));
        }
    }

    /// Records an attempt that was never sent, then moves along the chain.
    void skipAttempt(Outcome outcome, const QString &message)
    {
        AttemptRecord record;
        record.model = label();
        record.n = m_attemptOnModel;
        record.start = now() - m_started;
        record.outcome = outcome;
        record.message = message;
        m_result.attempts.append(record);
        noteFailure(outcome, message);
        publish(ShortCircuited{m_request.id, now(), label(), outcome});
        moveOn(outcomeName(outcome));
    }

    void noteFailure(Outcome outcome, const QString &message)
    {
        m_lastErrorClass = outcome;
        m_lastErrorMessage = message;
        m_onlyRejections = m_onlyRejections && isRejection(outcome);
    }

    /// The request itself was refused (invalid, or on content grounds): the same request
    /// anywhere else is likely refused too, and the caller should learn why.
    static bool isRejection(Outcome outcome)
    {
        return outcome == Outcome::BadRequest || outcome == Outcome::ContentFilter;
    }

    /// Gives the breaker its verdict on one attempt, or (counting calls) on the model's
    /// visit once no retry on it follows.
    void reportToBreaker(const Attempt &attempt, const BreakerPermit &permit, const AttemptEnd &end,
                         Millis duration)
    {
        CircuitBreaker &breaker = breakerOf(attempt.modelIndex);
        if (std::holds_alternative<ChatAnswer>(end)) {
            breaker.onSuccess(permit, duration);
            return;
        }
        const ClassifiedError &error = std::get<ClassifiedError>(end);
        if (countsAgainstBreaker(error.outcome))
            breaker.onFailure(permit, duration, error.retryAfter.value_or(Millis(0)));
        else
            breaker.onIgnored(permit);
    }

    void endAttempt(Attempt &attempt, const AttemptEnd &end, bool allowContinue = true)
    {
        if (!attempt.active)
            return;
        attempt.active = false;
        stopAttemptTimers(attempt);
        abortTransport(attempt);
        const QString &model = labelOf(attempt.modelIndex);
        m_context.shared.bulkheads.leave(model);

        const Millis duration = now() - attempt.start;
        AttemptRecord record;
        record.model = model;
        record.n = attempt.n;
        record.start = attempt.start - m_started;
        record.duration = duration;
        record.httpStatus = attempt.status;
        record.hedge = attempt.hedge;
        record.panic = attempt.panic;
        const BreakerPermit permit = *attempt.permit;
        attempt.permit.reset();

        if (const auto *answer = std::get_if<ChatAnswer>(&end)) {
            record.outcome = Outcome::Success;
            m_result.attempts.append(record);
            reportToBreaker(attempt, permit, end, duration);
            publish(AttemptFinished{m_request.id, now(), model, record.n, Outcome::Success,
                                    attempt.status, duration, QString()});
            finishFromModel(attempt.modelIndex, *answer);
            return;
        }

        const ClassifiedError &error = std::get<ClassifiedError>(end);
        record.outcome = error.outcome;
        record.httpStatus = error.httpStatus != 0 ? error.httpStatus : attempt.status;
        record.message = error.message;
        m_result.attempts.append(record);
        publish(AttemptFinished{m_request.id, now(), model, record.n, error.outcome,
                                record.httpStatus, duration, error.message});
        if (error.outcome != Outcome::Cancelled)
            noteFailure(error.outcome, error.message);

        if (!isMain(attempt) || !allowContinue) {
            // An overtaken attempt never retries: the walk has moved past its model.
            reportToBreaker(attempt, permit, end, duration);
            if (allowContinue && !main().active && m_waitingForOvertaken)
                fallBackBeyondModels();
            return;
        }
        const std::optional<NextStep> next = nextStepAfter(attempt, error);
        if (countsCalls() && next && next->retry) {
            // The visit goes on: its verdict waits for the model's last attempt.
            m_visitPermit = permit;
        } else {
            reportToBreaker(attempt, permit, end, duration);
        }
        if (next)
            takeStep(*next, error);
    }

    /// What the walk does after its attempt failed.
    struct NextStep {
        bool retry = false;
        /// Retrying: the wait, and where it comes from; 0 for a truncated prompt's retry.
        Millis delay{0};
        DelaySource source = DelaySource::Backoff;
        bool truncated = false;
        /// Not retrying: why the walk leaves the model.
        QString reason;
        /// The call ends here (a content filter reported as an error, a panic attempt).
        bool endCall = false;
        bool beyondModels = false;
    };

    std::optional<NextStep> nextStepAfter(const Attempt &attempt, const ClassifiedError &error)
    {
        NextStep step;
        if (attempt.panic) {
            // One attempt past the breakers, no more: the call answers from what is left.
            step.beyondModels = true;
            return step;
        }
        if (error.outcome == Outcome::ContentFilter) {
            if (m_context.config.policy.onContentFilter == ContentFilterAction::Fail) {
                step.endCall = true;
                return step;
            }
            step.reason = QStringLiteral("refused on content grounds");
            return step;
        }
        if (error.outcome == Outcome::ContextOverflow)
            return overflowStep(error);

        const RetryPolicy &retry = m_context.config.retry;
        const RetryDecision decision =
            decideRetry(retry, error, m_attemptOnModel, m_previousDelay, m_context.random);
        if (!decision.retry) {
            step.reason = decision.reason;
            return step;
        }
        const std::optional<Millis> leaveBy = modelDeadline();
        if (leaveBy && now() + decision.delay >= *leaveBy) {
            step.reason =
                leaveBy == m_deadline
                    ? QStringLiteral("a retry in %1 s would end past the call's deadline")
                          .arg(toSeconds(decision.delay))
                    : QStringLiteral("a retry in %1 s would end past this model's share of the "
                                     "call's budget")
                          .arg(toSeconds(decision.delay));
            return step;
        }
        if (!budget().tryRetry()) {
            step.reason = QStringLiteral("the retry budget of %1 is spent").arg(label());
            return step;
        }
        step.retry = true;
        step.delay = decision.delay;
        step.source = decision.source;
        return step;
    }

    NextStep overflowStep(const ClassifiedError &error)
    {
        NextStep step;
        const int limit = error.contextLimit.value_or(entry().contextWindow);
        switch (m_context.config.context.onOverflow) {
        case OverflowAction::Truncate:
            if (!m_truncatedOnModel && limit > 0) {
                const int target =
                    truncationTarget(m_prompt, limit, error.promptTokens.value_or(0));
                const QString shorter =
                    truncateToChars(m_prompt, target, m_context.config.context.keep);
                if (shorter.size() < m_prompt.size()) {
                    m_prompt = shorter;
                    m_truncatedOnModel = true;
                    m_result.truncated = true;
                    m_result.attempts.last().message +=
                        QStringLiteral("; prompt truncated to %1 characters").arg(shorter.size());
                    step.retry = true;
                    step.truncated = true;
                    return step;
                }
            }
            break;
        case OverflowAction::NextModel:
            m_skipToWindowAbove = limit > 0 ? limit : estimateTokens(m_prompt);
            return step;
        case OverflowAction::Fail:
            break;
        }
        step.reason = QStringLiteral("prompt does not fit the context window");
        return step;
    }

    void takeStep(const NextStep &step, const ClassifiedError &error)
    {
        if (step.endCall) {
            finishWithError(error.outcome, error.message);
            return;
        }
        if (step.beyondModels) {
            fallBackBeyondModels();
            return;
        }
        if (m_skipToWindowAbove) {
            skipToLargerWindow(*std::exchange(m_skipToWindowAbove, std::nullopt));
            return;
        }
        if (!step.retry) {
            moveOn(step.reason);
            return;
        }
        ++m_attemptOnModel;
        if (step.truncated) {
            sendAttempt();
            return;
        }
        AttemptRecord &last = m_result.attempts.last();
        last.delay = step.delay;
        last.delaySource = step.source;
        m_previousDelay = step.delay;
        publish(RetryScheduled{m_request.id, now(), label(), m_attemptOnModel, step.delay,
                               step.source, error.outcome});
        retryTimer().start(step.delay);
    }

    /// Moves to the next model whose configured window is unknown or larger than `tokens`.
    void skipToLargerWindow(int tokens)
    {
        int next = m_modelIndex + 1;
        const auto &chain = m_context.config.chain;
        while (next < chain.size() && chain.at(next).contextWindow > 0 &&
               chain.at(next).contextWindow <= tokens)
            ++next;
        const QString to = next < chain.size() ? labelOf(next) : beyondModelsTarget();
        publish(FallbackHop{
            m_request.id, now(), label(), to,
            QStringLiteral("needs a context window larger than %1 tokens").arg(tokens)});
        tryModel(next);
    }

    /// The attempt in flight has produced no first token after hedge.after_s: the next
    /// model that admits a call starts beside it, and the walk goes on from there; the
    /// overtaken attempt may still win.
    void startHedge()
    {
        Attempt &current = main();
        if (!current.active || current.sawFirstToken || m_hedged || overtaken().active)
            return;
        for (int index = current.modelIndex + 1; index < chainSize(); ++index) {
            const std::optional<BreakerPermit> permit = breakerOf(index).tryAcquire();
            if (!permit)
                continue;
            const ChainEntry &model = m_context.config.chain.at(index);
            if (!m_context.shared.bulkheads.tryEnter(labelOf(index), model.maxConcurrency)) {
                breakerOf(index).onIgnored(*permit);
                continue;
            }
            m_hedged = true;
            m_mainSlot = 1 - m_mainSlot;
            enterModel(index);
            budget().recordFirstAttempt();
            launch(main(), index, 0, *permit, AttemptFlavour::Hedge);
            return;
        }
    }

    void fallBackBeyondModels()
    {
        if (m_finished)
            return;
        releaseVisitPermit();
        // A hedge overtook an attempt that is still running: it may yet answer, within its
        // own limits, so the call waits for it rather than settling for less.
        if (overtaken().active && !pastDeadline()) {
            m_waitingForOvertaken = true;
            return;
        }
        if (tryPanicAttempt())
            return;
        const CachePolicy &cache = m_context.config.cache;
        if (cache.enabled) {
            if (const auto cached = m_context.shared.cache.lookup(cacheKey())) {
                finishFromCache(*cached);
                return;
            }
        }
        if (m_onlyRejections && m_lastErrorClass && isRejection(*m_lastErrorClass)) {
            // Every model refused the request itself: a degraded answer would hide the reason.
            finishWithError(*m_lastErrorClass, m_lastErrorMessage);
            return;
        }
        m_result.success = true;
        m_result.degraded = true;
        m_result.source = sources::degraded;
        m_result.text = m_context.config.degradedText;
        fillError();
        finish();
    }

    /// `when_all_open: probe`: when every model was open and the call has tried none, one
    /// attempt on the model open longest (Envoy's panic threshold), so a brownout never
    /// becomes an outage of our own making while a dead provider sees one attempt per call.
    bool tryPanicAttempt()
    {
        if (breakerPolicy().whenAllOpen != WhenAllOpen::Probe || m_panicked || m_panicBlocked ||
            m_panicCandidates.empty() || pastDeadline())
            return false;
        m_panicked = true;
        int chosen = -1;
        std::optional<Millis> longest;
        for (const int index : m_panicCandidates) {
            const std::optional<Millis> since = breakerOf(index).snapshot().openSince;
            if (chosen < 0 || (since && (!longest || *since < *longest))) {
                chosen = index;
                longest = since;
            }
        }
        const std::optional<BreakerPermit> permit = breakerOf(chosen).acquirePanic();
        const ChainEntry &model = m_context.config.chain.at(chosen);
        if (!permit ||
            !m_context.shared.bulkheads.tryEnter(labelOf(chosen), model.maxConcurrency)) {
            if (permit)
                breakerOf(chosen).onIgnored(*permit);
            return false;
        }
        publish(FallbackHop{m_request.id, now(), labelOf(m_panicCandidates.back()), labelOf(chosen),
                            QStringLiteral("every model left is open: one attempt on the one "
                                           "open longest")});
        enterModel(chosen);
        launch(main(), chosen, 0, *permit, AttemptFlavour::Panic);
        return true;
    }

    void fillError()
    {
        m_result.errorClass = m_lastErrorClass;
        m_result.error = m_lastErrorMessage;
    }

    void finishFromModel(int index, const ChatAnswer &answer)
    {
        // The race is over: whatever else is in flight lost it.
        cutAttempts(Outcome::Cancelled,
                    QStringLiteral("lost the hedge race to %1").arg(labelOf(index)));
        m_result.success = true;
        m_result.source = labelOf(index);
        m_result.text = answer.text;
        m_result.inputTokens = answer.inputTokens;
        m_result.outputTokens = answer.outputTokens;
        if (m_context.config.cache.enabled)
            m_context.shared.cache.store(cacheKey(), answer.text);
        finish();
    }

    void finishFromCache(const QString &text)
    {
        m_result.success = true;
        m_result.source = sources::cache;
        m_result.text = text;
        if (m_lastErrorClass)
            fillError();
        finish();
    }

    void finishWithError(Outcome outcome, const QString &message)
    {
        cutAttempts(Outcome::Cancelled, QStringLiteral("the call ended"));
        m_result.success = false;
        m_result.source = sources::error;
        m_result.errorClass = outcome;
        m_result.error = message;
        finish();
    }

    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_deadline.reset();
        releaseVisitPermit();
        if (m_watchdog)
            m_watchdog->timer->stop();
        m_watchdogAt.reset();
        stop(m_retryTimer);
        m_result.duration = now() - m_started;
        publish(CallFinished{now(), m_result});
        // Nothing of this run is touched after this: it now belongs to the engine's clean-up.
        m_context.retire(m_request.id, std::move(m_done), std::move(m_result));
    }

    CallContext &m_context;
    CallRequest m_request;
    Engine::Completion m_done;
    QString m_prompt;
    QString m_cacheKey;
    CallResult m_result;

    bool m_startedCall = false;
    Millis m_started{0};
    std::optional<Millis> m_deadline;
    // The walk.
    int m_modelIndex = 0;
    int m_attemptOnModel = 0;
    Millis m_previousDelay{0};
    bool m_truncatedOnModel = false;
    std::optional<Millis> m_modelDeadline;
    std::optional<int> m_skipToWindowAbove;
    /// Counting calls: the current model's permit, held between its attempts.
    std::optional<BreakerPermit> m_visitPermit;
    std::optional<Outcome> m_lastErrorClass;
    QString m_lastErrorMessage;
    bool m_onlyRejections = true;
    bool m_finished = false;
    /// Models short-circuited by an open breaker, while the call has sent no attempt.
    std::vector<int> m_panicCandidates;
    bool m_panicBlocked = false;
    bool m_panicked = false;
    bool m_hedged = false;
    /// The walk ended while an overtaken attempt still ran: its end ends the call.
    bool m_waitingForOvertaken = false;

    std::array<Attempt, 2> m_slots;
    std::size_t m_mainSlot = 0;
    /// Requests aborted while their own callbacks may be on the stack; freed with the run.
    std::vector<std::unique_ptr<TransportRequest>> m_retiredRequests;
    std::unique_ptr<Watchdog> m_watchdog;
    /// When the watchdog fires, if it is set.
    std::optional<Millis> m_watchdogAt;
    std::unique_ptr<Timer> m_retryTimer;
};

Engine::Engine(Config config, EngineShared shared, Transport &transport, Clock &clock,
               RandomSource &random, QUrl embeddedBaseUrl, QObject *parent)
    : QObject(parent)
{
    const QStringList labels = chainLabels(config.chain);
    m_context.reset(
        new CallContext{std::move(config),
                        shared,
                        transport,
                        clock,
                        random,
                        labels,
                        {},
                        {},
                        {},
                        {},
                        createProviderAdapter(ProviderKind::Anthropic),
                        createProviderAdapter(ProviderKind::OpenAI),
                        [this](const QString &callId, Completion done, CallResult result) {
                            retire(callId, std::move(done), std::move(result));
                        }});
    // Created now, before any call can race for them. Engines in worker threads find them
    // already made by their pool, in the pool's thread.
    for (const QString &label : labels) {
        m_context->breakers.push_back(&shared.breakers.breaker(label));
        m_context->budgets.push_back(&shared.retryBudgets.budget(label));
    }
    for (const ChainEntry &entry : m_context->config.chain) {
        // A provider is missing only from a config that did not come from the loader.
        const ProviderConfig *provider = m_context->config.provider(entry.provider);
        const ProviderAdapter &adapter =
            m_context->adapter(provider ? provider->kind : ProviderKind::Anthropic);
        m_context->adapters.push_back(&adapter);
        const QUrl baseUrl = !provider                ? QUrl()
                             : provider->isEmbedded() ? embeddedBaseUrl
                                                      : QUrl(provider->baseUrl);
        m_context->endpoints.append(adapter.endpoint(baseUrl));
    }
}

Engine::~Engine()
{
    // Destroyed without finishing: no completion runs for calls still in flight, nor for
    // calls that finished and wait for the event loop. Runs first, while the context they
    // give their watchdogs back to still exists.
    qDeleteAll(m_calls);
    m_retired.clear();
}

const Config &Engine::config() const
{
    return m_context->config;
}

const QStringList &Engine::modelLabels() const
{
    return m_context->labels;
}

CallRun *Engine::admit(CallRequest request, Completion done)
{
    if (request.id.isEmpty())
        request.id = QStringLiteral("call-") + QString::number(m_nextCallNumber++);
    // A caller-supplied id that is still in flight gets a suffix, so ids stay unique.
    if (m_calls.contains(request.id)) {
        const QString id = request.id;
        for (int suffix = 2; m_calls.contains(request.id); ++suffix)
            request.id = id + QStringLiteral("#%1").arg(suffix);
    }
    const QString uniqueId = request.id;
    auto *run = new CallRun(*m_context, std::move(request), std::move(done));
    m_calls.insert(uniqueId, run);
    return run;
}

QString Engine::call(CallRequest request, Completion done)
{
    CallRun *run = admit(std::move(request), std::move(done));
    const QString id = run->id();
    // Started at once: `done` cannot run inside this, since completions wait for the loop.
    run->start();
    return id;
}

void Engine::cancel(const QString &callId)
{
    if (CallRun *run = m_calls.value(callId))
        run->cancel();
}

void Engine::cancelAll()
{
    const QStringList ids = m_calls.keys();
    for (const QString &id : ids)
        cancel(id);
}

void Engine::retire(const QString &callId, Completion done, CallResult result)
{
    CallRun *run = m_calls.take(callId);
    if (!run)
        return;
    // Deleted later: this runs from inside the call's own callbacks. One wake-up serves every
    // call that finishes before the loop comes round.
    m_retired.emplace_back(run);
    if (m_completionsHandedOff) {
        if (done)
            done(result);
    } else {
        m_finished.push_back({std::move(done), std::move(result)});
    }
    if (!m_cleanUpQueued) {
        m_cleanUpQueued = true;
        QMetaObject::invokeMethod(this, &Engine::deliverFinished, Qt::QueuedConnection);
    }
}

void Engine::deliverFinished()
{
    m_cleanUpQueued = false;
    std::vector<Finished> batch;
    batch.swap(m_finished);
    const QPointer<Engine> self(this);
    for (Finished &finished : batch) {
        if (finished.done)
            finished.done(finished.result);
        if (!self)
            return; // a completion destroyed the engine; its destructor dropped the rest
    }
    // The emptied batch becomes the next one, keeping its capacity (one call at a time would
    // otherwise allocate it anew for every call).
    if (m_finished.empty()) {
        batch.clear();
        m_finished.swap(batch);
    }
    // After the completions, so callers hear of their answers before the clean-up runs. No
    // run's own code is on the stack here; runs retired by calls that completions started
    // (and that finished at once) are deleted too, their completions being queued already.
    m_retired.clear();
}

} // namespace breakwater

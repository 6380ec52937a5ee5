#include "engine.h"

#include "breaker/breakerregistry.h"
#include "cache/responsecache.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "engine/truncation.h"
#include "errors/classifier.h"
#include "providers/provideradapter.h"
#include "retry/backoff.h"
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
    /// Each chain entry's breaker (the registry never drops one) and adapter, looked up once.
    std::vector<CircuitBreaker *> breakers;
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

/// The per-call state machine: one chain walk, at most one attempt in flight at a time.
/// Policy lives in the CallContext; everything here belongs to this call alone.
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
        // An engine torn down mid-call: the shared breaker and bulkhead outlive it, so give
        // back what the attempt holds, or a half-open breaker would keep a probe slot forever.
        if (m_inFlight) {
            m_context.shared.bulkheads.leave(label());
            if (m_permit)
                breaker().onIgnored(*m_permit);
        }
        abortTransport();
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
        if (m_inFlight) {
            ClassifiedError cancelled;
            cancelled.outcome = Outcome::Cancelled;
            cancelled.message = QStringLiteral("cancelled");
            endAttempt(cancelled, /*allowContinue=*/false);
        }
        stop(m_retryTimer);
        finishWithError(Outcome::Cancelled, QStringLiteral("the call was cancelled"));
    }

private:
    using AttemptEnd = std::variant<ChatAnswer, ClassifiedError>;

    // Every limit of a call (its budget, and the connect, first-token, idle and attempt
    // limits of the attempt in flight) is a deadline kept here, and one watchdog timer is set
    // for the earliest. Clearing a deadline leaves the watchdog as it is: should it fire for
    // nothing, it is set again for the next. A call thus arms one timer where it used to make
    // and start five (bench/README.md); a stream's idle limit, moved on every chunk, costs no
    // timer operation at all. The retry wait, rare, has a timer of its own.
    enum Guard : std::size_t { ConnectGuard, FirstTokenGuard, IdleGuard, AttemptGuard, kGuards };

    void setGuard(Guard guard, Millis limit)
    {
        m_guards[guard] = now() + limit;
        armWatchdog();
    }
    void clearGuard(Guard guard) { m_guards[guard].reset(); }

    /// Sets the watchdog for the earliest deadline, unless it already fires by then.
    void armWatchdog()
    {
        std::optional<Millis> earliest = m_deadline;
        for (const std::optional<Millis> &deadline : m_guards) {
            if (deadline && (!earliest || *deadline < *earliest))
                earliest = deadline;
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
            static constexpr std::pair<Guard, TimeoutKind> kOrder[] = {
                {ConnectGuard, TimeoutKind::Connect},
                {FirstTokenGuard, TimeoutKind::FirstToken},
                {IdleGuard, TimeoutKind::Idle},
                {AttemptGuard, TimeoutKind::Attempt}};
            for (const auto &[guard, kind] : kOrder) {
                if (m_guards[guard] && at >= *m_guards[guard]) {
                    m_guards[guard].reset();
                    onTimeout(kind, limitOf(kind));
                    break;
                }
            }
        }
        if (!m_finished)
            armWatchdog();
    }

    Millis limitOf(TimeoutKind kind) const
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
        return m_attemptLimit;
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
    const ChainEntry &entry() const { return m_context.config.chain.at(m_modelIndex); }
    const QString &label() const { return m_context.labels.at(m_modelIndex); }
    CircuitBreaker &breaker() const { return *m_context.breakers.at(m_modelIndex); }
    const ProviderAdapter &adapter() const { return *m_context.adapters.at(m_modelIndex); }
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

    void tryModel(int index)
    {
        m_modelIndex = index;
        m_attemptOnModel = 0;
        m_previousDelay = Millis(0);
        m_truncatedOnModel = false;
        if (m_modelIndex >= m_context.config.chain.size()) {
            fallBackBeyondModels();
            return;
        }
        sendAttempt();
    }

    void moveOn(const QString &reason)
    {
        const int next = m_modelIndex + 1;
        const QString to =
            next < m_context.config.chain.size() ? m_context.labels.at(next) : beyondModelsTarget();
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
        m_permit = breaker.tryAcquire();
        if (!m_permit) {
            skipAttempt(Outcome::ShortCircuited, QStringLiteral("circuit breaker open"));
            return;
        }
        if (!m_context.shared.bulkheads.tryEnter(label(), model.maxConcurrency)) {
            breaker.onIgnored(*m_permit);
            m_permit.reset();
            skipAttempt(Outcome::BulkheadFull,
                        QStringLiteral("%1 attempts already in flight").arg(model.maxConcurrency));
            return;
        }
        const ProviderConfig *provider = m_context.config.provider(model.provider);
        Q_ASSERT(provider); // the config loader guarantees every chain entry's provider exists
        const ProviderAdapter &adapter = this->adapter();
        const QUrl &endpoint = m_context.endpoints.at(m_modelIndex);
        // The key is read at send time and handed straight to the request; it is never kept.
        const QByteArray apiKey =
            provider->apiKeyEnv.isEmpty() ? QByteArray() : qgetenv(provider->apiKeyEnv.toLatin1());
        ChatRequest chat{model.model, m_prompt, model.maxTokens, m_request.stream,
                         m_request.extraHeaders};
        const HttpRequest httpRequest = adapter.buildRequestTo(endpoint, apiKey, chat);

        m_inFlight = true;
        m_attemptStart = now();
        m_status = 0;
        m_responseHeaders = HttpHeaders();
        m_body.clear();
        m_decoder.reset();
        m_sawFirstToken = false;
        m_partialText.clear();
        publish(AttemptStarted{m_request.id, m_attemptStart, label(), m_attemptOnModel,
                               m_permit->probe});

        TransportCallbacks callbacks;
        callbacks.requestSent = [this] {
            clearGuard(ConnectGuard);
        };
        callbacks.responseHead = [this](int status, const HttpHeaders &headers) {
            onResponseHead(status, headers);
        };
        callbacks.bodyChunk = [this](const QByteArray &chunk) {
            onBodyChunk(chunk);
        };
        callbacks.finished = [this] {
            onTransportFinished();
        };
        callbacks.failed = [this](TransportFailure failure, const QString &detail) {
            endAttempt(classifyTransportFailure(failure, detail));
        };
        m_transportRequest = m_context.transport.send(httpRequest, std::move(callbacks));
        // What follows runs while the request is on its way (no transport callback runs
        // inside send()), not between its answer and the caller: the limits, which count from
        // m_attemptStart all the same, and the key the answer will be cached under.
        armAttemptTimers();
        if (m_context.config.cache.enabled)
            cacheKey();
    }

    void armAttemptTimers()
    {
        const TimeoutPolicy &limits = timeouts();
        const Millis start = m_attemptStart;
        if (limits.connect > Millis(0))
            m_guards[ConnectGuard] = start + limits.connect;
        if (limits.firstToken > Millis(0))
            m_guards[FirstTokenGuard] = start + limits.firstToken;
        m_attemptLimit = limits.attempt;
        if (m_deadline) {
            const Millis remaining = std::max(Millis(0), *m_deadline - start);
            if (m_attemptLimit <= Millis(0) || remaining < m_attemptLimit)
                m_attemptLimit = remaining;
        }
        if (m_attemptLimit > Millis(0))
            m_guards[AttemptGuard] = start + m_attemptLimit;
        armWatchdog();
    }

    void stopAttemptTimers()
    {
        for (std::optional<Millis> &deadline : m_guards)
            deadline.reset();
    }

    bool streamingAnswer() const { return m_request.stream && m_status >= 200 && m_status < 300; }

    void onResponseHead(int status, const HttpHeaders &headers)
    {
        clearGuard(ConnectGuard);
        m_status = status;
        m_responseHeaders = headers;
        if (streamingAnswer()) {
            m_decoder = adapter().createStreamDecoder();
            restartIdleTimer();
        } else {
            // A complete answer or an error arrives as one body: the first token has come.
            clearGuard(FirstTokenGuard);
        }
    }

    void restartIdleTimer()
    {
        if (timeouts().idle > Millis(0))
            setGuard(IdleGuard, timeouts().idle);
    }

    void onBodyChunk(const QByteArray &chunk)
    {
        if (!m_decoder) {
            const qsizetype limit =
                (m_status >= 200 && m_status < 300) ? kMaxAnswerBytes : kMaxErrorBodyBytes;
            if (m_body.size() + chunk.size() > limit) {
                if (m_status >= 200 && m_status < 300) {
                    endAttempt(malformedError(
                        QStringLiteral("answer larger than %1 MiB").arg(kMaxAnswerBytes >> 20)));
                    return;
                }
                m_body.append(chunk.left(limit - m_body.size()));
                return;
            }
            m_body.append(chunk);
            return;
        }
        restartIdleTimer();
        const StreamProgress progress = m_decoder->feed(chunk);
        if (progress.sawEvent && !m_sawFirstToken) {
            m_sawFirstToken = true;
            clearGuard(FirstTokenGuard);
        }
        if (!progress.textDelta.isEmpty()) {
            m_partialText += progress.textDelta;
            publish(StreamDelta{m_request.id, now(), label(), progress.textDelta});
        }
        if (progress.error) {
            endAttempt(*progress.error);
        } else if (progress.complete) {
            endAttempt(m_decoder->finish());
        }
    }

    void onTransportFinished()
    {
        if (m_decoder) {
            endAttempt(m_decoder->finish());
            return;
        }
        if (m_status >= 200 && m_status < 300) {
            endAttempt(adapter().parseAnswer(m_body));
            return;
        }
        endAttempt(classifyHttpError(m_status, m_responseHeaders, m_body,
                                     QDateTime::currentDateTimeUtc()));
    }

    void onTimeout(TimeoutKind kind, Millis limit)
    {
        if (m_inFlight)
            endAttempt(timeoutError(kind, limit));
    }

    void onDeadline()
    {
        if (m_finished)
            return;
        stop(m_retryTimer);
        if (m_inFlight) {
            ClassifiedError error = timeoutError(TimeoutKind::Attempt, timeouts().total);
            error.message = QStringLiteral("the call's total budget of %1 s ran out")
                                .arg(toSeconds(timeouts().total));
            endAttempt(error, /*allowContinue=*/false);
        }
        fallBackBeyondModels();
    }

    void abortTransport()
    {
        if (m_transportRequest) {
            m_transportRequest->abort();
            // Not destroyed here: this may run inside the transport's own callback.
            m_retiredRequests.push_back(std::move(m_transportRequest));
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
        m_onlyBadRequests = m_onlyBadRequests && outcome == Outcome::BadRequest;
    }

    void endAttempt(const AttemptEnd &end, bool allowContinue = true)
    {
        if (!m_inFlight)
            return;
        m_inFlight = false;
        stopAttemptTimers();
        abortTransport();
        m_context.shared.bulkheads.leave(label());

        const Millis duration = now() - m_attemptStart;
        AttemptRecord record;
        record.model = label();
        record.n = m_attemptOnModel;
        record.start = m_attemptStart - m_started;
        record.duration = duration;
        record.httpStatus = m_status;

        CircuitBreaker &breaker = this->breaker();
        const BreakerPermit permit = *m_permit;
        m_permit.reset();

        if (const auto *answer = std::get_if<ChatAnswer>(&end)) {
            record.outcome = Outcome::Success;
            m_result.attempts.append(record);
            breaker.onSuccess(permit, duration);
            publish(AttemptFinished{m_request.id, now(), label(), record.n, Outcome::Success,
                                    m_status, duration, QString()});
            finishFromModel(*answer);
            return;
        }

        const ClassifiedError &error = std::get<ClassifiedError>(end);
        record.outcome = error.outcome;
        record.httpStatus = error.httpStatus != 0 ? error.httpStatus : m_status;
        record.message = error.message;
        if (countsAgainstBreaker(error.outcome))
            breaker.onFailure(permit, duration, error.retryAfter.value_or(Millis(0)));
        else
            breaker.onIgnored(permit);
        m_result.attempts.append(record);
        publish(AttemptFinished{m_request.id, now(), label(), record.n, error.outcome,
                                record.httpStatus, duration, error.message});
        if (error.outcome != Outcome::Cancelled)
            noteFailure(error.outcome, error.message);
        if (allowContinue)
            afterFailedAttempt(error);
    }

    void afterFailedAttempt(const ClassifiedError &error)
    {
        if (error.outcome == Outcome::ContextOverflow) {
            handleOverflow(error);
            return;
        }
        const RetryDecision decision = decideRetry(m_context.config.retry, error, m_attemptOnModel,
                                                   m_previousDelay, m_context.random);
        if (!decision.retry) {
            moveOn(decision.reason);
            return;
        }
        if (m_deadline && now() + decision.delay >= *m_deadline) {
            moveOn(QStringLiteral("a retry in %1 s would end past the call's deadline")
                       .arg(toSeconds(decision.delay)));
            return;
        }
        AttemptRecord &last = m_result.attempts.last();
        last.delay = decision.delay;
        last.delaySource = decision.source;
        m_previousDelay = decision.delay;
        ++m_attemptOnModel;
        publish(RetryScheduled{m_request.id, now(), label(), m_attemptOnModel, decision.delay,
                               decision.source, error.outcome});
        retryTimer().start(decision.delay);
    }

    void handleOverflow(const ClassifiedError &error)
    {
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
                    ++m_attemptOnModel;
                    sendAttempt();
                    return;
                }
            }
            moveOn(QStringLiteral("prompt does not fit the context window"));
            return;
        case OverflowAction::NextModel:
            skipToLargerWindow(limit > 0 ? limit : estimateTokens(m_prompt));
            return;
        case OverflowAction::Fail:
            moveOn(QStringLiteral("prompt does not fit the context window"));
            return;
        }
    }

    /// Moves to the next model whose configured window is unknown or larger than `tokens`.
    void skipToLargerWindow(int tokens)
    {
        int next = m_modelIndex + 1;
        const auto &chain = m_context.config.chain;
        while (next < chain.size() && chain.at(next).contextWindow > 0 &&
               chain.at(next).contextWindow <= tokens)
            ++next;
        const QString to = next < chain.size() ? m_context.labels.at(next) : beyondModelsTarget();
        publish(FallbackHop{
            m_request.id, now(), label(), to,
            QStringLiteral("needs a context window larger than %1 tokens").arg(tokens)});
        tryModel(next);
    }

    void fallBackBeyondModels()
    {
        if (m_finished)
            return;
        const CachePolicy &cache = m_context.config.cache;
        if (cache.enabled) {
            if (const auto cached = m_context.shared.cache.lookup(cacheKey())) {
                finishFromCache(*cached);
                return;
            }
        }
        if (m_onlyBadRequests && m_lastErrorClass == Outcome::BadRequest) {
            // Every model rejected the request itself: a degraded answer would hide the bug.
            finishWithError(Outcome::BadRequest, m_lastErrorMessage);
            return;
        }
        m_result.success = true;
        m_result.degraded = true;
        m_result.source = sources::degraded;
        m_result.text = m_context.config.degradedText;
        fillError();
        finish();
    }

    void fillError()
    {
        m_result.errorClass = m_lastErrorClass;
        m_result.error = m_lastErrorMessage;
    }

    void finishFromModel(const ChatAnswer &answer)
    {
        m_result.success = true;
        m_result.source = label();
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
        stopAttemptTimers();
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
    int m_modelIndex = 0;
    int m_attemptOnModel = 0;
    Millis m_previousDelay{0};
    bool m_truncatedOnModel = false;
    std::optional<Outcome> m_lastErrorClass;
    QString m_lastErrorMessage;
    bool m_onlyBadRequests = true;
    bool m_finished = false;

    // The attempt in flight.
    bool m_inFlight = false;
    std::optional<BreakerPermit> m_permit;
    Millis m_attemptStart{0};
    Millis m_attemptLimit{0};
    int m_status = 0;
    HttpHeaders m_responseHeaders;
    QByteArray m_body;
    std::unique_ptr<StreamDecoder> m_decoder;
    bool m_sawFirstToken = false;
    QString m_partialText;
    std::unique_ptr<TransportRequest> m_transportRequest;
    std::vector<std::unique_ptr<TransportRequest>> m_retiredRequests;

    std::array<std::optional<Millis>, kGuards> m_guards;
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
    m_context.reset(new CallContext{
        std::move(config), shared, transport, clock, random, labels, {}, {}, {},
        createProviderAdapter(ProviderKind::Anthropic), createProviderAdapter(ProviderKind::OpenAI),
        [this](const QString &callId, Completion done, CallResult result) {
            retire(callId, std::move(done), std::move(result));
        }});
    // Created now, before any call can race for them. Engines in worker threads find them
    // already made by their pool, in the pool's thread.
    for (const QString &label : labels)
        m_context->breakers.push_back(&shared.breakers.breaker(label));
    for (const ChainEntry &entry : m_context->config.chain) {
        // A provider is missing only from a config that did not come from the loader.
        const ProviderConfig *provider = m_context->config.provider(entry.provider);
        const ProviderAdapter &adapter =
            m_context->adapter(provider ? provider->kind : ProviderKind::Anthropic);
        m_context->adapters.push_back(&adapter);
        const QUrl baseUrl = !provider              ? QUrl()
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

#pragma once

#include "chaos/chaosprofile.h"
#include "chaos/chaoswire.h"
#include "chaos/tokenbucket.h"
#include "common/clock.h"
#include "common/random.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace breakwater {

/// The limits the rate-limit headers report for a model with no `limits` (those of a large
/// account); such a model's buckets drain and refill as its traffic goes but never refuse.
inline constexpr int kLargeAccountRpm = 4000;
inline constexpr int kLargeAccountTpm = 2000000;

/// One model request as the chaos layer judges it.
struct ChaosCall {
    QString model;
    int inputTokens = 0;
    /// The tokens the answer will have (known up front: the text is deterministic).
    int outputTokens = 0;
    bool stream = false;
    /// `x-chaos-fault: <fault>`: this outcome, whatever the profile says.
    std::optional<ChaosFault> forcedFault;
    /// `x-chaos-fault: ok`: no injected fault and no rate-limit 429 for this request.
    bool forcedOk = false;
    /// `x-chaos-latency-ms: N`.
    std::optional<Millis> forcedLatency;
};

/// What the chaos layer decided for one request.
struct ChaosDecision {
    enum class Verdict {
        Ok,              ///< answer normally
        Fault,           ///< inject `fault`
        NotFound,        ///< no profile entry for the model: the API's 404
        ContextOverflow, ///< the prompt exceeds the context window: the API's 400
        RateLimited,     ///< a token bucket is empty: a real 429
    };
    Verdict verdict = Verdict::Ok;
    ChaosFault fault = ChaosFault::ServerError;
    /// Before the response head.
    Millis latency{0};
    /// Streams: from the head to the first text delta.
    Millis ttft{0};
    double tokensPerSecond = 0;
    /// Where a mid-stream fault strikes, as a fraction of the answer, in [0, 1).
    double cut = 0;
    /// 429s: the wait to announce in retry-after / retry-after-ms.
    Millis retryAfter{0};
    /// RateLimited: whether the token bucket (not the request bucket) refused, and its size.
    bool tokenLimit = false;
    int limit = 0;
    int contextWindow = 0;
    RateLimitHeaders rateLimits;
};

/// Requests and answers of one model since the last reset.
struct ChaosModelStats {
    qint64 requests = 0;
    /// By answer name: "ok", a fault name, "not_found", "context_overflow", "bad_request".
    QMap<QString, qint64> answers;
};

/// The chaos server's state and the C++ form of its control API (docs/chaos.md): the
/// baseline and current profiles, per-model token buckets, statistics, the running
/// timeline and the seeded randomness. The request handler asks it what to do with each
/// request; the dashboard's chaos panel and the scenario runner call it directly.
///
/// Threads: every method may be called from any thread (the embedded server answers in a
/// thread of its own while the dashboard changes the profile): the state is behind one
/// mutex and the accessors return copies. Timeline timers live in the controller's own
/// thread (its QObject thread); a timeline started, stopped or reset from another thread is
/// handed there, queued, though a stop takes effect at once. Signals are emitted from the
/// thread that made the change: connect with the default (auto) connection type.
class ChaosController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChaosController)

public:
    /// `clock` drives latency, token buckets and timelines; `seed` makes every fault and
    /// latency reproducible for the same request sequence.
    ChaosController(Clock &clock, std::uint64_t seed, ChaosProfile baseline = defaultChaosProfile(),
                    QObject *parent = nullptr);
    ~ChaosController() override;

    Clock &clock() const { return m_clock; }
    std::uint64_t seed() const { return m_seed; }
    /// The current profile (a copy: it may change in another thread at any time).
    ChaosProfile profile() const;
    /// The baseline profile (a copy).
    ChaosProfile baseline() const;

    /// Replaces the current profile (GET/PUT /chaos/profile); the baseline stays.
    void setProfile(const ChaosProfile &profile);
    /// Replaces the current profile from JSON; on errors nothing changes and they are returned.
    QList<ValidationError> setProfileJson(const nlohmann::json &json);
    /// Replaces the baseline and the current profile (a scenario's `chaos.baseline`).
    void setBaseline(const ChaosProfile &profile);
    /// Merges a partial model entry into `model`'s entry (PATCH /chaos/models/{model}). An
    /// unlisted model starts from the entry that served it (`"*"`), else from defaults.
    QList<ValidationError> patchModel(const QString &model, const nlohmann::json &partial);
    /// Baseline profile back, statistics zeroed, timeline stopped, buckets full, random
    /// sequence restarted from the seed (POST /chaos/reset).
    void reset();
    /// Rate limits for a time-scaled run (docs/scenarios.md): the profile's limits, already
    /// divided by `factor` (timeScaled()), count over 60 s × `factor` instead of a minute,
    /// so a limit keeps the burst of one scenario minute and the headers show the
    /// scenario's own figures (rpm 300 scaled by 0.1 is a bucket of 300 refilled every
    /// 6 s, not one of 3,000 a minute). 1 (the default) is real time. Buckets start full.
    void setTimeScale(double factor);

    /// Starts `timeline`, its times counted from now; replaces a running one.
    void startTimeline(const QList<ChaosTimelineEntry> &timeline);
    /// Parses and starts a timeline (the `timeline` array of POST /chaos/timeline).
    QList<ValidationError> startTimelineJson(const nlohmann::json &timeline);
    void stopTimeline();
    /// Timeline steps not yet applied (call from the controller's thread).
    int pendingTimelineSteps() const;

    /// Per-model statistics since the last reset (a copy).
    QMap<QString, ChaosModelStats> stats() const;
    /// `{"models":{"<model>":{"requests":N,"answers":{"ok":n,…}}}}` (GET /chaos/stats).
    nlohmann::json statsJson() const;

    /// Decides one model request: resolves the model, checks the context window and the
    /// token buckets, draws the fault and the latency, and counts it in the statistics.
    /// Always draws three numbers from the seeded source, so the sequence does not depend
    /// on outcomes.
    ChaosDecision decide(const ChaosCall &call);
    /// Counts a request refused before decide() (a body the API rejects).
    void countBadRequest(const QString &model);
    /// `model`'s rate-limit state now, without taking anything (for answers that refuse a
    /// request before decide()); a full large account's when no profile entry serves it.
    RateLimitHeaders currentRateLimits(const QString &model);
    /// 64 fresh bits for ids (a stream of its own: ids never shift the fault sequence).
    std::uint64_t nextIdBits();

Q_SIGNALS:
    /// The current profile changed (PUT, PATCH, reset, a timeline step, setProfile…).
    void profileChanged();
    /// A timeline step was applied; `note` is its note (may be empty).
    void timelineStepApplied(const QString &model, const QString &note);

private:
    /// A model's buckets, sized to its limits (or a large account's), and what was taken
    /// from them in the last minute, which a bucket resized at run time starts from.
    struct Limiter {
        TokenBucket requests;
        TokenBucket tokens;
        WindowUsage requestsUsed;
        WindowUsage tokensUsed;
    };

    /// Replaces the current profile; the caller holds no lock and emits nothing else.
    void applyProfile(ChaosProfile profile);
    void applyTimelineStep(const ChaosTimelineEntry &entry, quint64 generation);
    /// Runs `work` in the controller's thread: now when called there, else queued.
    void inOwnThread(std::function<void()> work);
    Limiter &limiterFor(const QString &model, const ChaosModelProfile &entry);
    /// The span a limit counts over: a minute times the time scale.
    Millis rateWindow() const;
    /// The bucket sizes of a model entry: its limits, else a large account's.
    double requestCapacity(const ChaosModelProfile &entry) const;
    double tokenCapacity(const ChaosModelProfile &entry) const;
    /// Full buckets of `entry`'s sizes (a model that has taken nothing yet).
    RateLimitHeaders fullRateLimits(const ChaosModelProfile &entry) const;
    RateLimitHeaders rateLimitState(const Limiter &limiter) const;
    std::optional<ChaosFault> drawFault(const ChaosModelProfile &entry, double u) const;
    void count(const QString &model, const QString &answer);

    Clock &m_clock;
    const std::uint64_t m_seed;
    /// Guards everything below but m_timeline, which only the controller's thread touches.
    mutable std::mutex m_mutex;
    SeededRandom m_random;
    std::uint64_t m_idState;
    ChaosProfile m_baseline;
    ChaosProfile m_profile;
    QHash<QString, Limiter> m_limiters;
    double m_timeScale = 1;
    QMap<QString, ChaosModelStats> m_stats;
    std::vector<std::unique_ptr<Timer>> m_timeline;
    /// Bumped by every start, stop and reset: a step of an older timeline is skipped even if
    /// its timer fires before a stop queued from another thread arrives.
    std::atomic<quint64> m_timelineGeneration{0};
};

} // namespace breakwater

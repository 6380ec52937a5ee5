#include "chaoscontroller.h"

#include "chaos/answertext.h"

#include <QThread>
#include <QtDebug>
#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

// Keeps ids apart from the answer text, which is seeded from the same seed.
constexpr std::uint64_t kIdStreamSalt = 0x5bd1e9955bd1e995ULL;

/// A limit of a time-scaled profile back in the scenario's own figures (at least 1).
double unscaledLimit(int limit, double timeScale)
{
    return std::max(1.0, std::round(limit * timeScale));
}

/// Takes a served request's share from `bucket` and records it. An enforced limit may go
/// into debt (a forced request still costs); a model without limits drains its
/// large-account bucket for the headers only, down to zero.
void consume(TokenBucket &bucket, WindowUsage &used, double amount, bool enforced, Millis now)
{
    if (enforced)
        bucket.take(amount, now);
    else
        bucket.takeUpTo(amount, now);
    used.add(amount, now);
}

Millis roundedMillis(double ms)
{
    return Millis(static_cast<Millis::rep>(std::llround(std::max(0.0, ms))));
}

QString answerName(const ChaosDecision &decision)
{
    switch (decision.verdict) {
    case ChaosDecision::Verdict::Ok:
        return QStringLiteral("ok");
    case ChaosDecision::Verdict::Fault:
        return chaosFaultName(decision.fault);
    case ChaosDecision::Verdict::NotFound:
        return QStringLiteral("not_found");
    case ChaosDecision::Verdict::ContextOverflow:
        return QStringLiteral("context_overflow");
    case ChaosDecision::Verdict::RateLimited:
        return chaosFaultName(ChaosFault::RateLimited);
    }
    return QString();
}

} // namespace

ChaosController::ChaosController(Clock &clock, std::uint64_t seed, ChaosProfile baseline,
                                 QObject *parent)
    : QObject(parent), m_clock(clock), m_seed(seed), m_random(seed),
      m_idState(seed ^ kIdStreamSalt), m_baseline(baseline), m_profile(std::move(baseline))
{}

ChaosController::~ChaosController() = default;

ChaosProfile ChaosController::profile() const
{
    const std::lock_guard lock(m_mutex);
    return m_profile;
}

ChaosProfile ChaosController::baseline() const
{
    const std::lock_guard lock(m_mutex);
    return m_baseline;
}

QMap<QString, ChaosModelStats> ChaosController::stats() const
{
    const std::lock_guard lock(m_mutex);
    return m_stats;
}

void ChaosController::setProfile(const ChaosProfile &profile)
{
    applyProfile(profile);
}

QList<ValidationError> ChaosController::setProfileJson(const nlohmann::json &json)
{
    ChaosProfileParseResult parsed = parseChaosProfile(json);
    if (parsed.profile)
        applyProfile(std::move(*parsed.profile));
    return parsed.errors;
}

void ChaosController::setBaseline(const ChaosProfile &profile)
{
    {
        const std::lock_guard lock(m_mutex);
        m_baseline = profile;
        m_profile = profile;
    }
    Q_EMIT profileChanged();
}

QList<ValidationError> ChaosController::patchModel(const QString &model,
                                                   const nlohmann::json &partial)
{
    {
        // Read, merge and write under one lock, so that two patches never lose one another.
        const std::lock_guard lock(m_mutex);
        const ChaosModelProfile *current = m_profile.find(model);
        ChaosModelPatchResult patched =
            patchChaosModel(current ? *current : ChaosModelProfile{}, partial);
        if (!patched.model)
            return patched.errors;
        m_profile.models.insert(model, *patched.model);
    }
    Q_EMIT profileChanged();
    return {};
}

void ChaosController::reset()
{
    stopTimeline();
    {
        const std::lock_guard lock(m_mutex);
        m_stats.clear();
        m_limiters.clear();
        m_random = SeededRandom(m_seed);
        m_idState = m_seed ^ kIdStreamSalt;
        m_profile = m_baseline;
    }
    Q_EMIT profileChanged();
}

void ChaosController::setTimeScale(double factor)
{
    const std::lock_guard lock(m_mutex);
    m_timeScale = factor > 0 ? factor : 1;
    m_limiters.clear();
}

void ChaosController::startTimeline(const QList<ChaosTimelineEntry> &timeline)
{
    const quint64 generation = ++m_timelineGeneration;
    inOwnThread([this, timeline, generation] {
        if (m_timelineGeneration != generation)
            return; // stopped or replaced before it could start
        m_timeline.clear();
        for (const ChaosTimelineEntry &entry : timeline) {
            auto timer = m_clock.createTimer(
                [this, entry, generation] { applyTimelineStep(entry, generation); });
            timer->start(entry.at);
            m_timeline.push_back(std::move(timer));
        }
    });
}

QList<ValidationError> ChaosController::startTimelineJson(const nlohmann::json &timeline)
{
    ChaosTimelineParseResult parsed = parseChaosTimeline(timeline);
    if (parsed.timeline)
        startTimeline(*parsed.timeline);
    return parsed.errors;
}

void ChaosController::stopTimeline()
{
    const quint64 generation = ++m_timelineGeneration;
    inOwnThread([this, generation] {
        if (m_timelineGeneration == generation)
            m_timeline.clear();
    });
}

int ChaosController::pendingTimelineSteps() const
{
    return static_cast<int>(std::count_if(m_timeline.cbegin(), m_timeline.cend(),
                                          [](const auto &timer) { return timer->isActive(); }));
}

void ChaosController::inOwnThread(std::function<void()> work)
{
    if (QThread::currentThread() == thread())
        work();
    else
        QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
}

nlohmann::json ChaosController::statsJson() const
{
    const std::lock_guard lock(m_mutex);
    nlohmann::json models = nlohmann::json::object();
    for (auto it = m_stats.cbegin(); it != m_stats.cend(); ++it) {
        nlohmann::json answers = {{"ok", 0}};
        for (ChaosFault fault : allChaosFaults())
            answers[chaosFaultName(fault).toStdString()] = 0;
        for (auto answer = it->answers.cbegin(); answer != it->answers.cend(); ++answer)
            answers[answer.key().toStdString()] = answer.value();
        models[it.key().toStdString()] = {{"requests", it->requests}, {"answers", answers}};
    }
    return {{"models", models}};
}

ChaosDecision ChaosController::decide(const ChaosCall &call)
{
    const std::lock_guard lock(m_mutex);
    // Three draws for every request, whatever happens to it, so that one request's
    // outcome never shifts the numbers the next one gets.
    const double uFault = m_random.uniform01();
    const double uLatency = m_random.uniform01();
    const double uCut = m_random.uniform01();

    ChaosDecision decision;
    decision.cut = uCut;
    const ChaosModelProfile *entry = m_profile.find(call.model);
    if (!entry) {
        decision.verdict = ChaosDecision::Verdict::NotFound;
        decision.rateLimits = fullRateLimits(ChaosModelProfile{});
        count(call.model, answerName(decision));
        return decision;
    }
    decision.contextWindow = entry->contextWindow;
    decision.ttft = roundedMillis(entry->ttftMs);
    decision.tokensPerSecond = entry->tokensPerSecond;
    decision.latency = call.forcedLatency
                           ? *call.forcedLatency
                           : roundedMillis(sampleLatencyMs(entry->latency, uLatency));

    const Millis now = m_clock.now();
    Limiter &limiter = limiterFor(call.model, *entry);
    if (call.forcedFault) {
        decision.verdict = ChaosDecision::Verdict::Fault;
        decision.fault = *call.forcedFault;
    } else if (call.inputTokens > entry->contextWindow) {
        decision.verdict = ChaosDecision::Verdict::ContextOverflow;
    } else {
        // A request larger than the whole bucket could never pass; it waits for a full one.
        const double tokensNeeded =
            std::min<double>(limiter.tokens.capacity(), call.inputTokens + call.outputTokens);
        const bool requestsOk = entry->rpm == 0 || limiter.requests.available(now) >= 1 - 1e-9;
        const bool tokensOk =
            entry->tpm == 0 || limiter.tokens.available(now) >= tokensNeeded - 1e-9;
        if (!call.forcedOk && !(requestsOk && tokensOk)) {
            decision.verdict = ChaosDecision::Verdict::RateLimited;
            decision.tokenLimit = requestsOk;
            decision.limit = static_cast<int>(requestsOk ? limiter.tokens.capacity()
                                                         : limiter.requests.capacity());
            decision.retryAfter = std::max(
                requestsOk ? Millis(0) : limiter.requests.timeUntilAvailable(1, now),
                tokensOk ? Millis(0) : limiter.tokens.timeUntilAvailable(tokensNeeded, now));
        } else {
            consume(limiter.requests, limiter.requestsUsed, 1, entry->rpm > 0, now);
            consume(limiter.tokens, limiter.tokensUsed,
                    entry->tpm > 0 ? tokensNeeded : call.inputTokens + call.outputTokens,
                    entry->tpm > 0, now);
            const std::optional<ChaosFault> fault =
                call.forcedOk ? std::nullopt : drawFault(*entry, uFault);
            decision.verdict = fault ? ChaosDecision::Verdict::Fault : ChaosDecision::Verdict::Ok;
            if (fault)
                decision.fault = *fault;
        }
    }
    if (decision.verdict == ChaosDecision::Verdict::Fault &&
        decision.fault == ChaosFault::RateLimited)
        decision.retryAfter = fromSeconds(entry->retryAfterS);
    decision.rateLimits = rateLimitState(limiter);
    count(call.model, answerName(decision));
    return decision;
}

void ChaosController::countBadRequest(const QString &model)
{
    const std::lock_guard lock(m_mutex);
    count(model, QStringLiteral("bad_request"));
}

RateLimitHeaders ChaosController::currentRateLimits(const QString &model)
{
    const std::lock_guard lock(m_mutex);
    const ChaosModelProfile *entry = model.isEmpty() ? nullptr : m_profile.find(model);
    if (!entry)
        return fullRateLimits(ChaosModelProfile{});
    return rateLimitState(limiterFor(model, *entry));
}

std::uint64_t ChaosController::nextIdBits()
{
    const std::lock_guard lock(m_mutex);
    return splitMix64(m_idState);
}

void ChaosController::applyProfile(ChaosProfile profile)
{
    {
        const std::lock_guard lock(m_mutex);
        m_profile = std::move(profile);
    }
    Q_EMIT profileChanged();
}

void ChaosController::applyTimelineStep(const ChaosTimelineEntry &entry, quint64 generation)
{
    if (m_timelineGeneration != generation)
        return;
    const QList<ValidationError> errors = patchModel(entry.model, entry.set);
    // The step was valid on its own when the timeline started; merged into what the
    // profile has become since, it may not be. Skip it and say so rather than guess.
    for (const ValidationError &error : errors)
        qWarning().noquote() << "chaos timeline step for" << entry.model
                             << "not applied:" << error.toString();
    Q_EMIT timelineStepApplied(entry.model, entry.note);
}

ChaosController::Limiter &ChaosController::limiterFor(const QString &model,
                                                      const ChaosModelProfile &entry)
{
    const Millis now = m_clock.now();
    auto it = m_limiters.find(model);
    if (it == m_limiters.end()) {
        const Millis window = rateWindow();
        it = m_limiters.insert(model, Limiter{TokenBucket(requestCapacity(entry), now, window),
                                              TokenBucket(tokenCapacity(entry), now, window),
                                              WindowUsage(window), WindowUsage(window)});
    }
    // A limit set, raised or lowered since the last request (PUT, PATCH, a timeline step):
    // the bucket starts full less this minute's traffic, as the real APIs' would.
    if (it->requests.capacity() != requestCapacity(entry))
        it->requests.restart(requestCapacity(entry), it->requestsUsed.total(now), now);
    if (it->tokens.capacity() != tokenCapacity(entry))
        it->tokens.restart(tokenCapacity(entry), it->tokensUsed.total(now), now);
    return it.value();
}

Millis ChaosController::rateWindow() const
{
    return std::max(Millis(1),
                    roundedMillis(static_cast<double>(kRateWindow.count()) * m_timeScale));
}

double ChaosController::requestCapacity(const ChaosModelProfile &entry) const
{
    return entry.rpm > 0 ? unscaledLimit(entry.rpm, m_timeScale) : kLargeAccountRpm;
}

double ChaosController::tokenCapacity(const ChaosModelProfile &entry) const
{
    return entry.tpm > 0 ? unscaledLimit(entry.tpm, m_timeScale) : kLargeAccountTpm;
}

RateLimitHeaders ChaosController::fullRateLimits(const ChaosModelProfile &entry) const
{
    RateLimitHeaders headers;
    headers.requestsLimit = static_cast<int>(requestCapacity(entry));
    headers.requestsRemaining = headers.requestsLimit;
    headers.tokensLimit = static_cast<int>(tokenCapacity(entry));
    headers.tokensRemaining = headers.tokensLimit;
    return headers;
}

RateLimitHeaders ChaosController::rateLimitState(const Limiter &limiter) const
{
    const Millis now = m_clock.now();
    const auto remaining = [&](const TokenBucket &bucket) {
        return static_cast<int>(std::max(0.0, std::floor(bucket.available(now) + 1e-9)));
    };
    RateLimitHeaders headers;
    headers.requestsLimit = static_cast<int>(limiter.requests.capacity());
    headers.requestsRemaining = remaining(limiter.requests);
    headers.requestsReset = limiter.requests.timeUntilFull(now);
    headers.tokensLimit = static_cast<int>(limiter.tokens.capacity());
    headers.tokensRemaining = remaining(limiter.tokens);
    headers.tokensReset = limiter.tokens.timeUntilFull(now);
    return headers;
}

std::optional<ChaosFault> ChaosController::drawFault(const ChaosModelProfile &entry, double u) const
{
    // Most likely first: rates that add up to more than 1 crowd out the least likely, so
    // a fault set to 1.0 (a model "taken down") wins every request outright.
    std::array<ChaosFault, kChaosFaultCount> order = allChaosFaults();
    std::stable_sort(order.begin(), order.end(), [&](ChaosFault a, ChaosFault b) {
        return entry.faultRate(a) > entry.faultRate(b);
    });
    double cumulative = 0;
    for (ChaosFault fault : order) {
        const double rate = entry.faultRate(fault);
        if (rate <= 0)
            break;
        cumulative += rate;
        if (u < cumulative)
            return fault;
    }
    return std::nullopt;
}

void ChaosController::count(const QString &model, const QString &answer)
{
    ChaosModelStats &stats = m_stats[model];
    ++stats.requests;
    ++stats.answers[answer];
}

} // namespace breakwater

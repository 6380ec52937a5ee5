#include "loadgenerator.h"

#include <QPointer>

#include <cmath>

namespace breakwater {

namespace {

/// Keeps the think times' stream apart from any other use of the same seed.
constexpr std::uint64_t kThinkSalt = 0x7468696e6b5f7300ULL; // "think_s"

} // namespace

LoadGenerator::LoadGenerator(LoadProfile profile, PromptSet prompts, Clock &clock, Submit submit,
                             QObject *parent)
    : QObject(parent), m_profile(std::move(profile)), m_prompts(std::move(prompts)), m_clock(clock),
      m_submit(std::move(submit)), m_random(m_prompts.seed() ^ kThinkSalt)
{
    m_tickTimer = m_clock.createTimer([this] { tick(); });
    m_endTimer = m_clock.createTimer([this] { stop(); });
}

LoadGenerator::~LoadGenerator() = default;

quint64 LoadGenerator::scheduledBy(const LoadProfile &profile, Millis elapsed)
{
    // Calls due by time t: the integral of the rate, which ramps linearly to rps.
    const double t = toSeconds(elapsed);
    const double ramp = toSeconds(profile.ramp);
    const double rps = profile.rps;
    double due;
    if (ramp <= 0 || t >= ramp)
        due = (ramp > 0 ? rps * ramp / 2 : 0) + rps * (t - std::max(0.0, ramp));
    else
        due = rps * t * t / (2 * ramp);
    // The first call goes out at once: a run with traffic should show it from its first tick.
    return static_cast<quint64>(std::floor(due + 1e-9)) + 1;
}

Millis LoadGenerator::nextDueTime() const
{
    // Inverse of scheduledBy(): when the (m_started + m_backlog + 1)-th call is due.
    const double k = static_cast<double>(m_started + m_backlog); // calls beyond the first
    const double ramp = toSeconds(m_profile.ramp);
    const double rps = m_profile.rps;
    double t;
    if (ramp > 0 && k <= rps * ramp / 2)
        t = std::sqrt(2 * ramp * k / rps);
    else
        t = (ramp > 0 ? ramp : 0) + (k - (ramp > 0 ? rps * ramp / 2 : 0)) / rps;
    return m_startedAt + Millis(static_cast<Millis::rep>(std::ceil(t * 1000.0)));
}

Millis LoadGenerator::elapsed() const
{
    return m_clock.now() - m_startedAt;
}

void LoadGenerator::start(Millis duration)
{
    m_running = true;
    m_finishedEmitted = false;
    m_startedAt = m_clock.now();
    m_duration = duration;
    m_endTimer->start(duration);
    tick();
}

void LoadGenerator::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_tickTimer->stop();
    m_endTimer->stop();
    m_backlog = 0;
    // A thinking worker has nothing in flight: it simply sends nothing more.
    for (std::size_t i = 0; i < m_thinkTimers.size(); ++i) {
        if (m_thinkTimers[i]->isActive()) {
            m_thinkTimers[i]->stop();
            m_idleThinkTimers.push_back(i);
        }
    }
    m_thinking = 0;
    maybeFinish();
}

void LoadGenerator::tick()
{
    if (!m_running)
        return;
    if (m_profile.rps > 0) {
        const quint64 due = scheduledBy(m_profile, elapsed());
        quint64 carried = m_backlog; // due at an earlier tick: these waited
        if (due > m_started + m_backlog)
            m_backlog += due - m_started - m_backlog;
        while (m_backlog > 0 && m_inFlight < m_profile.concurrency) {
            --m_backlog;
            if (carried > 0) {
                --carried;
                ++m_delayed;
            }
            launch();
        }
        // At most one timer a millisecond, however high the rate: due calls go out in batches.
        const Millis next = std::max(nextDueTime(), m_clock.now() + Millis(1));
        m_tickTimer->start(next - m_clock.now());
        return;
    }
    // Closed loop: start the workers whose turn has come on the ramp.
    const int workers = m_profile.concurrency;
    const double ramp = toSeconds(m_profile.ramp);
    int due = workers;
    if (ramp > 0)
        due = std::min(workers, 1 + static_cast<int>(std::floor(toSeconds(elapsed()) / ramp * workers)));
    while (m_workersStarted < due) {
        ++m_workersStarted;
        launch();
    }
    if (m_workersStarted < workers) {
        const double nextAt = ramp * m_workersStarted / workers;
        const Millis next = m_startedAt + Millis(static_cast<Millis::rep>(std::ceil(nextAt * 1000)));
        m_tickTimer->start(std::max(next - m_clock.now(), Millis(1)));
    }
}

void LoadGenerator::launch()
{
    CallRequest request;
    request.prompt = m_prompts.at(m_started);
    request.stream = m_profile.stream;
    ++m_started;
    ++m_inFlight;
    QPointer<LoadGenerator> self(this);
    m_submit(std::move(request), [self](const CallResult &) {
        if (self)
            self->onCompleted();
    });
}

void LoadGenerator::onCompleted()
{
    --m_inFlight;
    if (m_running) {
        if (m_profile.rps > 0) {
            if (m_backlog > 0) {
                --m_backlog;
                ++m_delayed;
                launch();
            }
        } else {
            scheduleNext();
        }
    }
    maybeFinish();
}

void LoadGenerator::scheduleNext()
{
    if (m_profile.think <= Millis(0)) {
        launch();
        return;
    }
    // Exponential: memoryless, as independent users who each take their time.
    const double mean = toSeconds(m_profile.think);
    const Millis think = fromSeconds(-mean * std::log(1.0 - m_random.uniform01()));
    if (m_idleThinkTimers.empty()) {
        const std::size_t index = m_thinkTimers.size();
        m_thinkTimers.push_back(m_clock.createTimer([this, index] {
            m_idleThinkTimers.push_back(index);
            --m_thinking;
            if (m_running)
                launch();
        }));
        m_idleThinkTimers.push_back(index);
    }
    const std::size_t index = m_idleThinkTimers.back();
    m_idleThinkTimers.pop_back();
    ++m_thinking;
    m_thinkTimers[index]->start(think);
}

void LoadGenerator::maybeFinish()
{
    if (!m_running && m_inFlight == 0 && !m_finishedEmitted) {
        m_finishedEmitted = true;
        Q_EMIT finished();
    }
}

} // namespace breakwater

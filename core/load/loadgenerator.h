#pragma once

#include "common/clock.h"
#include "common/random.h"
#include "engine/engine.h"
#include "load/promptset.h"
#include "scenario/scenario.h"

#include <QObject>
#include <functional>
#include <memory>
#include <vector>

namespace breakwater {

/// Generates a scenario's traffic (docs/formats.md, scenario `load`). Open loop (`rps` > 0):
/// calls start on a schedule whose rate ramps linearly to `rps` over `ramp`, with at most
/// `concurrency` in flight (due calls wait for a free slot rather than pile up). Closed loop
/// (`rps` = 0): `concurrency` workers, started evenly over `ramp`, each sending its next call
/// a think time after the last returns (Locust's `wait_time`): exponential with mean
/// `think`, drawn from a generator seeded with the prompts' seed, or none when `think` is 0.
/// Call n sends the prompt `prompts.at(n)`. Stops starting calls at the duration or on
/// stop(), then reports finished() once every call it started has completed.
class LoadGenerator final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadGenerator)

public:
    /// Starts one call; `done` must run once when it completes (on this object's thread).
    using Submit = std::function<void(CallRequest request, Engine::Completion done)>;

    LoadGenerator(LoadProfile profile, PromptSet prompts, Clock &clock, Submit submit,
                  QObject *parent = nullptr);
    ~LoadGenerator() override;

    void start(Millis duration);
    /// Starts no more calls; finished() follows when those in flight complete.
    void stop();

    bool isRunning() const { return m_running; }
    quint64 started() const { return m_started; }
    int inFlight() const { return m_inFlight; }
    /// Open loop: calls that were due while `concurrency` were in flight and had to wait.
    quint64 delayedByConcurrency() const { return m_delayed; }
    /// Closed loop: workers thinking now (between an answer and their next call).
    int thinking() const { return m_thinking; }
    /// Calls the open-loop schedule wants started by `elapsed` (exposed for tests).
    static quint64 scheduledBy(const LoadProfile &profile, Millis elapsed);

Q_SIGNALS:
    void finished();

private:
    void tick();
    void launch();
    void onCompleted();
    /// Closed loop: a worker's next call, after its think time.
    void scheduleNext();
    void maybeFinish();
    Millis elapsed() const;
    Millis nextDueTime() const;

    LoadProfile m_profile;
    PromptSet m_prompts;
    Clock &m_clock;
    Submit m_submit;
    std::unique_ptr<Timer> m_tickTimer;
    std::unique_ptr<Timer> m_endTimer;
    Millis m_startedAt{0};
    Millis m_duration{0};
    bool m_running = false;
    bool m_finishedEmitted = false;
    quint64 m_started = 0;
    quint64 m_delayed = 0;
    int m_inFlight = 0;
    int m_workersStarted = 0;
    /// Open loop: calls due but not yet started because of the concurrency cap.
    quint64 m_backlog = 0;
    /// Closed loop with think time: one timer per thinking worker, reused; the free ones.
    SeededRandom m_random;
    std::vector<std::unique_ptr<Timer>> m_thinkTimers;
    std::vector<std::size_t> m_idleThinkTimers;
    int m_thinking = 0;
};

} // namespace breakwater

#pragma once

#include "common/clock.h"
#include "engine/callresult.h"
#include "engine/engine.h"
#include "storage/jobqueue.h"

#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace breakwater {

/// Where a batch stands: the queue's counts and this runner's pace.
struct BatchProgress {
    QueueCounts counts;
    /// Calls this runner has in flight.
    int inFlight = 0;
    /// Jobs this runner completed or dead-lettered.
    int settled = 0;
    /// Receives this runner made (retries included).
    int received = 0;
    Millis elapsed{0};

    /// Jobs settled per second since the start; 0 before the first.
    double ratePerSecond() const;
    /// Jobs still to settle (pending and in flight) at the current rate; nullopt while the
    /// rate is unknown.
    std::optional<Millis> remaining() const;
};

/// Runs the jobs of a JobQueue through the engine with bounded concurrency: receives up to
/// `concurrency` jobs, sends each as one robust call, and settles each on its result
/// (completed, back to the queue, or dead-lettered), until no job is pending. Jobs waiting
/// out a retry delay are picked up when they become visible. Used by `breakwater-cli batch`
/// and the dashboard's batch tab; the caller recovers jobs left in flight first
/// (JobQueue::recoverInFlight) and must keep the queue alive while the runner runs.
class BatchRunner final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchRunner)

public:
    /// Starts one robust call; `done` runs later on this thread (EnginePool::submit fits).
    using Submit = std::function<void(CallRequest, Engine::Completion)>;

    struct Options {
        int concurrency = 4;
    };

    BatchRunner(JobQueue &queue, Clock &clock, Submit submit, Options options,
                QObject *parent = nullptr);
    ~BatchRunner() override;

    /// Begins receiving. finished() follows once nothing is pending and no call is open.
    void start();
    /// Receives nothing more; finished() follows when the calls in flight have ended (a
    /// cancelled call gives its job back without counting the receive).
    void stop();
    bool isRunning() const { return m_running; }
    /// The storage error that ended the run, empty when none.
    const QString &error() const { return m_error; }
    BatchProgress progress();

Q_SIGNALS:
    /// A job was settled (Completed, WillRetry, DeadLettered or LeaseLost).
    void jobSettled(const QString &id, breakwater::Settled how,
                    const breakwater::CallResult &result);
    /// The queue has nothing pending (or the run was stopped, or failed: see error()).
    void finished();

private:
    void pump();
    void onResult(const ReceivedJob &job, const CallResult &result);
    void fail(const QString &error);
    void finish();

    JobQueue &m_queue;
    Clock &m_clock;
    Submit m_submit;
    Options m_options;
    std::unique_ptr<Timer> m_wakeUp;
    Millis m_startedAt{0};
    /// Set when the run ends, so the rate stops moving.
    std::optional<Millis> m_endedAt;
    int m_inFlight = 0;
    int m_settled = 0;
    int m_received = 0;
    bool m_running = false;
    bool m_stopping = false;
    QString m_error;
};

} // namespace breakwater

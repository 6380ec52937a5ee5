#include "batchrunner.h"

#include "batch/jobfile.h"

#include <QPointer>
#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

/// The least wait before looking again for a job that should already be visible (another
/// process may hold it): no busy loop.
constexpr Millis kMinimumWakeUp{50};

} // namespace

double BatchProgress::ratePerSecond() const
{
    const double seconds = toSeconds(elapsed);
    return seconds > 0.0 && settled > 0 ? static_cast<double>(settled) / seconds : 0.0;
}

std::optional<Millis> BatchProgress::remaining() const
{
    const double rate = ratePerSecond();
    if (rate <= 0.0)
        return std::nullopt;
    const double left = static_cast<double>(counts.pending + counts.inFlight);
    return Millis(static_cast<Millis::rep>(std::llround(left / rate * 1000.0)));
}

BatchRunner::BatchRunner(JobQueue &queue, Clock &clock, Submit submit, Options options,
                         QObject *parent)
    : QObject(parent), m_queue(queue), m_clock(clock), m_submit(std::move(submit)),
      m_options(options)
{
    m_options.concurrency = std::max(1, m_options.concurrency);
    m_wakeUp = m_clock.createTimer([this] { pump(); });
}

BatchRunner::~BatchRunner() = default;

void BatchRunner::start()
{
    if (m_running)
        return;
    m_running = true;
    m_stopping = false;
    m_error.clear();
    m_startedAt = m_clock.now();
    m_endedAt.reset();
    pump();
}

void BatchRunner::stop()
{
    if (!m_running)
        return;
    m_stopping = true;
    m_wakeUp->stop();
    if (m_inFlight == 0)
        finish();
}

BatchProgress BatchRunner::progress()
{
    BatchProgress progress;
    progress.counts = m_queue.counts();
    progress.inFlight = m_inFlight;
    progress.settled = m_settled;
    progress.received = m_received;
    if (m_running || m_endedAt)
        progress.elapsed = m_endedAt.value_or(m_clock.now()) - m_startedAt;
    return progress;
}

void BatchRunner::pump()
{
    if (!m_running || m_stopping)
        return;
    while (m_inFlight < m_options.concurrency) {
        std::optional<ReceivedJob> job = m_queue.receive();
        if (!job) {
            if (!m_queue.lastError().isEmpty()) {
                fail(m_queue.lastError());
                return;
            }
            break;
        }
        ++m_inFlight;
        ++m_received;
        QPointer<BatchRunner> self(this);
        const ReceivedJob received = *job;
        m_submit(callRequestFor(received), [self, received](const CallResult &result) {
            if (self)
                self->onResult(received, result);
        });
    }
    if (m_inFlight >= m_options.concurrency)
        return;
    // A free slot and nothing visible: sleep until the next retry delay runs out.
    if (const std::optional<QDateTime> next = m_queue.nextVisibleAt()) {
        const Millis wait(m_queue.now().msecsTo(*next));
        m_wakeUp->start(std::max(wait, kMinimumWakeUp));
        return;
    }
    if (!m_queue.lastError().isEmpty()) {
        fail(m_queue.lastError());
        return;
    }
    if (m_inFlight == 0)
        finish();
}

void BatchRunner::onResult(const ReceivedJob &job, const CallResult &result)
{
    --m_inFlight;
    if (!m_running)
        return;
    if (m_stopping && result.errorClass == Outcome::Cancelled) {
        // Stopped by the user, not failed by the provider: the receive does not count.
        m_queue.release(job);
    } else {
        const std::optional<Settled> settled = m_queue.settle(job, result);
        if (!settled) {
            fail(m_queue.lastError());
            return;
        }
        if (*settled == Settled::Completed || *settled == Settled::DeadLettered)
            ++m_settled;
        Q_EMIT jobSettled(job.id, *settled, result);
    }
    if (m_stopping) {
        if (m_inFlight == 0)
            finish();
        return;
    }
    pump();
}

void BatchRunner::fail(const QString &error)
{
    // Jobs still in flight stay claimed in the file and come back with the next recovery.
    m_error = error.isEmpty() ? QStringLiteral("unknown storage error") : error;
    finish();
}

void BatchRunner::finish()
{
    if (!m_running)
        return;
    m_running = false;
    m_endedAt = m_clock.now();
    m_wakeUp->stop();
    Q_EMIT finished();
}

} // namespace breakwater

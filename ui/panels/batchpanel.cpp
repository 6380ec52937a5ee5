#include "batchpanel.h"

#include "batch/batchlock.h"
#include "batch/jobfile.h"
#include "metrics/metricscollector.h"
#include "panelstyle.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;

namespace {

/// The CLI's limits (`breakwater-cli batch`).
constexpr int kMaxConcurrency = 1024;
constexpr int kMaxReceiveCount = 1000;
/// How far past the config's total call budget a claim stays leased, as the CLI does.
constexpr Millis kLeaseMargin{60'000};
constexpr int kProgressIntervalMs = 250;

QString clockText(Millis duration)
{
    const qint64 seconds = duration.count() / 1000;
    if (seconds >= 3600)
        return u"%1:%2:%3"_s.arg(seconds / 3600)
            .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return u"%1:%2"_s.arg(seconds / 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

BatchPanel::BatchPanel(Database *database, Lab *lab, const QString &databaseError, QWidget *parent)
    : QWidget(parent), m_database(database), m_databaseError(databaseError)
{
    m_chooseFile = [this](const QString &current) {
        return QFileDialog::getOpenFileName(this, u"Open a job file"_s, current,
                                            u"JSON lines (*.jsonl *.json);;All files (*)"_s);
    };

    m_file = new QLineEdit(this);
    m_file->setObjectName(u"jobFile"_s);
    m_file->setPlaceholderText(u"A JSON-lines job file: {\"id\":\"…\",\"prompt\":\"…\"} a line"_s);
    m_file->setToolTip(u"The jobs to run, one JSON object a line with an \"id\" and a "
                       u"\"prompt\". Optional \"chaos_fault\" (e.g. \"server_error\") and "
                       u"\"chaos_latency_ms\" steer the simulated provider."_s);
    m_browse = new QPushButton(u"Browse…"_s, this);
    m_browse->setObjectName(u"browseJobFile"_s);
    m_browse->setToolTip(u"Pick the job file."_s);
    connect(m_browse, &QPushButton::clicked, this, &BatchPanel::browse);

    m_maxReceives = new QSpinBox(this);
    m_maxReceives->setObjectName(u"maxReceiveCount"_s);
    m_maxReceives->setRange(1, kMaxReceiveCount);
    m_maxReceives->setValue(QueueOptions{}.maxReceiveCount);
    m_maxReceives->setToolTip(u"How many times a job is tried before it is set aside in the "
                              u"dead-letter queue."_s);
    m_concurrency = new QSpinBox(this);
    m_concurrency->setObjectName(u"concurrency"_s);
    m_concurrency->setRange(1, kMaxConcurrency);
    m_concurrency->setValue(BatchRunner::Options{}.concurrency);
    m_concurrency->setToolTip(u"How many jobs are sent at once."_s);
    m_retryDelay = new QDoubleSpinBox(this);
    m_retryDelay->setObjectName(u"retryDelay"_s);
    m_retryDelay->setRange(0.0, 3600.0);
    m_retryDelay->setDecimals(1);
    m_retryDelay->setSuffix(u" s"_s);
    m_retryDelay->setValue(toSeconds(QueueOptions{}.retryDelay));
    m_retryDelay->setToolTip(u"How long a failed job waits before its next try; the wait "
                             u"doubles with each try, up to 5 minutes."_s);

    m_start = new QPushButton(u"Start"_s, this);
    m_start->setObjectName(u"startBatch"_s);
    m_start->setToolTip(u"Add the file's jobs to the queue and run every pending job through "
                        u"the current lab. Jobs already done are never run again."_s);
    m_stop = new QPushButton(u"Stop"_s, this);
    m_stop->setObjectName(u"stopBatch"_s);
    m_stop->setToolTip(u"Send no more jobs. Jobs not finished stay in the queue for the next "
                       u"Start."_s);
    connect(m_start, &QPushButton::clicked, this, &BatchPanel::start);
    connect(m_stop, &QPushButton::clicked, this, &BatchPanel::stop);

    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(new QLabel(u"Jobs"_s, this));
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(m_browse);
    auto *controls = new QHBoxLayout;
    auto addControl = [this, controls](const QString &label, QWidget *widget) {
        auto *caption = new QLabel(label, this);
        caption->setBuddy(widget);
        caption->setToolTip(widget->toolTip());
        controls->addWidget(caption);
        controls->addWidget(widget);
    };
    addControl(u"Tries"_s, m_maxReceives);
    addControl(u"At once"_s, m_concurrency);
    addControl(u"Retry after"_s, m_retryDelay);
    controls->addStretch(1);
    controls->addWidget(m_start);
    controls->addWidget(m_stop);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"batchProgress"_s);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(u"%v of %m jobs settled"_s);
    m_progress->setToolTip(u"Jobs finished (done or set aside) out of every job in the queue."_s);
    m_countsLabel = new QLabel(this);
    m_countsLabel->setObjectName(u"batchCounts"_s);
    m_countsLabel->setToolTip(u"done: answered; failed: tries that ended degraded or in an "
                              u"error (each is tried again); dead-lettered: set aside after "
                              u"the last try; pending: waiting for a try."_s);
    m_estimate = new QLabel(this);
    m_estimate->setObjectName(u"batchEstimate"_s);
    auto *countsRow = new QHBoxLayout;
    countsRow->addWidget(m_countsLabel, 1);
    countsRow->addWidget(m_estimate);

    m_status = new QLabel(this);
    m_status->setObjectName(u"batchStatus"_s);
    m_status->setWordWrap(true);
    m_problems = new QPlainTextEdit(this);
    m_problems->setObjectName(u"batchBadLines"_s);
    m_problems->setReadOnly(true);
    m_problems->setPlaceholderText(u"Lines of the job file that were skipped show here, by "
                                   u"line number."_s);
    m_problems->setToolTip(m_problems->placeholderText());

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(fileRow);
    layout->addLayout(controls);
    layout->addWidget(m_progress);
    layout->addLayout(countsRow);
    layout->addWidget(m_status);
    layout->addWidget(m_problems, 1);

    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(kProgressIntervalMs);
    connect(m_progressTimer, &QTimer::timeout, this, &BatchPanel::updateProgress);

    setLab(lab);
    if (!m_database)
        setStatus(u"No database: %1"_s.arg(m_databaseError), true);
    else
        updateProgress();
}

BatchPanel::~BatchPanel()
{
    // The runner's callbacks and timer belong to the lab: end it before anything else goes.
    m_runner.reset();
}

void BatchPanel::setLab(Lab *lab)
{
    if (m_runner && m_runLab != lab) {
        Lab *old = m_runLab;
        m_runner->stop();
        if (old)
            old->engines().cancelAll();
        if (m_runner && m_runner->isRunning())
            abandon(u"Stopped: the lab changed. Jobs still in flight go back to the queue at "
                    u"the next Start."_s);
    }
    m_lab = lab;
    updateControls();
}

void BatchPanel::setFileChooser(FileChooser chooser)
{
    m_chooseFile = std::move(chooser);
}

void BatchPanel::setJobFile(const QString &path)
{
    m_file->setText(path);
}

QString BatchPanel::jobFile() const
{
    return m_file->text().trimmed();
}

void BatchPanel::setMaxReceiveCount(int count)
{
    m_maxReceives->setValue(count);
}

void BatchPanel::setConcurrency(int concurrency)
{
    m_concurrency->setValue(concurrency);
}

void BatchPanel::setRetryDelaySeconds(double seconds)
{
    m_retryDelay->setValue(seconds);
}

QString BatchPanel::statusText() const
{
    return m_status->text();
}

QString BatchPanel::estimateText() const
{
    return m_estimate->text();
}

void BatchPanel::setPresenterMode(bool on)
{
    applyPresenterFont(this, on);
}

bool BatchPanel::start()
{
    if (m_runner)
        return false;
    if (!m_database) {
        setStatus(u"No database: %1"_s.arg(m_databaseError), true);
        return false;
    }
    if (!m_lab) {
        setStatus(u"No lab to run on."_s, true);
        return false;
    }
    // The file first: a typo in its name must not touch the queue.
    std::optional<ParsedJobs> jobs;
    const QString path = jobFile();
    const QString label = QFileInfo(path).fileName();
    m_badLines.clear();
    if (!path.isEmpty()) {
        QString error;
        jobs = readJobFile(path, &error);
        if (!jobs) {
            m_problems->setPlainText(QString());
            setStatus(error, true);
            return false;
        }
        for (const JobLineError &lineError : std::as_const(jobs->errors))
            m_badLines.append(lineError.toString(label));
    }

    // One batch per queue file, the CLI's included.
    auto lock = std::make_unique<BatchLock>(m_database->path());
    QString error;
    if (!lock->tryLock(&error)) {
        m_problems->setPlainText(maskSecrets(m_badLines.join(QLatin1Char('\n'))));
        setStatus(error, true);
        return false;
    }
    QueueOptions options;
    options.maxReceiveCount = m_maxReceives->value();
    options.retryDelay = fromSeconds(m_retryDelay->value());
    options.maxRetryDelay = std::max(options.maxRetryDelay, options.retryDelay);
    options.lease = m_lab->config().timeouts.total + kLeaseMargin;
    auto queue = std::make_unique<JobQueue>(*m_database, options);
    // Safe under the lock: whatever is still in flight belongs to a batch that is gone.
    const std::optional<JobQueue::Recovered> recovered = queue->recoverInFlight();
    if (!recovered) {
        setStatus(queue->lastError(), true);
        return false;
    }
    QStringList notes;
    if (recovered->requeued + recovered->deadLettered > 0)
        notes.append(u"%1 job(s) left unfinished by an earlier batch were put back"_s.arg(
            recovered->requeued + recovered->deadLettered));
    if (jobs) {
        const std::optional<QList<EnqueueStatus>> statuses = queue->enqueue(jobs->jobs);
        if (!statuses) {
            setStatus(queue->lastError(), true);
            return false;
        }
        const EnqueueSummary enqueued = summarizeEnqueue(*jobs, *statuses);
        for (const JobLineError &conflict : enqueued.conflicts)
            m_badLines.append(conflict.toString(label));
        QString summary = u"%1: %2 new job(s)"_s.arg(label).arg(enqueued.added);
        if (enqueued.alreadyKnown > 0)
            summary += u", %1 already in the queue"_s.arg(enqueued.alreadyKnown);
        if (!m_badLines.isEmpty())
            summary += u", %1 line(s) skipped"_s.arg(m_badLines.size());
        notes.prepend(summary);
    }
    m_problems->setPlainText(maskSecrets(m_badLines.join(QLatin1Char('\n'))));

    m_lock = std::move(lock);
    m_queue = std::move(queue);
    m_runLab = m_lab;
    m_failedReceives = 0;
    m_deadThisRun = 0;
    QPointer<Lab> lab = m_lab;
    m_runner = std::make_unique<BatchRunner>(
        *m_queue, m_lab->clock(),
        [lab](CallRequest request, Engine::Completion done) {
            if (lab)
                lab->engines().submit(std::move(request), std::move(done));
        },
        BatchRunner::Options{m_concurrency->value()});
    connect(m_runner.get(), &BatchRunner::jobSettled, this,
            [this](const QString &id, Settled how, const CallResult &) {
                if (how == Settled::WillRetry || how == Settled::DeadLettered)
                    ++m_failedReceives;
                if (how == Settled::DeadLettered) {
                    ++m_deadThisRun;
                    if (m_database && m_runLab) {
                        DeadLetterQueue deadLetters(*m_database);
                        m_runLab->metricsCollector().setDeadLetterCount(
                            std::max(0, deadLetters.count()));
                    }
                    Q_EMIT jobDeadLettered(id);
                }
            });
    connect(m_runner.get(), &BatchRunner::finished, this, &BatchPanel::onFinished,
            Qt::QueuedConnection);
    notes.append(u"running"_s);
    setStatus(notes.join(u"; "_s) + QLatin1Char('.'));
    m_progressTimer->start();
    updateControls();
    m_runner->start();
    updateProgress();
    return true;
}

void BatchPanel::stop()
{
    if (!m_runner)
        return;
    setStatus(u"Stopping: waiting for the calls in flight…"_s);
    m_runner->stop();
}

void BatchPanel::refreshCounts()
{
    updateProgress();
}

void BatchPanel::browse()
{
    const QString path = m_chooseFile(jobFile());
    if (!path.isEmpty())
        setJobFile(path);
}

void BatchPanel::onFinished()
{
    if (!m_runner || m_runner->isRunning())
        return;
    updateProgress();
    const QString error = m_runner->error();
    const BatchProgress progress = m_runner->progress();
    m_progressTimer->stop();
    m_runner.reset();
    m_queue.reset();
    m_lock.reset();
    m_runLab.clear();
    if (!error.isEmpty()) {
        setStatus(error, true);
    } else {
        const QueueCounts &c = progress.counts;
        QString text =
            c.pending + c.inFlight > 0
                ? u"Stopped: %1 done, %2 still pending (Start resumes them)."_s.arg(c.done).arg(
                      c.pending + c.inFlight)
                : u"Finished: %1 done, %2 in the dead-letter queue."_s.arg(c.done).arg(c.dead);
        if (!m_badLines.isEmpty())
            text += u" %1 line(s) of the file were skipped (see below)."_s.arg(m_badLines.size());
        setStatus(text, c.dead > 0 || !m_badLines.isEmpty());
    }
    updateControls();
    Q_EMIT batchFinished();
}

void BatchPanel::abandon(const QString &why)
{
    m_progressTimer->stop();
    m_runner.reset();
    m_queue.reset();
    m_lock.reset();
    m_runLab.clear();
    setStatus(why, true);
    updateControls();
    Q_EMIT batchFinished();
}

void BatchPanel::updateProgress()
{
    QueueCounts counts;
    std::optional<Millis> left;
    if (m_runner) {
        const BatchProgress progress = m_runner->progress();
        counts = progress.counts;
        left = progress.remaining();
    } else if (m_database) {
        JobQueue queue(*m_database);
        counts = queue.counts();
    }
    m_counts.done = counts.done;
    m_counts.deadLettered = counts.dead;
    m_counts.pending = counts.pending;
    m_counts.inFlight = counts.inFlight;
    m_counts.failed = m_failedReceives;
    const int total = counts.total();
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(counts.done + counts.dead);
    m_progress->setFormat(total == 0 ? u"The job queue is empty"_s : u"%v of %m jobs settled"_s);
    m_countsLabel->setText(
        u"%1 done · %2 failed · %3 dead-lettered · %4 pending · %5 in flight"_s.arg(counts.done)
            .arg(m_failedReceives)
            .arg(counts.dead)
            .arg(counts.pending)
            .arg(counts.inFlight));
    if (m_runner)
        m_estimate->setText(left ? u"about %1 left"_s.arg(clockText(*left))
                                 : u"estimating time left…"_s);
    else
        m_estimate->clear();
}

void BatchPanel::setStatus(const QString &text, bool problem)
{
    m_status->setText(maskSecrets(text));
    m_status->setStyleSheet(problem ? u"color: #ff6b5e;"_s : QString());
}

void BatchPanel::updateControls()
{
    const bool running = m_runner != nullptr;
    const bool usable = m_database != nullptr && m_lab;
    m_start->setEnabled(usable && !running);
    m_stop->setEnabled(running);
    m_file->setEnabled(!running);
    m_browse->setEnabled(!running);
    m_maxReceives->setEnabled(!running);
    m_concurrency->setEnabled(!running);
    m_retryDelay->setEnabled(!running);
}

} // namespace breakwater::ui

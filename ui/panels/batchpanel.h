#pragma once

#include "batch/batchrunner.h"
#include "runtime/lab.h"
#include "storage/jobqueue.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <memory>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace breakwater {
class BatchLock;
class Database;
} // namespace breakwater

namespace breakwater::ui {

/// The batch tab (SPEC.md sections 9, 10): runs a JSON-lines job file through the current
/// lab's engine as `breakwater-cli batch` does (the same JobQueue, BatchRunner and BatchLock
/// on the same database), with the CLI's controls (max receive count, concurrency, retry
/// delay), Start / Stop, a progress bar with done, failed, dead-lettered and pending counts
/// and the time left, and the file's bad lines by line number. Jobs a batch leaves unfinished
/// (Stop, a crash, a lab change) stay in the queue; the next Start resumes them.
class BatchPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchPanel)

public:
    /// Asked for the job file to open (`current` is the path shown); empty to cancel.
    using FileChooser = std::function<QString(const QString &current)>;

    /// What the panel shows, for readers and tests.
    struct Counts {
        int done = 0;
        /// Receives that ended degraded or failed in this batch (each retried or set aside).
        int failed = 0;
        int deadLettered = 0;
        int pending = 0;
        int inFlight = 0;
    };

    /// `database` (may be nullptr: the panel says so, with `databaseError`) holds the queue
    /// and must outlive the panel; `lab` may be nullptr.
    explicit BatchPanel(Database *database, Lab *lab = nullptr,
                        const QString &databaseError = QString(), QWidget *parent = nullptr);
    ~BatchPanel() override;

    /// Runs later batches on `lab` (nullptr: disabled). A batch running on the old lab stops:
    /// its calls in flight are cancelled and their jobs come back at the next Start.
    void setLab(Lab *lab);
    Lab *lab() const { return m_lab; }
    void setFileChooser(FileChooser chooser);

    /// The job file to run.
    void setJobFile(const QString &path);
    QString jobFile() const;
    void setMaxReceiveCount(int count);
    void setConcurrency(int concurrency);
    /// Seconds before a failed job is received again (doubling per receive).
    void setRetryDelaySeconds(double seconds);

    bool isRunning() const { return m_runner != nullptr; }
    Counts counts() const { return m_counts; }
    /// The bad lines of the last file read ("jobs.jsonl:3: missing \"id\"").
    QStringList badLines() const { return m_badLines; }
    /// The progress line and the last outcome or problem.
    QString statusText() const;
    QString estimateText() const;

    /// Larger type for demos.
    void setPresenterMode(bool on);

public Q_SLOTS:
    /// Reads the job file, adds its jobs to the queue and runs everything pending. False
    /// (problem shown) when the file, the database or the lock is not available.
    bool start();
    /// Receives no more jobs; the calls in flight end (cancelled ones go back to the queue).
    void stop();
    /// Reads the queue's counts again (after a redrive from the dead-letter tab).
    void refreshCounts();

Q_SIGNALS:
    /// A job moved to the dead-letter queue.
    void jobDeadLettered(const QString &id);
    /// The batch ended (done, stopped or failed): the dead-letter tab should reread.
    void batchFinished();

private:
    void browse();
    void onFinished();
    void updateProgress();
    void setStatus(const QString &text, bool problem = false);
    void updateControls();
    /// Ends the batch now, leaving jobs in flight for the next recovery.
    void abandon(const QString &why);

    Database *m_database = nullptr;
    QString m_databaseError;
    QPointer<Lab> m_lab;
    FileChooser m_chooseFile;

    std::unique_ptr<BatchLock> m_lock;
    std::unique_ptr<JobQueue> m_queue;
    std::unique_ptr<BatchRunner> m_runner;
    /// The lab the running batch submits to.
    QPointer<Lab> m_runLab;
    Counts m_counts;
    QStringList m_badLines;
    int m_failedReceives = 0;
    int m_deadThisRun = 0;

    QLineEdit *m_file = nullptr;
    QPushButton *m_browse = nullptr;
    QSpinBox *m_maxReceives = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QDoubleSpinBox *m_retryDelay = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_countsLabel = nullptr;
    QLabel *m_estimate = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_problems = nullptr;
    QTimer *m_progressTimer = nullptr;
};

} // namespace breakwater::ui

#pragma once

#include "deadlettermodel.h"
#include "runtime/lab.h"

#include <QPointer>
#include <QStringList>
#include <QWidget>
#include <functional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace breakwater {
class Database;
} // namespace breakwater

namespace breakwater::ui {

/// The dead-letter tab (SPEC.md sections 9, 10): the jobs a batch gave up on, sortable by
/// id, error class, receive count and failure time; the selected entry in full (its job and
/// last call result, as pretty JSON with keys masked); Redrive selected / all (back to the
/// job queue with the receive count reset), Purge selected / all (after a confirmation),
/// Export as JSON lines, Refresh. After each change the bound lab's `llm_dlq_messages`
/// follows the queue.
class DeadLetterPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadLetterPanel)

public:
    /// Asked before a purge; true to go ahead.
    using Confirmation = std::function<bool(const QString &title, const QString &question)>;
    /// Asked for the export file (`suggested` is a default name); empty to cancel.
    using PathChooser = std::function<QString(const QString &suggested)>;

    /// `database` (may be nullptr: the panel then says so, with `databaseError`) must outlive
    /// the panel; `lab` may be nullptr.
    explicit DeadLetterPanel(Database *database, Lab *lab = nullptr,
                             const QString &databaseError = QString(), QWidget *parent = nullptr);

    /// Reports the queue's size to `lab`'s metrics from now on (nullptr: none).
    void setLab(Lab *lab);
    /// Replaces the purge question (default: a message box).
    void setConfirmation(Confirmation confirmation);
    /// Replaces the export file dialog.
    void setExportPathChooser(PathChooser chooser);

    DeadLetterModel *model() const { return m_model; }
    QSortFilterProxyModel *sortedModel() const { return m_sorted; }
    QTableView *table() const { return m_table; }
    /// The selected entries' job ids, in table order.
    QStringList selectedIds() const;
    /// Shows and selects job `id`; false when it is not listed.
    bool select(const QString &id);
    /// The text of the detail pane (the selected entry as pretty JSON).
    QString detailText() const;
    /// The last outcome or problem shown under the table.
    QString statusText() const;

    /// Larger type for demos.
    void setPresenterMode(bool on);
    /// Writes every entry to `path` as JSON lines (keys masked). False with the problem shown.
    bool exportTo(const QString &path);

public Q_SLOTS:
    /// Reads the queue again.
    void refresh();
    void redriveSelected();
    void redriveAll();
    /// Asks, then deletes the selected entries.
    void purgeSelected();
    /// Asks, then empties the queue.
    void purgeAll();
    /// Asks for a file and writes every entry to it as one JSON line.
    void exportEntries();

Q_SIGNALS:
    /// Entries were redriven (the job queue has pending jobs again) or purged.
    void queueChanged();

private:
    void showSelection();
    void updateButtons();
    void setStatus(const QString &text, bool problem = false);
    void afterChange(const QString &done);

    Database *m_database = nullptr;
    QString m_databaseError;
    QPointer<Lab> m_lab;
    Confirmation m_confirm;
    PathChooser m_choosePath;

    DeadLetterModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_redrive = nullptr;
    QPushButton *m_redriveAll = nullptr;
    QPushButton *m_purge = nullptr;
    QPushButton *m_purgeAll = nullptr;
    QPushButton *m_export = nullptr;
};

} // namespace breakwater::ui

#include "deadletterpanel.h"

#include "exports.h"
#include "metrics/metricscollector.h"
#include "panelstyle.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"

#include <QBuffer>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;

namespace {
/// Up to this many entries the columns are fitted to their contents.
constexpr qsizetype kMeasuredRows = 500;
} // namespace

DeadLetterPanel::DeadLetterPanel(Database *database, Lab *lab, const QString &databaseError,
                                 QWidget *parent)
    : QWidget(parent), m_database(database), m_databaseError(databaseError)
{
    m_confirm = [this](const QString &title, const QString &question) {
        return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    };
    m_choosePath = [this](const QString &suggested) {
        return QFileDialog::getSaveFileName(this, u"Export dead letters"_s, suggested,
                                            u"JSON lines (*.jsonl);;All files (*)"_s);
    };

    m_model = new DeadLetterModel(this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(DeadLetterModel::SortRole);

    auto button = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    m_refresh = button(u"refreshDeadLetters"_s, u"Refresh"_s,
                       u"Read the dead-letter queue again (a batch may have added to it)."_s);
    m_redrive = button(u"redriveSelected"_s, u"Redrive selected"_s,
                       u"Put the selected jobs back in the job queue with a fresh receive count; "
                       u"the next batch runs them again."_s);
    m_redriveAll =
        button(u"redriveAll"_s, u"Redrive all"_s, u"Put every job here back in the job queue."_s);
    m_purge = button(u"purgeSelected"_s, u"Purge selected…"_s,
                     u"Delete the selected jobs for good (you are asked first)."_s);
    m_purgeAll = button(u"purgeAll"_s, u"Purge all…"_s,
                        u"Delete every job here for good (you are asked first)."_s);
    m_export = button(u"exportDeadLetters"_s, u"Export…"_s,
                      u"Save every entry to a file, one JSON object a line."_s);
    connect(m_refresh, &QPushButton::clicked, this, &DeadLetterPanel::refresh);
    connect(m_redrive, &QPushButton::clicked, this, &DeadLetterPanel::redriveSelected);
    connect(m_redriveAll, &QPushButton::clicked, this, &DeadLetterPanel::redriveAll);
    connect(m_purge, &QPushButton::clicked, this, &DeadLetterPanel::purgeSelected);
    connect(m_purgeAll, &QPushButton::clicked, this, &DeadLetterPanel::purgeAll);
    connect(m_export, &QPushButton::clicked, this, &DeadLetterPanel::exportEntries);

    m_count = new QLabel(this);
    m_count->setObjectName(u"deadLetterCount"_s);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_count);
    bar->addStretch(1);
    for (QPushButton *b : {m_redrive, m_redriveAll, m_purge, m_purgeAll, m_export, m_refresh})
        bar->addWidget(b);

    m_table = new QTableView(this);
    m_table->setObjectName(u"deadLetterTable"_s);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DeadLetterModel::FailedAtColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(u"Jobs that still failed after their last allowed try. Select one to "
                        u"see it in full; select several to redrive or purge them together."_s);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DeadLetterPanel::showSelection);

    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(u"deadLetterDetail"_s);
    m_detail->setReadOnly(true);
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setPlaceholderText(u"Select a job to see its entry: the job, the error and its "
                                 u"last call result."_s);
    QFont mono(u"DejaVu Sans Mono"_s);
    mono.setStyleHint(QFont::Monospace);
    m_detail->setFont(mono);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    m_status = new QLabel(this);
    m_status->setObjectName(u"deadLetterStatus"_s);
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    setLab(lab);
    refresh();
}

void DeadLetterPanel::setLab(Lab *lab)
{
    m_lab = lab;
    if (m_lab && m_database)
        m_lab->metricsCollector().setDeadLetterCount(static_cast<int>(m_model->rowCount()));
}

void DeadLetterPanel::setConfirmation(Confirmation confirmation)
{
    m_confirm = std::move(confirmation);
}

void DeadLetterPanel::setExportPathChooser(PathChooser chooser)
{
    m_choosePath = std::move(chooser);
}

QStringList DeadLetterPanel::selectedIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList ids;
    for (const QModelIndex &row : std::as_const(rows))
        ids.append(row.data(DeadLetterModel::IdRole).toString());
    return ids;
}

bool DeadLetterPanel::select(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return false;
    const QModelIndex index = m_sorted->mapFromSource(m_model->index(row, 0));
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                 QItemSelectionModel::Rows);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    return true;
}

QString DeadLetterPanel::detailText() const
{
    return m_detail->toPlainText();
}

QString DeadLetterPanel::statusText() const
{
    return m_status->text();
}

void DeadLetterPanel::setPresenterMode(bool on)
{
    applyPresenterFont(this, on);
}

void DeadLetterPanel::refresh()
{
    const QStringList selected = selectedIds();
    if (!m_database) {
        m_model->setEntries({});
        setStatus(u"No database: %1"_s.arg(m_databaseError), true);
        updateButtons();
        return;
    }
    DeadLetterQueue queue(*m_database);
    const std::optional<QList<DeadLetter>> entries = queue.list();
    if (!entries) {
        setStatus(queue.lastError(), true);
        updateButtons();
        return;
    }
    m_model->setEntries(*entries);
    // Measuring visits every row: worth it for the queue sizes people read through.
    if (entries->size() <= kMeasuredRows)
        m_table->resizeColumnsToContents();
    for (const QString &id : selected) {
        const int row = m_model->rowOf(id);
        if (row >= 0)
            m_table->selectionModel()->select(m_sorted->mapFromSource(m_model->index(row, 0)),
                                              QItemSelectionModel::Select |
                                                  QItemSelectionModel::Rows);
    }
    if (m_lab)
        m_lab->metricsCollector().setDeadLetterCount(static_cast<int>(entries->size()));
    showSelection();
    updateButtons();
}

void DeadLetterPanel::redriveSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty() || !m_database)
        return;
    DeadLetterQueue queue(*m_database);
    const std::optional<int> moved = queue.redrive(ids);
    if (!moved) {
        setStatus(queue.lastError(), true);
        refresh();
        return;
    }
    afterChange(u"Redrove %1 job(s): pending in the job queue again; the next batch runs "
                u"them."_s.arg(*moved));
}

void DeadLetterPanel::redriveAll()
{
    if (!m_database)
        return;
    DeadLetterQueue queue(*m_database);
    const std::optional<int> moved = queue.redriveAll();
    if (!moved) {
        setStatus(queue.lastError(), true);
        return;
    }
    afterChange(u"Redrove all %1 job(s): they are pending in the job queue."_s.arg(*moved));
}

void DeadLetterPanel::purgeSelected()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty() || !m_database)
        return;
    const QString question =
        ids.size() == 1
            ? u"Delete job \"%1\" from the dead-letter queue for good?"_s.arg(maskSecrets(ids[0]))
            : u"Delete these %1 jobs from the dead-letter queue for good?"_s.arg(ids.size());
    if (!m_confirm(u"Purge dead letters"_s, question)) {
        setStatus(u"Nothing purged."_s);
        return;
    }
    DeadLetterQueue queue(*m_database);
    const std::optional<int> purged = queue.purge(ids);
    if (!purged) {
        setStatus(queue.lastError(), true);
        refresh();
        return;
    }
    afterChange(u"Purged %1 job(s)."_s.arg(*purged));
}

void DeadLetterPanel::purgeAll()
{
    if (!m_database || m_model->rowCount() == 0)
        return;
    if (!m_confirm(
            u"Purge dead letters"_s,
            u"Delete all %1 jobs in the dead-letter queue for good?"_s.arg(m_model->rowCount()))) {
        setStatus(u"Nothing purged."_s);
        return;
    }
    DeadLetterQueue queue(*m_database);
    const std::optional<int> purged = queue.purgeAll();
    if (!purged) {
        setStatus(queue.lastError(), true);
        return;
    }
    afterChange(u"Purged all %1 job(s)."_s.arg(*purged));
}

void DeadLetterPanel::exportEntries()
{
    const QString suggested =
        u"dead-letters-%1.jsonl"_s.arg(QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s));
    const QString path = m_choosePath(suggested);
    if (!path.isEmpty())
        exportTo(path);
}

bool DeadLetterPanel::exportTo(const QString &path)
{
    if (!m_database) {
        setStatus(u"No database: %1"_s.arg(m_databaseError), true);
        return false;
    }
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    DeadLetterQueue queue(*m_database);
    const std::optional<int> written = queue.exportJsonLines(buffer, path);
    if (!written) {
        setStatus(queue.lastError(), true);
        return false;
    }
    // A job line may carry anything its author pasted: no key leaves through an export.
    const QByteArray data = maskSecrets(QString::fromUtf8(buffer.data())).toUtf8();
    QString error;
    if (!writeFileAtomically(path, data, &error)) {
        setStatus(error, true);
        return false;
    }
    setStatus(u"Exported %1 entr%2 to %3."_s.arg(*written)
                  .arg(*written == 1 ? u"y"_s : u"ies"_s)
                  .arg(QFileInfo(path).fileName()));
    return true;
}

void DeadLetterPanel::showSelection()
{
    const QStringList ids = selectedIds();
    if (ids.size() != 1) {
        m_detail->setPlainText(ids.isEmpty() ? QString() : u"%1 jobs selected."_s.arg(ids.size()));
        updateButtons();
        return;
    }
    const int row = m_model->rowOf(ids.first());
    if (row >= 0) {
        const std::string json = m_model->entries().at(row).toJson().dump(2);
        m_detail->setPlainText(maskSecrets(QString::fromStdString(json)));
    }
    updateButtons();
}

void DeadLetterPanel::updateButtons()
{
    const bool any = m_model->rowCount() > 0;
    const bool selected = !selectedIds().isEmpty();
    m_redrive->setEnabled(selected);
    m_purge->setEnabled(selected);
    m_redriveAll->setEnabled(any);
    m_purgeAll->setEnabled(any);
    m_export->setEnabled(any);
    m_refresh->setEnabled(m_database != nullptr);
    const int n = m_model->rowCount();
    m_count->setText(n == 0   ? u"The dead-letter queue is empty"_s
                     : n == 1 ? u"1 job in the dead-letter queue"_s
                              : u"%1 jobs in the dead-letter queue"_s.arg(n));
}

void DeadLetterPanel::setStatus(const QString &text, bool problem)
{
    m_status->setText(maskSecrets(text));
    m_status->setStyleSheet(problem ? u"color: #ff6b5e;"_s : QString());
}

void DeadLetterPanel::afterChange(const QString &done)
{
    refresh();
    setStatus(done);
    Q_EMIT queueChanged();
}

} // namespace breakwater::ui

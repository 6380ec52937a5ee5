#include "historypanel.h"

#include "mainwindow.h"
#include "panelstyle.h"
#include "recorder/reportsnapshot.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "session.h"
#include "storage/database.h"
#include "storage/runhistory.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
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

/// Up to this many saved runs the columns are fitted to their contents.
constexpr qsizetype kMeasuredRows = 500;

QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

HistoryPanel::HistoryPanel(Database *database, const QString &databaseError, QWidget *parent)
    : QWidget(parent), m_database(database), m_databaseError(databaseError)
{
    m_confirm = [this](const QString &title, const QString &question) {
        return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    };

    m_model = new SavedRunsModel(this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(SavedRunsModel::SortRole);
    m_comparison = new ComparisonModel(this);

    auto button = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        return b;
    };
    m_open = button(u"openInCharts"_s, u"Open in charts"_s,
                    u"Show the selected run in the charts above, as it looked when it ended. "
                    u"\"Back to live\" over the charts returns to the current lab."_s);
    m_compare = button(u"compareRuns"_s, u"Compare"_s,
                       u"Select two runs (Ctrl+click) to see their figures side by side."_s);
    m_delete = button(u"deleteRun"_s, u"Delete…"_s,
                      u"Delete the selected runs from the history (you are asked first)."_s);
    m_refresh = button(u"refreshHistory"_s, u"Refresh"_s,
                       u"Read the saved runs again (runs saved by breakwater-cli show up too)."_s);
    connect(m_open, &QPushButton::clicked, this, &HistoryPanel::openSelected);
    connect(m_compare, &QPushButton::clicked, this, &HistoryPanel::compareSelected);
    connect(m_delete, &QPushButton::clicked, this, &HistoryPanel::deleteSelected);
    connect(m_refresh, &QPushButton::clicked, this, &HistoryPanel::refresh);
    auto *bar = new QHBoxLayout;
    auto *caption = new QLabel(u"Saved runs"_s, this);
    caption->setToolTip(u"Every finished run of the dashboard and of breakwater-cli run, "
                        u"unless started with --no-save."_s);
    bar->addWidget(caption);
    bar->addStretch(1);
    for (QPushButton *b : {m_open, m_compare, m_delete, m_refresh})
        bar->addWidget(b);

    m_table = makeTable(this, u"historyTable"_s);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SavedRunsModel::StartedColumn, Qt::DescendingOrder);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setToolTip(u"Saved runs, newest first. Double-click one to open it in the "
                        u"charts; select two to compare them."_s);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryPanel::updateButtons);
    connect(m_table, &QTableView::doubleClicked, this, &HistoryPanel::openSelected);

    m_comparisonTitle = new QLabel(u"Select two runs and press Compare."_s, this);
    m_comparisonTitle->setObjectName(u"comparisonTitle"_s);
    m_comparisonTitle->setWordWrap(true);
    m_comparisonTable = makeTable(this, u"comparisonTable"_s);
    m_comparisonTable->setModel(m_comparison);
    m_comparisonTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_comparisonTable->setToolTip(u"The two runs' figures; the better value of each is "
                                  u"green."_s);
    QHeaderView *header = m_comparisonTable->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setSectionResizeMode(ComparisonModel::FigureColumn, QHeaderView::ResizeToContents);
    auto *comparisonBox = new QWidget(this);
    auto *comparisonLayout = new QVBoxLayout(comparisonBox);
    comparisonLayout->setContentsMargins(0, 0, 0, 0);
    comparisonLayout->addWidget(m_comparisonTitle);
    comparisonLayout->addWidget(m_comparisonTable, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(comparisonBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    m_status = new QLabel(this);
    m_status->setObjectName(u"historyStatus"_s);
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    refresh();
}

void HistoryPanel::attach(MainWindow *window, bool saveRuns)
{
    if (m_window)
        disconnect(m_window, nullptr, this, nullptr);
    m_window = window;
    if (window && saveRuns) {
        connect(window, &MainWindow::runFinished, this, [this] {
            if (!m_window)
                return;
            ScenarioRun *run = m_window->session().run();
            if (!run)
                return;
            // Labelled as `breakwater-cli run` labels it: the config the run used.
            const QString label = m_window->session().configLabel();
            if (const std::optional<qint64> id = saveReport(run->report(), label))
                setStatus(u"Saved the finished run \"%1\" as run %2."_s.arg(run->scenario().name)
                              .arg(*id));
        });
    }
    updateButtons();
}

void HistoryPanel::setConfirmation(Confirmation confirmation)
{
    m_confirm = std::move(confirmation);
}

QList<qint64> HistoryPanel::selectedIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    for (const QModelIndex &row : std::as_const(rows))
        ids.append(row.data(SavedRunsModel::RunIdRole).toLongLong());
    return ids;
}

int HistoryPanel::select(const QList<qint64> &ids)
{
    QItemSelection selection;
    for (qint64 id : ids) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_sorted->mapFromSource(m_model->index(row, 0));
        selection.select(index, index);
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect |
                                                     QItemSelectionModel::Rows);
    return static_cast<int>(m_table->selectionModel()->selectedRows().size());
}

QString HistoryPanel::statusText() const
{
    return m_status->text();
}

void HistoryPanel::setPresenterMode(bool on)
{
    applyPresenterFont(this, on);
}

void HistoryPanel::refresh()
{
    const QList<qint64> selected = selectedIds();
    if (!m_database) {
        setStatus(u"No database: %1"_s.arg(m_databaseError), true);
        updateButtons();
        return;
    }
    RunHistory history(*m_database);
    const std::optional<QList<SavedRunSummary>> runs = history.list();
    if (!runs) {
        setStatus(history.lastError(), true);
        updateButtons();
        return;
    }
    m_model->setRuns(*runs);
    if (runs->size() <= kMeasuredRows)
        m_table->resizeColumnsToContents();
    select(selected);
    updateButtons();
}

std::optional<qint64> HistoryPanel::saveReport(const nlohmann::json &report, const QString &label)
{
    if (!m_database) {
        setStatus(u"Not saved: no database: %1"_s.arg(m_databaseError), true);
        return std::nullopt;
    }
    RunHistory history(*m_database);
    const std::optional<qint64> id = history.save(report, label);
    if (!id) {
        setStatus(u"Not saved to the history: %1"_s.arg(history.lastError()), true);
        return std::nullopt;
    }
    refresh();
    setStatus(u"Saved as run %1."_s.arg(*id));
    Q_EMIT runSaved(*id);
    return id;
}

bool HistoryPanel::openInCharts(qint64 id)
{
    if (!m_window) {
        setStatus(u"No dashboard window to show the run in."_s, true);
        return false;
    }
    if (!m_database)
        return false;
    RunHistory history(*m_database);
    const std::optional<SavedRun> run = history.load(id);
    if (!run) {
        setStatus(history.lastError().isEmpty() ? u"Run %1 is no longer saved."_s.arg(id)
                                                : history.lastError(),
                  true);
        refresh();
        return false;
    }
    const QStringList chain =
        m_window->currentLab() ? m_window->currentLab()->modelLabels() : QStringList();
    m_window->showSavedRun(snapshotFromReport(run->report, chain), runName(run->summary));
    setStatus(
        u"The charts show run %1 (saved runs keep no individual retry delays). Press \"Back to "
        u"live\" over the charts to return."_s.arg(id));
    return true;
}

bool HistoryPanel::compare(qint64 idA, qint64 idB)
{
    if (!m_database)
        return false;
    RunHistory history(*m_database);
    const std::optional<SavedRun> a = history.load(idA);
    const std::optional<SavedRun> b = a ? history.load(idB) : std::nullopt;
    if (!a || !b) {
        setStatus(history.lastError().isEmpty() ? u"Run %1 is no longer saved."_s.arg(a ? idB : idA)
                                                : history.lastError(),
                  true);
        refresh();
        return false;
    }
    const RunComparison comparison = compareRuns(a->report, b->report);
    const QString nameA = runName(a->summary);
    const QString nameB = runName(b->summary);
    m_comparison->setComparison(comparison, u"#%1"_s.arg(idA), u"#%1"_s.arg(idB));
    QString title = u"A = %1    B = %2"_s.arg(nameA, nameB);
    if (a->summary.scenario != b->summary.scenario)
        title += u"\nThese runs are of different scenarios: compare with care."_s;
    m_comparisonTitle->setText(title);
    setStatus(u"Comparing run %1 (A) with run %2 (B)."_s.arg(idA).arg(idB));
    return true;
}

bool HistoryPanel::removeRun(qint64 id)
{
    if (!m_database)
        return false;
    RunHistory history(*m_database);
    if (!history.remove(id)) {
        setStatus(history.lastError().isEmpty() ? u"Run %1 is no longer saved."_s.arg(id)
                                                : history.lastError(),
                  true);
        refresh();
        return false;
    }
    refresh();
    return true;
}

void HistoryPanel::openSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 1)
        openInCharts(ids.first());
}

void HistoryPanel::compareSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 2) {
        setStatus(u"Select exactly two runs to compare."_s, true);
        return;
    }
    // The run saved first is A: "before" reads left, "after" right.
    compare(std::min(ids[0], ids[1]), std::max(ids[0], ids[1]));
}

void HistoryPanel::deleteSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty())
        return;
    const QString question = ids.size() == 1
                                 ? u"Delete saved run %1 for good?"_s.arg(ids.first())
                                 : u"Delete these %1 saved runs for good?"_s.arg(ids.size());
    if (!m_confirm(u"Delete saved runs"_s, question)) {
        setStatus(u"Nothing deleted."_s);
        return;
    }
    int removed = 0;
    for (qint64 id : ids)
        removed += removeRun(id) ? 1 : 0;
    if (removed == ids.size())
        setStatus(u"Deleted %1 saved run(s)."_s.arg(removed));
}

QString HistoryPanel::runName(const SavedRunSummary &run) const
{
    const QDateTime started = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
    const QString when = started.isValid()
                             ? QLocale().toString(started.toLocalTime(), u"MM-dd HH:mm"_s)
                             : run.startedAt;
    return u"#%1 %2 (%3, %4)"_s.arg(run.id)
        .arg(run.scenario.isEmpty() ? u"no scenario"_s : run.scenario)
        .arg(maskSecrets(run.label), when);
}

void HistoryPanel::updateButtons()
{
    const int selected = static_cast<int>(m_table->selectionModel()->selectedRows().size());
    m_open->setEnabled(selected == 1 && m_window);
    m_compare->setEnabled(selected == 2);
    m_delete->setEnabled(selected > 0);
    m_refresh->setEnabled(m_database != nullptr);
}

void HistoryPanel::setStatus(const QString &text, bool problem)
{
    m_status->setText(maskSecrets(text));
    m_status->setStyleSheet(problem ? u"color: #ff6b5e;"_s : QString());
}

} // namespace breakwater::ui

#pragma once

#include "historymodels.h"

#include <QPointer>
#include <QWidget>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace breakwater {
class Database;
} // namespace breakwater

namespace breakwater::ui {

class MainWindow;

/// The history tab (SPEC.md sections 9, 10): every saved run (label, scenario, started,
/// success %, p99); Open in charts shows the selected run in the dashboard's charts (under a
/// banner, with a way back to live); Compare puts two selected runs side by side (success
/// rate, degraded share, p99, attempts per request, wasted calls to a dead provider, time to
/// fail over), the better value of each highlighted; Delete removes a run after asking.
/// Attached to a MainWindow it also saves each finished dashboard run, unless told not to.
class HistoryPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)

public:
    /// Asked before a delete; true to go ahead.
    using Confirmation = std::function<bool(const QString &title, const QString &question)>;

    /// `database` (may be nullptr: the panel says so, with `databaseError`) must outlive the
    /// panel.
    explicit HistoryPanel(Database *database, const QString &databaseError = QString(),
                          QWidget *parent = nullptr);

    /// Opens runs in `window`'s charts and, when `saveRuns`, saves each run that finishes in
    /// it (its report, series included, labelled with the session's config).
    void attach(MainWindow *window, bool saveRuns);
    void setConfirmation(Confirmation confirmation);

    SavedRunsModel *model() const { return m_model; }
    QSortFilterProxyModel *sortedModel() const { return m_sorted; }
    ComparisonModel *comparisonModel() const { return m_comparison; }
    QTableView *table() const { return m_table; }
    QTableView *comparisonTable() const { return m_comparisonTable; }
    /// Selected runs' ids, in table order.
    QList<qint64> selectedIds() const;
    /// Selects these runs (those listed); returns how many.
    int select(const QList<qint64> &ids);
    QString statusText() const;

    /// Saves `report` under `label` and lists it. The new id; nullopt (problem shown) on error.
    std::optional<qint64> saveReport(const nlohmann::json &report, const QString &label);
    /// Shows saved run `id` in the attached window's charts. False (problem shown) when it
    /// cannot be loaded or no window is attached.
    bool openInCharts(qint64 id);
    /// Compares two saved runs side by side. False (problem shown) when one cannot be loaded.
    bool compare(qint64 idA, qint64 idB);
    /// Deletes saved run `id` without asking.
    bool removeRun(qint64 id);

    /// Larger type for demos.
    void setPresenterMode(bool on);

public Q_SLOTS:
    /// Reads the saved runs again.
    void refresh();
    void openSelected();
    /// Compares the two selected runs (the older one as A).
    void compareSelected();
    /// Asks, then deletes the selected runs.
    void deleteSelected();

Q_SIGNALS:
    /// A run was saved (`id`).
    void runSaved(qint64 id);

private:
    QString runName(const SavedRunSummary &run) const;
    void updateButtons();
    void setStatus(const QString &text, bool problem = false);

    Database *m_database = nullptr;
    QString m_databaseError;
    QPointer<MainWindow> m_window;
    Confirmation m_confirm;

    SavedRunsModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    ComparisonModel *m_comparison = nullptr;
    QTableView *m_table = nullptr;
    QTableView *m_comparisonTable = nullptr;
    QLabel *m_comparisonTitle = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_delete = nullptr;
};

} // namespace breakwater::ui

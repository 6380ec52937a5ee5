#pragma once

#include "storage/runhistory.h"

#include <QAbstractTableModel>
#include <QList>

namespace breakwater::ui {

/// The history tab's list: one saved run a row (label, scenario, started, answered by a
/// model %, success %, p99, requests). SortRole gives each column's natural order.
class SavedRunsModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SavedRunsModel)

public:
    enum Column {
        LabelColumn,
        ScenarioColumn,
        StartedColumn,
        ModelRateColumn,
        SuccessColumn,
        P99Column,
        RequestsColumn,
        ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1, ///< qint64: the saved run's id
        SortRole,                     ///< the column's value for sorting
    };

    explicit SavedRunsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setRuns(QList<SavedRunSummary> runs);
    const QList<SavedRunSummary> &runs() const { return m_runs; }
    /// The row of run `id`, -1 when absent.
    int rowOf(qint64 id) const;

private:
    QList<SavedRunSummary> m_runs;
};

/// Two runs side by side: one RunComparison figure a row, with run A, run B, the difference
/// (B − A) and which is better; the better value is highlighted.
class ComparisonModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonModel)

public:
    enum Column { FigureColumn, RunAColumn, RunBColumn, DifferenceColumn, ColumnCount };
    enum Role {
        ValueRole = Qt::UserRole + 1, ///< double or invalid: the raw figure (B − A for the
                                      ///< difference)
        BetterRole,                   ///< int: ComparisonRow::better() (-1 A, 1 B, 0 neither)
        KeyRole,                      ///< QString: ComparisonRow::key
    };

    explicit ComparisonModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// Shows `comparison`; `nameA` and `nameB` head the run columns.
    void setComparison(const RunComparison &comparison, const QString &nameA, const QString &nameB);
    void clear();
    /// The row of figure `key`, -1 when absent.
    int rowOf(const QString &key) const;

    /// A figure as shown: percentages for shares, seconds, counts.
    static QString formatValue(const QString &key, double value);
    /// A difference as shown, signed (percentage points for shares).
    static QString formatDifference(const QString &key, double difference);

private:
    QList<ComparisonRow> m_rows;
    QString m_nameA;
    QString m_nameB;
};

} // namespace breakwater::ui

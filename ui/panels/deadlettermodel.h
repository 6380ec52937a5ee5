#pragma once

#include "storage/deadletterqueue.h"

#include <QAbstractTableModel>
#include <QList>

namespace breakwater::ui {

/// The dead-letter tab's rows: one entry of the dead-letter queue each, as last read.
/// SortRole gives each column's natural order (numbers as numbers, times as instants).
class DeadLetterModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadLetterModel)

public:
    enum Column {
        IdColumn,
        ErrorClassColumn,
        ReceiveCountColumn,
        FailedAtColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole + 1, ///< QString: the job id
        SortRole,                  ///< the column's value for sorting
    };

    explicit DeadLetterModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// Replaces every row.
    void setEntries(QList<DeadLetter> entries);
    const QList<DeadLetter> &entries() const { return m_entries; }
    /// The row of job `id`, -1 when absent.
    int rowOf(const QString &id) const;

private:
    QList<DeadLetter> m_entries;
};

} // namespace breakwater::ui

#include "deadlettermodel.h"

#include "panelstyle.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

DeadLetterModel::DeadLetterModel(QObject *parent) : QAbstractTableModel(parent) {}

int DeadLetterModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int DeadLetterModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeadLetterModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeadLetter &entry = m_entries.at(index.row());
    if (role == IdRole)
        return entry.id;
    if (role == Qt::ToolTipRole && index.column() == ErrorColumn)
        return panels::maskSecrets(entry.error);
    if (role == Qt::TextAlignmentRole && index.column() == ReceiveCountColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (static_cast<Column>(index.column())) {
    case IdColumn:
        return panels::maskSecrets(entry.id);
    case ErrorClassColumn:
        return entry.errorClass.isEmpty() ? u"unknown"_s : entry.errorClass;
    case ReceiveCountColumn:
        return entry.receiveCount;
    case FailedAtColumn:
        if (role == SortRole)
            return entry.failedAt.toMSecsSinceEpoch();
        // Local time to the second: what a user compares with their own clock.
        return QLocale().toString(entry.failedAt.toLocalTime(), u"yyyy-MM-dd HH:mm:ss"_s);
    case ErrorColumn:
        return panels::maskSecrets(entry.error);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant DeadLetterModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case IdColumn:
            return u"The job's id, as in its job file line."_s;
        case ErrorClassColumn:
            return u"Why the last try failed (server_error, timeout, auth, …)."_s;
        case ReceiveCountColumn:
            return u"How many times the job was tried before it was set aside."_s;
        case FailedAtColumn:
            return u"When the job was moved here (your local time)."_s;
        case ErrorColumn:
            return u"The last error message."_s;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case IdColumn:
        return u"Job id"_s;
    case ErrorClassColumn:
        return u"Error class"_s;
    case ReceiveCountColumn:
        return u"Receives"_s;
    case FailedAtColumn:
        return u"Failed at"_s;
    case ErrorColumn:
        return u"Error"_s;
    case ColumnCount:
        break;
    }
    return {};
}

void DeadLetterModel::setEntries(QList<DeadLetter> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
}

int DeadLetterModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).id == id)
            return static_cast<int>(i);
    }
    return -1;
}

} // namespace breakwater::ui

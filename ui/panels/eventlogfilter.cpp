#include "eventlogfilter.h"

#include "eventlogmodel.h"

namespace breakwater::ui {

EventLogFilter::EventLogFilter(QObject *parent) : QSortFilterProxyModel(parent) {}

void EventLogFilter::setTypeFilter(const QString &type)
{
    if (type == m_type)
        return;
    m_type = type;
    invalidateFilter();
}

void EventLogFilter::setModelFilter(const QString &model)
{
    if (model == m_model)
        return;
    m_model = model;
    invalidateFilter();
}

void EventLogFilter::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

bool EventLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex first = source->index(sourceRow, 0, sourceParent);
    if (!m_type.isEmpty() && first.data(EventLogModel::TypeRole).toString() != m_type)
        return false;
    if (!m_model.isEmpty() && first.data(EventLogModel::ModelNameRole).toString() != m_model)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int column = 0; column < source->columnCount(sourceParent); ++column) {
        const QString cell = source->index(sourceRow, column, sourceParent).data().toString();
        if (cell.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace breakwater::ui

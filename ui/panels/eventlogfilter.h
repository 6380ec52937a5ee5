#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace breakwater::ui {

/// The event log's filter: an event type, a model and free text (any column, case
/// blind), each empty for "any". Reads EventLogModel's roles.
class EventLogFilter final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogFilter)

public:
    explicit EventLogFilter(QObject *parent = nullptr);

    void setTypeFilter(const QString &type);
    void setModelFilter(const QString &model);
    void setTextFilter(const QString &text);
    const QString &typeFilter() const { return m_type; }
    const QString &modelFilter() const { return m_model; }
    const QString &textFilter() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_type;
    QString m_model;
    QString m_text;
};

} // namespace breakwater::ui

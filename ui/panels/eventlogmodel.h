#pragma once

#include "common/clock.h"
#include "engine/events.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QMetaObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <deque>
#include <vector>

class QTimer;

namespace breakwater {
class EventStream;
} // namespace breakwater

namespace breakwater::ui {

/// The event log's rows: the last `capacity` events of the one event stream, oldest
/// dropped. Events are collected and inserted in batches at most every kBatchIntervalMs,
/// so a load run's thousand events a second cost ten model updates, not a thousand.
/// Rows hold only what describeEvent() shows, which carries no keys.
class EventLogModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    enum Column { TimeColumn, TypeColumn, ModelColumn, CallColumn, SummaryColumn, ColumnCount };
    enum Role {
        TypeRole = Qt::UserRole + 1, ///< QString: eventTypeName()
        ModelNameRole,               ///< QString: the model the event is about ("" if none)
        CallIdRole,                  ///< QString
        TimeMsRole,                  ///< qint64: the event's time on the lab's clock
    };

    static constexpr int kDefaultCapacity = 10000;
    static constexpr int kBatchIntervalMs = 100;

    explicit EventLogModel(int capacity = kDefaultCapacity, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// Logs every event `stream` publishes from now on (nullptr: none). Rows stay.
    void attach(EventStream *stream);
    /// Times are shown in seconds since `origin` on the events' clock (default 0, the
    /// lab clock's start).
    void setOrigin(Millis origin);
    int capacity() const { return m_capacity; }
    /// Drops the oldest rows at once if there are more than `capacity`.
    void setCapacity(int capacity);
    /// Events received and not yet shown as rows.
    int pendingCount() const { return static_cast<int>(m_pending.size()); }
    /// Every model name seen so far, sorted.
    QStringList models() const;

    /// Every event type name, in the order of EngineEvent's alternatives.
    static QStringList typeNames();
    /// The model an event is about ("" when none): the attempt's model, the hop's origin,
    /// the source that answered a call.
    static QString modelOf(const EngineEvent &event);
    /// The call an event belongs to ("" when none).
    static QString callIdOf(const EngineEvent &event);

public Q_SLOTS:
    /// Queues `event`; it becomes a row at the next batch.
    void append(const breakwater::EngineEvent &event);
    /// Turns the queued events into rows now.
    void flush();
    /// Drops every row and queued event.
    void clear();

Q_SIGNALS:
    /// A model name appeared for the first time (for the filter's model list).
    void modelSeen(const QString &model);

private:
    struct Row {
        Millis at{0};
        QString type;
        QString model;
        QString callId;
        QString summary;
        QColor colour;
    };

    static Row rowFor(const EngineEvent &event);
    void trimToCapacity();

    int m_capacity;
    Millis m_origin{0};
    std::deque<Row> m_rows;
    std::deque<Row> m_pending;
    QSet<QString> m_models;
    QTimer *m_batch = nullptr;
    QMetaObject::Connection m_connection;
};

} // namespace breakwater::ui

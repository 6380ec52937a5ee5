#include "eventlogmodel.h"

#include "engine/eventstream.h"
#include "panelstyle.h"

#include <QTimer>
#include <algorithm>
#include <utility>
#include <variant>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;
namespace {

template <std::size_t... I> QStringList typeNamesOf(std::index_sequence<I...>)
{
    return {eventTypeName(EngineEvent(std::in_place_index<I>))...};
}

QColor colourFor(const EngineEvent &event)
{
    if (const auto *finished = std::get_if<AttemptFinished>(&event))
        return finished->outcome == Outcome::Success ? QColor() : outcomeColor(finished->outcome);
    if (std::holds_alternative<RetryScheduled>(event))
        return QColor(0x8d, 0x6e, 0x63);
    if (std::holds_alternative<ShortCircuited>(event))
        return QColor(0x75, 0x75, 0x75);
    if (std::holds_alternative<FallbackHop>(event))
        return QColor(0xb2, 0x6a, 0x00);
    if (std::holds_alternative<BreakerTransition>(event))
        return QColor(0x6a, 0x1b, 0x9a);
    if (const auto *call = std::get_if<CallFinished>(&event)) {
        if (call->result.source == sources::degraded || call->result.source == sources::error)
            return QColor(0xc6, 0x28, 0x28);
        if (call->result.source == sources::cache)
            return QColor(0xb2, 0x6a, 0x00);
        return QColor(0x2e, 0x7d, 0x32);
    }
    if (const auto *alert = std::get_if<AlertChanged>(&event))
        return alert->firing ? QColor(0xc6, 0x28, 0x28) : QColor(0x2e, 0x7d, 0x32);
    if (std::holds_alternative<TimelineNote>(event))
        return QColor(0x15, 0x65, 0xc0);
    return {};
}

} // namespace

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity))
{
    m_batch = new QTimer(this);
    m_batch->setSingleShot(true);
    m_batch->setInterval(kBatchIntervalMs);
    connect(m_batch, &QTimer::timeout, this, &EventLogModel::flush);
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QString::number(toSeconds(row.at - m_origin), 'f', 3);
        case TypeColumn:
            return row.type;
        case ModelColumn:
            return row.model;
        case CallColumn:
            return row.callId;
        case SummaryColumn:
            return row.summary;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return index.column() == SummaryColumn ? QVariant(row.summary) : QVariant();
    case Qt::ForegroundRole:
        if (row.colour.isValid() &&
            (index.column() == TypeColumn || index.column() == SummaryColumn))
            return row.colour;
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == TimeColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case TypeRole:
        return row.type;
    case ModelNameRole:
        return row.model;
    case CallIdRole:
        return row.callId;
    case TimeMsRole:
        return static_cast<qint64>(row.at.count());
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const names[ColumnCount] = {"Time (s)", "Type", "Model", "Call", "Summary"};
    return QString::fromLatin1(names[section]);
}

void EventLogModel::attach(EventStream *stream)
{
    disconnect(m_connection);
    if (stream)
        m_connection = connect(stream, &EventStream::event, this, &EventLogModel::append);
}

void EventLogModel::setOrigin(Millis origin)
{
    m_origin = origin;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

void EventLogModel::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    trimToCapacity();
}

QStringList EventLogModel::models() const
{
    QStringList names(m_models.cbegin(), m_models.cend());
    names.sort();
    return names;
}

QStringList EventLogModel::typeNames()
{
    return typeNamesOf(std::make_index_sequence<std::variant_size_v<EngineEvent>>());
}

QString EventLogModel::modelOf(const EngineEvent &event)
{
    if (const auto *e = std::get_if<AttemptStarted>(&event))
        return e->model;
    if (const auto *e = std::get_if<AttemptFinished>(&event))
        return e->model;
    if (const auto *e = std::get_if<RetryScheduled>(&event))
        return e->model;
    if (const auto *e = std::get_if<ShortCircuited>(&event))
        return e->model;
    if (const auto *e = std::get_if<FallbackHop>(&event))
        return e->from;
    if (const auto *e = std::get_if<StreamDelta>(&event))
        return e->model;
    if (const auto *e = std::get_if<BreakerTransition>(&event))
        return e->model;
    if (const auto *e = std::get_if<CallFinished>(&event))
        return e->result.source;
    if (const auto *e = std::get_if<TimelineNote>(&event))
        return e->model;
    return {};
}

QString EventLogModel::callIdOf(const EngineEvent &event)
{
    if (const auto *e = std::get_if<CallStarted>(&event))
        return e->callId;
    if (const auto *e = std::get_if<AttemptStarted>(&event))
        return e->callId;
    if (const auto *e = std::get_if<AttemptFinished>(&event))
        return e->callId;
    if (const auto *e = std::get_if<RetryScheduled>(&event))
        return e->callId;
    if (const auto *e = std::get_if<ShortCircuited>(&event))
        return e->callId;
    if (const auto *e = std::get_if<FallbackHop>(&event))
        return e->callId;
    if (const auto *e = std::get_if<StreamDelta>(&event))
        return e->callId;
    if (const auto *e = std::get_if<CallFinished>(&event))
        return e->result.id;
    return {};
}

EventLogModel::Row EventLogModel::rowFor(const EngineEvent &event)
{
    return Row{eventTime(event),
               eventTypeName(event),
               modelOf(event),
               callIdOf(event),
               maskSecrets(describeEvent(event)),
               colourFor(event)};
}

void EventLogModel::append(const EngineEvent &event)
{
    Row row = rowFor(event);
    if (!row.model.isEmpty() && !m_models.contains(row.model)) {
        m_models.insert(row.model);
        Q_EMIT modelSeen(row.model);
    }
    m_pending.push_back(std::move(row));
    // Bounded while waiting too: only the newest `capacity` could ever be shown.
    while (static_cast<int>(m_pending.size()) > m_capacity)
        m_pending.pop_front();
    if (!m_batch->isActive())
        m_batch->start();
}

void EventLogModel::flush()
{
    m_batch->stop();
    if (m_pending.empty())
        return;
    // Make room first, so that rows and pending together never exceed the capacity.
    const int incoming = static_cast<int>(m_pending.size());
    const int overflow = rowCount() + incoming - m_capacity;
    if (overflow > 0) {
        const int drop = std::min(overflow, rowCount());
        beginRemoveRows({}, 0, drop - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + drop);
        endRemoveRows();
    }
    const int first = rowCount();
    beginInsertRows({}, first, first + incoming - 1);
    std::move(m_pending.begin(), m_pending.end(), std::back_inserter(m_rows));
    m_pending.clear();
    endInsertRows();
}

void EventLogModel::clear()
{
    m_batch->stop();
    m_pending.clear();
    m_models.clear();
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void EventLogModel::trimToCapacity()
{
    while (static_cast<int>(m_pending.size()) > m_capacity)
        m_pending.pop_front();
    const int overflow = rowCount() - m_capacity;
    if (overflow <= 0)
        return;
    beginRemoveRows({}, 0, overflow - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + overflow);
    endRemoveRows();
}

} // namespace breakwater::ui

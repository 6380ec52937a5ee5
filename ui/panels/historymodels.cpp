#include "historymodels.h"

#include "panelstyle.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

/// The better value's cell: green, as closed breakers are.
const QColor kBetterBackground(0x1f, 0x5e, 0x36);

bool isShare(const QString &key)
{
    return key == u"model_rate"_s || key == u"success_rate"_s || key == u"degraded_share"_s;
}

bool isSeconds(const QString &key)
{
    return key.endsWith(u"_s"_s);
}

bool isCount(const QString &key)
{
    return key == u"wasted_calls"_s;
}

QString rowTooltip(const QString &key)
{
    if (key == u"model_rate"_s)
        return u"Share of requests answered by a model: not the cache, not the degraded "
               u"text. Higher is better."_s;
    if (key == u"success_rate"_s)
        return u"Share of requests answered by a model or the cache. Higher is better."_s;
    if (key == u"degraded_share"_s)
        return u"Share of requests that got the canned degraded answer. Lower is better."_s;
    if (key == u"p99_s"_s)
        return u"99 in 100 requests finished within this time. Lower is better."_s;
    if (key == u"attempts_per_request"_s)
        return u"Calls actually sent to models per request, retries included. Lower is "
               u"better."_s;
    if (key == u"wasted_calls"_s)
        return u"Calls sent to the model that was down and that failed: what a breaker "
               u"saves. Lower is better."_s;
    if (key == u"time_to_failover_s"_s)
        return u"From the outage to the first answer from another model or the cache. "
               u"Lower is better."_s;
    if (key == u"breaker_opened_after_s"_s)
        return u"From the outage to the dead model's breaker opening. Lower is better."_s;
    return QString();
}

QString displayText(const ComparisonRow &row, int column)
{
    switch (column) {
    case ComparisonModel::FigureColumn:
        return row.label;
    case ComparisonModel::RunAColumn:
        return row.a ? ComparisonModel::formatValue(row.key, *row.a) : u"—"_s;
    case ComparisonModel::RunBColumn:
        return row.b ? ComparisonModel::formatValue(row.key, *row.b) : u"—"_s;
    case ComparisonModel::DifferenceColumn: {
        if (!row.a || !row.b)
            return u"—"_s;
        QString text = ComparisonModel::formatDifference(row.key, *row.b - *row.a);
        const int better = row.better();
        if (better != 0)
            text += better > 0 ? u"  (B better)"_s : u"  (A better)"_s;
        return text;
    }
    default:
        return QString();
    }
}

} // namespace

SavedRunsModel::SavedRunsModel(QObject *parent) : QAbstractTableModel(parent) {}

int SavedRunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int SavedRunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SavedRunsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SavedRunSummary &run = m_runs.at(index.row());
    if (role == RunIdRole)
        return run.id;
    if (role == Qt::TextAlignmentRole && index.column() >= ModelRateColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return u"Run %1: %2, saved %3"_s.arg(run.id)
            .arg(panels::maskSecrets(run.label))
            .arg(QLocale().toString(run.savedAt.toLocalTime(), QLocale::ShortFormat));
    const bool sorting = role == SortRole;
    if (role != Qt::DisplayRole && !sorting)
        return {};
    switch (static_cast<Column>(index.column())) {
    case LabelColumn:
        return panels::maskSecrets(run.label);
    case ScenarioColumn:
        return run.scenario.isEmpty() ? u"(no scenario)"_s : run.scenario;
    case StartedColumn: {
        const QDateTime started = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
        if (sorting)
            return (started.isValid() ? started : run.savedAt).toMSecsSinceEpoch();
        return started.isValid()
                   ? QLocale().toString(started.toLocalTime(), u"yyyy-MM-dd HH:mm:ss"_s)
                   : run.startedAt;
    }
    case ModelRateColumn:
        if (sorting)
            return run.modelRate;
        return u"%1 %"_s.arg(run.modelRate * 100.0, 0, 'f', 1);
    case SuccessColumn:
        if (sorting)
            return run.successRate;
        return u"%1 %"_s.arg(run.successRate * 100.0, 0, 'f', 1);
    case P99Column:
        if (sorting)
            return run.p99Seconds;
        return u"%1 s"_s.arg(run.p99Seconds, 0, 'f', 2);
    case RequestsColumn:
        if (sorting)
            return run.requests;
        return QLocale().toString(run.requests);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant SavedRunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case LabelColumn:
            return u"The config the run used."_s;
        case ScenarioColumn:
            return u"The scenario that was run."_s;
        case StartedColumn:
            return u"When the run started (your local time)."_s;
        case ModelRateColumn:
            return u"Share of requests answered by a model (not the cache, not the degraded "
                   u"text)."_s;
        case SuccessColumn:
            return u"Share of requests answered by a model or the cache."_s;
        case P99Column:
            return u"99 in 100 requests finished within this time."_s;
        case RequestsColumn:
            return u"Requests sent during the run."_s;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case LabelColumn:
        return u"Label"_s;
    case ScenarioColumn:
        return u"Scenario"_s;
    case StartedColumn:
        return u"Started"_s;
    case ModelRateColumn:
        return u"By a model"_s;
    case SuccessColumn:
        return u"Success"_s;
    case P99Column:
        return u"p99"_s;
    case RequestsColumn:
        return u"Requests"_s;
    case ColumnCount:
        break;
    }
    return {};
}

void SavedRunsModel::setRuns(QList<SavedRunSummary> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

int SavedRunsModel::rowOf(qint64 id) const
{
    for (qsizetype i = 0; i < m_runs.size(); ++i) {
        if (m_runs.at(i).id == id)
            return static_cast<int>(i);
    }
    return -1;
}

ComparisonModel::ComparisonModel(QObject *parent) : QAbstractTableModel(parent) {}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ComparisonRow &row = m_rows.at(index.row());
    const int better = row.better();
    const Column column = static_cast<Column>(index.column());
    const bool isBetterCell =
        (column == RunAColumn && better < 0) || (column == RunBColumn && better > 0);
    switch (role) {
    case KeyRole:
        return row.key;
    case BetterRole:
        return better;
    case Qt::ToolTipRole:
        return rowTooltip(row.key);
    case Qt::TextAlignmentRole:
        if (column != FigureColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::BackgroundRole:
        if (isBetterCell)
            return QBrush(kBetterBackground);
        return {};
    case Qt::FontRole:
        if (isBetterCell) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case ValueRole:
        if (column == RunAColumn)
            return row.a ? QVariant(*row.a) : QVariant();
        if (column == RunBColumn)
            return row.b ? QVariant(*row.b) : QVariant();
        if (column == DifferenceColumn)
            return row.a && row.b ? QVariant(*row.b - *row.a) : QVariant();
        return {};
    case Qt::DisplayRole:
        return displayText(row, column);
    default:
        return {};
    }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case RunAColumn:
            return u"Run A: %1"_s.arg(m_nameA);
        case RunBColumn:
            return u"Run B: %1"_s.arg(m_nameB);
        case DifferenceColumn:
            return u"Run B minus run A; the better run is named and its cell is green."_s;
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case FigureColumn:
        return u"Figure"_s;
    case RunAColumn:
        return m_nameA.isEmpty() ? u"Run A"_s : u"Run A (%1)"_s.arg(m_nameA);
    case RunBColumn:
        return m_nameB.isEmpty() ? u"Run B"_s : u"Run B (%1)"_s.arg(m_nameB);
    case DifferenceColumn:
        return u"B − A"_s;
    case ColumnCount:
        break;
    }
    return {};
}

void ComparisonModel::setComparison(const RunComparison &comparison, const QString &nameA,
                                    const QString &nameB)
{
    beginResetModel();
    m_rows = comparison.rows;
    m_nameA = nameA;
    m_nameB = nameB;
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void ComparisonModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_nameA.clear();
    m_nameB.clear();
    endResetModel();
}

int ComparisonModel::rowOf(const QString &key) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).key == key)
            return static_cast<int>(i);
    }
    return -1;
}

QString ComparisonModel::formatValue(const QString &key, double value)
{
    if (isShare(key))
        return u"%1 %"_s.arg(value * 100.0, 0, 'f', 1);
    if (isCount(key))
        return QLocale().toString(static_cast<qint64>(std::llround(value)));
    if (isSeconds(key))
        return u"%1 s"_s.arg(value, 0, 'f', 2);
    return QString::number(value, 'f', 2);
}

QString ComparisonModel::formatDifference(const QString &key, double difference)
{
    const QString sign = difference > 0 ? u"+"_s : difference < 0 ? u"−"_s : QString();
    const double size = std::abs(difference);
    if (isShare(key))
        return u"%1%2 pp"_s.arg(sign).arg(size * 100.0, 0, 'f', 1);
    if (isCount(key))
        return sign + QLocale().toString(static_cast<qint64>(std::llround(size)));
    if (isSeconds(key))
        return u"%1%2 s"_s.arg(sign).arg(size, 0, 'f', 2);
    return sign + QString::number(size, 'f', 2);
}

} // namespace breakwater::ui

#include "waterfallmodel.h"

#include "panelstyle.h"

#include <QColor>
#include <QFont>
#include <algorithm>
#include <variant>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

using namespace panels;
namespace {

const QColor kInFlight(0x1e, 0x88, 0xe5);
const QColor kWait(0x9e, 0x9e, 0x9e);
const QColor kFallback(0xf9, 0xa8, 0x25);
const QColor kAnswerModel(0x2e, 0x7d, 0x32);
const QColor kAnswerCache(0xef, 0x8f, 0x00);
const QColor kAnswerDegraded(0xc6, 0x28, 0x28);

QString kindName(WaterfallRow::Kind kind)
{
    switch (kind) {
    case WaterfallRow::Kind::Attempt:
        return u"Attempt"_s;
    case WaterfallRow::Kind::Wait:
        return u"Wait"_s;
    case WaterfallRow::Kind::Fallback:
        return u"Fallback"_s;
    case WaterfallRow::Kind::Answer:
        return u"Answer"_s;
    }
    return {};
}

QColor answerColor(const QString &source)
{
    if (source == sources::cache)
        return kAnswerCache;
    if (source == sources::degraded || source == sources::error)
        return kAnswerDegraded;
    return kAnswerModel;
}

QString answerKind(const QString &source)
{
    if (source == sources::cache || source == sources::degraded || source == sources::error)
        return source;
    return u"model"_s;
}

QColor barColor(const WaterfallRow &row)
{
    switch (row.kind) {
    case WaterfallRow::Kind::Attempt:
        return row.outcome ? outcomeColor(*row.outcome) : kInFlight;
    case WaterfallRow::Kind::Wait:
        return kWait;
    case WaterfallRow::Kind::Fallback:
        return kFallback;
    case WaterfallRow::Kind::Answer:
        return answerColor(row.model);
    }
    return kWait;
}

QString outcomeText(const WaterfallRow &row)
{
    switch (row.kind) {
    case WaterfallRow::Kind::Attempt:
        return row.outcome ? outcomeName(*row.outcome) : u"in flight…"_s;
    case WaterfallRow::Kind::Wait:
        return delaySourceName(row.delaySource);
    case WaterfallRow::Kind::Fallback:
        return u"→ "_s + row.target;
    case WaterfallRow::Kind::Answer:
        return answerKind(row.model);
    }
    return {};
}

// A fallback row reads across: Model "claude-sonnet-4-5", Outcome "→ claude-haiku-4-5".
QString modelText(const WaterfallRow &row)
{
    return row.model;
}

std::optional<FallbackHop> takeHop(QList<FallbackHop> &hops, const QString &from, const QString &to)
{
    for (qsizetype i = 0; i < hops.size(); ++i) {
        if (hops.at(i).from == from && hops.at(i).to == to)
            return hops.takeAt(i);
    }
    return std::nullopt;
}

} // namespace

WaterfallModel::WaterfallModel(QObject *parent) : QAbstractTableModel(parent) {}

int WaterfallModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int WaterfallModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WaterfallModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WaterfallRow &row = m_rows.at(index.row());
    const bool attemptOrWait =
        row.kind == WaterfallRow::Kind::Attempt || row.kind == WaterfallRow::Kind::Wait;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StepColumn:
            return kindName(row.kind);
        case ModelColumn:
            return modelText(row);
        case AttemptColumn:
            return attemptOrWait ? QVariant(row.attempt) : QVariant();
        case StartColumn:
            return formatSeconds(row.start.count());
        case DurationColumn:
            if (row.kind == WaterfallRow::Kind::Attempt && !row.outcome)
                return u"…"_s;
            return row.kind == WaterfallRow::Kind::Fallback ||
                           row.kind == WaterfallRow::Kind::Answer
                       ? QVariant()
                       : QVariant(formatSeconds(row.duration.count()));
        case OutcomeColumn:
            return outcomeText(row);
        case HttpColumn:
            return row.httpStatus != 0 ? QVariant(row.httpStatus) : QVariant();
        case DetailColumn:
            return maskSecrets(row.detail);
        default:
            return {};
        }
    case Qt::ToolTipRole: {
        QString tip = kindName(row.kind) + u": "_s + modelText(row);
        if (row.kind == WaterfallRow::Kind::Fallback)
            tip += u" → "_s + row.target;
        if (attemptOrWait)
            tip += u" #%1"_s.arg(row.attempt);
        tip += u"\nstart %1"_s.arg(formatSeconds(row.start.count()));
        if (attemptOrWait)
            tip += u", lasting %1"_s.arg(formatSeconds(row.duration.count()));
        tip += u"\n"_s + outcomeText(row);
        if (!row.detail.isEmpty())
            tip += u"\n"_s + maskSecrets(row.detail);
        return tip;
    }
    case Qt::ForegroundRole:
        if (index.column() == OutcomeColumn)
            return barColor(row).darker(115);
        if (row.kind == WaterfallRow::Kind::Wait)
            return QColor(0x61, 0x61, 0x61);
        return {};
    case Qt::FontRole:
        if (row.kind == WaterfallRow::Kind::Answer || index.column() == OutcomeColumn ||
            (row.kind == WaterfallRow::Kind::Fallback && index.column() == ModelColumn)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        if (row.kind == WaterfallRow::Kind::Wait) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::BackgroundRole:
        if (row.kind == WaterfallRow::Kind::Answer || row.kind == WaterfallRow::Kind::Fallback) {
            QColor tint = barColor(row);
            tint.setAlpha(40);
            return tint;
        }
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case AttemptColumn:
        case StartColumn:
        case DurationColumn:
        case HttpColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case KindRole:
        return static_cast<int>(row.kind);
    case StartMsRole:
        return static_cast<qint64>(row.start.count());
    case DurationMsRole:
        return static_cast<qint64>(row.duration.count());
    case SpanMsRole:
        return static_cast<qint64>(span().count());
    case BarColorRole:
        return barColor(row);
    case OutcomeNameRole:
        return outcomeText(row);
    default:
        return {};
    }
}

QVariant WaterfallModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const names[ColumnCount] = {
        "Step", "Model", "n", "Start", "Duration", "Timeline", "Outcome", "HTTP", "Detail"};
    return QString::fromLatin1(names[section]);
}

Millis WaterfallModel::span() const
{
    Millis end{1};
    for (const WaterfallRow &row : m_rows)
        end = std::max(end, row.start + row.duration);
    return end;
}

void WaterfallModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_callId.clear();
    m_callStart.reset();
    m_hops.clear();
    m_finished = false;
    endResetModel();
}

void WaterfallModel::beginCall(const QString &callId)
{
    clear();
    m_callId = callId;
}

void WaterfallModel::record(const EngineEvent &event)
{
    if (m_callId.isEmpty() || m_finished)
        return;
    const auto since = [this](Millis at) {
        if (!m_callStart)
            m_callStart = at;
        return std::max(Millis{0}, at - *m_callStart);
    };
    if (const auto *started = std::get_if<CallStarted>(&event)) {
        if (started->callId == m_callId)
            m_callStart = started->at;
    } else if (const auto *attempt = std::get_if<AttemptStarted>(&event)) {
        if (attempt->callId != m_callId)
            return;
        WaterfallRow row;
        row.model = attempt->model;
        row.attempt = attempt->attempt;
        row.start = since(attempt->at);
        if (attempt->probe)
            row.detail = u"half-open probe"_s;
        append(row);
    } else if (const auto *finished = std::get_if<AttemptFinished>(&event)) {
        if (finished->callId != m_callId)
            return;
        int index = findAttempt(finished->model, finished->attempt);
        if (index < 0) {
            WaterfallRow row;
            row.model = finished->model;
            row.attempt = finished->attempt;
            row.start = since(finished->at - finished->duration);
            append(row);
            index = static_cast<int>(m_rows.size()) - 1;
        }
        WaterfallRow &row = m_rows[index];
        row.outcome = finished->outcome;
        row.httpStatus = finished->httpStatus;
        row.duration = finished->duration;
        if (!finished->message.isEmpty())
            row.detail = finished->message;
        changed(index);
    } else if (const auto *retry = std::get_if<RetryScheduled>(&event)) {
        if (retry->callId != m_callId)
            return;
        WaterfallRow row;
        row.kind = WaterfallRow::Kind::Wait;
        row.model = retry->model;
        row.attempt = retry->nextAttempt;
        row.start = since(retry->at);
        row.duration = retry->delay;
        row.delaySource = retry->source;
        row.detail = u"after "_s + outcomeName(retry->reason);
        append(row);
    } else if (const auto *skipped = std::get_if<ShortCircuited>(&event)) {
        if (skipped->callId != m_callId)
            return;
        WaterfallRow row;
        row.model = skipped->model;
        row.attempt = static_cast<int>(
            std::count_if(m_rows.cbegin(), m_rows.cend(), [&](const WaterfallRow &r) {
                return r.kind == WaterfallRow::Kind::Attempt && r.model == skipped->model;
            }));
        row.start = since(skipped->at);
        row.outcome = skipped->reason;
        row.detail = u"not sent"_s;
        append(row);
    } else if (const auto *hop = std::get_if<FallbackHop>(&event)) {
        if (hop->callId != m_callId)
            return;
        m_hops.append(*hop);
        WaterfallRow row;
        row.kind = WaterfallRow::Kind::Fallback;
        row.model = hop->from;
        row.target = hop->to;
        row.start = since(hop->at);
        row.detail = hop->reason;
        append(row);
    } else if (const auto *done = std::get_if<CallFinished>(&event)) {
        if (done->result.id == m_callId)
            finish(done->result);
    }
}

void WaterfallModel::finish(const CallResult &result)
{
    const Millis callStart = m_callStart.value_or(Millis{0});
    QList<WaterfallRow> rows = rowsFromResult(result, m_hops, callStart);
    beginResetModel();
    m_rows = std::move(rows);
    m_callId = result.id;
    m_finished = true;
    endResetModel();
}

QList<WaterfallRow> WaterfallModel::rowsFromResult(const CallResult &result,
                                                   const QList<FallbackHop> &hops, Millis callStart)
{
    QList<FallbackHop> unused = hops;
    QList<WaterfallRow> rows;
    const auto addHop = [&](const QString &from, const QString &to, Millis fallbackTime) {
        WaterfallRow row;
        row.kind = WaterfallRow::Kind::Fallback;
        row.model = from;
        row.target = to;
        row.start = fallbackTime;
        if (const std::optional<FallbackHop> hop = takeHop(unused, from, to)) {
            row.start = std::max(Millis{0}, hop->at - callStart);
            row.detail = hop->reason;
        }
        rows.append(row);
    };

    QString previous;
    for (const AttemptRecord &attempt : result.attempts) {
        if (!previous.isEmpty() && attempt.model != previous)
            addHop(previous, attempt.model, attempt.start);
        WaterfallRow row;
        row.model = attempt.model;
        row.attempt = attempt.n;
        row.start = attempt.start;
        row.duration = attempt.duration;
        row.outcome = attempt.outcome;
        row.httpStatus = attempt.httpStatus;
        row.detail = attempt.message;
        rows.append(row);
        if (attempt.delay) {
            WaterfallRow wait;
            wait.kind = WaterfallRow::Kind::Wait;
            wait.model = attempt.model;
            wait.attempt = attempt.n + 1;
            wait.start = attempt.start + attempt.duration;
            wait.duration = *attempt.delay;
            wait.delaySource = attempt.delaySource;
            wait.detail = u"after "_s + outcomeName(attempt.outcome);
            rows.append(wait);
        }
        previous = attempt.model;
    }
    if (!previous.isEmpty() && result.source != previous) {
        // Out of the chain the way the engine announced it (to the cache, when enabled);
        // a cache miss then falls to the degraded text without an event of its own.
        QString reached = result.source;
        const auto announced =
            std::find_if(unused.cbegin(), unused.cend(),
                         [&](const FallbackHop &hop) { return hop.from == previous; });
        if (announced != unused.cend())
            reached = announced->to;
        addHop(previous, reached, result.duration);
        if (reached != result.source) {
            addHop(reached, result.source, result.duration);
            if (reached == sources::cache)
                rows.last().detail = u"no cached answer for this prompt"_s;
        }
    }

    WaterfallRow answer;
    answer.kind = WaterfallRow::Kind::Answer;
    answer.model = result.source;
    answer.start = result.duration;
    if (!result.error.isEmpty())
        answer.detail = result.error;
    else if (result.errorClass)
        answer.detail = outcomeName(*result.errorClass);
    else
        answer.detail = result.truncated ? u"success (prompt truncated)"_s : u"success"_s;
    rows.append(answer);
    return rows;
}

void WaterfallModel::append(const WaterfallRow &row)
{
    const int at = static_cast<int>(m_rows.size());
    beginInsertRows({}, at, at);
    m_rows.append(row);
    endInsertRows();
    // Every bar is drawn against the span, which a new row may have stretched.
    if (at > 0)
        Q_EMIT dataChanged(index(0, TimelineColumn), index(at - 1, TimelineColumn));
}

void WaterfallModel::changed(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    const int last = static_cast<int>(m_rows.size()) - 1;
    Q_EMIT dataChanged(index(0, TimelineColumn), index(last, TimelineColumn));
}

int WaterfallModel::findAttempt(const QString &model, int attempt) const
{
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        const WaterfallRow &row = m_rows.at(i);
        if (row.kind == WaterfallRow::Kind::Attempt && !row.outcome && row.model == model &&
            row.attempt == attempt)
            return i;
    }
    return -1;
}

} // namespace breakwater::ui

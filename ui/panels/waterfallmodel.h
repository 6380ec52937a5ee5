#pragma once

#include "common/clock.h"
#include "common/errorclass.h"
#include "engine/callresult.h"
#include "engine/events.h"
#include "errors/classifiederror.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <optional>

namespace breakwater::ui {

/// One row of a call's attempt waterfall.
struct WaterfallRow {
    enum class Kind {
        Attempt,  ///< an attempt on a model (or one the breaker / bulkhead never sent)
        Wait,     ///< the wait before the next attempt on the same model
        Fallback, ///< the chain moved on to the next model, the cache or the degraded text
        Answer,   ///< where the answer finally came from
    };

    Kind kind = Kind::Attempt;
    /// Attempt and wait: the model; fallback: the model left; answer: the source.
    QString model;
    /// Fallback: where the chain went (a model, "cache" or "degraded").
    QString target;
    /// Attempt: its 0-based number on the model; wait: the number of the attempt it precedes.
    int attempt = 0;
    /// From the start of the call.
    Millis start{0};
    Millis duration{0};
    /// Attempts: nullopt while still in flight.
    std::optional<Outcome> outcome;
    int httpStatus = 0;
    /// Waits: where the delay came from.
    DelaySource delaySource = DelaySource::Backoff;
    /// Attempt: the server's message; wait: the outcome that caused it; fallback: the reason;
    /// answer: success or why no model answered.
    QString detail;
};

/// The attempt waterfall of one call (SPEC.md section 10 prompt console): each attempt, its
/// outcome, each wait and why, each fallback hop and the final source. Fed live from the
/// event stream while the call runs (record()), then rebuilt from the CallResult, which is
/// the authority (finish()).
class WaterfallModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WaterfallModel)

public:
    enum Column {
        StepColumn,
        ModelColumn,
        AttemptColumn,
        StartColumn,
        DurationColumn,
        TimelineColumn,
        OutcomeColumn,
        HttpColumn,
        DetailColumn,
        ColumnCount
    };
    enum Role {
        KindRole = Qt::UserRole + 1, ///< int (WaterfallRow::Kind)
        StartMsRole,                 ///< qint64
        DurationMsRole,              ///< qint64
        SpanMsRole,                  ///< qint64: the whole waterfall's length, for bars
        BarColorRole,                ///< QColor of the row's bar
        OutcomeNameRole,             ///< QString: outcome, delay source or source name
    };

    explicit WaterfallModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const QList<WaterfallRow> &rows() const { return m_rows; }
    /// The time the waterfall covers, at least 1 ms.
    Millis span() const;
    /// The call being followed ("" when none).
    const QString &callId() const { return m_callId; }
    bool isFinished() const { return m_finished; }

    /// Forgets everything.
    void clear();
    /// Follows call `callId`: rows come from its events passed to record().
    void beginCall(const QString &callId);
    /// Adds or updates rows for `event` if it belongs to the call followed.
    void record(const EngineEvent &event);
    /// Replaces the live rows by the ones `result` gives (with the fallback reasons seen
    /// live), ending with the answer row.
    void finish(const CallResult &result);

    /// The rows of a finished call: its attempts with their waits, a fallback row wherever
    /// the model changes or the chain leaves the models, and the answer row. `hops` supply
    /// reasons and times of fallbacks (may be empty); `callStart` is the clock time they
    /// are counted from.
    static QList<WaterfallRow> rowsFromResult(const CallResult &result,
                                              const QList<FallbackHop> &hops, Millis callStart);

private:
    void append(const WaterfallRow &row);
    void changed(int row);
    int findAttempt(const QString &model, int attempt) const;

    QList<WaterfallRow> m_rows;
    QString m_callId;
    std::optional<Millis> m_callStart;
    QList<FallbackHop> m_hops;
    bool m_finished = false;
};

} // namespace breakwater::ui

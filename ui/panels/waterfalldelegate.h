#pragma once

#include <QStyledItemDelegate>

namespace breakwater::ui {

/// Draws the waterfall's timeline column: each row as a bar from its start for its
/// duration, on the scale of the whole call (WaterfallModel's StartMs / DurationMs /
/// SpanMs roles). Waits are hatched, fallbacks a tick, the answer a diamond at its time.
class WaterfallDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WaterfallDelegate)

public:
    explicit WaterfallDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace breakwater::ui

#include "waterfalldelegate.h"

#include "waterfallmodel.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace breakwater::ui {

WaterfallDelegate::WaterfallDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void WaterfallDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index); // background, selection, focus
    const qint64 span = std::max<qint64>(1, index.data(WaterfallModel::SpanMsRole).toLongLong());
    const qint64 start = index.data(WaterfallModel::StartMsRole).toLongLong();
    const qint64 duration = index.data(WaterfallModel::DurationMsRole).toLongLong();
    const auto kind = static_cast<WaterfallRow::Kind>(index.data(WaterfallModel::KindRole).toInt());
    const QColor colour = index.data(WaterfallModel::BarColorRole).value<QColor>();

    const QRectF area = QRectF(option.rect).adjusted(6, 4, -6, -4);
    if (area.width() <= 0 || area.height() <= 0)
        return;
    const auto xAt = [&](qint64 ms) {
        return area.left() + area.width() * static_cast<double>(std::clamp<qint64>(ms, 0, span)) /
                                 static_cast<double>(span);
    };

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const double x = xAt(start);
    switch (kind) {
    case WaterfallRow::Kind::Attempt:
    case WaterfallRow::Kind::Wait: {
        // At least a sliver, so an instant attempt (short-circuited) is still visible.
        const double width = std::max(3.0, xAt(start + duration) - x);
        const QRectF bar(x, area.top(), std::min(width, area.right() - x + 3.0), area.height());
        if (kind == WaterfallRow::Kind::Wait) {
            painter->setPen(QPen(colour, 1.0));
            painter->setBrush(QBrush(colour, Qt::BDiagPattern));
        } else {
            painter->setPen(Qt::NoPen);
            painter->setBrush(colour);
        }
        painter->drawRoundedRect(bar, 2, 2);
        break;
    }
    case WaterfallRow::Kind::Fallback:
        painter->setPen(QPen(colour, 3.0));
        painter->drawLine(QPointF(x, area.top() - 2), QPointF(x, area.bottom() + 2));
        break;
    case WaterfallRow::Kind::Answer: {
        const double half = area.height() / 2.0;
        const double cx = std::min(x, area.right() - half);
        QPainterPath diamond;
        diamond.moveTo(cx, area.top());
        diamond.lineTo(cx + half, area.center().y());
        diamond.lineTo(cx, area.bottom());
        diamond.lineTo(cx - half, area.center().y());
        diamond.closeSubpath();
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawPath(diamond);
        break;
    }
    }
    painter->restore();
}

QSize WaterfallDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), 200));
    return size;
}

} // namespace breakwater::ui

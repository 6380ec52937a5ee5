#include "theme.h"

#include <QStringList>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace breakwater::ui {

Theme::Theme(bool presenter, double presenterScale)
    : m_presenter(presenter), m_scale(presenter ? presenterScale : 1.0),
      m_lineWidth(presenter ? 3.1 * presenterScale : 2.6)
{}

double Theme::presenterScaleFor(int width)
{
    return std::clamp(width / 1100.0, 1.15, 1.6);
}

QFont Theme::font(double points, bool bold) const
{
    QFont font;
    font.setPointSizeF(points * m_scale);
    font.setBold(bold);
    return font;
}

QFont Theme::secondaryFont(double points) const
{
    QFont font;
    font.setPointSizeF(points * std::min(m_scale, 1.2));
    return font;
}

int Theme::px(int pixels) const
{
    return static_cast<int>(std::lround(pixels * m_scale));
}

QColor Theme::stateColor(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return QColor(0x22, 0xc5, 0x5e);
    case BreakerState::HalfOpen:
        return QColor(0xf5, 0xa5, 0x24);
    case BreakerState::Open:
        return QColor(0xef, 0x44, 0x44);
    case BreakerState::ForcedOpen:
        return QColor(0xb0, 0x5c, 0xf0);
    case BreakerState::ForcedClosed:
        return QColor(0x38, 0x8b, 0xf0);
    }
    return QColor(Qt::gray);
}

QString Theme::stateLabel(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return u"CLOSED"_s;
    case BreakerState::HalfOpen:
        return u"HALF-OPEN"_s;
    case BreakerState::Open:
        return u"OPEN"_s;
    case BreakerState::ForcedOpen:
        return u"FORCED OPEN"_s;
    case BreakerState::ForcedClosed:
        return u"FORCED CLOSED"_s;
    }
    return QString();
}

QColor Theme::modelColor(int modelIndex)
{
    // Blue, teal, violet, pink, yellow, sky: distinct from each other and from the
    // state colours, on a dark background.
    static const QColor palette[] = {QColor(0x4e, 0xa1, 0xff), QColor(0x2d, 0xd4, 0xbf),
                                     QColor(0xa7, 0x8b, 0xfa), QColor(0xf4, 0x72, 0xb6),
                                     QColor(0xfa, 0xcc, 0x15), QColor(0x7d, 0xd3, 0xfc)};
    const int count = static_cast<int>(std::size(palette));
    return palette[((modelIndex % count) + count) % count];
}

QColor Theme::sourceColor(const QString &source, int modelIndex)
{
    if (source == u"cache"_s)
        return QColor(0xcb, 0xd5, 0xe1);
    if (source == u"degraded"_s)
        return QColor(0xfb, 0x92, 0x3c);
    return modelColor(modelIndex);
}

QColor Theme::delaySourceColor(DelaySource source)
{
    switch (source) {
    case DelaySource::Backoff:
        return QColor(0x4e, 0xa1, 0xff);
    case DelaySource::RetryAfter:
        return QColor(0xfa, 0xcc, 0x15);
    case DelaySource::RetryAfterMs:
        return QColor(0xf4, 0x72, 0xb6);
    }
    return QColor(Qt::gray);
}

QString Theme::css(const QColor &color)
{
    return color.name(QColor::HexRgb);
}

QPalette Theme::palette() const
{
    QPalette palette;
    palette.setColor(QPalette::Window, window());
    palette.setColor(QPalette::WindowText, text());
    palette.setColor(QPalette::Base, QColor(0x17, 0x1a, 0x20));
    palette.setColor(QPalette::AlternateBase, panel());
    palette.setColor(QPalette::Text, text());
    palette.setColor(QPalette::Button, QColor(0x2a, 0x2f, 0x3a));
    palette.setColor(QPalette::ButtonText, text());
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xc4));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xfb, 0xe6));
    palette.setColor(QPalette::ToolTipText, QColor(0x11, 0x11, 0x11));
    palette.setColor(QPalette::PlaceholderText, mutedText());
    palette.setColor(QPalette::Link, QColor(0x4e, 0xa1, 0xff));
    palette.setColor(QPalette::Mid, panelBorder());
    palette.setColor(QPalette::Dark, QColor(0x0c, 0x0e, 0x12));
    palette.setColor(QPalette::Light, QColor(0x3b, 0x42, 0x52));
    for (const QPalette::ColorRole role :
         {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, QColor(0x5c, 0x63, 0x70));
    return palette;
}

QString Theme::styleSheet() const
{
    const QString panelColor = css(panel());
    const QString border = css(panelBorder());
    QStringList rules;
    rules << u"QFrame#runBar, QFrame#breakerCard { background: %1; border: 1px solid %2;"
             u" border-radius: %3px; }"_s.arg(panelColor, border)
                 .arg(px(6));
    rules << u"QLabel[role=\"caption\"] { color: %1; }"_s.arg(css(mutedText()));
    rules << u"QPushButton#startButton:enabled { background: #1f7a45; color: white; }"_s;
    rules << u"QPushButton#stopButton:enabled { background: #a3322a; color: white; }"_s;
    rules << u"QProgressBar { background: #262a33; border: none; border-radius: %1px;"
             u" color: %2; text-align: center; }"_s.arg(px(4))
                 .arg(css(text()));
    rules << u"QProgressBar::chunk { background: #4ea1ff; border-radius: %1px; }"_s.arg(px(4));
    rules << u"QToolTip { color: #111; background: #fffbe6; border: 1px solid #c9b458; }"_s;
    return rules.join(QLatin1Char('\n'));
}

} // namespace breakwater::ui

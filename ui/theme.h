#pragma once

#include "breaker/breakerstate.h"
#include "common/errorclass.h"
#include "errors/classifiederror.h"

#include <QColor>
#include <QFont>
#include <QPalette>
#include <QString>

namespace breakwater::ui {

/// Colours, type sizes and line widths of the dashboard: one value handed to every widget
/// through its constructor, so `--presenter` changes the whole window in one place.
/// Dark background, saturated colours: readable on a projector from the back of a room.
class Theme final {
public:
    /// The normal theme, or with `presenter` large type and thick lines, `presenterScale`
    /// times the normal size.
    explicit Theme(bool presenter = false, double presenterScale = kPresenterScale);

    static constexpr double kPresenterScale = 1.45;
    /// The presenter scale that still fits a screen `width` pixels wide: the whole window
    /// needs about 1,050 pixels at scale 1 (1,280 px projectors get about 1.2, 1,920 px 1.6).
    static double presenterScaleFor(int width);

    bool presenter() const { return m_presenter; }
    /// Multiplies every font size and line width (1 normally, about 1.4 for presenters).
    double scale() const { return m_scale; }
    /// A font `points` points high (before scaling), bold or not.
    QFont font(double points, bool bold = false) const;
    /// A font for secondary text (legends): grows less than the main type in presenter mode,
    /// so that legends keep their words on a crowded chart.
    QFont secondaryFont(double points) const;
    /// Width of a data line in a chart.
    double lineWidth() const { return m_lineWidth; }
    /// Pixel size scaled for the mode (margins, badges).
    int px(int pixels) const;

    QColor window() const { return QColor(0x12, 0x14, 0x19); }
    QColor panel() const { return QColor(0x1c, 0x1f, 0x26); }
    QColor panelBorder() const { return QColor(0x2e, 0x33, 0x3d); }
    QColor text() const { return QColor(0xe8, 0xea, 0xee); }
    QColor mutedText() const { return QColor(0x9a, 0xa3, 0xb2); }
    QColor grid() const { return QColor(0x33, 0x38, 0x44); }
    QColor alert() const { return QColor(0xd9, 0x2d, 0x20); }
    QColor marker() const { return QColor(0xf5, 0xf5, 0xf5); }
    QColor threshold() const { return QColor(0xff, 0x5a, 0x4e); }

    /// Closed green, half-open amber, open red, forced open purple, forced closed blue.
    static QColor stateColor(BreakerState state);
    /// "CLOSED", "HALF-OPEN", "OPEN", "FORCED OPEN", "FORCED CLOSED".
    static QString stateLabel(BreakerState state);
    /// The colour of answer source `source` (a model at chain position `modelIndex`, or
    /// "cache" / "degraded" with modelIndex -1). Never green or red: those mean state.
    static QColor sourceColor(const QString &source, int modelIndex);
    static QColor modelColor(int modelIndex);
    static QColor delaySourceColor(DelaySource source);
    /// A colour as "#rrggbb" for style sheets.
    static QString css(const QColor &color);

    /// A dark palette for the whole application (panels of other authors included).
    QPalette palette() const;
    /// The style sheet of the dashboard's own framed widgets (run bar, breaker cards).
    QString styleSheet() const;

private:
    bool m_presenter;
    double m_scale;
    double m_lineWidth;
};

} // namespace breakwater::ui

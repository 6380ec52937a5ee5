#pragma once

#include "common/errorclass.h"

#include <QColor>
#include <QString>

class QFont;
class QWidget;

namespace breakwater::ui::panels {

/// How much larger presenter mode makes a panel's text than the application font.
inline constexpr qreal kPresenterScale = 1.5;

/// Presenter mode on: the application font scaled by kPresenterScale, set on `widget`.
/// Off: the widget's own font is dropped, so it inherits its parent's again.
void applyPresenterFont(QWidget *widget, bool presenter);

/// `base` scaled by `factor` (point or pixel size, whichever it has), optionally bold.
QFont scaledFont(const QFont &base, qreal factor, bool bold = false);

/// The colour an attempt outcome is drawn in: green success, orange for retryable errors,
/// red for errors that end a model's turn, grey for attempts never sent.
QColor outcomeColor(Outcome outcome);

/// Whether `text` looks like an API key (`sk-…`, `sk_…`, `AIza…`): configs name environment
/// variables and must never carry one.
bool looksLikeSecret(const QString &text);
/// `text` with every key-like token replaced by a masked form (`sk-•••`), for anything a
/// panel displays that came from user input.
QString maskSecrets(const QString &text);

/// Seconds with millisecond precision, "1.234 s".
QString formatSeconds(qint64 milliseconds);

} // namespace breakwater::ui::panels

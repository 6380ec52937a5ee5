#include "panelstyle.h"

#include <QApplication>
#include <QFont>
#include <QRegularExpression>
#include <QWidget>

using namespace Qt::StringLiterals;

namespace breakwater::ui::panels {
namespace {

// Prefixes of the key formats people paste most (OpenAI and Anthropic `sk-…`, Stripe-like
// `sk_…`, Google `AIza…`), followed by enough key characters to not be an ordinary word.
const QRegularExpression &secretPattern()
{
    static const QRegularExpression pattern(u"\\b(sk[-_]|AIza)[A-Za-z0-9_\\-]{6,}"_s);
    return pattern;
}

} // namespace

void applyPresenterFont(QWidget *widget, bool presenter)
{
    if (presenter)
        widget->setFont(scaledFont(QApplication::font(), kPresenterScale));
    else
        widget->setFont(QFont());
}

QFont scaledFont(const QFont &base, qreal factor, bool bold)
{
    QFont font = base;
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    else if (font.pixelSize() > 0)
        font.setPixelSize(qRound(font.pixelSize() * factor));
    if (bold)
        font.setBold(true);
    return font;
}

QColor outcomeColor(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Success:
        return QColor(0x2e, 0x7d, 0x32);
    case Outcome::RateLimited:
    case Outcome::Overloaded:
    case Outcome::ServerError:
    case Outcome::Timeout:
    case Outcome::Connection:
    case Outcome::Malformed:
        return QColor(0xe0, 0x6c, 0x00);
    case Outcome::ContentFilter:
    case Outcome::ContextOverflow:
    case Outcome::Auth:
    case Outcome::BadRequest:
        return QColor(0xc6, 0x28, 0x28);
    case Outcome::ShortCircuited:
    case Outcome::BulkheadFull:
    case Outcome::Cancelled:
        return QColor(0x75, 0x75, 0x75);
    }
    return QColor(0x75, 0x75, 0x75);
}

bool looksLikeSecret(const QString &text)
{
    return secretPattern().match(text).hasMatch();
}

QString maskSecrets(const QString &text)
{
    QString masked = text;
    masked.replace(secretPattern(), u"\\1•••"_s);
    return masked;
}

QString formatSeconds(qint64 milliseconds)
{
    return QString::number(static_cast<double>(milliseconds) / 1000.0, 'f', 3) + u" s"_s;
}

} // namespace breakwater::ui::panels

#pragma once

#include "engine/contextpolicy.h"

#include <QString>

namespace breakwater {

/// Breakwater's token estimate: one token per four characters, rounded up. The chaos server
/// counts the same way, so a truncation sized by it fits the simulated window.
int estimateTokens(const QString &text);

/// The marker put where text was cut out.
inline const QString kTruncationMarker = QStringLiteral("\n[…]\n");

/// Cuts `prompt` to at most `maxChars` characters (marker included), keeping its head, its
/// tail, or both halves. Never splits a surrogate pair. Returns the prompt unchanged when it
/// already fits.
QString truncateToChars(const QString &prompt, int maxChars, KeepPart keep);

/// How many characters of `prompt` to keep so that it fits `limitTokens`: scaled by the
/// server's own count when known (`promptTokens`), by the estimate otherwise, with a 5 %
/// margin because token counts are not proportional to characters.
int truncationTarget(const QString &prompt, int limitTokens, int promptTokens);

} // namespace breakwater

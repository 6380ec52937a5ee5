#include "truncation.h"

#include <algorithm>
#include <cmath>

namespace breakwater {
namespace {

/// Moves a cut position off the middle of a surrogate pair.
int safeCut(const QString &text, int position)
{
    if (position > 0 && position < text.size() && text.at(position).isLowSurrogate())
        return position - 1;
    return position;
}

/// Where the last `tailChars` characters begin, moved forward off a surrogate pair's middle.
int tailStart(const QString &text, int tailChars)
{
    int start = static_cast<int>(text.size()) - tailChars;
    if (start > 0 && start < text.size() && text.at(start).isLowSurrogate())
        ++start;
    return start;
}

} // namespace

int estimateTokens(const QString &text)
{
    return static_cast<int>((text.size() + 3) / 4);
}

QString truncateToChars(const QString &prompt, int maxChars, KeepPart keep)
{
    if (prompt.size() <= maxChars)
        return prompt;
    const int budget = std::max(0, maxChars - static_cast<int>(kTruncationMarker.size()));
    switch (keep) {
    case KeepPart::Head:
        return prompt.left(safeCut(prompt, budget)) + kTruncationMarker;
    case KeepPart::Tail:
        return kTruncationMarker + prompt.mid(tailStart(prompt, budget));
    case KeepPart::HeadTail: {
        const int headChars = safeCut(prompt, budget / 2);
        return prompt.left(headChars) + kTruncationMarker +
               prompt.mid(tailStart(prompt, budget - headChars));
    }
    }
    return prompt;
}

int truncationTarget(const QString &prompt, int limitTokens, int promptTokens)
{
    const double tokens = promptTokens > 0 ? promptTokens : estimateTokens(prompt);
    if (tokens <= 0 || limitTokens <= 0)
        return 0;
    const double ratio = std::min(1.0, static_cast<double>(limitTokens) / tokens);
    return static_cast<int>(std::floor(static_cast<double>(prompt.size()) * ratio * 0.95));
}

} // namespace breakwater

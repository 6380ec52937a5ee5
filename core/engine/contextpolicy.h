#pragma once

#include <QString>

#include <optional>

namespace breakwater {

/// What to do when a model says the prompt is longer than its window.
enum class OverflowAction {
    Truncate,  ///< cut the prompt to fit and try the same model once more
    NextModel, ///< skip to the next model in the chain whose window is larger
    Fail,      ///< treat it as a non-retryable error of this model
};

/// Which part of an over-long prompt survives truncation.
enum class KeepPart { Head, Tail, HeadTail };

QString overflowActionName(OverflowAction action);
std::optional<OverflowAction> overflowActionFromName(const QString &name);
QString keepPartName(KeepPart keep);
std::optional<KeepPart> keepPartFromName(const QString &name);

/// Config `context`.
struct ContextPolicy {
    OverflowAction onOverflow = OverflowAction::Truncate;
    KeepPart keep = KeepPart::HeadTail;
};

} // namespace breakwater

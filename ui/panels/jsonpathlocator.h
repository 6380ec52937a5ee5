#pragma once

#include <QHash>
#include <QString>
#include <optional>

namespace breakwater::ui::panels {

/// Where a JSON path's text is: the member's key (with its quotes), or an array item's
/// value, or the whole document for the root.
struct JsonTextSpan {
    qsizetype start = 0;
    qsizetype length = 0;
};

/// `parent.key`, or `parent["key"]` when the key is not identifier-like: the path form
/// of ValidationError (the config loader's JsonReader spells paths the same way).
QString jsonMemberPath(const QString &parent, const QString &key);
/// `parent[index]`.
QString jsonItemPath(const QString &parent, qsizetype index);

/// Every JSON path of `text` and where it is written. Tolerant: text after a syntax error
/// is not indexed, what came before is.
QHash<QString, JsonTextSpan> indexJsonPaths(const QString &text);

/// Where `path` is written in `text`; a path not found (a missing field, a path past a
/// syntax error) falls back to its nearest ancestor that is. nullopt when none is.
std::optional<JsonTextSpan> locateJsonPath(const QString &text, const QString &path);

} // namespace breakwater::ui::panels

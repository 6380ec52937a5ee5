#pragma once

#include "config/config.h"

#include <QList>
#include <QString>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater {

/// One problem in an input file: `file: path: message`, path in the form
/// `chain[1].max_tokens` (SPEC.md section 2).
struct ValidationError {
    QString file;
    QString path;
    QString message;

    QString toString() const;
};

/// Parses and validates a config (SPEC.md section 5). Every field is optional and takes the
/// documented default; unknown fields, wrong types and out-of-range values are errors naming
/// their JSON path. Collects every problem rather than stopping at the first.
struct ConfigParseResult {
    std::optional<Config> config;
    QList<ValidationError> errors;
};
ConfigParseResult parseConfig(const nlohmann::json &json, const QString &fileLabel);

/// Reads a file and parses it; unreadable files and JSON syntax errors become errors too
/// (with line and column).
ConfigParseResult loadConfigFile(const QString &path);

/// Reads a JSON file into `json`; on failure returns the error (file, empty path, what
/// went wrong, with line/column for syntax errors and for nesting deeper than kMaxJsonDepth).
std::optional<ValidationError> readJsonFile(const QString &path, nlohmann::json &json);

/// The deepest nesting of arrays and objects any JSON input may have: far beyond any real
/// config, scenario, profile or job, and far below what the recursive parts of nlohmann
/// (copy, dump) and mergePatch need to stay on the stack.
inline constexpr int kMaxJsonDepth = 100;

/// Whether `value` nests arrays or objects more than `maxDepth` levels deep. Iterative, so it
/// is safe on any parsed input; check before copying or merging a value from outside.
bool isNestedDeeperThan(const nlohmann::json &value, int maxDepth = kMaxJsonDepth);

/// The message of a value nested too deep ("nested deeper than 100 levels").
QString tooDeepMessage(int maxDepth = kMaxJsonDepth);

/// RFC 7396 merge patch: `overlay` merged over `base` (objects merge, null deletes,
/// everything else replaces). Used for a scenario's `config` over the base config.
nlohmann::json mergePatch(nlohmann::json base, const nlohmann::json &overlay);

/// The built-in default config (resources/config/default.json, compiled in).
nlohmann::json defaultConfigJson();

} // namespace breakwater

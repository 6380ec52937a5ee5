#pragma once

#include "common/clock.h"
#include "common/enumnames.h"
#include "config/configloader.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater {

/// The interval a number must fall in. Bounds are inclusive unless marked exclusive; an
/// unset bound is infinite. `Range{0, 3600}` is [0, 3600].
struct Range {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool minExclusive = false;
    bool maxExclusive = false;

    /// [min, max].
    static constexpr Range between(double min, double max) { return Range{min, max}; }
    /// [min, max], max defaulting to infinity.
    static constexpr Range atLeast(double min, double max = std::numeric_limits<double>::infinity())
    {
        return Range{min, max};
    }
    /// (min, max]: for durations and rates that must be strictly positive.
    static constexpr Range above(double min, double max = std::numeric_limits<double>::infinity())
    {
        return Range{min, max, true, false};
    }
};

/// A year in seconds: far beyond any sane timeout or TTL, and far below what would overflow
/// Millis, so it is the upper bound for every duration read from JSON.
inline constexpr double kMaxSeconds = 365.0 * 24 * 3600;

/// What a string field accepts.
enum class StringRule { Any, NonEmpty };

/// "a, b or c": the alternatives of an error message.
QString joinAlternatives(const QStringList &names);

/// Walks one JSON object (SPEC.md section 2's error style), tracking the JSON path
/// (`chain[1].max_tokens`) and collecting every problem as a ValidationError instead of
/// stopping at the first, so a user sees all mistakes of a file at once.
///
/// Every getter reads an optional field: an absent key gives the fallback and no error; a
/// present key of the wrong type or out of range adds an error and also gives the fallback,
/// so parsing can go on. null is a wrong type, not "absent". Every key passed to a getter
/// counts as known; finish() reports the others as unknown fields (usually typos).
///
/// The reader refers to the JSON value and the error list given to it: both must outlive it.
class JsonReader final {
public:
    /// Reads `value` (normally an object) found at `path` ("" for the top level) in the file
    /// labelled `file`, appending problems to `errors`.
    JsonReader(const nlohmann::json &value, QString file, QList<ValidationError> &errors,
               QString path = {});
    JsonReader(const JsonReader &) = delete;
    JsonReader &operator=(const JsonReader &) = delete;

    /// Whether the value read is a JSON object (a top-level caller reports it if not).
    bool isObject() const { return m_value.is_object(); }
    /// The value read, as given.
    const nlohmann::json &json() const { return m_value; }
    /// This value's JSON path, "" at the top level.
    const QString &path() const { return m_path; }
    /// The path of field `key` of this object: `retry.max_s`, `models["*"]`.
    QString pathOf(std::string_view key) const;
    /// The file label the errors carry.
    const QString &file() const { return m_file; }

    /// Whether `key` is present (null included). Does not mark the key as known.
    bool has(std::string_view key) const;
    /// Reports "missing required field 'key'" when `key` is absent; returns whether present.
    bool require(std::string_view key);

    /// A finite number in `range`; "must be a number", "must be a number >= 0".
    double number(std::string_view key, double fallback, Range range = {});
    /// A whole number in `range` (clamped to int's limits). 2.0 counts as 2; 1.5, "2" and
    /// true do not: "must be an integer", "must be an integer >= 1".
    int integer(std::string_view key, int fallback, Range range = {});
    /// As integer(), for 64-bit values such as seeds (exact up to 2^53 when given as 2.0e3).
    qint64 integer64(std::string_view key, qint64 fallback, Range range = {});
    /// A duration given in seconds, in `range` (seconds), rounded to whole milliseconds.
    Millis seconds(std::string_view key, Millis fallback, Range range = Range{0, kMaxSeconds});
    /// true or false; numbers and strings are not booleans: "must be true or false".
    bool boolean(std::string_view key, bool fallback);
    /// A string: "must be a string", or "must be a non-empty string" under NonEmpty.
    QString string(std::string_view key, const QString &fallback = {},
                   StringRule rule = StringRule::Any);
    /// An array of strings, each following `rule`; errors name the item (`tags[2]`).
    QStringList strings(std::string_view key, const QStringList &fallback = {},
                        StringRule rule = StringRule::Any);

    /// One of the names of an EnumNames table: "must be one of a, b or c".
    template <typename Enum, std::size_t N>
    Enum enumValue(std::string_view key, Enum fallback, const EnumNames<Enum, N> &names);
    /// One of `values`, spelled as `nameOf` spells them (for enums whose EnumNames table is
    /// private to its .cpp and exposed only as name/fromName functions).
    template <typename Enum>
    Enum enumValue(std::string_view key, Enum fallback, std::initializer_list<Enum> values,
                   QString (*nameOf)(Enum));

    /// Reads the object at `key` with `read`, then reports its unknown fields. Returns false
    /// (and reads nothing) when the key is absent or not an object ("must be an object").
    bool object(std::string_view key, const std::function<void(JsonReader &)> &read);
    /// Reads each item of the array at `key`, each an object read by `read(index, item)` and
    /// then checked for unknown fields. Returns false when the key is absent, not an array
    /// ("must be an array") or shorter than `minItems` ("must be a non-empty array").
    bool array(std::string_view key, const std::function<void(int, JsonReader &)> &read,
               int minItems = 0);
    /// Reads the object at `key` as a map: `read(name, entry)` for each member, each an
    /// object then checked for unknown fields (as `providers` or a profile's `models`).
    bool members(std::string_view key,
                 const std::function<void(const QString &, JsonReader &)> &read);
    /// The value at `key` as given, or nullptr when absent; marks the key as known (for
    /// fields another parser handles, as a scenario's `config`).
    const nlohmann::json *raw(std::string_view key);

    /// Adds a problem at field `key` (for checks no getter makes, such as cross-field ones).
    void fieldError(std::string_view key, const QString &message);
    /// Adds a problem at this value's own path.
    void error(const QString &message);

    /// Reports every field of this object that no getter asked about: "unknown field
    /// 'max_attempt' (did you mean 'max_attempts'?)", the suggestion offered when a known
    /// key is a small edit away. Reports once, however often it is called.
    void finish();

private:
    const nlohmann::json *find(std::string_view key);
    void markKnown(std::string_view key);
    std::optional<double> numberValue(std::string_view key, const QString &kindName, bool integral,
                                      Range range);
    std::optional<QString> choiceText(std::string_view key, const QString &allowed);

    const nlohmann::json &m_value;
    QString m_file;
    QList<ValidationError> &m_errors;
    QString m_path;
    std::vector<std::string> m_known;
    bool m_finished = false;
};

template <typename Enum, std::size_t N>
Enum JsonReader::enumValue(std::string_view key, Enum fallback, const EnumNames<Enum, N> &names)
{
    const QString allowed = names.allowedList();
    const std::optional<QString> text = choiceText(key, allowed);
    if (!text)
        return fallback;
    if (const std::optional<Enum> value = names.value(*text))
        return *value;
    fieldError(key, QStringLiteral("must be one of ") + allowed);
    return fallback;
}

template <typename Enum>
Enum JsonReader::enumValue(std::string_view key, Enum fallback, std::initializer_list<Enum> values,
                           QString (*nameOf)(Enum))
{
    QStringList names;
    for (Enum value : values)
        names.append(nameOf(value));
    const QString allowed = joinAlternatives(names);
    const std::optional<QString> text = choiceText(key, allowed);
    if (!text)
        return fallback;
    for (Enum value : values) {
        if (nameOf(value) == *text)
            return value;
    }
    fieldError(key, QStringLiteral("must be one of ") + allowed);
    return fallback;
}

} // namespace breakwater

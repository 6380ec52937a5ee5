#include "jsonreader.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace breakwater {
namespace {

// Paths use dotted names for identifier-like keys (including dashes, as model names have)
// and a quoted subscript otherwise, so that `models["*"]` or `models["gpt-4.1"]` stays
// unambiguous.
bool isPlainKey(const QString &key)
{
    if (key.isEmpty() || !(key.front().isLetter() || key.front() == u'_'))
        return false;
    return std::all_of(key.cbegin(), key.cend(), [](QChar c) {
        return (c.unicode() < 128 && c.isLetterOrNumber()) || c == u'_' || c == u'-';
    });
}

QString quoted(const QString &key)
{
    QString escaped = key;
    escaped.replace(u'\\', QStringLiteral("\\\\"));
    escaped.replace(u'"', QStringLiteral("\\\""));
    return u'"' + escaped + u'"';
}

QString fromKey(std::string_view key)
{
    return QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
}

QString withIndex(const QString &path, std::size_t index)
{
    return path + u'[' + QString::number(index) + u']';
}

QString formatNumber(double value)
{
    // Whole bounds print whole: "<= 9007199254740992", not "<= 9.00719925474099e+15".
    if (std::trunc(value) == value && std::fabs(value) < 1e18)
        return QString::number(static_cast<qint64>(value));
    return QString::number(value, 'g', 15);
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-blind:
// "retyr" is one step from "retry", "Max_Attempts" none from "max_attempts".
int editDistance(const QString &a, const QString &b)
{
    const QString x = a.toLower();
    const QString y = b.toLower();
    const qsizetype n = x.size();
    const qsizetype m = y.size();
    std::vector<std::vector<int>> d(static_cast<std::size_t>(n + 1),
                                    std::vector<int>(static_cast<std::size_t>(m + 1)));
    const auto at = [&d](qsizetype i, qsizetype j) -> int & {
        return d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    };
    for (qsizetype i = 0; i <= n; ++i)
        at(i, 0) = static_cast<int>(i);
    for (qsizetype j = 0; j <= m; ++j)
        at(0, j) = static_cast<int>(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = x[i - 1] == y[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
        }
    }
    return at(n, m);
}

// Close enough to be a typo: at most two edits, and no more than a third of the longer
// name, so that short keys are not "corrected" into unrelated ones.
bool isLikelyTypo(int distance, const QString &a, const QString &b)
{
    return distance <= 2 && 3 * distance <= std::max(a.size(), b.size());
}

QString rangeViolation(double value, const Range &range)
{
    if (range.minExclusive ? !(value > range.min) : !(value >= range.min))
        return (range.minExclusive ? QStringLiteral(" > ") : QStringLiteral(" >= ")) +
               formatNumber(range.min);
    if (range.maxExclusive ? !(value < range.max) : !(value <= range.max))
        return (range.maxExclusive ? QStringLiteral(" < ") : QStringLiteral(" <= ")) +
               formatNumber(range.max);
    return QString();
}

Range clampedTo(Range range, double low, double high)
{
    if (range.min < low) {
        range.min = low;
        range.minExclusive = false;
    }
    if (range.max > high) {
        range.max = high;
        range.maxExclusive = false;
    }
    return range;
}

} // namespace

QString joinAlternatives(const QStringList &names)
{
    QString list;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            list += (i + 1 == names.size()) ? QStringLiteral(" or ") : QStringLiteral(", ");
        list += names.at(i);
    }
    return list;
}

JsonReader::JsonReader(const nlohmann::json &value, QString file, QList<ValidationError> &errors,
                       QString path)
    : m_value(value), m_file(std::move(file)), m_errors(errors), m_path(std::move(path))
{}

QString JsonReader::pathOf(std::string_view key) const
{
    const QString name = fromKey(key);
    if (!isPlainKey(name))
        return m_path + u'[' + quoted(name) + u']';
    return m_path.isEmpty() ? name : m_path + u'.' + name;
}

bool JsonReader::has(std::string_view key) const
{
    return m_value.is_object() && m_value.find(std::string(key)) != m_value.end();
}

bool JsonReader::require(std::string_view key)
{
    if (has(key))
        return true;
    error(QStringLiteral("missing required field '") + fromKey(key) + u'\'');
    return false;
}

void JsonReader::markKnown(std::string_view key)
{
    if (std::find(m_known.cbegin(), m_known.cend(), key) == m_known.cend())
        m_known.emplace_back(key);
}

const nlohmann::json *JsonReader::find(std::string_view key)
{
    markKnown(key);
    if (!m_value.is_object())
        return nullptr;
    const auto it = m_value.find(std::string(key));
    return it == m_value.end() ? nullptr : &*it;
}

std::optional<double> JsonReader::numberValue(std::string_view key, const QString &kindName,
                                              bool integral, Range range)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return std::nullopt;
    // is_number() is false for booleans, so true never passes as 1.
    if (!value->is_number()) {
        fieldError(key, QStringLiteral("must be ") + kindName);
        return std::nullopt;
    }
    const double number = value->get<double>();
    if (!std::isfinite(number)) {
        fieldError(key, QStringLiteral("must be a finite number"));
        return std::nullopt;
    }
    if (integral && std::trunc(number) != number) {
        fieldError(key, QStringLiteral("must be ") + kindName);
        return std::nullopt;
    }
    const QString violation = rangeViolation(number, range);
    if (!violation.isEmpty()) {
        fieldError(key, QStringLiteral("must be ") + kindName + violation);
        return std::nullopt;
    }
    return number;
}

double JsonReader::number(std::string_view key, double fallback, Range range)
{
    return numberValue(key, QStringLiteral("a number"), false, range).value_or(fallback);
}

int JsonReader::integer(std::string_view key, int fallback, Range range)
{
    const Range limits =
        clampedTo(range, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    const std::optional<double> value =
        numberValue(key, QStringLiteral("an integer"), true, limits);
    return value ? static_cast<int>(*value) : fallback;
}

qint64 JsonReader::integer64(std::string_view key, qint64 fallback, Range range)
{
    // The largest doubles below ±2^63, so the cast below can never overflow.
    const Range limits = clampedTo(range, -9223372036854774784.0, 9223372036854774784.0);
    const nlohmann::json *value = find(key);
    const std::optional<double> number =
        numberValue(key, QStringLiteral("an integer"), true, limits);
    if (!number)
        return fallback;
    // Integers within range are read exactly, not through a double.
    if (value->is_number_integer())
        return value->get<qint64>();
    return static_cast<qint64>(*number);
}

Millis JsonReader::seconds(std::string_view key, Millis fallback, Range range)
{
    const std::optional<double> value = numberValue(key, QStringLiteral("a number"), false, range);
    return value ? fromSeconds(*value) : fallback;
}

bool JsonReader::boolean(std::string_view key, bool fallback)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    if (!value->is_boolean()) {
        fieldError(key, QStringLiteral("must be true or false"));
        return fallback;
    }
    return value->get<bool>();
}

QString JsonReader::string(std::string_view key, const QString &fallback, StringRule rule)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    const bool nonEmpty = rule == StringRule::NonEmpty;
    if (!value->is_string() || (nonEmpty && value->get_ref<const std::string &>().empty())) {
        fieldError(key, nonEmpty ? QStringLiteral("must be a non-empty string")
                                 : QStringLiteral("must be a string"));
        return fallback;
    }
    return QString::fromStdString(value->get_ref<const std::string &>());
}

QStringList JsonReader::strings(std::string_view key, const QStringList &fallback, StringRule rule)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    const bool nonEmpty = rule == StringRule::NonEmpty;
    const QString itemKind =
        nonEmpty ? QStringLiteral("a non-empty string") : QStringLiteral("a string");
    if (!value->is_array()) {
        fieldError(key, QStringLiteral("must be an array of strings"));
        return fallback;
    }
    QStringList result;
    bool valid = true;
    const QString base = pathOf(key);
    for (std::size_t i = 0; i < value->size(); ++i) {
        const nlohmann::json &item = (*value)[i];
        if (!item.is_string() || (nonEmpty && item.get_ref<const std::string &>().empty())) {
            m_errors.append({m_file, withIndex(base, i), QStringLiteral("must be ") + itemKind});
            valid = false;
            continue;
        }
        result.append(QString::fromStdString(item.get_ref<const std::string &>()));
    }
    return valid ? result : fallback;
}

std::optional<QString> JsonReader::choiceText(std::string_view key, const QString &allowed)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return std::nullopt;
    if (!value->is_string()) {
        fieldError(key, QStringLiteral("must be one of ") + allowed);
        return std::nullopt;
    }
    return QString::fromStdString(value->get_ref<const std::string &>());
}

bool JsonReader::object(std::string_view key, const std::function<void(JsonReader &)> &read)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return false;
    if (!value->is_object()) {
        fieldError(key, QStringLiteral("must be an object"));
        return false;
    }
    JsonReader child(*value, m_file, m_errors, pathOf(key));
    read(child);
    child.finish();
    return true;
}

bool JsonReader::array(std::string_view key, const std::function<void(int, JsonReader &)> &read,
                       int minItems)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return false;
    if (!value->is_array()) {
        fieldError(key, QStringLiteral("must be an array"));
        return false;
    }
    const QString base = pathOf(key);
    for (std::size_t i = 0; i < value->size(); ++i) {
        JsonReader item((*value)[i], m_file, m_errors, withIndex(base, i));
        if (!item.isObject()) {
            item.error(QStringLiteral("must be an object"));
            continue;
        }
        read(static_cast<int>(i), item);
        item.finish();
    }
    if (value->size() < static_cast<std::size_t>(std::max(minItems, 0))) {
        fieldError(key, minItems == 1
                            ? QStringLiteral("must be a non-empty array")
                            : QStringLiteral("must have at least %1 items").arg(minItems));
        return false;
    }
    return true;
}

bool JsonReader::members(std::string_view key,
                         const std::function<void(const QString &, JsonReader &)> &read)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return false;
    if (!value->is_object()) {
        fieldError(key, QStringLiteral("must be an object"));
        return false;
    }
    // A throwaway reader only to spell the member paths.
    const JsonReader map(*value, m_file, m_errors, pathOf(key));
    for (auto it = value->begin(); it != value->end(); ++it) {
        JsonReader entry(it.value(), m_file, m_errors, map.pathOf(it.key()));
        if (!it.value().is_object()) {
            entry.error(QStringLiteral("must be an object"));
            continue;
        }
        read(QString::fromStdString(it.key()), entry);
        entry.finish();
    }
    return true;
}

const nlohmann::json *JsonReader::raw(std::string_view key)
{
    return find(key);
}

void JsonReader::fieldError(std::string_view key, const QString &message)
{
    m_errors.append({m_file, pathOf(key), message});
}

void JsonReader::error(const QString &message)
{
    m_errors.append({m_file, m_path, message});
}

void JsonReader::finish()
{
    if (m_finished || !m_value.is_object())
        return;
    m_finished = true;
    for (auto it = m_value.begin(); it != m_value.end(); ++it) {
        if (std::find(m_known.cbegin(), m_known.cend(), it.key()) != m_known.cend())
            continue;
        const QString unknown = QString::fromStdString(it.key());
        QString message = QStringLiteral("unknown field '") + unknown + u'\'';
        // Suggest only keys the object lacks: pointing at a key the user also wrote helps
        // no one.
        QString best;
        int bestDistance = std::numeric_limits<int>::max();
        for (const std::string &known : m_known) {
            if (m_value.contains(known))
                continue;
            const QString candidate = QString::fromStdString(known);
            const int distance = editDistance(unknown, candidate);
            if (distance < bestDistance && isLikelyTypo(distance, unknown, candidate)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (!best.isEmpty())
            message += QStringLiteral(" (did you mean '") + best + QStringLiteral("'?)");
        error(message);
    }
}

} // namespace breakwater

#pragma once

// JsonView against nlohmann::json, the reference it must agree with: the same documents
// accepted, and the same values read from them. Two deliberate differences: unpaired surrogate
// escapes, which only JsonView accepts (withLoneSurrogatesReplaced), and NUL bytes, at which
// nlohmann stops reading as if the input ended and which JsonView refuses. Shared by fuzz_jsonview and tst_jsonview.

#include "providers/jsonview.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace breakwater::jsonviewdiff {

inline std::string describeKind(JsonView::Kind kind)
{
    static const char *const names[] = {"null", "false", "true", "number",
                                        "string", "array", "object"};
    return names[static_cast<int>(kind)];
}

inline bool sameKind(JsonView::Kind kind, const nlohmann::json &value)
{
    switch (kind) {
    case JsonView::Kind::Null:
        return value.is_null();
    case JsonView::Kind::False:
        return value.is_boolean() && !value.get<bool>();
    case JsonView::Kind::True:
        return value.is_boolean() && value.get<bool>();
    case JsonView::Kind::Number:
        return value.is_number();
    case JsonView::Kind::String:
        return value.is_string();
    case JsonView::Kind::Array:
        return value.is_array();
    case JsonView::Kind::Object:
        return value.is_object();
    }
    return false;
}

/// The string as UTF-8, each unpaired surrogate as U+FFFD (what nlohmann reads in its place
/// once withLoneSurrogatesReplaced has rewritten the escape).
inline std::string utf8(const QString &text)
{
    QString normalized = text;
    for (qsizetype i = 0; i < normalized.size(); ++i) {
        const QChar c = normalized.at(i);
        if (c.isHighSurrogate() && i + 1 < normalized.size() && normalized.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            normalized[i] = QChar(0xFFFD);
    }
    return normalized.toStdString();
}

/// Where the value at `index` differs from `expected`; empty when they agree.
inline std::string compare(const JsonView &view, JsonView::Index index,
                           const nlohmann::json &expected, const std::string &path)
{
    const JsonView::Kind kind = view.kind(index);
    if (!sameKind(kind, expected))
        return path + ": JsonView reads " + describeKind(kind) + ", nlohmann " +
               expected.type_name();
    switch (kind) {
    case JsonView::Kind::Number:
        if (*view.number(index) != expected.get<double>())
            return path + ": numbers differ";
        return {};
    case JsonView::Kind::String:
        if (utf8(*view.string(index)) != expected.get<std::string>())
            return path + ": strings differ";
        return {};
    case JsonView::Kind::Array: {
        std::size_t i = 0;
        for (JsonView::Index element = view.first(index); element != JsonView::kNone;
             element = view.next(element), ++i) {
            if (i >= expected.size())
                return path + ": JsonView has more elements";
            if (std::string d = compare(view, element, expected[i], path + "[" + std::to_string(i) + "]");
                !d.empty())
                return d;
        }
        return i == expected.size() ? std::string() : path + ": JsonView has fewer elements";
    }
    case JsonView::Kind::Object: {
        // Both keep the last of repeated keys.
        std::set<std::string> keys;
        for (JsonView::Index key = view.first(index); key != JsonView::kNone;
             key = view.next(view.next(key))) {
            const std::string name = utf8(*view.string(key));
            keys.insert(name);
            JsonView::Index last = view.next(key);
            for (JsonView::Index later = view.next(last); later != JsonView::kNone;
                 later = view.next(view.next(later))) {
                if (utf8(*view.string(later)) == name)
                    last = view.next(later);
            }
            const auto found = expected.find(name);
            if (found == expected.end())
                return path + ": nlohmann lacks member " + name;
            if (std::string d = compare(view, last, *found, path + "." + name); !d.empty())
                return d;
        }
        return keys.size() == expected.size() ? std::string()
                                              : path + ": member counts differ";
    }
    default:
        return {};
    }
}

/// `text` with each unpaired surrogate escape written as \ufffd: the one thing JsonView
/// accepts (keeping the code unit, as JSON.parse does) and nlohmann refuses. A lone surrogate
/// becomes U+FFFD in UTF-8, so the two then read the same strings.
inline std::string withLoneSurrogatesReplaced(QByteArrayView text)
{
    std::string out(text.data(), static_cast<std::size_t>(text.size()));
    auto unitAt = [&out](std::size_t at) -> int {
        if (at + 6 > out.size() || out[at] != '\\' || out[at + 1] != 'u')
            return -1;
        bool ok = false;
        const int unit = QByteArrayView(out.data() + at + 2, 4).toInt(&ok, 16);
        return ok ? unit : -1;
    };
    auto isHigh = [](int unit) { return unit >= 0xD800 && unit <= 0xDBFF; };
    auto isLow = [](int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; };
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] != '\\')
            continue;
        const int unit = unitAt(i);
        if (isHigh(unit) && isLow(unitAt(i + 6))) {
            i += 11; // a proper pair
        } else if (isHigh(unit) || isLow(unit)) {
            out.replace(i + 2, 4, "fffd");
            i += 5;
        } else {
            ++i; // any other escape: skip its second character
        }
    }
    return out;
}

/// How JsonView and nlohmann disagree about `text`; empty when they agree.
inline std::string disagreement(QByteArrayView text)
{
    const std::optional<JsonView> view = JsonView::parse(text);
    // nlohmann stops at a NUL byte as if the input ended there ("0\0garbage" reads as 0).
    // JSON never allows one unescaped, in a string or out of it, so JsonView refuses it.
    if (text.contains('\0'))
        return view ? "JsonView accepts an unescaped NUL byte" : std::string();
    const std::string reference = withLoneSurrogatesReplaced(text);
    const nlohmann::json dom = nlohmann::json::parse(reference, nullptr, /*allow_exceptions=*/false);
    if (view.has_value() == dom.is_discarded())
        return view ? "JsonView accepts what nlohmann refuses"
                    : "JsonView refuses what nlohmann accepts";
    return view ? compare(*view, view->root(), dom, "$") : std::string();
}

} // namespace breakwater::jsonviewdiff

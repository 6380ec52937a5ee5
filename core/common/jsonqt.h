#pragma once

#include <nlohmann/json.hpp>

#include <QString>

namespace breakwater {

/// A QString as a JSON string value (UTF-8).
inline nlohmann::json jsonString(const QString &text)
{
    return text.toStdString();
}

/// A JSON string as a QString; an empty string for any other JSON type.
inline QString qstringFrom(const nlohmann::json &json)
{
    return json.is_string() ? QString::fromStdString(json.get<std::string>()) : QString();
}

} // namespace breakwater

#pragma once

#include <QString>
#include <nlohmann/json.hpp>

namespace breakwater {

/// JSON as stored in a TEXT column: compact, UTF-8.
inline QString jsonText(const nlohmann::json &json)
{
    return QString::fromStdString(json.dump());
}

/// A TEXT column read back as JSON; null for an empty or damaged value (never throws).
inline nlohmann::json jsonFromText(const QString &text)
{
    if (text.isEmpty())
        return nullptr;
    nlohmann::json json = nlohmann::json::parse(text.toStdString(), nullptr, false);
    return json.is_discarded() ? nlohmann::json() : json;
}

} // namespace breakwater

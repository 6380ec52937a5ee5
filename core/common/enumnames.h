#pragma once

#include <QString>
#include <QStringView>

#include <array>
#include <optional>
#include <utility>

namespace breakwater {

/// A fixed table between an enum and its wire names (JSON, metrics labels), so that each
/// enum's names are written once and both directions agree.
template <typename Enum, std::size_t N>
class EnumNames {
public:
    constexpr explicit EnumNames(std::array<std::pair<Enum, QStringView>, N> entries)
        : m_entries(entries)
    {
    }

    QString name(Enum value) const
    {
        for (const auto &[candidate, text] : m_entries) {
            if (candidate == value)
                return text.toString();
        }
        return QString();
    }

    std::optional<Enum> value(QStringView text) const
    {
        for (const auto &[candidate, candidateText] : m_entries) {
            if (candidateText == text)
                return candidate;
        }
        return std::nullopt;
    }

    /// "a, b or c", for error messages listing the allowed names.
    QString allowedList() const
    {
        QString list;
        for (std::size_t i = 0; i < N; ++i) {
            if (i > 0)
                list += (i + 1 == N) ? QStringLiteral(" or ") : QStringLiteral(", ");
            list += m_entries[i].second.toString();
        }
        return list;
    }

private:
    std::array<std::pair<Enum, QStringView>, N> m_entries;
};

} // namespace breakwater

#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace breakwater {

/// The prompts a load run sends, in a fixed order it cycles through.
class PromptSet final {
public:
    /// "builtin:short", "builtin:long", "builtin:mixed", or a file path (one prompt per line,
    /// blank lines skipped). nullopt with `error` set when the file cannot be read or is empty.
    static std::optional<PromptSet> load(const QString &spec, QString *error = nullptr);
    static PromptSet builtinShort();
    /// Prompts of about 40,000 characters (10,000 estimated tokens): they overflow an 8,000-token
    /// window, so context-overflow handling is exercised.
    static PromptSet builtinLong();
    /// Mostly short prompts, one in five long.
    static PromptSet builtinMixed();

    explicit PromptSet(QStringList prompts) : m_prompts(std::move(prompts)) {}
    /// The `index`-th prompt, cycling.
    const QString &at(quint64 index) const;
    int size() const { return static_cast<int>(m_prompts.size()); }

private:
    QStringList m_prompts;
};

} // namespace breakwater

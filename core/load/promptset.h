#pragma once

#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <optional>

namespace breakwater {

class UniquePrompts;
struct LoadProfile;

/// The share of builtin:unique requests that repeat an earlier prompt, by default.
inline constexpr double kDefaultRepeatRate = 0.1;

/// How builtin:unique draws its prompts; the fixed sets ignore it (their prompts all repeat).
struct PromptDraw {
    std::uint64_t seed = 1;
    double repeatRate = kDefaultRepeatRate;
};

/// The prompts a load run sends (docs/formats.md, scenario `load.prompts`), request by
/// request: either a small fixed set it cycles through ("builtin:short", "builtin:long",
/// "builtin:mixed", a prompt file), whose prompts all repeat, or "builtin:unique", an endless
/// stream of distinct prompts of which a seeded share repeats an earlier one (UniquePrompts).
/// A cheap value: nothing is stored per request, however long the run.
class PromptSet final {
public:
    /// "builtin:unique", "builtin:short", "builtin:long", "builtin:mixed", or a file path
    /// (one prompt per line, blank lines skipped). nullopt with `error` set when the file
    /// cannot be read or is empty.
    static std::optional<PromptSet> load(const QString &spec, QString *error = nullptr,
                                         PromptDraw draw = {});
    /// The prompts of a scenario's `load` (its `prompts` and `repeat_rate`) for a run with
    /// `seed`.
    static std::optional<PromptSet> forLoad(const LoadProfile &load, std::uint64_t seed,
                                            QString *error = nullptr);
    static PromptSet builtinUnique(PromptDraw draw = {});
    static PromptSet builtinShort();
    /// Prompts of about 40,000 characters (10,000 estimated tokens): they overflow an 8,000-token
    /// window, so context-overflow handling is exercised.
    static PromptSet builtinLong();
    /// Mostly short prompts, one in five long.
    static PromptSet builtinMixed();

    explicit PromptSet(QStringList prompts) : m_prompts(std::move(prompts)) {}

    /// The prompt of request `index` (0 for the first): a fixed set's, cycling.
    QString at(quint64 index) const;
    /// A fixed set's number of prompts; 0 for builtin:unique, which never ends.
    int size() const { return static_cast<int>(m_prompts.size()); }
    bool isUnique() const { return m_unique != nullptr; }
    /// The seed it was made with (1 when none was given). The load generator seeds the rest
    /// of the traffic's randomness (think times) from it too, so one seed fixes the traffic.
    std::uint64_t seed() const { return m_seed; }

private:
    PromptSet() = default;

    QStringList m_prompts;
    std::shared_ptr<const UniquePrompts> m_unique;
    std::uint64_t m_seed = 1;
};

} // namespace breakwater

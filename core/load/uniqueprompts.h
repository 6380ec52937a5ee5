#pragma once

#include <QString>
#include <cstdint>
#include <memory>

namespace breakwater {

/// The prompts of `builtin:unique` (docs/formats.md, scenario `load.prompts`): requests to an
/// assistant as users write them (questions, comparisons, summaries, rewrites, translations,
/// code, letters, plans, ideas) on many subjects and of varied length, assembled from
/// templates and word lists. The prompt of a request is a pure function of the seed and the
/// request's number, so a run of any length holds none of them.
///
/// Fresh prompts are distinct: request numbers map one-to-one onto combinations of building
/// blocks, so no prompt comes back by accident in the first distinctRequests() requests (over
/// 200,000: nearly an hour and a half at 40 requests a second). A seeded share of requests
/// (`repeatRate`) repeats the prompt of one of the previous kRepeatWindow requests, as users
/// ask again what was just asked: those are the requests a response cache can answer.
class UniquePrompts final {
public:
    /// How far back a repeat reaches: within the default response cache's 512 entries, so a
    /// repeat is a prompt that cache would still hold.
    static constexpr std::uint64_t kRepeatWindow = 500;

    UniquePrompts(std::uint64_t seed, double repeatRate);
    ~UniquePrompts();
    UniquePrompts(const UniquePrompts &) = delete;
    UniquePrompts &operator=(const UniquePrompts &) = delete;

    /// The prompt request `request` (0 for the first) sends.
    QString at(std::uint64_t request) const;
    /// The request whose fresh prompt request `request` sends: itself, or for a repeat an
    /// earlier one.
    std::uint64_t origin(std::uint64_t request) const;
    /// The fresh prompt of request `request`, never a repeat.
    QString fresh(std::uint64_t request) const;
    /// How many requests get distinct fresh prompts: past this, some kind of request has
    /// used every combination of its building blocks and its prompts come round again.
    std::uint64_t distinctRequests() const;

    std::uint64_t seed() const { return m_seed; }
    double repeatRate() const { return m_repeatRate; }

private:
    struct Kinds;
    std::uint64_t m_seed;
    double m_repeatRate;
    std::unique_ptr<const Kinds> m_kinds;
};

} // namespace breakwater

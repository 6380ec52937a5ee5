#pragma once

#include <QString>
#include <QStringList>
#include <cstdint>

namespace breakwater {

/// A simulated model answer: deterministic lorem-like text derived from the prompt, the
/// model and the server's seed, cut to fit max_tokens (tokens counted as estimateTokens()).
struct AnswerText {
    QString text;
    /// The text in stream deltas (a word and the space or punctuation after it); joined,
    /// they are `text`.
    QStringList pieces;
    int outputTokens = 0;
    /// The text was cut by max_tokens (stop reason max_tokens / length).
    bool hitMaxTokens = false;
};

/// The answer to `prompt` from `model` on a server seeded `seed`: the same inputs always
/// give the same text, between 24 and 160 tokens long unless `maxTokens` is smaller.
AnswerText generateAnswerText(const QString &prompt, const QString &model, std::uint64_t seed,
                              int maxTokens);

/// SplitMix64: a small, fast, well-mixed generator for ids and text (not for faults,
/// which use the injected RandomSource).
std::uint64_t splitMix64(std::uint64_t &state);
/// FNV-1a over the UTF-16 of `text`, folded into `hash`.
std::uint64_t hashText(const QString &text, std::uint64_t hash = 0xcbf29ce484222325ULL);

} // namespace breakwater

#include "answertext.h"

#include "engine/truncation.h"

#include <array>

namespace breakwater {
namespace {

constexpr std::array<const char16_t *, 64> kWords = {
    u"lorem",      u"ipsum",        u"dolor",
    u"sit",        u"amet",         u"consectetur",
    u"adipiscing", u"elit",         u"sed",
    u"do",         u"eiusmod",      u"tempor",
    u"incididunt", u"ut",           u"labore",
    u"et",         u"dolore",       u"magna",
    u"aliqua",     u"enim",         u"ad",
    u"minim",      u"veniam",       u"quis",
    u"nostrud",    u"exercitation", u"ullamco",
    u"laboris",    u"nisi",         u"aliquip",
    u"ex",         u"ea",           u"commodo",
    u"consequat",  u"duis",         u"aute",
    u"irure",      u"in",           u"reprehenderit",
    u"voluptate",  u"velit",        u"esse",
    u"cillum",     u"fugiat",       u"nulla",
    u"pariatur",   u"excepteur",    u"sint",
    u"occaecat",   u"cupidatat",    u"non",
    u"proident",   u"sunt",         u"culpa",
    u"qui",        u"officia",      u"deserunt",
    u"mollit",     u"anim",         u"id",
    u"est",        u"laborum",      u"breakwater",
    u"harbour",
};

constexpr int kMinTokens = 24;
constexpr int kMaxTokens = 160;

} // namespace

std::uint64_t splitMix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t hashText(const QString &text, std::uint64_t hash)
{
    for (QChar c : text) {
        hash ^= c.unicode();
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

AnswerText generateAnswerText(const QString &prompt, const QString &model, std::uint64_t seed,
                              int maxTokens)
{
    std::uint64_t state = hashText(prompt, hashText(model) ^ seed);
    const int target =
        kMinTokens + static_cast<int>(splitMix64(state) % (kMaxTokens - kMinTokens + 1));
    const int limit = std::max(1, std::min(target, maxTokens));

    // Tokens of a text of `length` UTF-16 units, as estimateTokens() counts them; the loop
    // tracks lengths instead of building every candidate text (that was quadratic).
    const auto tokensOf = [](qsizetype length) {
        return static_cast<int>((length + 3) / 4);
    };
    AnswerText answer;
    qsizetype length = 0;
    int wordsLeftInSentence = 0;
    for (;;) {
        const bool startSentence = wordsLeftInSentence == 0;
        if (startSentence)
            wordsLeftInSentence = 6 + static_cast<int>(splitMix64(state) % 9);
        QString word = QString::fromUtf16(kWords[splitMix64(state) % kWords.size()]);
        if (startSentence)
            word[0] = word[0].toUpper();
        --wordsLeftInSentence;
        const bool endSentence = wordsLeftInSentence == 0;
        // The final piece loses its trailing space: check the fit as the text would end.
        const qsizetype endsAt = length + word.size() + (endSentence ? 1 : 0);
        if (tokensOf(endsAt) > limit) {
            answer.hitMaxTokens = limit < target;
            break;
        }
        word += endSentence ? QStringLiteral(". ") : QStringLiteral(" ");
        length += word.size();
        answer.pieces.append(std::move(word));
    }
    if (answer.pieces.isEmpty()) {
        // Not even one word fits (max_tokens of 1 or 2): a cut word, as a real model would.
        answer.pieces.append(QString::fromUtf16(kWords[0]).left(limit * 4));
        answer.hitMaxTokens = true;
    } else {
        QString &last = answer.pieces.last();
        while (last.endsWith(u' '))
            last.chop(1);
    }
    answer.text = answer.pieces.join(QString());
    answer.outputTokens = estimateTokens(answer.text);
    return answer;
}

} // namespace breakwater

#include "promptset.h"

#include "load/uniqueprompts.h"
#include "scenario/scenario.h"

#include <QFile>
#include <QStringDecoder>

namespace breakwater {
namespace {

const QStringList kShortPrompts = {
    QStringLiteral("Summarise the main causes of HTTP 429 responses in two sentences."),
    QStringLiteral("What is exponential backoff with jitter, and why does it help?"),
    QStringLiteral("Give three ways to make an API client survive a provider outage."),
    QStringLiteral("Explain a circuit breaker to a product manager in one paragraph."),
    QStringLiteral("Translate 'the service is temporarily unavailable' into French."),
    QStringLiteral("List the states of a circuit breaker and what moves it between them."),
    QStringLiteral("Write a haiku about a dead-letter queue."),
    QStringLiteral("What does the retry-after header tell a client?"),
    QStringLiteral("Why should a client never retry a 401 response?"),
    QStringLiteral("Suggest a name for a tool that tests failure handling of LLM calls."),
    QStringLiteral("Describe a timeout budget for a call that may be retried."),
    QStringLiteral("When is a cached answer better than no answer at all?"),
    QStringLiteral("Compare full jitter and equal jitter in one sentence each."),
    QStringLiteral("What is a thundering herd, and how do clients cause one?"),
    QStringLiteral("Give an example of graceful degradation in a chat product."),
    QStringLiteral("Explain the difference between latency p50 and p99."),
};

/// A long technical text built from numbered paragraphs, so that no two long prompts are
/// the same and truncation keeps recognisable head and tail.
QString longDocument(int variant)
{
    QString text = QStringLiteral("Document %1. Summarise the following incident log in five "
                                  "bullet points.\n\n")
                       .arg(variant);
    int paragraph = 0;
    while (text.size() < 40000) {
        ++paragraph;
        text += QStringLiteral("Paragraph %1: at %2:%3 the primary model returned status 529 "
                               "for %4 consecutive requests; the circuit breaker opened, traffic "
                               "moved to the fallback model and the error budget dropped by %5 "
                               "percent before the provider recovered.\n")
                    .arg(paragraph)
                    .arg(10 + paragraph % 12)
                    .arg(paragraph % 60, 2, 10, QLatin1Char('0'))
                    .arg(3 + (paragraph * 7 + variant) % 40)
                    .arg((paragraph * 13 + variant) % 9 + 1);
    }
    text += QStringLiteral("\nEnd of document %1.").arg(variant);
    return text;
}

/// A prompt file: one prompt per line, blank lines skipped, UTF-8.
std::optional<PromptSet> readPromptFile(const QString &spec, QString *error)
{
    QFile file(spec);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("%1: cannot read: %2").arg(spec, file.errorString());
        return std::nullopt;
    }
    QStringList prompts;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray bytes = file.readLine();
        ++lineNumber;
        // Decoding would silently put U+FFFD in the prompt: a file in another encoding is an
        // input error, named by its line.
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString line = QString(decoder(bytes)).trimmed();
        if (decoder.hasError()) {
            if (error)
                *error = QStringLiteral("%1:%2: not valid UTF-8").arg(spec).arg(lineNumber);
            return std::nullopt;
        }
        if (!line.isEmpty())
            prompts.append(line);
    }
    if (prompts.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: no prompts (one per line expected)").arg(spec);
        return std::nullopt;
    }
    return PromptSet(prompts);
}

} // namespace

PromptSet PromptSet::builtinShort()
{
    return PromptSet(kShortPrompts);
}

PromptSet PromptSet::builtinLong()
{
    QStringList prompts;
    for (int variant = 1; variant <= 4; ++variant)
        prompts.append(longDocument(variant));
    return PromptSet(prompts);
}

PromptSet PromptSet::builtinMixed()
{
    const PromptSet longSet = builtinLong();
    QStringList prompts;
    for (int i = 0; i < kShortPrompts.size(); ++i) {
        prompts.append(kShortPrompts[i]);
        if (i % 4 == 3)
            prompts.append(longSet.at(static_cast<quint64>(i / 4)));
    }
    return PromptSet(prompts);
}

PromptSet PromptSet::builtinUnique(PromptDraw draw)
{
    PromptSet set;
    set.m_unique = std::make_shared<const UniquePrompts>(draw.seed, draw.repeatRate);
    set.m_seed = draw.seed;
    return set;
}

std::optional<PromptSet> PromptSet::forLoad(const LoadProfile &load, std::uint64_t seed,
                                            QString *error)
{
    return PromptSet::load(load.prompts, error, PromptDraw{seed, load.repeatRate});
}

std::optional<PromptSet> PromptSet::load(const QString &spec, QString *error, PromptDraw draw)
{
    std::optional<PromptSet> set;
    if (spec == QStringLiteral("builtin:unique"))
        return builtinUnique(draw);
    if (spec == QStringLiteral("builtin:short"))
        set = builtinShort();
    else if (spec == QStringLiteral("builtin:long"))
        set = builtinLong();
    else if (spec == QStringLiteral("builtin:mixed"))
        set = builtinMixed();
    else
        set = readPromptFile(spec, error);
    if (set)
        set->m_seed = draw.seed;
    return set;
}

QString PromptSet::at(quint64 index) const
{
    if (m_unique)
        return m_unique->at(index);
    return m_prompts.at(static_cast<qsizetype>(index % static_cast<quint64>(m_prompts.size())));
}

} // namespace breakwater

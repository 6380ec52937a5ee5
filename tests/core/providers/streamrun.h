#pragma once

// Shared by the adapter tests: drives a StreamDecoder the way the engine does.

#include "chunking.h"
#include "providers/provideradapter.h"

#include <QByteArray>
#include <QString>
#include <nlohmann/json.hpp>

namespace breakwater::testing {

/// What feeding one stream through a decoder produced.
struct StreamRun {
    /// Every textDelta, concatenated in arrival order.
    QString deltas;
    /// The index of the first chunk after which sawEvent was true; -1 if never.
    qsizetype firstSawEventChunk = -1;
    /// Errors reported by feed(), in order (there should be at most one).
    QList<ClassifiedError> feedErrors;
    bool sawFinishReasonAfterLastChunk = false;
    bool completeAfterLastChunk = false;
    std::variant<ChatAnswer, ClassifiedError> result;
};

inline StreamRun runStream(const ProviderAdapter &adapter, const QByteArray &stream,
                           Chunking chunking = Chunking::Whole, std::uint64_t seed = 1)
{
    StreamRun run;
    const std::unique_ptr<StreamDecoder> decoder = adapter.createStreamDecoder();
    const QList<QByteArray> chunks = chunksOf(stream, chunking, seed);
    bool sawEventBefore = false;
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        const StreamProgress progress = decoder->feed(chunks.at(i));
        run.deltas += progress.textDelta;
        // sawEvent never goes back to false once true.
        if (sawEventBefore && !progress.sawEvent)
            run.firstSawEventChunk = -2;
        if (progress.sawEvent && !sawEventBefore)
            run.firstSawEventChunk = i;
        sawEventBefore = sawEventBefore || progress.sawEvent;
        if (progress.error)
            run.feedErrors.append(*progress.error);
        run.sawFinishReasonAfterLastChunk = progress.sawFinishReason;
        run.completeAfterLastChunk = progress.complete;
    }
    run.result = decoder->finish();
    return run;
}

/// The request body, parsed (a discarded value when it is not JSON).
inline nlohmann::json bodyJson(const HttpRequest &request)
{
    return nlohmann::json::parse(request.body.begin(), request.body.end(), nullptr, false);
}

/// How often `key` appears anywhere in the request: header names and values, URL and body.
inline int keyOccurrences(const HttpRequest &request, const QByteArray &key)
{
    int count = request.body.count(key) + request.url.toEncoded().count(key);
    for (const auto &[name, value] : request.headers.fields())
        count += name.count(key) + value.count(key);
    return count;
}

} // namespace breakwater::testing

// Both adapters' stream decoders fed the same bytes whole, byte by byte and in pseudo-random
// pieces. Besides not crashing: the outcome must not depend on the chunking, at most one
// error is reported, nothing follows the terminator or an error, an answer comes only from
// a stream that carried its finish reason or its terminator, and a finished answer's text is
// exactly the deltas handed out on the way.

#include "fuzzsupport.h"
#include "providers/provideradapter.h"

#include <variant>

using namespace breakwater;

namespace {

struct Decoded {
    QString deltas;
    bool sawEvent = false;
    bool sawFinishReason = false;
    bool complete = false;
    std::optional<ClassifiedError> reportedError;
    std::variant<ChatAnswer, ClassifiedError> result;
};

bool sameError(const ClassifiedError &a, const ClassifiedError &b)
{
    return a.outcome == b.outcome && a.retryable == b.retryable && a.message == b.message &&
           a.apiErrorType == b.apiErrorType;
}

bool sameResult(const std::variant<ChatAnswer, ClassifiedError> &a,
                const std::variant<ChatAnswer, ClassifiedError> &b)
{
    if (a.index() != b.index())
        return false;
    if (const auto *answer = std::get_if<ChatAnswer>(&a)) {
        const auto &other = std::get<ChatAnswer>(b);
        return answer->text == other.text && answer->model == other.model &&
               answer->stopReason == other.stopReason && answer->inputTokens == other.inputTokens &&
               answer->outputTokens == other.outputTokens;
    }
    return sameError(std::get<ClassifiedError>(a), std::get<ClassifiedError>(b));
}

Decoded decode(const ProviderAdapter &adapter, const QList<QByteArrayView> &chunks)
{
    const std::unique_ptr<StreamDecoder> decoder = adapter.createStreamDecoder();
    Decoded decoded;
    for (const QByteArrayView chunk : chunks) {
        const bool decided = decoded.complete || decoded.reportedError.has_value();
        const StreamProgress progress = decoder->feed(chunk);
        if (decided) {
            fuzz::check(progress.textDelta.isEmpty(), "text after the stream was decided");
            fuzz::check(!progress.error, "an error after the stream was decided");
        }
        fuzz::check(!(decoded.sawEvent && !progress.sawEvent), "sawEvent went back to false");
        fuzz::check(!(decoded.complete && !progress.complete), "complete went back to false");
        fuzz::check(!(decoded.sawFinishReason && !progress.sawFinishReason),
                    "sawFinishReason went back to false");
        decoded.deltas += progress.textDelta;
        decoded.sawEvent = progress.sawEvent;
        decoded.sawFinishReason = progress.sawFinishReason;
        decoded.complete = progress.complete;
        if (progress.error)
            decoded.reportedError = progress.error;
    }
    decoded.result = decoder->finish();
    if (const auto *answer = std::get_if<ChatAnswer>(&decoded.result)) {
        fuzz::check(decoded.complete || decoded.sawFinishReason,
                    "an answer from a stream cut before its finish reason");
        fuzz::check(!answer->stopReason.isEmpty() || decoded.complete,
                    "an answer without a finish reason or terminator");
        fuzz::check(!decoded.reportedError, "an answer after a reported error");
        fuzz::check(answer->text == decoded.deltas, "answer text differs from the deltas");
        fuzz::check(answer->inputTokens >= 0 && answer->outputTokens >= 0,
                    "a negative token count");
    } else {
        const auto &error = std::get<ClassifiedError>(decoded.result);
        fuzz::check(!error.message.isEmpty(), "an error without a message");
        if (decoded.reportedError)
            fuzz::check(sameError(*decoded.reportedError, error),
                        "finish() disagrees with the error reported while feeding");
    }
    return decoded;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::unique_ptr<ProviderAdapter> adapters[] = {
        createProviderAdapter(ProviderKind::Anthropic),
        createProviderAdapter(ProviderKind::OpenAI),
    };
    const QByteArrayView input = fuzz::inputView(data, size);
    for (const auto &adapter : adapters) {
        const Decoded whole = decode(*adapter, {input});
        for (const QList<QByteArrayView> &chunks :
             {fuzz::splitBytewise(input), fuzz::splitPseudoRandomly(input)}) {
            const Decoded split = decode(*adapter, chunks);
            fuzz::check(split.deltas == whole.deltas && split.sawEvent == whole.sawEvent &&
                            split.sawFinishReason == whole.sawFinishReason &&
                            split.complete == whole.complete &&
                            sameResult(split.result, whole.result),
                        "the chunking changed the decoded stream");
        }
    }
    return 0;
}

// The SSE parser fed the same bytes whole, byte by byte and in pseudo-random pieces: the
// events, the failure verdict and the retry field must not depend on how the bytes arrived.

#include "fuzzsupport.h"
#include "providers/sseparser.h"

using namespace breakwater;

namespace {

struct Parsed {
    QList<SseEvent> events;
    bool failed = false;
    std::optional<qint64> retryMs;

    friend bool operator==(const Parsed &a, const Parsed &b)
    {
        return a.events == b.events && a.failed == b.failed && a.retryMs == b.retryMs;
    }
};

Parsed parse(qsizetype maxEventBytes, const QList<QByteArrayView> &chunks)
{
    SseParser parser(maxEventBytes);
    Parsed parsed;
    for (const QByteArrayView chunk : chunks) {
        const QList<SseEvent> events = parser.feed(chunk);
        if (parser.hasFailed() && parsed.failed)
            fuzz::check(events.isEmpty(), "a failed parser still produced events");
        parsed.events.append(events);
        parsed.failed = parser.hasFailed();
    }
    fuzz::check(parsed.failed != parser.errorString().isEmpty(),
                "errorString is set exactly when the parser has failed");
    parsed.retryMs = parser.reconnectionTimeMs();
    return parsed;
}

void checkEvents(const Parsed &parsed, qsizetype maxEventBytes)
{
    for (const SseEvent &event : parsed.events) {
        fuzz::check(!event.type.isEmpty(), "an event without a type");
        fuzz::check(!event.type.contains('\r') && !event.type.contains('\n'),
                    "a line end inside an event type");
        fuzz::check(!event.data.contains('\r'), "a CR inside event data");
        fuzz::check(!event.lastEventId.contains('\r') && !event.lastEventId.contains('\n') &&
                        !event.lastEventId.contains('\0'),
                    "a line end or NUL inside an event id");
        fuzz::check(event.data.size() + event.lastEventId.size() <= maxEventBytes,
                    "an event larger than the bound");
    }
    if (parsed.retryMs)
        fuzz::check(*parsed.retryMs >= 0, "a negative retry field");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input = fuzz::inputView(data, size);
    // The small bound makes the overflow path reachable from small inputs.
    for (const qsizetype bound : {SseParser::kDefaultMaxEventBytes, qsizetype(64)}) {
        const Parsed whole = parse(bound, {input});
        checkEvents(whole, bound);
        fuzz::check(parse(bound, fuzz::splitBytewise(input)) == whole,
                    "byte-by-byte feeding changed the result");
        fuzz::check(parse(bound, fuzz::splitPseudoRandomly(input)) == whole,
                    "pseudo-random chunking changed the result");
    }
    return 0;
}

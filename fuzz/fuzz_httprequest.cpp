// The chaos server's HTTP request parser driven the way HttpConnection drives it (feed,
// drop the consumed bytes, take a complete request and go on with the pipelined rest),
// with the bytes arriving whole, byte by byte and in pseudo-random pieces. The requests
// and the final verdict must not depend on the arrival, and every request must respect the
// limits. Small limits make the 413/414/431 paths reachable from small inputs.

#include "chaos/httprequestparser.h"
#include "fuzzsupport.h"

using namespace breakwater;

namespace {

constexpr HttpLimits kLimits{512, 8, 1024};

struct Parsed {
    QList<HttpServerRequest> requests;
    int errorStatus = 0;
    QByteArray errorMessage;
};

bool sameRequest(const HttpServerRequest &a, const HttpServerRequest &b)
{
    return a.method == b.method && a.path == b.path && a.query == b.query &&
           a.minorVersion == b.minorVersion && a.headers.fields() == b.headers.fields() &&
           a.body == b.body && a.keepAlive == b.keepAlive;
}

bool sameParse(const Parsed &a, const Parsed &b)
{
    if (a.requests.size() != b.requests.size() || a.errorStatus != b.errorStatus ||
        a.errorMessage != b.errorMessage)
        return false;
    for (qsizetype i = 0; i < a.requests.size(); ++i) {
        if (!sameRequest(a.requests[i], b.requests[i]))
            return false;
    }
    return true;
}

void checkRequest(const HttpServerRequest &request)
{
    fuzz::check(!request.method.isEmpty(), "a request without a method");
    fuzz::check(request.path.startsWith('/') || request.path == "*", "a malformed path");
    fuzz::check(!request.path.contains('?'), "the query left in the path");
    fuzz::check(request.minorVersion == 0 || request.minorVersion == 1, "an unknown version");
    fuzz::check(request.headers.fields().size() <= kLimits.maxHeaderCount, "too many headers");
    fuzz::check(request.body.size() <= kLimits.maxBodyBytes, "a body over the limit");
    for (const auto &[name, value] : request.headers.fields()) {
        fuzz::check(!name.isEmpty(), "a header without a name");
        fuzz::check(!value.contains('\r') && !value.contains('\n') && !value.contains('\0'),
                    "a control character in a header value");
    }
}

Parsed parse(const QList<QByteArrayView> &chunks)
{
    HttpRequestParser parser(kLimits);
    Parsed parsed;
    QByteArray buffer;
    for (const QByteArrayView chunk : chunks) {
        buffer.append(chunk);
        while (!buffer.isEmpty()) {
            const qsizetype used = parser.feed(buffer);
            fuzz::check(used >= 0 && used <= buffer.size(), "consumed more than it was given");
            buffer.remove(0, used);
            if (parser.state() == HttpRequestParser::State::Complete) {
                parsed.requests.append(parser.takeRequest());
                checkRequest(parsed.requests.constLast());
                fuzz::check(parser.state() == HttpRequestParser::State::NeedMore &&
                                !parser.inProgress(),
                            "takeRequest did not start a fresh request");
            } else if (parser.state() == HttpRequestParser::State::Error) {
                const int status = parser.errorStatus();
                fuzz::check(status == 400 || status == 413 || status == 414 || status == 431 ||
                                status == 501 || status == 505,
                            "an unexpected error status");
                fuzz::check(!parser.errorMessage().isEmpty(), "an error without a message");
                parsed.errorStatus = status;
                parsed.errorMessage = parser.errorMessage();
                return parsed;
            } else {
                fuzz::check(buffer.isEmpty(), "stopped early without a verdict");
                break;
            }
        }
    }
    return parsed;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input = fuzz::inputView(data, size);
    const Parsed whole = parse({input});
    fuzz::check(sameParse(parse(fuzz::splitBytewise(input)), whole),
                "byte-by-byte arrival changed the requests");
    fuzz::check(sameParse(parse(fuzz::splitPseudoRandomly(input)), whole),
                "pseudo-random arrival changed the requests");
    return 0;
}

// The error classifier on a server's error answer. The input reads like an HTTP response:
//
//   429\n
//   retry-after: 20\n
//   x-should-retry: true\n
//   \n
//   {"type":"error","error":{...}}
//
// The first line is the status (any integer; unparseable gives 0), then header lines up to
// an empty line (name up to the first ':', the rest the value, bytes as they came), then the
// body. The body is also classified as a mid-stream error event.

#include "errors/classifier.h"
#include "fuzzsupport.h"

#include <QDateTime>
#include <QTimeZone>

using namespace breakwater;

namespace {

void checkError(const ClassifiedError &error)
{
    fuzz::check(!error.message.isEmpty(), "an error without a message");
    if (error.retryAfter)
        fuzz::check(error.retryAfter->count() >= 0, "a negative retry-after hint");
    else
        fuzz::check(error.retryAfterSource == DelaySource::Backoff,
                    "a delay source without a delay");
    if (error.promptTokens)
        fuzz::check(*error.promptTokens >= 0, "a negative prompt size");
    if (error.contextLimit)
        fuzz::check(*error.contextLimit >= 0, "a negative context limit");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input = fuzz::inputView(data, size);
    qsizetype pos = input.indexOf('\n');
    const QByteArrayView statusLine = pos < 0 ? input : input.first(pos);
    bool ok = false;
    int status = statusLine.toByteArray().trimmed().toInt(&ok);
    if (!ok)
        status = 0;

    HttpHeaders headers;
    pos = pos < 0 ? input.size() : pos + 1;
    while (pos < input.size()) {
        qsizetype end = input.indexOf('\n', pos);
        if (end < 0)
            end = input.size();
        const QByteArrayView line = input.sliced(pos, end - pos);
        pos = end + 1;
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            headers.add(line.toByteArray(), QByteArray());
        else
            headers.add(line.first(colon).toByteArray(),
                        line.sliced(colon + 1).toByteArray().trimmed());
    }
    const QByteArray body = pos < input.size() ? input.sliced(pos).toByteArray() : QByteArray();

    static const QDateTime now(QDate(2025, 6, 1), QTime(12, 0), QTimeZone::utc());
    for (const QDateTime &nowUtc : {now, QDateTime()}) {
        const ClassifiedError error = classifyHttpError(status, headers, body, nowUtc);
        checkError(error);
        fuzz::check(error.httpStatus == status, "the status was not kept");
        const auto hint = parseRetryAfter(headers, nowUtc);
        fuzz::check(hint.has_value() == error.retryAfter.has_value(),
                    "parseRetryAfter and classifyHttpError disagree");
        if (hint)
            fuzz::check(hint->first == *error.retryAfter && hint->second == error.retryAfterSource,
                        "parseRetryAfter and classifyHttpError disagree on the hint");
    }
    parseShouldRetry(headers);
    checkError(classifyStreamErrorBody(body));
    return 0;
}

#pragma once

// Internal to core/providers: what both wire formats share.

#include "providers/provideradapter.h"
#include "providers/jsonview.h"
#include "providers/sseparser.h"

#include <QByteArrayView>
#include <QString>
#include <QUrl>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater::adapterutil {

using Json = nlohmann::json;

// A complete answer larger than kMaxAnswerBytes (provideradapter.h; in bytes), or a
// streamed one whose text grows beyond it (in characters), is refused as malformed.
using breakwater::kMaxAnswerBytes;

/// `base` with `/v1` + `apiPath` appended, or only `apiPath` when the base path already ends
/// in `/v1` (the real OpenAI base does; the chaos server and the real Anthropic base do not).
QUrl endpointUrl(const QUrl &base, QStringView apiPath);

/// Parses without ever throwing; a discarded value when `bytes` is not one JSON document.
Json parseJson(QByteArrayView bytes);

/// Serialises a request body; invalid UTF-8 (impossible from a QString) would be replaced.
QByteArray toJsonBytes(const nlohmann::ordered_json &value);

/// Appends `text` as a JSON string literal in UTF-8, escaped byte for byte as nlohmann's
/// dump() escapes (quote, backslash, control characters; nothing else), so a request body
/// written piece by piece equals the one a DOM would serialise, without building the DOM
/// on every call.
void appendJsonString(QByteArray &out, QStringView text);

/// The body both chat APIs share: {"model","max_tokens","messages":[one user message]},
/// then `extra` (already JSON, starting with a comma, or empty) and the closing brace.
QByteArray chatRequestBody(const QString &model, int maxTokens, const QString &prompt,
                           QByteArrayView extra);

// A complete answer is read with JsonView, which validates as strictly as nlohmann and
// decodes only the members asked for: for a typical answer the whole parseAnswer takes about
// a third of QJsonDocument's parse alone and a seventh of a nlohmann DOM's (bench/README.md),
// and this runs for every call. Stream events and error bodies keep the nlohmann helpers below.

/// `body` as the JSON object an answer must be (its root is an object), or the malformed
/// error saying why not (too large, not JSON, not an object).
std::variant<JsonView, ClassifiedError> parseAnswerObject(QByteArrayView body);
/// `value` when it is a whole number in [0, INT_MAX] (a token count).
std::optional<int> countValue(const JsonView &json, JsonView::Index value);

/// The member `key` of `object`, or nullptr when `object` is no object or has no such member.
const Json *member(const Json &object, const char *key);
/// The member `key` when it is an object, else nullptr.
const Json *objectMember(const Json &object, const char *key);
/// The member `key` when it is a string.
std::optional<QString> stringMember(const Json &object, const char *key);
/// The member `key` when it is an integer in [0, INT_MAX] (a token count).
std::optional<int> countMember(const Json &object, const char *key);

/// The SSE half of a stream decoder: runs the parser, keeps the answer so far and the sticky
/// finish-reason/complete/error state, and leaves each wire format only the meaning of its
/// events.
class SseStreamDecoder : public StreamDecoder {
public:
    StreamProgress feed(QByteArrayView chunk) override;
    std::variant<ChatAnswer, ClassifiedError> finish() override;

protected:
    /// `finishReason` and `terminator` name what is missing in the "stream ended before
    /// its …, without …" message of a cut stream.
    SseStreamDecoder(QString finishReason, QString terminator);

    /// Applies one event: appends its text to `textDelta`, updates m_answer, m_sawEvent,
    /// m_sawFinishReason and m_complete; returns an error to end the stream with.
    virtual std::optional<ClassifiedError> handleEvent(const SseEvent &event,
                                                       QString &textDelta) = 0;

    ChatAnswer m_answer;
    bool m_sawEvent = false;
    bool m_sawFinishReason = false;
    bool m_complete = false;

private:
    SseParser m_parser;
    QString m_finishReason;
    QString m_terminator;
    std::optional<ClassifiedError> m_error;
};

} // namespace breakwater::adapterutil

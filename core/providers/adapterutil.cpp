#include "adapterutil.h"

#include "errors/classifier.h"

#include <climits>
#include <cmath>
#include <cstdint>

namespace breakwater::adapterutil {

QUrl endpointUrl(const QUrl &base, QStringView apiPath)
{
    QUrl url = base;
    QString path = url.path(QUrl::FullyEncoded);
    while (path.endsWith(u'/'))
        path.chop(1);
    if (!path.endsWith(u"/v1"))
        path += u"/v1";
    path += apiPath;
    url.setPath(path, QUrl::TolerantMode);
    return url;
}

Json parseJson(QByteArrayView bytes)
{
    return Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
}

QByteArray toJsonBytes(const nlohmann::ordered_json &value)
{
    const std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    qsizetype plainFrom = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\')
            continue;
        out.append(utf8.constData() + plainFrom, i - plainFrom);
        plainFrom = i + 1;
        switch (byte) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\b':
            out.append("\\b", 2);
            break;
        case '\f':
            out.append("\\f", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
            out.append(escape, sizeof escape);
        }
        }
    }
    out.append(utf8.constData() + plainFrom, utf8.size() - plainFrom);
    out.append('"');
}

QByteArray chatRequestBody(const QString &model, int maxTokens, const QString &prompt,
                           QByteArrayView extra)
{
    QByteArray body;
    body.reserve(prompt.size() + model.size() + extra.size() + 96);
    body.append(R"({"model":)");
    appendJsonString(body, model);
    body.append(R"(,"max_tokens":)");
    body.append(QByteArray::number(maxTokens));
    body.append(R"(,"messages":[{"role":"user","content":)");
    appendJsonString(body, prompt);
    body.append("}]");
    body.append(extra);
    body.append('}');
    return body;
}

std::variant<JsonView, ClassifiedError> parseAnswerObject(QByteArrayView body)
{
    if (body.size() > kMaxAnswerBytes)
        return malformedError(
            QStringLiteral("answer is larger than %1 bytes").arg(kMaxAnswerBytes));
    std::optional<JsonView> json = JsonView::parse(body);
    if (!json)
        return malformedError(QStringLiteral("answer is not valid JSON"));
    if (!json->is(json->root(), JsonView::Kind::Object))
        return malformedError(QStringLiteral("answer is not a JSON object"));
    return std::move(*json);
}

std::optional<int> countValue(const JsonView &json, JsonView::Index value)
{
    const std::optional<double> number = json.number(value);
    if (!number || *number < 0 || *number > INT_MAX || std::trunc(*number) != *number)
        return std::nullopt;
    return static_cast<int>(*number);
}

const Json *member(const Json &object, const char *key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const Json *objectMember(const Json &object, const char *key)
{
    const Json *value = member(object, key);
    return value && value->is_object() ? value : nullptr;
}

std::optional<QString> stringMember(const Json &object, const char *key)
{
    const Json *value = member(object, key);
    if (!value || !value->is_string())
        return std::nullopt;
    const std::string &text = value->get_ref<const std::string &>();
    // Not QString::fromStdString: it drops a leading U+FEFF from a stream's text delta.
    return JsonView::decodeUtf8(QByteArrayView(text.data(), qsizetype(text.size())));
}

std::optional<int> countMember(const Json &object, const char *key)
{
    const Json *value = member(object, key);
    if (!value || !value->is_number_unsigned())
        return std::nullopt;
    const auto count = value->get<std::uint64_t>();
    if (count > static_cast<std::uint64_t>(INT_MAX))
        return std::nullopt;
    return static_cast<int>(count);
}

SseStreamDecoder::SseStreamDecoder(QString finishReason, QString terminator)
    : m_finishReason(std::move(finishReason)), m_terminator(std::move(terminator))
{}

StreamProgress SseStreamDecoder::feed(QByteArrayView chunk)
{
    StreamProgress progress;
    // After the terminator or an error the stream's fate is decided: later bytes are ignored.
    if (!m_complete && !m_error) {
        const QList<SseEvent> events = m_parser.feed(chunk);
        for (const SseEvent &event : events) {
            if (std::optional<ClassifiedError> error = handleEvent(event, progress.textDelta)) {
                m_error = std::move(error);
                progress.error = m_error;
                break;
            }
            if (m_complete)
                break;
        }
        if (!m_error && !m_complete && m_parser.hasFailed()) {
            m_error = malformedError(m_parser.errorString());
            progress.error = m_error;
        }
        // Each event is bounded by the parser; the answer they add up to is bounded here, or
        // a server could grow it (and the caller's copy) for as long as the attempt lasts.
        if (!m_error && m_answer.text.size() + progress.textDelta.size() > kMaxAnswerBytes) {
            m_error = malformedError(
                QStringLiteral("streamed answer is larger than %1 characters").arg(kMaxAnswerBytes));
            progress.error = m_error;
            progress.textDelta.clear();
        }
        m_answer.text += progress.textDelta;
    }
    progress.sawEvent = m_sawEvent;
    progress.sawFinishReason = m_sawFinishReason;
    progress.complete = m_complete;
    return progress;
}

std::variant<ChatAnswer, ClassifiedError> SseStreamDecoder::finish()
{
    if (m_error)
        return *m_error;
    // The official SDKs take a stream that carried its finish reason and then closed as
    // complete; several OpenAI-compatible servers never send the terminator.
    if (m_complete || m_sawFinishReason)
        return m_answer;
    return malformedError(
        QStringLiteral("stream ended before its %1, without %2").arg(m_finishReason, m_terminator));
}

} // namespace breakwater::adapterutil

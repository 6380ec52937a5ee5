#include "adapterutil.h"

#include "errors/classifier.h"

#include <climits>
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
    return QString::fromStdString(value->get_ref<const std::string &>());
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

SseStreamDecoder::SseStreamDecoder(QString terminator) : m_terminator(std::move(terminator)) {}

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
    progress.complete = m_complete;
    return progress;
}

std::variant<ChatAnswer, ClassifiedError> SseStreamDecoder::finish()
{
    if (m_error)
        return *m_error;
    if (m_complete)
        return m_answer;
    return malformedError(QStringLiteral("stream ended without %1").arg(m_terminator));
}

} // namespace breakwater::adapterutil

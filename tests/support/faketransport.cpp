#include "faketransport.h"

#include <nlohmann/json.hpp>

namespace breakwater::testing {

namespace {

QByteArray toBytes(const nlohmann::json &json)
{
    return QByteArray::fromStdString(json.dump());
}

QByteArray sseEvent(const char *name, const nlohmann::json &data)
{
    return QByteArray("event: ") + name + "\ndata: " + toBytes(data) + "\n\n";
}

} // namespace

FakeReply FakeReply::anthropicText(const QString &text, Millis latency)
{
    FakeReply reply;
    reply.headers = {{"content-type", "application/json"}};
    reply.chunks = {toBytes({{"id", "msg_fake"},
                             {"type", "message"},
                             {"role", "assistant"},
                             {"model", "fake"},
                             {"content", {{{"type", "text"}, {"text", text.toStdString()}}}},
                             {"stop_reason", "end_turn"},
                             {"stop_sequence", nullptr},
                             {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}})};
    reply.latency = latency;
    return reply;
}

FakeReply FakeReply::openaiText(const QString &text, Millis latency)
{
    FakeReply reply;
    reply.headers = {{"content-type", "application/json"}};
    reply.chunks = {toBytes(
        {{"id", "chatcmpl-fake"},
         {"object", "chat.completion"},
         {"model", "fake"},
         {"choices",
          {{{"index", 0},
            {"message", {{"role", "assistant"}, {"content", text.toStdString()}}},
            {"finish_reason", "stop"}}}},
         {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}}})};
    reply.latency = latency;
    return reply;
}

FakeReply FakeReply::anthropicError(int status, const QString &type, const QString &message,
                                    HttpHeaders headers)
{
    FakeReply reply;
    reply.status = status;
    reply.headers = std::move(headers);
    reply.headers.set("content-type", "application/json");
    reply.chunks = {toBytes({{"type", "error"},
                             {"error", {{"type", type.toStdString()}, {"message", message.toStdString()}}},
                             {"request_id", "req_fake"}})};
    return reply;
}

FakeReply FakeReply::anthropicStream(const QStringList &deltas, Millis gap)
{
    FakeReply reply;
    reply.headers = {{"content-type", "text/event-stream"}};
    reply.chunkGap = gap;
    reply.chunks.append(sseEvent(
        "message_start",
        {{"type", "message_start"},
         {"message",
          {{"id", "msg_fake"}, {"type", "message"}, {"role", "assistant"}, {"model", "fake"},
           {"content", nlohmann::json::array()}, {"stop_reason", nullptr},
           {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}}}}));
    reply.chunks.append(sseEvent("content_block_start",
                                 {{"type", "content_block_start"},
                                  {"index", 0},
                                  {"content_block", {{"type", "text"}, {"text", ""}}}}));
    for (const QString &delta : deltas)
        reply.chunks.append(sseEvent("content_block_delta",
                                     {{"type", "content_block_delta"},
                                      {"index", 0},
                                      {"delta", {{"type", "text_delta"}, {"text", delta.toStdString()}}}}));
    reply.chunks.append(sseEvent("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
    reply.chunks.append(sseEvent("message_delta",
                                 {{"type", "message_delta"},
                                  {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                                  {"usage", {{"output_tokens", 7}}}}));
    reply.chunks.append(sseEvent("message_stop", {{"type", "message_stop"}}));
    return reply;
}

FakeReply FakeReply::failed(TransportFailure failure)
{
    FakeReply reply;
    reply.kind = Kind::Fail;
    reply.failure = failure;
    return reply;
}

FakeReply FakeReply::hang()
{
    FakeReply reply;
    reply.kind = Kind::Hang;
    return reply;
}

/// Plays one FakeReply back on clock timers.
class FakeRequest final : public TransportRequest {
public:
    FakeRequest(FakeTransport &owner, FakeReply reply, TransportCallbacks callbacks)
        : m_owner(owner), m_reply(std::move(reply)), m_callbacks(std::move(callbacks))
    {
        ++m_owner.m_open;
        m_timer = m_owner.m_clock.createTimer([this] { step(); });
        // First stage: the request goes on the wire at once (unless it never connects).
        m_timer->start(Millis(0));
    }
    ~FakeRequest() override { abort(); }

    void abort() override
    {
        if (m_done)
            return;
        m_done = true;
        m_timer->stop();
        --m_owner.m_open;
    }

private:
    // Each step delivers one stage, then re-arms the timer for the next.
    void step()
    {
        if (m_done)
            return;
        if (m_reply.kind == FakeReply::Kind::Hang)
            return;
        if (m_reply.kind == FakeReply::Kind::Fail) {
            // A failure (refused, reset) comes after the latency, before any answer.
            if (!m_requestSent) {
                m_requestSent = true;
                m_timer->start(m_reply.latency);
                return;
            }
            complete();
            m_callbacks.failed(m_reply.failure, QStringLiteral("scripted failure"));
            return;
        }
        if (!m_requestSent) {
            m_requestSent = true;
            if (!m_reply.sent)
                return; // never connects
            if (m_callbacks.requestSent)
                m_callbacks.requestSent();
            if (!m_done)
                m_timer->start(m_reply.latency);
            return;
        }
        if (!m_headSent) {
            m_headSent = true;
            m_callbacks.responseHead(m_reply.status, m_reply.headers);
            if (!m_done)
                m_timer->start(Millis(0));
            return;
        }
        if (m_nextChunk < m_reply.chunks.size()) {
            const QByteArray chunk = m_reply.chunks.at(m_nextChunk++);
            m_callbacks.bodyChunk(chunk);
            if (!m_done)
                m_timer->start(m_nextChunk < m_reply.chunks.size() ? m_reply.chunkGap : Millis(0));
            return;
        }
        if (m_reply.finish) {
            complete();
            m_callbacks.finished();
        }
    }

    void complete()
    {
        m_done = true;
        --m_owner.m_open;
    }

    FakeTransport &m_owner;
    FakeReply m_reply;
    TransportCallbacks m_callbacks;
    std::unique_ptr<Timer> m_timer;
    bool m_requestSent = false;
    bool m_headSent = false;
    bool m_done = false;
    int m_nextChunk = 0;
};

void FakeTransport::script(const QString &model, QList<FakeReply> replies)
{
    auto &queue = m_scripts[model];
    for (FakeReply &reply : replies)
        queue.push_back(std::move(reply));
}

std::unique_ptr<TransportRequest> FakeTransport::send(const HttpRequest &request,
                                                      TransportCallbacks callbacks)
{
    const auto body = nlohmann::json::parse(request.body.toStdString(), nullptr, false);
    SentRequest sent{request, {}, {}, m_clock.now()};
    if (body.is_object()) {
        sent.model = QString::fromStdString(body.value("model", std::string()));
        if (body.contains("messages") && body["messages"].is_array() && !body["messages"].empty())
            sent.prompt = QString::fromStdString(body["messages"][0].value("content", std::string()));
    }
    m_sent.append(sent);
    auto &queue = m_scripts[sent.model];
    FakeReply reply = m_fallback;
    if (!queue.empty()) {
        reply = std::move(queue.front());
        queue.pop_front();
    }
    return std::make_unique<FakeRequest>(*this, std::move(reply), std::move(callbacks));
}

int FakeTransport::sentTo(const QString &model) const
{
    int count = 0;
    for (const SentRequest &sent : m_sent)
        count += sent.model == model ? 1 : 0;
    return count;
}

} // namespace breakwater::testing

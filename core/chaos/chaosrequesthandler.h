#pragma once

#include "chaos/chaoswire.h"
#include "chaos/httprequesthandler.h"

#include <QDateTime>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace breakwater {

class ChaosController;
struct ChaosDecision;

/// The chaos server's routes (docs/chaos.md): `POST /v1/messages` (Anthropic),
/// `POST /v1/chat/completions` and `/chat/completions` (OpenAI), `GET /v1/models[/{id}]`,
/// and the control API under `/chaos/`. Decisions come from the ChaosController; delays,
/// stream pacing and stalls run on the controller's Clock. Testable without sockets.
///
/// Timing: latency_ms delays the response head of answers and injected faults; a stream's
/// first text delta follows ttft_ms after its head, the others are paced at tokens_per_s.
/// Refusals that a real API makes at once (bad body, unknown model, context overflow, an
/// empty token bucket) are not delayed.
///
/// Stream faults on a non-streaming request act on the JSON body instead: stream_stall
/// sends the head and part of the body and then nothing; stream_truncate does the same and
/// closes the connection; stream_error answers with the error the stream would carry
/// (Anthropic 529 overloaded_error, OpenAI 500 server_error); stream_no_terminator is a
/// normal answer. On a streaming request, malformed sends an event whose data is not JSON
/// and ends the body without terminator, and stream_no_terminator sends the whole answer
/// with its finish reason (and usage) and ends the body cleanly without the terminator.
/// content_filter is OpenAI's 400 content_policy_violation, and for Anthropic a 200 (JSON
/// or stream) whose stop_reason is `refusal`, after at most a few words of the answer.
class ChaosRequestHandler final : public HttpRequestHandler {
public:
    /// The wall clock dates `created` fields and Anthropic's rate-limit resets.
    using WallClock = std::function<QDateTime()>;

    /// `controller` must outlive the handler; an empty `wallClock` uses the system's.
    explicit ChaosRequestHandler(ChaosController &controller, WallClock wallClock = {});
    ~ChaosRequestHandler() override;
    ChaosRequestHandler(const ChaosRequestHandler &) = delete;
    ChaosRequestHandler &operator=(const ChaosRequestHandler &) = delete;

    void handleRequest(const HttpServerRequest &request,
                       std::shared_ptr<HttpResponder> responder) override;

    /// Answers waiting for their latency or still streaming.
    int answersInProgress() const { return static_cast<int>(m_answers.size()); }

private:
    class AnswerRun;

    void handleChat(const HttpServerRequest &request,
                    const std::shared_ptr<HttpResponder> &responder, const ChaosWire &wire);
    void handleModels(const HttpServerRequest &request,
                      const std::shared_ptr<HttpResponder> &responder);
    void handleControl(const HttpServerRequest &request,
                       const std::shared_ptr<HttpResponder> &responder);
    void retire(AnswerRun *answer);
    void buryRetired();

    ChaosController &m_controller;
    WallClock m_wallClock;
    std::unordered_map<AnswerRun *, std::unique_ptr<AnswerRun>> m_answers;
    std::vector<std::unique_ptr<AnswerRun>> m_retired;
};

} // namespace breakwater

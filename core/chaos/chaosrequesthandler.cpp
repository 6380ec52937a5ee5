#include "chaosrequesthandler.h"

#include "chaos/answertext.h"
#include "chaos/chaoscontroller.h"
#include "engine/truncation.h"

#include <QStringList>
#include <cmath>
#include <limits>

namespace breakwater {
namespace {

using nlohmann::json;

constexpr int kMaxForcedLatencyMs = 3600 * 1000;
/// A refusal keeps at most this many pieces (words) of the answer, often none.
constexpr int kMaxRefusalPieces = 3;

HttpServerResponse jsonResponse(int status, const json &body)
{
    HttpServerResponse response;
    response.status = status;
    response.headers.add("content-type", "application/json");
    response.body = jsonBytes(body);
    return response;
}

json errorsJson(const QList<ValidationError> &errors)
{
    json list = json::array();
    for (const ValidationError &error : errors)
        list.push_back(
            {{"path", error.path.toStdString()}, {"message", error.message.toStdString()}});
    return list;
}

/// The control API's refusal: a summary and every problem with its JSON path.
HttpServerResponse controlError(int status, const QString &message,
                                const QList<ValidationError> &errors = {})
{
    return jsonResponse(
        status, {{"error", {{"type", "invalid_request_error"}, {"message", message.toStdString()}}},
                 {"errors", errorsJson(errors)}});
}

HttpServerResponse methodNotAllowed(const QByteArray &allowed)
{
    HttpServerResponse response = controlError(405, QStringLiteral("method not allowed"));
    response.headers.add("allow", allowed);
    return response;
}

/// Parses a control request's JSON body; on failure sets `error` to the 400 to send.
std::optional<json> parseBody(const QByteArray &body, HttpServerResponse &error)
{
    try {
        return json::parse(body.constBegin(), body.constEnd());
    } catch (const json::exception &exception) {
        // Not only parse_error: a number beyond double (1e400) is an out_of_range error.
        error = controlError(400, QStringLiteral("the body is not valid JSON: ") +
                                      QString::fromUtf8(exception.what()));
        return std::nullopt;
    }
}

QString decodedSegment(QByteArrayView encoded)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(encoded.toByteArray()));
}

/// Requests that carry Anthropic's headers get Anthropic's shapes where a path is shared.
const ChaosWire &wireForHeaders(const HttpHeaders &headers)
{
    if (headers.contains("anthropic-version") || headers.contains("x-api-key") ||
        !headers.contains("authorization"))
        return chaosWire(WireFormat::Anthropic);
    return chaosWire(WireFormat::OpenAI);
}

QByteArray ceilSeconds(Millis duration)
{
    return QByteArray::number((std::max<qint64>(0, duration.count()) + 999) / 1000);
}

} // namespace

/// One answer that is delayed, streamed over time, or both: it owns the timer that paces
/// it and lets go of the responder when it is done.
class ChaosRequestHandler::AnswerRun final {
public:
    AnswerRun(ChaosRequestHandler &handler, std::shared_ptr<HttpResponder> responder,
              const ChaosWire &wire, const ChaosDecision &decision, WireAnswer answer, bool stream,
              HttpHeaders headers)
        : m_handler(handler), m_responder(std::move(responder)), m_wire(wire), m_decision(decision),
          m_answer(std::move(answer)), m_stream(stream), m_headers(std::move(headers))
    {}
    AnswerRun(const AnswerRun &) = delete;
    AnswerRun &operator=(const AnswerRun &) = delete;

    ~AnswerRun()
    {
        m_timer.reset();
        if (m_responder)
            m_responder->onClosed(nullptr);
    }

    bool isDone() const { return m_done; }

    void start()
    {
        m_responder->onClosed([this] { finish(); });
        if (m_decision.latency > Millis(0))
            schedule(m_decision.latency, &AnswerRun::deliver);
        else
            deliver();
    }

private:
    using Step = void (AnswerRun::*)();

    void schedule(Millis delay, Step step)
    {
        m_step = step;
        if (!m_timer) {
            m_timer = m_handler.m_controller.clock().createTimer([this] {
                m_handler.buryRetired();
                (this->*m_step)();
            });
        }
        m_timer->start(delay);
    }

    void finish()
    {
        if (m_done)
            return;
        m_done = true;
        if (m_timer)
            m_timer->stop();
        if (m_responder)
            m_responder->onClosed(nullptr);
        m_responder.reset();
        m_handler.retire(this);
    }

    void deliver()
    {
        using Verdict = ChaosDecision::Verdict;
        if (m_decision.verdict == Verdict::Ok) {
            if (m_stream)
                startStream();
            else
                respondAnswer();
            return;
        }
        switch (m_decision.fault) {
        case ChaosFault::Timeout:
            // Accepted, never answered: the connection stays open until the client gives up.
            break;
        case ChaosFault::Reset:
            m_responder->abort();
            break;
        case ChaosFault::RateLimited:
            respondError(WireError::RateLimited);
            break;
        case ChaosFault::ServerError:
            respondError(WireError::ServerError);
            break;
        case ChaosFault::Unavailable:
            respondError(WireError::Unavailable);
            break;
        case ChaosFault::Overloaded:
            respondError(WireError::Overloaded);
            break;
        case ChaosFault::Auth:
            respondError(WireError::Auth);
            break;
        case ChaosFault::Malformed:
            if (m_stream) {
                startStream();
                return;
            }
            respondMalformed();
            break;
        case ChaosFault::StreamError:
        case ChaosFault::StreamStall:
        case ChaosFault::StreamTruncate:
            if (m_stream) {
                startStream();
                return;
            }
            actOnBody();
            break;
        case ChaosFault::StreamNoTerminator:
            // Only a stream has a terminator to leave out.
            if (m_stream) {
                startStream();
                return;
            }
            respondAnswer();
            break;
        case ChaosFault::ContentFilter:
            if (m_wire.format() == WireFormat::OpenAI) {
                respondError(WireError::ContentFilter);
                break;
            }
            refuse();
            if (m_stream) {
                startStream();
                return;
            }
            respondAnswer();
            break;
        }
        finish();
    }

    /// Anthropic's refusal: the answer stops after a short partial text, its stop_reason
    /// `refusal`.
    void refuse()
    {
        const auto pieces = static_cast<int>(m_answer.pieces.size());
        const int kept = std::min(
            pieces, static_cast<int>(std::floor(m_decision.cut * (kMaxRefusalPieces + 1))));
        m_answer.pieces = m_answer.pieces.mid(0, kept);
        m_answer.text = m_answer.pieces.join(QString());
        m_answer.outputTokens = estimateTokens(m_answer.text);
        m_answer.hitMaxTokens = false;
        m_answer.refusal = true;
    }

    void respondAnswer()
    {
        HttpServerResponse response{200, m_headers, m_wire.answerBody(m_answer)};
        response.headers.add("content-type", "application/json");
        m_responder->respond(response);
        finish();
    }

    void respondError(WireError error)
    {
        WireErrorDetails details;
        details.model = m_answer.model;
        details.retryAfter = m_decision.retryAfter;
        details.requestId = m_headers.value(m_wire.requestIdHeader());
        HttpServerResponse response = m_wire.errorResponse(error, details);
        HttpHeaders headers = m_headers;
        for (const auto &[name, value] : response.headers.fields())
            headers.add(name, value);
        if (error == WireError::RateLimited) {
            headers.add("retry-after", ceilSeconds(m_decision.retryAfter));
            headers.add("retry-after-ms", QByteArray::number(m_decision.retryAfter.count()));
        }
        response.headers = headers;
        m_responder->respond(response);
    }

    /// A 200 whose JSON body stops part-way: not parseable.
    void respondMalformed()
    {
        const QByteArray body = m_wire.answerBody(m_answer);
        HttpServerResponse response{200, m_headers, body.left(cutBytes(body))};
        response.headers.add("content-type", "application/json");
        m_responder->respond(response);
    }

    /// A stream fault on a non-streaming request, acting on the JSON body.
    void actOnBody()
    {
        HttpServerResponse response{200, m_headers, m_wire.answerBody(m_answer)};
        response.headers.add("content-type", "application/json");
        switch (m_decision.fault) {
        case ChaosFault::StreamError:
            respondError(m_wire.format() == WireFormat::Anthropic ? WireError::Overloaded
                                                                  : WireError::ServerError);
            break;
        case ChaosFault::StreamStall:
            m_responder->respondPartially(response, cutBytes(response.body));
            break;
        default:
            m_responder->respondPartially(response, cutBytes(response.body));
            m_responder->close();
            break;
        }
    }

    qsizetype cutBytes(const QByteArray &body) const
    {
        const auto bytes =
            static_cast<qsizetype>(static_cast<double>(body.size()) * (0.2 + 0.6 * m_decision.cut));
        return std::clamp<qsizetype>(bytes, 1, std::max<qsizetype>(1, body.size() - 1));
    }

    void startStream()
    {
        HttpHeaders headers = m_headers;
        headers.add("content-type", "text/event-stream; charset=utf-8");
        headers.add("cache-control", "no-cache");
        m_responder->beginStream(200, headers);
        m_responder->writeChunk(m_wire.streamStart(m_answer));
        const auto pieces = static_cast<int>(m_answer.pieces.size());
        if (strikesMidStream()) {
            // Mid-stream: after at least one delta when there are two or more.
            m_cutIndex =
                pieces >= 2 ? 1 + static_cast<int>(std::floor(m_decision.cut * (pieces - 1))) : 0;
        }
        if (m_decision.ttft > Millis(0))
            schedule(m_decision.ttft, &AnswerRun::writeDeltas);
        else
            writeDeltas();
    }

    void writeDeltas()
    {
        QByteArray out;
        const auto pieces = static_cast<int>(m_answer.pieces.size());
        for (;;) {
            if (m_next == m_cutIndex) {
                m_responder->writeChunk(out);
                strike();
                return;
            }
            if (m_next >= pieces) {
                out += m_wire.streamFinish(m_answer);
                if (!isFault(ChaosFault::StreamNoTerminator))
                    out += m_wire.streamTerminator();
                m_responder->writeChunk(out);
                m_responder->endStream();
                finish();
                return;
            }
            out += m_wire.streamDelta(m_answer, m_answer.pieces.at(m_next));
            ++m_next;
            if (m_decision.tokensPerSecond > 0 && m_next < pieces) {
                // Carry the fractions so that the average rate is exact.
                m_pacingCarryMs += estimateTokens(m_answer.pieces.at(m_next)) * 1000.0 /
                                   m_decision.tokensPerSecond;
                const double wait = std::floor(m_pacingCarryMs);
                if (wait >= 1) {
                    m_pacingCarryMs -= wait;
                    m_responder->writeChunk(out);
                    schedule(Millis(static_cast<Millis::rep>(wait)), &AnswerRun::writeDeltas);
                    return;
                }
            }
        }
    }

    bool isFault(ChaosFault fault) const
    {
        return m_decision.verdict == ChaosDecision::Verdict::Fault && m_decision.fault == fault;
    }

    /// Whether the fault cuts into the deltas (the others end the stream in their own way).
    bool strikesMidStream() const
    {
        return isFault(ChaosFault::StreamError) || isFault(ChaosFault::StreamStall) ||
               isFault(ChaosFault::StreamTruncate) || isFault(ChaosFault::Malformed);
    }

    /// The mid-stream fault.
    void strike()
    {
        switch (m_decision.fault) {
        case ChaosFault::StreamError:
            m_responder->writeChunk(m_wire.streamErrorEvent());
            m_responder->endStream();
            break;
        case ChaosFault::StreamTruncate:
            m_responder->close();
            break;
        case ChaosFault::Malformed: {
            // An event cut in the middle of its JSON, then the end of the body.
            const QByteArray event = m_wire.streamDelta(m_answer, m_next < m_answer.pieces.size()
                                                                      ? m_answer.pieces.at(m_next)
                                                                      : QStringLiteral("lorem"));
            const qsizetype data = event.indexOf("data: ") + 6;
            m_responder->writeChunk(event.left(data + (event.size() - data) / 2) + "\n\n");
            m_responder->endStream();
            break;
        }
        default:
            // stream_stall: nothing more, ever; the connection stays open.
            break;
        }
        finish();
    }

    ChaosRequestHandler &m_handler;
    std::shared_ptr<HttpResponder> m_responder;
    const ChaosWire &m_wire;
    ChaosDecision m_decision;
    WireAnswer m_answer;
    bool m_stream;
    HttpHeaders m_headers;
    std::unique_ptr<Timer> m_timer;
    Step m_step = nullptr;
    int m_next = 0;
    int m_cutIndex = -1;
    double m_pacingCarryMs = 0;
    bool m_done = false;
};

ChaosRequestHandler::ChaosRequestHandler(ChaosController &controller, WallClock wallClock)
    : m_controller(controller), m_wallClock(std::move(wallClock))
{
    if (!m_wallClock)
        m_wallClock = [] {
            return QDateTime::currentDateTimeUtc();
        };
}

ChaosRequestHandler::~ChaosRequestHandler() = default;

void ChaosRequestHandler::handleRequest(const HttpServerRequest &request,
                                        std::shared_ptr<HttpResponder> responder)
{
    buryRetired();
    const QByteArray &path = request.path;
    const bool post = request.method == "POST";
    if (path.startsWith("/chaos/")) {
        handleControl(request, responder);
    } else if (path == "/v1/messages") {
        if (post)
            handleChat(request, responder, chaosWire(WireFormat::Anthropic));
        else
            responder->respond(methodNotAllowed("POST"));
    } else if (path == "/v1/chat/completions" || path == "/chat/completions") {
        // Both: OpenAI's base URL ends in /v1, so clients configured either way land here.
        if (post)
            handleChat(request, responder, chaosWire(WireFormat::OpenAI));
        else
            responder->respond(methodNotAllowed("POST"));
    } else if (path == "/v1/models" || path == "/models" || path.startsWith("/v1/models/") ||
               path.startsWith("/models/")) {
        if (request.method == "GET" || request.method == "HEAD")
            handleModels(request, responder);
        else
            responder->respond(methodNotAllowed("GET"));
    } else {
        WireErrorDetails details;
        details.message =
            QStringLiteral("Invalid URL (%1 %2)")
                .arg(QString::fromLatin1(request.method), QString::fromLatin1(request.path));
        responder->respond(
            wireForHeaders(request.headers).errorResponse(WireError::NotFound, details));
    }
}

void ChaosRequestHandler::handleChat(const HttpServerRequest &request,
                                     const std::shared_ptr<HttpResponder> &responder,
                                     const ChaosWire &wire)
{
    HttpHeaders headers;
    headers.add(wire.requestIdHeader(), wire.requestId(m_controller.nextIdBits()));
    const auto refuse = [&](const QString &model, const WireRequestError &error) {
        m_controller.countBadRequest(model);
        wire.addRateLimitHeaders(headers, m_controller.currentRateLimits(model), m_wallClock());
        WireErrorDetails details;
        details.message = error.message;
        details.param = error.param;
        details.code = error.code;
        details.requestId = headers.value(wire.requestIdHeader());
        HttpServerResponse response = wire.errorResponse(WireError::InvalidRequest, details);
        for (const auto &[name, value] : response.headers.fields())
            headers.add(name, value);
        response.headers = headers;
        responder->respond(response);
    };

    auto parsed = wire.parseChatRequest(request.body);
    if (const auto *error = std::get_if<WireRequestError>(&parsed)) {
        refuse(error->model, *error);
        return;
    }
    const WireChatRequest &chat = std::get<WireChatRequest>(parsed);

    ChaosCall call;
    call.model = chat.model;
    call.stream = chat.stream;
    const QByteArray forced = request.headers.value("x-chaos-fault").trimmed().toLower();
    if (!forced.isEmpty()) {
        if (forced == "ok") {
            call.forcedOk = true;
        } else if (const auto fault = chaosFaultFromName(QString::fromLatin1(forced))) {
            call.forcedFault = fault;
        } else {
            QStringList names{QStringLiteral("ok")};
            for (ChaosFault fault : allChaosFaults())
                names.append(chaosFaultName(fault));
            refuse(chat.model,
                   WireRequestError{QStringLiteral("x-chaos-fault: unknown fault '%1'; expected "
                                                   "one of %2")
                                        .arg(QString::fromLatin1(forced), names.join(u", ")),
                                    {},
                                    {},
                                    chat.model});
            return;
        }
    }
    if (request.headers.contains("x-chaos-latency-ms")) {
        bool ok = false;
        const int latency = request.headers.value("x-chaos-latency-ms").trimmed().toInt(&ok);
        if (!ok || latency < 0 || latency > kMaxForcedLatencyMs) {
            refuse(chat.model,
                   WireRequestError{QStringLiteral("x-chaos-latency-ms: must be a whole number "
                                                   "of milliseconds from 0 to %1")
                                        .arg(kMaxForcedLatencyMs),
                                    {},
                                    {},
                                    chat.model});
            return;
        }
        call.forcedLatency = Millis(latency);
    }

    const AnswerText text =
        generateAnswerText(chat.prompt, chat.model, m_controller.seed(),
                           chat.maxTokens > 0 ? chat.maxTokens : std::numeric_limits<int>::max());
    call.inputTokens = estimateTokens(chat.prompt);
    call.outputTokens = text.outputTokens;
    const ChaosDecision decision = m_controller.decide(call);

    WireAnswer answer;
    answer.id = wire.answerId(m_controller.nextIdBits());
    answer.model = chat.model;
    answer.text = text.text;
    answer.pieces = text.pieces;
    answer.inputTokens = call.inputTokens;
    answer.outputTokens = text.outputTokens;
    answer.hitMaxTokens = text.hitMaxTokens;
    answer.includeUsage = chat.includeUsage;
    const QDateTime wallNow = m_wallClock();
    answer.created = wallNow.toSecsSinceEpoch();

    WireErrorDetails details;
    details.model = chat.model;
    details.requestId = headers.value(wire.requestIdHeader());
    switch (decision.verdict) {
    case ChaosDecision::Verdict::NotFound: {
        wire.addRateLimitHeaders(headers, decision.rateLimits, wallNow);
        HttpServerResponse response = wire.errorResponse(WireError::NotFound, details);
        for (const auto &[name, value] : response.headers.fields())
            headers.add(name, value);
        response.headers = headers;
        responder->respond(response);
        return;
    }
    case ChaosDecision::Verdict::ContextOverflow: {
        details.promptTokens = call.inputTokens;
        details.contextWindow = decision.contextWindow;
        wire.addRateLimitHeaders(headers, decision.rateLimits, wallNow);
        HttpServerResponse response = wire.errorResponse(WireError::ContextOverflow, details);
        for (const auto &[name, value] : response.headers.fields())
            headers.add(name, value);
        response.headers = headers;
        responder->respond(response);
        return;
    }
    case ChaosDecision::Verdict::RateLimited: {
        details.tokenLimit = decision.tokenLimit;
        details.limit = decision.limit;
        details.retryAfter = decision.retryAfter;
        wire.addRateLimitHeaders(headers, decision.rateLimits, wallNow);
        HttpServerResponse response = wire.errorResponse(WireError::RateLimited, details);
        for (const auto &[name, value] : response.headers.fields())
            headers.add(name, value);
        headers.add("retry-after", ceilSeconds(decision.retryAfter));
        headers.add("retry-after-ms", QByteArray::number(decision.retryAfter.count()));
        response.headers = headers;
        responder->respond(response);
        return;
    }
    case ChaosDecision::Verdict::Ok:
    case ChaosDecision::Verdict::Fault:
        break;
    }

    wire.addRateLimitHeaders(headers, decision.rateLimits, wallNow);
    if (wire.format() == WireFormat::OpenAI)
        headers.add("openai-processing-ms", QByteArray::number(decision.latency.count()));
    auto run = std::make_unique<AnswerRun>(*this, responder, wire, decision, std::move(answer),
                                           chat.stream, std::move(headers));
    run->start();
    if (!run->isDone()) {
        AnswerRun *key = run.get();
        m_answers.emplace(key, std::move(run));
    }
}

void ChaosRequestHandler::handleModels(const HttpServerRequest &request,
                                       const std::shared_ptr<HttpResponder> &responder)
{
    // One shape both SDKs accept: OpenAI's list fields and Anthropic's page fields side by
    // side, each model with both sets of fields.
    const auto modelJson = [](const QString &id) {
        return json{{"id", id.toStdString()},
                    {"object", "model"},
                    {"type", "model"},
                    {"created", 1735689600},
                    {"created_at", "2025-01-01T00:00:00Z"},
                    {"owned_by", "breakwater-chaos"},
                    {"display_name", id.toStdString()}};
    };
    const ChaosProfile profile = m_controller.profile();
    const qsizetype slash = request.path.indexOf("/models/");
    if (slash >= 0) {
        const QString id = decodedSegment(QByteArrayView(request.path).sliced(slash + 8));
        if (!profile.find(id)) {
            WireErrorDetails details;
            details.model = id;
            responder->respond(
                wireForHeaders(request.headers).errorResponse(WireError::NotFound, details));
            return;
        }
        responder->respond(jsonResponse(200, modelJson(id)));
        return;
    }
    json data = json::array();
    for (auto it = profile.models.cbegin(); it != profile.models.cend(); ++it) {
        if (it.key() != kChaosAnyModel)
            data.push_back(modelJson(it.key()));
    }
    json body = {{"object", "list"}, {"data", data}, {"has_more", false}};
    body["first_id"] = data.empty() ? json(nullptr) : data.front()["id"];
    body["last_id"] = data.empty() ? json(nullptr) : data.back()["id"];
    responder->respond(jsonResponse(200, body));
}

void ChaosRequestHandler::handleControl(const HttpServerRequest &request,
                                        const std::shared_ptr<HttpResponder> &responder)
{
    const QByteArray &method = request.method;
    const QByteArrayView path(request.path);
    HttpServerResponse error;

    if (path == "/chaos/profile") {
        if (method == "GET") {
            responder->respond(jsonResponse(200, chaosProfileToJson(m_controller.profile())));
        } else if (method == "PUT") {
            const std::optional<json> body = parseBody(request.body, error);
            if (!body) {
                responder->respond(error);
                return;
            }
            const QList<ValidationError> errors = m_controller.setProfileJson(*body);
            responder->respond(errors.isEmpty()
                                   ? jsonResponse(200, chaosProfileToJson(m_controller.profile()))
                                   : controlError(400, QStringLiteral("invalid profile"), errors));
        } else {
            responder->respond(methodNotAllowed("GET, PUT"));
        }
    } else if (path.startsWith("/chaos/models/") && path.size() > 14) {
        const QString model = decodedSegment(path.sliced(14));
        if (method == "GET") {
            const ChaosProfile profile = m_controller.profile();
            const ChaosModelProfile *entry = profile.find(model);
            responder->respond(entry ? jsonResponse(200, chaosModelProfileToJson(*entry))
                                     : controlError(404, QStringLiteral("no profile entry serves "
                                                                        "model '%1'")
                                                             .arg(model)));
        } else if (method == "PATCH") {
            const std::optional<json> body = parseBody(request.body, error);
            if (!body) {
                responder->respond(error);
                return;
            }
            const QList<ValidationError> errors = m_controller.patchModel(model, *body);
            responder->respond(
                errors.isEmpty()
                    ? jsonResponse(200,
                                   chaosModelProfileToJson(*m_controller.profile().find(model)))
                    : controlError(400, QStringLiteral("invalid model entry"), errors));
        } else {
            responder->respond(methodNotAllowed("GET, PATCH"));
        }
    } else if (path == "/chaos/reset") {
        if (method == "POST") {
            m_controller.reset();
            responder->respond(jsonResponse(200, chaosProfileToJson(m_controller.profile())));
        } else {
            responder->respond(methodNotAllowed("POST"));
        }
    } else if (path == "/chaos/timeline") {
        if (method == "POST") {
            const std::optional<json> body = parseBody(request.body, error);
            if (!body) {
                responder->respond(error);
                return;
            }
            QList<ValidationError> errors;
            std::optional<QList<ChaosTimelineEntry>> timeline;
            if (!body->is_object()) {
                errors.append(ValidationError{{}, {}, QStringLiteral("must be an object")});
            } else if (!body->contains("timeline")) {
                errors.append(
                    ValidationError{{}, {}, QStringLiteral("missing required field 'timeline'")});
            } else {
                for (auto it = body->begin(); it != body->end(); ++it) {
                    if (it.key() != "timeline")
                        errors.append(ValidationError{{},
                                                      {},
                                                      QStringLiteral("unknown field '%1'")
                                                          .arg(QString::fromStdString(it.key()))});
                }
                ChaosTimelineParseResult parsed = parseChaosTimeline(body->at("timeline"));
                errors.append(parsed.errors);
                timeline = std::move(parsed.timeline);
            }
            if (!errors.isEmpty() || !timeline) {
                responder->respond(controlError(400, QStringLiteral("invalid timeline"), errors));
                return;
            }
            m_controller.startTimeline(*timeline);
            responder->respond(jsonResponse(200, {{"scheduled", timeline->size()}}));
        } else if (method == "DELETE") {
            m_controller.stopTimeline();
            responder->respond(jsonResponse(200, {{"scheduled", 0}}));
        } else {
            responder->respond(methodNotAllowed("POST, DELETE"));
        }
    } else if (path == "/chaos/stats") {
        if (method == "GET")
            responder->respond(jsonResponse(200, m_controller.statsJson()));
        else
            responder->respond(methodNotAllowed("GET"));
    } else {
        responder->respond(controlError(404, QStringLiteral("no such control endpoint")));
    }
}

void ChaosRequestHandler::retire(AnswerRun *answer)
{
    const auto it = m_answers.find(answer);
    if (it == m_answers.end())
        return; // finished before it was registered: its creator destroys it
    m_retired.push_back(std::move(it->second));
    m_answers.erase(it);
}

void ChaosRequestHandler::buryRetired()
{
    // Runs are destroyed here, never inside their own timer callback or close callback.
    m_retired.clear();
}

} // namespace breakwater

#include "inprocesstransport.h"

#include <deque>
#include <utility>

namespace breakwater {
namespace {

/// What QnamTransport reports when the server closes or resets the connection before the
/// response head (QNetworkReply::RemoteHostClosedError, either way).
constexpr auto kClosedBeforeHead = TransportFailure::ConnectionReset;
const char *const kClosedDetail = "Connection closed";

class InProcessResponder;

/// One request on its way: what is left to tell the caller, in order, and the timer that
/// tells it. Shared by the caller's handle (the owner) and, weakly, the handler's responder.
class Exchange final : public std::enable_shared_from_this<Exchange> {
public:
    Exchange(HttpRequestHandler &handler, Clock &clock, const HttpRequest &request,
             TransportCallbacks callbacks)
        : m_handler(handler), m_request(InProcessTransport::serverRequest(request)),
          m_callbacks(std::move(callbacks))
    {
        m_timer = clock.createTimer([this] { run(); });
    }
    Exchange(const Exchange &) = delete;
    Exchange &operator=(const Exchange &) = delete;

    /// Hands the request to the handler from the clock, not from inside send().
    void start();
    /// Nothing more reaches the caller; the handler hears that the client went away.
    void abort();
    bool isHeadRequest() const { return m_request.method == "HEAD"; }

    // What the responder was told, queued for the caller.
    void pushHead(int status, HttpHeaders headers)
    {
        push(Step{Step::Head, status, std::move(headers), {}});
    }
    void pushChunk(QByteArray bytes) { push(Step{Step::Chunk, 0, {}, std::move(bytes)}); }
    void pushFinished() { push(Step{Step::Finished, 0, {}, {}}); }
    void pushClosedBeforeHead() { push(Step{Step::Failed, 0, {}, {}}); }

private:
    struct Step {
        enum Kind { Dispatch, Head, Chunk, Finished, Failed } kind;
        int status;
        HttpHeaders headers;
        QByteArray bytes;
    };

    void push(Step step)
    {
        if (m_aborted)
            return;
        m_steps.push_back(std::move(step));
        // Inside run() the loop takes it; otherwise the caller hears of it from the clock.
        if (!m_running && !m_timer->isActive())
            m_timer->start(Millis(0));
    }

    void run();
    void deliver(Step &step);

    HttpRequestHandler &m_handler;
    HttpServerRequest m_request;
    TransportCallbacks m_callbacks;
    std::unique_ptr<Timer> m_timer;
    std::shared_ptr<InProcessResponder> m_responder;
    std::deque<Step> m_steps;
    bool m_running = false;
    bool m_aborted = false;
};

/// The handler's side of one exchange: turns what it is told into steps for the caller,
/// with the framing the HTTP layer would have added (Content-Length, chunked coding).
class InProcessResponder final : public HttpResponder {
public:
    explicit InProcessResponder(std::weak_ptr<Exchange> exchange, bool headRequest)
        : m_exchange(std::move(exchange)), m_headRequest(headRequest)
    {}

    void respond(const HttpServerResponse &response) override
    {
        const auto exchange = waiting();
        if (!exchange)
            return;
        m_phase = Phase::Done;
        exchange->pushHead(response.status, withLength(response.headers, response.body.size()));
        if (!m_headRequest && !response.body.isEmpty())
            exchange->pushChunk(response.body);
        exchange->pushFinished();
    }

    void respondPartially(const HttpServerResponse &response, qsizetype bytes) override
    {
        const auto exchange = waiting();
        if (!exchange)
            return;
        m_phase = Phase::Partial;
        exchange->pushHead(response.status, withLength(response.headers, response.body.size()));
        if (!m_headRequest && bytes > 0)
            exchange->pushChunk(response.body.left(bytes));
    }

    void beginStream(int status, const HttpHeaders &headers) override
    {
        const auto exchange = waiting();
        if (!exchange)
            return;
        m_phase = Phase::Streaming;
        HttpHeaders framed = headers;
        framed.set("Transfer-Encoding", "chunked");
        exchange->pushHead(status, std::move(framed));
    }

    void writeChunk(const QByteArray &data) override
    {
        if (m_phase != Phase::Streaming || data.isEmpty() || m_headRequest)
            return;
        if (const auto exchange = m_exchange.lock())
            exchange->pushChunk(data);
    }

    void endStream() override
    {
        if (m_phase != Phase::Streaming)
            return;
        m_phase = Phase::Done;
        if (const auto exchange = m_exchange.lock())
            exchange->pushFinished();
    }

    // A graceful close and a reset look the same to the client: after the head, the body
    // simply ends (the engine judges what it got); before it, the request failed.
    void close() override { endConnection(); }
    void abort() override { endConnection(); }

    bool isOpen() const override { return m_phase != Phase::Done && !m_exchange.expired(); }

    void onClosed(std::function<void()> callback) override { m_onClosed.set(std::move(callback)); }

    /// The client went away: runs the close callback if the answer was unfinished.
    void detach()
    {
        m_exchange.reset();
        const bool unfinished = m_phase != Phase::Done;
        m_phase = Phase::Done;
        m_onClosed.connectionGone(unfinished);
    }

private:
    enum class Phase { Waiting, Partial, Streaming, Done };

    std::shared_ptr<Exchange> waiting() const
    {
        return m_phase == Phase::Waiting ? m_exchange.lock() : nullptr;
    }

    static HttpHeaders withLength(const HttpHeaders &headers, qsizetype length)
    {
        HttpHeaders framed = headers;
        framed.set("Content-Length", QByteArray::number(length));
        return framed;
    }

    void endConnection()
    {
        if (m_phase == Phase::Done)
            return;
        const bool headSent = m_phase != Phase::Waiting;
        m_phase = Phase::Done;
        const auto exchange = m_exchange.lock();
        if (!exchange)
            return;
        if (headSent)
            exchange->pushFinished();
        else
            exchange->pushClosedBeforeHead();
    }

    std::weak_ptr<Exchange> m_exchange;
    bool m_headRequest;
    Phase m_phase = Phase::Waiting;
    ClosedCallback m_onClosed;
};

void Exchange::start()
{
    m_responder = std::make_shared<InProcessResponder>(weak_from_this(), isHeadRequest());
    push(Step{Step::Dispatch, 0, {}, {}});
}

void Exchange::abort()
{
    if (m_aborted)
        return;
    m_aborted = true;
    m_steps.clear();
    m_timer->stop();
    // The callbacks stay: abort() may run inside one of them.
    if (const auto responder = std::exchange(m_responder, nullptr))
        responder->detach();
}

void Exchange::run()
{
    // A callback may drop the caller's handle: the exchange lives until the loop is done.
    const auto self = shared_from_this();
    m_running = true;
    while (!m_aborted && !m_steps.empty()) {
        Step step = std::move(m_steps.front());
        m_steps.pop_front();
        deliver(step);
    }
    m_running = false;
}

void Exchange::deliver(Step &step)
{
    switch (step.kind) {
    case Step::Dispatch: {
        if (m_callbacks.requestSent)
            m_callbacks.requestSent();
        if (m_aborted)
            return;
        const HttpServerRequest request = std::exchange(m_request, {});
        m_handler.handleRequest(request, m_responder);
        return;
    }
    case Step::Head:
        if (m_callbacks.responseHead)
            m_callbacks.responseHead(step.status, step.headers);
        return;
    case Step::Chunk:
        if (m_callbacks.bodyChunk)
            m_callbacks.bodyChunk(step.bytes);
        return;
    case Step::Finished:
        // The exchange is over: the handler's responder has nothing more to say.
        m_aborted = true;
        m_responder.reset();
        if (m_callbacks.finished)
            m_callbacks.finished();
        return;
    case Step::Failed:
        m_aborted = true;
        m_responder.reset();
        if (m_callbacks.failed)
            m_callbacks.failed(kClosedBeforeHead, QString::fromLatin1(kClosedDetail));
        return;
    }
}

class InProcessRequest final : public TransportRequest {
public:
    explicit InProcessRequest(std::shared_ptr<Exchange> exchange) : m_exchange(std::move(exchange))
    {}
    ~InProcessRequest() override { abort(); }
    void abort() override
    {
        if (m_exchange)
            std::exchange(m_exchange, nullptr)->abort();
    }

private:
    std::shared_ptr<Exchange> m_exchange;
};

} // namespace

InProcessTransport::InProcessTransport(HttpRequestHandler &handler, Clock &clock)
    : m_handler(handler), m_clock(clock)
{}

InProcessTransport::~InProcessTransport() = default;

HttpServerRequest InProcessTransport::serverRequest(const HttpRequest &request)
{
    HttpServerRequest converted;
    converted.method = request.method;
    converted.path = request.url.path(QUrl::FullyEncoded).toLatin1();
    if (converted.path.isEmpty())
        converted.path = "/";
    converted.query = request.url.query(QUrl::FullyEncoded).toLatin1();
    converted.minorVersion = 1;
    converted.headers = request.headers;
    converted.body = request.body;
    converted.keepAlive = true;
    return converted;
}

std::unique_ptr<TransportRequest> InProcessTransport::send(const HttpRequest &request,
                                                           TransportCallbacks callbacks)
{
    auto exchange = std::make_shared<Exchange>(m_handler, m_clock, request, std::move(callbacks));
    exchange->start();
    return std::make_unique<InProcessRequest>(std::move(exchange));
}

} // namespace breakwater

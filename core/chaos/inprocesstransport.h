#pragma once

#include "chaos/httprequesthandler.h"
#include "common/clock.h"
#include "transport/transport.h"

namespace breakwater {

/// A transport to an HttpRequestHandler in this process (the embedded chaos server's), with
/// no sockets and no threads, for runs in virtual time (docs/architecture.md, "Virtual
/// time"). Each request goes straight to the handler; what the handler tells its responder
/// comes back as the callbacks QnamTransport gives for the same answer on a socket: the head,
/// the body, then finished, or failed(ConnectionReset) when the connection ends before any
/// head. An answer cut short after its head (a close or reset mid-body) finishes like a
/// whole one, as over a socket: the engine judges the body.
///
/// Callbacks run from zero-delay timers of `clock`, never inside send() nor inside the
/// handler. Aborting or destroying a request stops its callbacks and tells the handler (its
/// responder's onClosed), which then stops pacing an answer nobody reads. Everything runs on
/// the thread that uses the transport, the handler's.
class InProcessTransport final : public Transport {
public:
    /// `handler` and `clock` must outlive every request sent.
    InProcessTransport(HttpRequestHandler &handler, Clock &clock);
    InProcessTransport(const InProcessTransport &) = delete;
    InProcessTransport &operator=(const InProcessTransport &) = delete;
    ~InProcessTransport() override;

    std::unique_ptr<TransportRequest> send(const HttpRequest &request,
                                           TransportCallbacks callbacks) override;

    /// `request` as the handler receives it: path and query from the URL, HTTP/1.1,
    /// keep-alive.
    static HttpServerRequest serverRequest(const HttpRequest &request);

private:
    HttpRequestHandler &m_handler;
    Clock &m_clock;
};

} // namespace breakwater

#pragma once

#include "chaos/chaoscontroller.h"
#include "chaos/chaosrequesthandler.h"
#include "chaos/httpserver.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>
#include <memory>

class QThread;

namespace breakwater {

/// The chaos server in one piece: HTTP server, request handler and controller, for the
/// dashboard (in-process, `base_url: "embedded"`) and `breakwater-cli chaos`.
///
///     ChaosServer server(clock, seed, profile);
///     server.runInOwnThread();             // optional: sockets off the caller's thread
///     if (!server.listen()) …server.errorString()…
///     engine base URL: server.baseUrl();   // http://127.0.0.1:PORT
///     server.controller().patchModel("claude-sonnet-4-5", {{"faults", {{"unavailable", 1.0}}}});
///
/// By default everything runs on the thread that created the server. After runInOwnThread()
/// the HTTP server, its connections and the request handler (parsing, delays, streaming)
/// live in a QThread of their own, so a server answering hundreds of requests a second
/// does not take time from the caller's event loop (the dashboard's GUI thread); the
/// controller stays on the caller's thread and, being thread-safe, is called directly from
/// both. listen(), close() and the destructor then wait for the server thread.
class ChaosServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChaosServer)

public:
    /// `clock` must outlive the server and be usable from any thread (QtClock is). `profile`
    /// is the baseline (POST /chaos/reset returns to it).
    ChaosServer(Clock &clock, std::uint64_t seed, ChaosProfile profile = defaultChaosProfile(),
                HttpServerOptions options = {}, ChaosRequestHandler::WallClock wallClock = {},
                QObject *parent = nullptr);
    ~ChaosServer() override;

    /// Moves the HTTP server and the request handler to a thread of their own (started
    /// here). Call before listen(), at most once.
    void runInOwnThread();
    /// Whether runInOwnThread() was called.
    bool hasOwnThread() const { return m_thread != nullptr; }

    /// Starts listening on `address` (loopback unless told otherwise) and `port` (0: a free
    /// one). False with errorString() set when it cannot.
    bool listen(quint16 port = 0, const QHostAddress &address = QHostAddress::LocalHost);
    void close();
    bool isListening() const { return m_port != 0; }
    QString errorString() const { return m_errorString; }
    /// The bound port, 0 when not listening.
    quint16 port() const { return m_port; }
    /// `http://127.0.0.1:PORT` (the address it listens on), the base URL for both
    /// dialects: `/v1/messages`, `/v1/chat/completions` and `/chat/completions` all answer.
    QUrl baseUrl() const;

    ChaosController &controller() { return *m_controller; }
    const ChaosController &controller() const { return *m_controller; }
    /// The request handler and the HTTP server: with an own thread they live there, so
    /// only call them from it (or before runInOwnThread()).
    ChaosRequestHandler &handler() { return *m_handler; }
    HttpServer &httpServer() { return *m_http; }

private:
    /// Runs `work` on the server thread (or here without one) and waits for it.
    void onServerThread(const std::function<void()> &work);

    // Declaration order is destruction order reversed: the HTTP server goes first, so
    // that closing its connections still finds the handler and controller alive.
    std::unique_ptr<ChaosController> m_controller;
    std::unique_ptr<ChaosRequestHandler> m_handler;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<QThread> m_thread;
    /// Lives in the server thread: the target of the calls made there.
    std::unique_ptr<QObject> m_threadContext;
    quint16 m_port = 0;
    QHostAddress m_address;
    QString m_errorString;
};

} // namespace breakwater

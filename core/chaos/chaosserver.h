#pragma once

#include "chaos/chaoscontroller.h"
#include "chaos/chaosrequesthandler.h"
#include "chaos/httpserver.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>
#include <memory>

namespace breakwater {

/// The chaos server in one piece: HTTP server, request handler and controller, for the
/// dashboard (in-process, `base_url: "embedded"`) and `breakwater-cli chaos`.
///
///     ChaosServer server(clock, seed, profile);
///     if (!server.listen()) …server.errorString()…
///     engine base URL: server.baseUrl();   // http://127.0.0.1:PORT
///     server.controller().patchModel("claude-sonnet-4-5", {{"faults", {{"unavailable", 1.0}}}});
class ChaosServer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChaosServer)

public:
    /// `clock` must outlive the server. `profile` is the baseline (POST /chaos/reset
    /// returns to it).
    ChaosServer(Clock &clock, std::uint64_t seed, ChaosProfile profile = defaultChaosProfile(),
                HttpServerOptions options = {}, ChaosRequestHandler::WallClock wallClock = {},
                QObject *parent = nullptr);
    ~ChaosServer() override;

    /// Starts listening on `address` (loopback unless told otherwise) and `port` (0: a free
    /// one). False with errorString() set when it cannot.
    bool listen(quint16 port = 0, const QHostAddress &address = QHostAddress::LocalHost);
    void close();
    bool isListening() const;
    QString errorString() const;
    /// The bound port, 0 when not listening.
    quint16 port() const;
    /// `http://127.0.0.1:PORT` (the address it listens on), the base URL for both
    /// dialects: `/v1/messages`, `/v1/chat/completions` and `/chat/completions` all answer.
    QUrl baseUrl() const;

    ChaosController &controller() { return *m_controller; }
    const ChaosController &controller() const { return *m_controller; }
    ChaosRequestHandler &handler() { return *m_handler; }
    HttpServer &httpServer() { return *m_http; }

private:
    // Declaration order is destruction order reversed: the HTTP server goes first, so
    // that closing its connections still finds the handler and controller alive.
    std::unique_ptr<ChaosController> m_controller;
    std::unique_ptr<ChaosRequestHandler> m_handler;
    std::unique_ptr<HttpServer> m_http;
};

} // namespace breakwater

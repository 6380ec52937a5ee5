#include "chaosserver.h"

#include <QThread>

namespace breakwater {

ChaosServer::ChaosServer(Clock &clock, std::uint64_t seed, ChaosProfile profile,
                         HttpServerOptions options, ChaosRequestHandler::WallClock wallClock,
                         QObject *parent)
    : QObject(parent),
      m_controller(std::make_unique<ChaosController>(clock, seed, std::move(profile))),
      m_handler(std::make_unique<ChaosRequestHandler>(*m_controller, std::move(wallClock))),
      m_http(std::make_unique<HttpServer>(*m_handler, clock, options))
{}

ChaosServer::~ChaosServer()
{
    // Connections, their sockets and the answers' timers belong to the server thread: they
    // are destroyed there, before the thread ends.
    onServerThread([this] {
        m_http.reset();
        m_handler.reset();
    });
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        m_threadContext.reset(); // its thread has ended: safe to delete from here
    }
}

void ChaosServer::runInOwnThread()
{
    if (m_thread)
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("chaos server"));
    m_threadContext = std::make_unique<QObject>();
    m_http->moveToThread(m_thread.get());
    m_threadContext->moveToThread(m_thread.get());
    m_thread->start();
}

void ChaosServer::onServerThread(const std::function<void()> &work)
{
    if (!m_thread || QThread::currentThread() == m_thread.get())
        work();
    else
        QMetaObject::invokeMethod(m_threadContext.get(), work, Qt::BlockingQueuedConnection);
}

bool ChaosServer::listen(quint16 port, const QHostAddress &address)
{
    bool listening = false;
    onServerThread([&] {
        listening = m_http->listenOn(port, address);
        m_port = listening ? m_http->serverPort() : 0;
        m_address = m_http->serverAddress();
        m_errorString = m_http->errorString();
    });
    return listening;
}

void ChaosServer::close()
{
    onServerThread([this] { m_http->close(); });
    m_port = 0;
}

QUrl ChaosServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_address.isNull() || m_address == QHostAddress::Any ||
                        m_address == QHostAddress::AnyIPv4
                    ? QStringLiteral("127.0.0.1")
                    : m_address.toString());
    url.setPort(m_port);
    return url;
}

} // namespace breakwater

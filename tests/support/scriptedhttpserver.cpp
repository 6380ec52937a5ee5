#include "scriptedhttpserver.h"

#include <QTcpSocket>

#include <nlohmann/json.hpp>

namespace breakwater::testing {

ScriptedHttpServer::ScriptedHttpServer(QObject *parent) : QTcpServer(parent)
{
    connect(this, &QTcpServer::newConnection, this, &ScriptedHttpServer::onNewConnection);
    if (!listen(QHostAddress::LocalHost, 0))
        qFatal("cannot listen on 127.0.0.1");
}

QUrl ScriptedHttpServer::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(serverPort()));
}

void ScriptedHttpServer::script(const QString &model, QList<Response> responses)
{
    for (Response &response : responses)
        m_scripts[model].push_back(std::move(response));
}

void ScriptedHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void ScriptedHttpServer::serve(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        Received request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.path = requestLine.value(1);
        qsizetype contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = lines[i].left(colon).trimmed().toLower();
            const QByteArray value = lines[i].mid(colon + 1).trimmed();
            request.headers.add(name, value);
            if (name == "content-length")
                contentLength = value.toLongLong();
        }
        if (buffer.size() < headerEnd + 4 + contentLength)
            return;
        request.body = buffer.mid(headerEnd + 4, contentLength);
        buffer.remove(0, headerEnd + 4 + contentLength);
        const auto json = nlohmann::json::parse(request.body.toStdString(), nullptr, false);
        if (json.is_object())
            request.model = QString::fromStdString(json.value("model", std::string()));
        m_received.append(request);

        Response response{404, {}, QByteArrayLiteral("{}")};
        auto &queue = m_scripts[request.model];
        if (!queue.empty()) {
            response = queue.front();
            queue.pop_front();
        }
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\n";
        for (const auto &[name, value] : response.headers.fields())
            out += name + ": " + value + "\r\n";
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
        out += response.body;
        socket->write(out);
    }
}

} // namespace breakwater::testing

#pragma once

#include "common/httpheaders.h"

#include <QHash>
#include <QList>
#include <QTcpServer>
#include <QUrl>

#include <deque>

namespace breakwater::testing {

/// A minimal loopback HTTP/1.1 server for integration tests: answers each POST with the
/// next scripted response for the model named in its JSON body. Binds 127.0.0.1 port 0.
class ScriptedHttpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptedHttpServer)

public:
    struct Response {
        int status = 200;
        HttpHeaders headers;
        QByteArray body;
    };
    struct Received {
        QByteArray method;
        QByteArray path;
        HttpHeaders headers;
        QByteArray body;
        QString model;
    };

    explicit ScriptedHttpServer(QObject *parent = nullptr);
    QUrl baseUrl() const;
    void script(const QString &model, QList<Response> responses);
    const QList<Received> &received() const { return m_received; }

private:
    void onNewConnection();
    void serve(QTcpSocket *socket);

    QHash<QString, std::deque<Response>> m_scripts;
    QList<Received> m_received;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace breakwater::testing

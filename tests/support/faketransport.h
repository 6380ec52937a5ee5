#pragma once

#include "common/clock.h"
#include "transport/transport.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>

#include <deque>
#include <memory>
#include <optional>

namespace breakwater::testing {

/// One scripted answer of the fake transport.
struct FakeReply {
    enum class Kind { Answer, Fail, Hang };
    Kind kind = Kind::Answer;
    int status = 200;
    HttpHeaders headers;
    /// The body, delivered as these chunks, `chunkGap` apart after the head.
    QList<QByteArray> chunks;
    /// Time from send to the response head.
    Millis latency{0};
    Millis chunkGap{0};
    /// Close after the chunks (false: the stream stalls with the connection open).
    bool finish = true;
    /// Whether the request is reported as sent (false: the connect timeout fires).
    bool sent = true;
    TransportFailure failure = TransportFailure::ConnectionRefused;

    static FakeReply anthropicText(const QString &text, Millis latency = Millis(0));
    static FakeReply openaiText(const QString &text, Millis latency = Millis(0));
    static FakeReply anthropicError(int status, const QString &type, const QString &message,
                                    HttpHeaders headers = {});
    static FakeReply anthropicStream(const QStringList &deltas, Millis gap = Millis(0));
    static FakeReply failed(TransportFailure failure);
    static FakeReply hang();
};

/// A recorded request.
struct SentRequest {
    HttpRequest request;
    QString model;
    QString prompt;
    Millis at{0};
};

/// A transport that answers from per-model scripts, timed by a (fake) clock: nothing is
/// delivered from inside send(), so the engine sees the same ordering as with a network.
class FakeTransport final : public Transport {
public:
    explicit FakeTransport(Clock &clock) : m_clock(clock) {}

    /// Appends replies for `model`; once its script is used up, `fallback` answers.
    void script(const QString &model, QList<FakeReply> replies);
    void setFallbackReply(FakeReply reply) { m_fallback = std::move(reply); }

    std::unique_ptr<TransportRequest> send(const HttpRequest &request,
                                           TransportCallbacks callbacks) override;

    const QList<SentRequest> &sent() const { return m_sent; }
    int sentTo(const QString &model) const;
    int openRequests() const { return m_open; }

private:
    friend class FakeRequest;
    Clock &m_clock;
    QHash<QString, std::deque<FakeReply>> m_scripts;
    FakeReply m_fallback = FakeReply::anthropicText(QStringLiteral("fallback answer"));
    QList<SentRequest> m_sent;
    int m_open = 0;
};

} // namespace breakwater::testing

Q_DECLARE_METATYPE(breakwater::testing::FakeReply)

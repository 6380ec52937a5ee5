#pragma once

#include "common/httpheaders.h"

#include <QByteArray>

namespace breakwater {

/// One request as the chaos server's HTTP layer received it (body already de-chunked).
struct HttpServerRequest {
    QByteArray method;
    /// The path of the request target, without the query (still percent-encoded).
    QByteArray path;
    /// The query, without the '?'; empty when there is none.
    QByteArray query;
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    int minorVersion = 1;
    HttpHeaders headers;
    QByteArray body;
    /// Whether the client lets the connection stay open after this exchange.
    bool keepAlive = true;
};

/// A complete response. Content-Length and Connection are added by the HTTP layer.
struct HttpServerResponse {
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
};

/// "OK", "Not Found", … for the status line; "Unknown" for a code it does not know.
QByteArray httpReasonPhrase(int status);

} // namespace breakwater

#pragma once

#include "common/httpheaders.h"

#include <QString>

namespace breakwater {

/// One prompt to one model, before it is put into a wire format.
struct ChatRequest {
    QString model;
    QString prompt;
    int maxTokens = 1024;
    bool stream = false;
    /// Sent as they are (e.g. `x-chaos-fault` to provoke one failure on the chaos server).
    HttpHeaders extraHeaders;
};

/// A model's complete answer.
struct ChatAnswer {
    QString text;
    QString model;
    QString stopReason;
    int inputTokens = 0;
    int outputTokens = 0;
};

} // namespace breakwater

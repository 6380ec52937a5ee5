// A complete 2xx body read by both adapters' parseAnswer: any bytes give an answer or a
// classified error, never a crash, an exception or an empty error message.

#include "fuzzsupport.h"
#include "providers/provideradapter.h"

#include <variant>

using namespace breakwater;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::unique_ptr<ProviderAdapter> adapters[] = {
        createProviderAdapter(ProviderKind::Anthropic),
        createProviderAdapter(ProviderKind::OpenAI),
    };
    const QByteArray body = fuzz::inputView(data, size).toByteArray();
    for (const auto &adapter : adapters) {
        const std::variant<ChatAnswer, ClassifiedError> result = adapter->parseAnswer(body);
        if (const auto *answer = std::get_if<ChatAnswer>(&result)) {
            fuzz::check(answer->inputTokens >= 0 && answer->outputTokens >= 0,
                        "a negative token count");
        } else {
            const auto &error = std::get<ClassifiedError>(result);
            fuzz::check(!error.message.isEmpty(), "an error without a message");
            fuzz::check(error.httpStatus == 0, "a body-only error claims an HTTP status");
        }
    }
    return 0;
}

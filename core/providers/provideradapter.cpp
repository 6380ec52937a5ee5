#include "provideradapter.h"

#include "anthropicadapter.h"
#include "openaiadapter.h"

namespace breakwater {

std::unique_ptr<ProviderAdapter> createProviderAdapter(ProviderKind kind)
{
    switch (kind) {
    case ProviderKind::Anthropic:
        return std::make_unique<AnthropicAdapter>();
    case ProviderKind::OpenAI:
        return std::make_unique<OpenAIAdapter>();
    }
    return nullptr;
}

} // namespace breakwater

// The wire names of the policy enums, in one place.
#include "breaker/breakerpolicy.h"
#include "breaker/breakerstate.h"
#include "cache/cachepolicy.h"
#include "common/enumnames.h"
#include "engine/callpolicy.h"
#include "engine/contextpolicy.h"
#include "errors/classifiederror.h"
#include "providers/providerconfig.h"
#include "retry/retrypolicy.h"

namespace breakwater {
namespace {

const EnumNames<JitterMode, 5> kJitterNames{{{
    {JitterMode::Additive, u"additive"},
    {JitterMode::Full, u"full"},
    {JitterMode::Equal, u"equal"},
    {JitterMode::Decorrelated, u"decorrelated"},
    {JitterMode::None, u"none"},
}}};
const EnumNames<WindowKind, 2> kWindowNames{{{
    {WindowKind::Count, u"count"},
    {WindowKind::Time, u"time"},
}}};
const EnumNames<BreakerCounting, 2> kBreakerCountingNames{{{
    {BreakerCounting::Attempts, u"attempts"},
    {BreakerCounting::Calls, u"calls"},
}}};
const EnumNames<WhenAllOpen, 2> kWhenAllOpenNames{{{
    {WhenAllOpen::Probe, u"probe"},
    {WhenAllOpen::Degrade, u"degrade"},
}}};
const EnumNames<ContentFilterAction, 2> kContentFilterActionNames{{{
    {ContentFilterAction::Fail, u"fail"},
    {ContentFilterAction::Fallback, u"fallback"},
}}};
const EnumNames<BreakerState, 5> kBreakerStateNames{{{
    {BreakerState::Closed, u"closed"},
    {BreakerState::Open, u"open"},
    {BreakerState::HalfOpen, u"half_open"},
    {BreakerState::ForcedOpen, u"forced_open"},
    {BreakerState::ForcedClosed, u"forced_closed"},
}}};
const EnumNames<CacheMode, 2> kCacheModeNames{{{
    {CacheMode::OnError, u"on_error"},
    {CacheMode::First, u"first"},
}}};
const EnumNames<OverflowAction, 3> kOverflowNames{{{
    {OverflowAction::Truncate, u"truncate"},
    {OverflowAction::NextModel, u"next_model"},
    {OverflowAction::Fail, u"fail"},
}}};
const EnumNames<KeepPart, 3> kKeepNames{{{
    {KeepPart::Head, u"head"},
    {KeepPart::Tail, u"tail"},
    {KeepPart::HeadTail, u"head_tail"},
}}};
const EnumNames<ProviderKind, 2> kProviderKindNames{{{
    {ProviderKind::Anthropic, u"anthropic"},
    {ProviderKind::OpenAI, u"openai"},
}}};
const EnumNames<DelaySource, 3> kDelaySourceNames{{{
    {DelaySource::Backoff, u"backoff"},
    {DelaySource::RetryAfter, u"retry-after"},
    {DelaySource::RetryAfterMs, u"retry-after-ms"},
}}};

} // namespace

QString jitterModeName(JitterMode mode)
{
    return kJitterNames.name(mode);
}
std::optional<JitterMode> jitterModeFromName(const QString &name)
{
    return kJitterNames.value(name);
}
QString windowKindName(WindowKind kind)
{
    return kWindowNames.name(kind);
}
std::optional<WindowKind> windowKindFromName(const QString &name)
{
    return kWindowNames.value(name);
}
QString breakerCountingName(BreakerCounting counting)
{
    return kBreakerCountingNames.name(counting);
}
std::optional<BreakerCounting> breakerCountingFromName(const QString &name)
{
    return kBreakerCountingNames.value(name);
}
QString whenAllOpenName(WhenAllOpen mode)
{
    return kWhenAllOpenNames.name(mode);
}
std::optional<WhenAllOpen> whenAllOpenFromName(const QString &name)
{
    return kWhenAllOpenNames.value(name);
}
QString contentFilterActionName(ContentFilterAction action)
{
    return kContentFilterActionNames.name(action);
}
std::optional<ContentFilterAction> contentFilterActionFromName(const QString &name)
{
    return kContentFilterActionNames.value(name);
}
QString breakerStateName(BreakerState state)
{
    return kBreakerStateNames.name(state);
}
std::optional<BreakerState> breakerStateFromName(const QString &name)
{
    return kBreakerStateNames.value(name);
}
QString cacheModeName(CacheMode mode)
{
    return kCacheModeNames.name(mode);
}
std::optional<CacheMode> cacheModeFromName(const QString &name)
{
    return kCacheModeNames.value(name);
}
QString overflowActionName(OverflowAction action)
{
    return kOverflowNames.name(action);
}
std::optional<OverflowAction> overflowActionFromName(const QString &name)
{
    return kOverflowNames.value(name);
}
QString keepPartName(KeepPart keep)
{
    return kKeepNames.name(keep);
}
std::optional<KeepPart> keepPartFromName(const QString &name)
{
    return kKeepNames.value(name);
}
QString providerKindName(ProviderKind kind)
{
    return kProviderKindNames.name(kind);
}
std::optional<ProviderKind> providerKindFromName(const QString &name)
{
    return kProviderKindNames.value(name);
}
QString delaySourceName(DelaySource source)
{
    return kDelaySourceNames.name(source);
}

} // namespace breakwater

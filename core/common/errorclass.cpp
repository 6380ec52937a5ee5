#include "errorclass.h"

#include "enumnames.h"

namespace breakwater {
namespace {

const EnumNames<Outcome, 14> kOutcomeNames{{{
    {Outcome::Success, u"success"},
    {Outcome::RateLimited, u"rate_limited"},
    {Outcome::ServerError, u"server_error"},
    {Outcome::Overloaded, u"overloaded"},
    {Outcome::Timeout, u"timeout"},
    {Outcome::Connection, u"connection"},
    {Outcome::Malformed, u"malformed"},
    {Outcome::ContentFilter, u"content_filter"},
    {Outcome::ContextOverflow, u"context_overflow"},
    {Outcome::Auth, u"auth"},
    {Outcome::BadRequest, u"bad_request"},
    {Outcome::ShortCircuited, u"short_circuited"},
    {Outcome::BulkheadFull, u"bulkhead_full"},
    {Outcome::Cancelled, u"cancelled"},
}}};

} // namespace

QString outcomeName(Outcome outcome)
{
    return kOutcomeNames.name(outcome);
}

std::optional<Outcome> outcomeFromName(const QString &name)
{
    return kOutcomeNames.value(name);
}

bool isRetryableByDefault(Outcome outcome)
{
    switch (outcome) {
    case Outcome::RateLimited:
    case Outcome::ServerError:
    case Outcome::Overloaded:
    case Outcome::Timeout:
    case Outcome::Connection:
    case Outcome::Malformed:
        return true;
    default:
        return false;
    }
}

bool countsAgainstBreaker(Outcome outcome)
{
    return isRetryableByDefault(outcome);
}

} // namespace breakwater

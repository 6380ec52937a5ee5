#include "callresult.h"

#include <cmath>

namespace breakwater {
namespace {

/// Seconds rounded to the millisecond, so reports do not print 0.30000000000000004.
double roundedSeconds(Millis duration)
{
    return std::round(toSeconds(duration) * 1000.0) / 1000.0;
}

Millis millisFromSeconds(const nlohmann::json &json)
{
    return json.is_number() ? fromSeconds(json.get<double>()) : Millis(0);
}

std::optional<CallResult> readCallResult(const nlohmann::json &json)
{
    if (!json.is_object() || !json.contains("source") || !json["source"].is_string())
        return std::nullopt;
    CallResult result;
    result.id = qstringFrom(json.value("id", nlohmann::json()));
    result.success = json.value("success", false);
    result.source = qstringFrom(json["source"]);
    result.text = qstringFrom(json.value("text", nlohmann::json()));
    result.error = qstringFrom(json.value("error", nlohmann::json()));
    if (const auto errorClass = json.find("error_class");
        errorClass != json.end() && errorClass->is_string())
        result.errorClass = outcomeFromName(qstringFrom(*errorClass));
    result.degraded = json.value("degraded", false);
    result.truncated = json.value("truncated", false);
    result.duration = millisFromSeconds(json.value("duration_s", nlohmann::json()));
    if (const auto usage = json.find("usage"); usage != json.end() && usage->is_object()) {
        result.inputTokens = usage->value("input_tokens", 0);
        result.outputTokens = usage->value("output_tokens", 0);
    }
    if (const auto attempts = json.find("attempts");
        attempts != json.end() && attempts->is_array()) {
        for (const nlohmann::json &item : *attempts) {
            if (!item.is_object())
                return std::nullopt;
            AttemptRecord attempt;
            attempt.model = qstringFrom(item.value("model", nlohmann::json()));
            attempt.n = item.value("n", 0);
            attempt.start = millisFromSeconds(item.value("start_s", nlohmann::json()));
            attempt.duration = millisFromSeconds(item.value("duration_s", nlohmann::json()));
            const auto outcome = outcomeFromName(qstringFrom(item.value("outcome", nlohmann::json())));
            if (!outcome)
                return std::nullopt;
            attempt.outcome = *outcome;
            attempt.httpStatus = item.value("http_status", 0);
            if (item.contains("delay_s")) {
                attempt.delay = millisFromSeconds(item["delay_s"]);
                const QString source = qstringFrom(item.value("delay_source", nlohmann::json()));
                attempt.delaySource = source == delaySourceName(DelaySource::RetryAfterMs)
                                          ? DelaySource::RetryAfterMs
                                      : source == delaySourceName(DelaySource::RetryAfter)
                                          ? DelaySource::RetryAfter
                                          : DelaySource::Backoff;
            }
            attempt.message = qstringFrom(item.value("message", nlohmann::json()));
            attempt.hedge = item.value("hedge", false);
            attempt.panic = item.value("panic", false);
            result.attempts.append(attempt);
        }
    }
    return result;
}

} // namespace

nlohmann::json toJson(const AttemptRecord &attempt)
{
    nlohmann::json json = {
        {"model", jsonString(attempt.model)},
        {"n", attempt.n},
        {"start_s", roundedSeconds(attempt.start)},
        {"duration_s", roundedSeconds(attempt.duration)},
        {"outcome", jsonString(outcomeName(attempt.outcome))},
    };
    if (attempt.httpStatus != 0)
        json["http_status"] = attempt.httpStatus;
    if (attempt.delay) {
        json["delay_s"] = roundedSeconds(*attempt.delay);
        json["delay_source"] = jsonString(delaySourceName(attempt.delaySource));
    }
    if (!attempt.message.isEmpty())
        json["message"] = jsonString(attempt.message);
    if (attempt.hedge)
        json["hedge"] = true;
    if (attempt.panic)
        json["panic"] = true;
    return json;
}

nlohmann::json toJson(const CallResult &result)
{
    nlohmann::json attempts = nlohmann::json::array();
    for (const AttemptRecord &attempt : result.attempts)
        attempts.push_back(toJson(attempt));
    return {
        {"id", jsonString(result.id)},
        {"success", result.success},
        {"source", jsonString(result.source)},
        {"text", jsonString(result.text)},
        {"error", result.error.isEmpty() ? nlohmann::json() : jsonString(result.error)},
        {"error_class",
         result.errorClass ? jsonString(outcomeName(*result.errorClass)) : nlohmann::json()},
        {"degraded", result.degraded},
        {"truncated", result.truncated},
        {"duration_s", roundedSeconds(result.duration)},
        {"usage", {{"input_tokens", result.inputTokens}, {"output_tokens", result.outputTokens}}},
        {"attempts", attempts},
    };
}

std::optional<CallResult> callResultFromJson(const nlohmann::json &json)
{
    // value() throws on a field of the wrong type; a damaged entry reads as "not a result".
    try {
        return readCallResult(json);
    } catch (const nlohmann::json::exception &) {
        return std::nullopt;
    }
}

} // namespace breakwater

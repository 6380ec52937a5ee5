#pragma once

#include "chaos/chaosprofile.h"
#include "common/clock.h"
#include "config/configloader.h"
#include "load/promptset.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace breakwater {

/// A scenario's `load`: how traffic is generated.
struct LoadProfile {
    /// Closed loop: the number of workers; open loop: the most calls in flight at once.
    int concurrency = 20;
    /// Calls started per second (open loop); 0 means closed loop.
    double rps = 20;
    /// Open loop: the rate grows linearly from 0 to `rps` over this time.
    Millis ramp{5000};
    /// "builtin:unique" (every request a distinct prompt), "builtin:short", "builtin:long",
    /// "builtin:mixed" (small fixed sets that repeat), or a file with one prompt per line.
    QString prompts = QStringLiteral("builtin:unique");
    /// builtin:unique: the share of requests that send an earlier request's prompt again.
    double repeatRate = kDefaultRepeatRate;
    /// Closed loop: the mean of the exponential think time between a worker's answer and its
    /// next call; 0 sends the next call at once.
    Millis think{0};
    bool stream = false;
};

/// A scenario's `expect`: what must hold at the end for the run to pass (exit 0).
struct Expectations {
    std::optional<double> modelRateMin;   ///< answered_by_model / requests
    std::optional<double> successRateMin; ///< succeeded / requests
    std::optional<double> degradedMax;    ///< degraded / requests
    std::optional<double> failedMax;      ///< failed / requests
    std::optional<double> p50SecondsMax;
    std::optional<double> p99SecondsMax;
    std::optional<int> requestsMin;
    /// Share of answers per source (a model label, "cache" or "degraded").
    QMap<QString, double> sourceShareMin;
    QMap<QString, double> sourceShareMax;
    /// Models whose breaker must have opened at least once.
    QStringList breakerOpened;
    /// Models whose breaker must never have opened.
    QStringList breakerStayedClosed;
    /// Alerts that must have fired / must never have fired.
    QStringList alertsFired;
    QStringList alertsAbsent;

    bool isEmpty() const;
};

/// A scenario file (SPEC.md section 5): load plus a chaos timeline, over a config.
struct Scenario {
    QString name;
    QString description;
    Millis duration{60000};
    std::uint64_t seed = 1;
    LoadProfile load;
    /// Merged over the base config (RFC 7396) before the run.
    nlohmann::json configPatch = nlohmann::json::object();
    /// The chaos server's profile at the start (and after a reset).
    ChaosProfile baseline = defaultChaosProfile();
    QList<ChaosTimelineEntry> timeline;
    Expectations expect;
};

struct ScenarioParseResult {
    std::optional<Scenario> scenario;
    QList<ValidationError> errors;
};

/// Parses and validates a scenario; every problem names its JSON path.
ScenarioParseResult parseScenario(const nlohmann::json &json, const QString &file);
ScenarioParseResult loadScenarioFile(const QString &path);

/// The verdict on a finished run.
struct ExpectationVerdict {
    bool passed = true;
    /// One readable line per failed expectation ("success rate 0.962 < success_rate_min 0.99").
    QStringList failures;
};

/// Checks `expect` against a run report (SPEC.md section 6).
ExpectationVerdict evaluateExpectations(const Expectations &expect, const nlohmann::json &report);


} // namespace breakwater

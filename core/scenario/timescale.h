#pragma once

#include "config/config.h"
#include "scenario/scenario.h"

namespace breakwater {

// Time scaling runs a scenario faster (factor < 1) with the same shape: every duration of
// the scenario, its chaos profile and timeline, and of the config (timeouts, backoff, open
// durations, windows, TTLs) is multiplied by `factor`, every rate divided by it. The test
// suite runs the bundled 60 s scenarios at 0.1; a demo can slow one down.

Config timeScaled(const Config &config, double factor);
ChaosModelProfile timeScaled(const ChaosModelProfile &model, double factor);
ChaosProfile timeScaled(const ChaosProfile &profile, double factor);
/// A partial model entry (a timeline step's `set`), its durations and rates scaled.
nlohmann::json timeScaledModelPatch(const nlohmann::json &patch, double factor);
/// The scenario with its load, duration, baseline, timeline and config patch scaled (the
/// config patch is scaled by the caller through timeScaled(Config) after merging).
Scenario timeScaled(const Scenario &scenario, double factor);

} // namespace breakwater

#pragma once

#include <QString>
#include <QtGlobal>
#include <algorithm>

namespace breakwater::testing {

/// How many times slower than a plain build the suites run: BREAKWATER_TEST_SLOWDOWN, set by the
/// asan and tsan test presets (CMakePresets.json); 1 when unset or not a number >= 1.
inline double testSlowdown()
{
    bool ok = false;
    const double factor = qEnvironmentVariable("BREAKWATER_TEST_SLOWDOWN").toDouble(&ok);
    return ok && factor >= 1.0 ? factor : 1.0;
}

/// A compressed scenario time scale stretched by the slowdown, never beyond real time. A
/// sanitizer makes the engine several times slower, so at the plain build's scale the load
/// generator falls short of a scenario's request floor: that is the machine, not the code.
inline double scaledTimeScale(double timeScale)
{
    return std::min(1.0, timeScale * testSlowdown());
}

} // namespace breakwater::testing

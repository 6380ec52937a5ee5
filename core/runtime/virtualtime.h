#pragma once

#include "common/clock.h"

#include <functional>

namespace breakwater {

class FakeClock;

/// Drives everything on this thread in virtual time until `done()` holds: runs the posted
/// events (queued calls, completions) until none is left, then moves `clock` to its next
/// armed timer and fires it, and so on. Nothing waits for real time and nothing else may
/// run on a real clock meanwhile (no sockets, no QTimers, no other threads): see LabWorld.
/// Runs on the main thread only, the one whose events Qt lets an application watch (to tell
/// when none is left). Returns false, with `done()` still false, when nothing is left to happen or
/// when the next timer lies beyond `until` on the clock (a run that would not end by then).
bool runInVirtualTime(FakeClock &clock, const std::function<bool()> &done,
                      Millis until = Millis::max());

} // namespace breakwater

#pragma once

#include "recorder/recordersnapshot.h"

#include <QString>

namespace breakwater::cli {

/// The line `run` prints each second (docs/cli.md, `run`), led by the share answered by a
/// model, with the cache's and the degraded text's beside it, then the failed share (when
/// there are failed calls), each model's share and the breakers:
/// "00:12/01:00  1000 req  model 97.9 %  cache 1.2 %  degraded 0.9 %  models:
/// claude-sonnet-4-5 70 %, claude-haiku-4-5 28 %  breakers: claude-sonnet-4-5 OPEN, …".
QString progressLine(const RecorderSnapshot &snapshot, double durationSeconds);

} // namespace breakwater::cli

#pragma once

#include <QStringList>

namespace breakwater::cli {

/// Process exit codes (SPEC.md section 2).
enum ExitCode : int {
    Success = 0,
    ExpectationsFailed = 1,
    BadInput = 2,
    InternalError = 3,
};

/// Runs `breakwater-cli` with its arguments (argv without the program name). Needs a
/// QCoreApplication; runs the event loop itself where a command needs one.
int run(const QStringList &arguments);

} // namespace breakwater::cli

#pragma once

class QApplication;

namespace breakwater::ui {

/// Parses the dashboard's command line (SPEC.md section 2 `breakwater`), builds the main
/// window and runs the event loop. Returns the process exit code.
int runDashboard(QApplication &app);

} // namespace breakwater::ui

#include "dashboardapp.h"
#include "dashboardoptions.h"

#include <QApplication>
#include <QTextStream>
#include <QTimer>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

/// How often the dashboard hands freed heap back to the system.
constexpr int kTrimIntervalMs = 30000;

} // namespace

int main(int argc, char **argv)
{
    {
        // The flags are read before there is a QApplication, which needs a display: --help,
        // --version and a bad flag answer on a machine without one (over SSH, in CI).
        QCoreApplication probe(argc, argv);
        const breakwater::ui::DashboardArguments arguments =
            breakwater::ui::parseDashboardArguments(QCoreApplication::arguments());
        if (!arguments.options) {
            QTextStream(arguments.exitCode == 0 ? stdout : stderr) << arguments.message;
            return arguments.exitCode;
        }
    }
    QApplication app(argc, argv);
#if defined(__GLIBC__)
    // A stall under load piles up calls across ~95 threads; glibc keeps the freed peak in its
    // arenas, so the resident size climbed in steps while the bytes in use did not
    // (bench/README.md, "Memory: what grows"). Trimming every 30 s keeps it flat; a trim takes
    // a few ms on this thread.
    QTimer trim;
    QObject::connect(&trim, &QTimer::timeout, &app, [] { malloc_trim(0); });
    trim.start(kTrimIntervalMs);
#endif
    return breakwater::ui::runDashboard(app);
}

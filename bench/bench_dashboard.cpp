// Dashboard: GUI event-loop lag and resident size while the real dashboard (MainWindow,
// DashboardSession, the chaos panel, prompt console and event log, as `breakwater` builds
// them) shows an open-loop run of N requests per second against its embedded chaos server.
// Lag is the drift of a precise 10 ms QTimer on the GUI thread: how much later than asked
// each tick came. Runs offscreen (QT_QPA_PLATFORM=offscreen unless set) or under xvfb-run.

#include "benchcommon.h"
#include "chaos/chaosserver.h"
#include "config/configloader.h"
#include "engine/eventstream.h"
#include "mainwindow.h"
#include "panels/chaospanel.h"
#include "panels/eventlogview.h"
#include "panels/promptconsole.h"
#include "recorder/runrecorder.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "session.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

using namespace breakwater;
using namespace breakwater::bench;
using namespace breakwater::ui;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index =
        static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())) - 1.0);
    return values[std::min(index, values.size() - 1)];
}

double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// An open-loop scenario at `rps` for `seconds`: every model answers after a short latency
/// with the background noise of steady.json, so the run looks like a normal busy minute.
nlohmann::json scenarioJson(int rps, int seconds, bool stream, int latencyMs)
{
    nlohmann::json scenario = nlohmann::json::parse(R"({
      "name": "dashboard-bench",
      "description": "Open-loop load for the dashboard lag benchmark.",
      "seed": 5,
      "load": {"ramp_s": 5, "prompts": "builtin:short", "stream": false},
      "chaos": {"baseline": {"models": {"*": {
        "latency_ms": {"p50": 150, "p99": 600},
        "faults": {"rate_limited": 0.006, "server_error": 0.006, "overloaded": 0.004, "reset": 0.004},
        "retry_after_s": 1,
        "limits": {"rpm": 1000000, "tpm": 1000000000}}}}}
    })");
    scenario.merge_patch(
        {{"duration_s", seconds},
         {"load", {{"rps", rps}, {"concurrency", std::max(64, rps)}, {"stream", stream}}},
         {"chaos",
          {{"baseline",
            {{"models",
              {{"*", {{"latency_ms", {{"p50", latencyMs}, {"p99", latencyMs * 4}}}}}}}}}}}});
    return scenario;
}

struct LagStats {
    double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

LagStats lagStats(const std::vector<double> &drifts)
{
    return {percentile(drifts, 0.50), percentile(drifts, 0.95), percentile(drifts, 0.99),
            drifts.empty() ? 0 : *std::max_element(drifts.begin(), drifts.end())};
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("bench_dashboard"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("GUI event-loop lag (timer drift) and resident size while the dashboard "
                       "shows an open-loop run against its embedded chaos server."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("minutes"), QStringLiteral("Measured minutes, at least 1 (default 10)."),
         QStringLiteral("N"), QStringLiteral("10")},
        {QStringLiteral("rps"), QStringLiteral("Requests per second (default 500)."),
         QStringLiteral("N"), QStringLiteral("500")},
        {QStringLiteral("tick-ms"), QStringLiteral("Period of the probe timer (default 10)."),
         QStringLiteral("MS"), QStringLiteral("10")},
        {QStringLiteral("warmup-s"),
         QStringLiteral("Seconds after the start not measured (the ramp; default 10)."),
         QStringLiteral("S"), QStringLiteral("10")},
        {QStringLiteral("stream"), QStringLiteral("Streaming calls (default: not streaming).")},
        {QStringLiteral("latency-ms"),
         QStringLiteral("Median latency of the simulated models; p99 is 4 times it (default 150)."),
         QStringLiteral("MS"), QStringLiteral("150")},
        {QStringLiteral("no-panels"),
         QStringLiteral("Only the main window (no chaos panel, console, event log).")},
    });
    parser.process(app);
    const int minutes = intOption(parser, QStringLiteral("minutes"), 1);
    const int rps = intOption(parser, QStringLiteral("rps"), 1);
    const int tickMs = intOption(parser, QStringLiteral("tick-ms"), 1);
    const int warmupS = intOption(parser, QStringLiteral("warmup-s"), 0);
    const bool panels = !parser.isSet(QStringLiteral("no-panels"));
    const bool stream = parser.isSet(QStringLiteral("stream"));
    const int latencyMs = intOption(parser, QStringLiteral("latency-ms"), 0);

    QTemporaryDir dir;
    const QString scenarioPath = dir.filePath(QStringLiteral("dashboard-bench.json"));
    {
        QFile file(scenarioPath);
        if (!file.open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "bench_dashboard: cannot write %s\n", qPrintable(scenarioPath));
            return 2;
        }
        const int seconds = warmupS + minutes * 60 + 5;
        file.write(QByteArray::fromStdString(scenarioJson(rps, seconds, stream, latencyMs).dump()));
    }

    const Theme theme;
    DashboardSession session(defaultConfigJson(), QStringLiteral("built-in default config"), {});
    QString error;
    if (!session.start(&error)) {
        std::fprintf(stderr, "bench_dashboard: %s\n", qPrintable(error));
        return 2;
    }
    MainWindow window(session, theme);
    if (panels) {
        auto *chaosPanel = new ChaosPanel(window.currentLab());
        auto *console = new PromptConsole(window.currentLab());
        auto *eventLog = new EventLogView(window.currentLab());
        window.addSideTab(chaosPanel, QStringLiteral("Chaos"));
        window.addSideTab(console, QStringLiteral("Console"));
        window.addBottomTab(eventLog, QStringLiteral("Event log"));
        QObject::connect(&window, &MainWindow::labChanged, &window, [=](Lab *lab) {
            chaosPanel->setLab(lab);
            console->setLab(lab);
            eventLog->setLab(lab);
        });
    }
    window.resize(1600, 1000);
    window.show();
    window.selectScenario(scenarioPath);
    if (window.currentScenarioPath() != scenarioPath) {
        std::fprintf(stderr, "bench_dashboard: the scenario was not picked\n");
        return 2;
    }
    window.startRun();
    ScenarioRun *run = session.run();
    if (!run) {
        std::fprintf(stderr, "bench_dashboard: the run did not start\n");
        return 2;
    }

    // Events the GUI thread consumed, to show the load is there.
    quint64 events = 0;
    QObject::connect(&run->lab().events(), &EventStream::event, &app,
                     [&events](const EngineEvent &) { ++events; });

    std::printf("dashboard, open loop %d req/s, %s, median latency %d ms, %s, probe every %d ms, "
                "%d s warm-up, %d minutes measured (platform %s)\n",
                rps, stream ? "streaming" : "not streaming", latencyMs,
                panels ? "with chaos panel, console and event log" : "main window only", tickMs,
                warmupS, minutes, qPrintable(QGuiApplication::platformName()));
    std::fflush(stdout);

    QElapsedTimer clock;
    clock.start();
    const qint64 measureFromUs = static_cast<qint64>(warmupS) * 1000000;
    const qint64 measureToUs = measureFromUs + static_cast<qint64>(minutes) * 60 * 1000000;
    std::vector<double> drifts;
    drifts.reserve(
        static_cast<std::size_t>(minutes) * 60 * 1000 / static_cast<std::size_t>(tickMs) + 16);
    std::vector<double> minuteDrifts;
    std::vector<double> refreshMs;
    qint64 lastTickUs = -1;
    qint64 rssMinuteOne = 0;
    qint64 rssEnd = 0;
    int minute = 0;
    quint64 requestsAtMeasure = 0;
    quint64 lastRequests = 0;
    quint64 eventsAtMeasure = 0;
    double cpuAtMeasure = 0;
    double cpuAtEnd = 0;
    quint64 requestsAtEnd = 0;
    quint64 eventsAtEnd = 0;
    bool measuring = false;
    bool done = false;

    std::printf("%-8s %9s %8s %8s %8s %8s %10s %9s\n", "minute", "req/s", "p50 ms", "p95 ms",
                "p99 ms", "max ms", "RSS MB", "refresh");
    std::fflush(stdout);

    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed() / 1000;
        if (lastTickUs >= 0 && measuring) {
            const double drift =
                std::max(0.0, static_cast<double>(now - lastTickUs) / 1000.0 - tickMs);
            drifts.push_back(drift);
            minuteDrifts.push_back(drift);
        }
        lastTickUs = now;
        if (!measuring && now >= measureFromUs) {
            measuring = true;
            requestsAtMeasure = static_cast<quint64>(run->recorder().totals().requests);
            lastRequests = requestsAtMeasure;
            eventsAtMeasure = events;
            cpuAtMeasure = processCpuSeconds();
        }
        if (measuring && !done &&
            now >= measureFromUs + static_cast<qint64>(minute + 1) * 60000000) {
            ++minute;
            const qint64 rss = residentBytes();
            if (minute == 1)
                rssMinuteOne = rss;
            rssEnd = rss;
            const LagStats s = lagStats(minuteDrifts);
            const auto requests = static_cast<quint64>(run->recorder().totals().requests);
            // One refresh of the whole window (snapshot, cards, every chart), timed alone.
            QElapsedTimer refresh;
            refresh.start();
            window.refresh();
            const double refreshTook = static_cast<double>(refresh.nsecsElapsed()) / 1e6;
            refreshMs.push_back(refreshTook);
            std::printf("%-8d %9.0f %8.2f %8.2f %8.2f %8.1f %10.1f %6.2f ms\n", minute,
                        static_cast<double>(requests - lastRequests) / 60.0, s.p50, s.p95, s.p99,
                        s.max, static_cast<double>(rss) / 1e6, refreshTook);
            std::fflush(stdout);
            lastRequests = requests;
            minuteDrifts.clear();
            lastTickUs = clock.nsecsElapsed() / 1000; // the timed refresh is not lag
        }
        if (measuring && !done && now >= measureToUs) {
            done = true;
            cpuAtEnd = processCpuSeconds();
            requestsAtEnd = static_cast<quint64>(run->recorder().totals().requests);
            eventsAtEnd = events;
            probe.stop();
            window.stopRun();
            QTimer::singleShot(0, &app, &QCoreApplication::quit);
        }
    });
    probe.start(tickMs);
    app.exec();

    const LagStats total = lagStats(drifts);
    const double seconds = static_cast<double>(minutes) * 60.0;
    const double growth = rssMinuteOne > 0 ? static_cast<double>(rssEnd - rssMinuteOne) /
                                                 static_cast<double>(rssMinuteOne)
                                           : 0;
    std::printf("\n%-34s %s\n", "measure", "figure");
    std::printf("%-34s %.0f req/s (%llu requests, %.0f events/s on the GUI thread)\n",
                "load achieved", static_cast<double>(requestsAtEnd - requestsAtMeasure) / seconds,
                static_cast<unsigned long long>(requestsAtEnd - requestsAtMeasure),
                static_cast<double>(eventsAtEnd - eventsAtMeasure) / seconds);
    std::printf("%-34s p50 %.2f  p95 %.2f  p99 %.2f  max %.1f ms (%zu ticks); target p99 <= 16\n",
                "event-loop lag (timer drift)", total.p50, total.p95, total.p99, total.max,
                drifts.size());
    std::printf("%-34s minute 1 %.1f MB, minute %d %.1f MB, change %+.1f %%; target within 10 %%\n",
                "resident size", static_cast<double>(rssMinuteOne) / 1e6, minutes,
                static_cast<double>(rssEnd) / 1e6, growth * 100);
    std::printf("%-34s median %.2f ms, max %.2f ms\n", "one full window refresh", median(refreshMs),
                refreshMs.empty() ? 0 : *std::max_element(refreshMs.begin(), refreshMs.end()));
    std::printf("%-34s %.0f %% of one core\n", "process CPU",
                (cpuAtEnd - cpuAtMeasure) / seconds * 100);
    const bool pass = total.p99 <= 16.0 && (minutes < 2 || std::abs(growth) <= 0.10);
    std::printf("RESULT dashboard minutes=%d rps=%d achieved=%.0f lag_p50=%.2f lag_p95=%.2f "
                "lag_p99=%.2f lag_max=%.1f rss1_mb=%.1f rssN_mb=%.1f change=%.3f pass=%d\n",
                minutes, rps, static_cast<double>(requestsAtEnd - requestsAtMeasure) / seconds,
                total.p50, total.p95, total.p99, total.max, static_cast<double>(rssMinuteOne) / 1e6,
                static_cast<double>(rssEnd) / 1e6, growth, pass ? 1 : 0);
    return pass ? 0 : 1;
}

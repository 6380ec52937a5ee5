// Dashboard: GUI event-loop lag and resident size while the real dashboard (MainWindow,
// DashboardSession, the chaos panel, prompt console and event log, as `breakwater` builds
// them) shows an open-loop run of N requests per second against its embedded chaos server.
// Lag is the drift of a precise 10 ms QTimer on the GUI thread: how much later than asked
// each tick came. Runs offscreen (QT_QPA_PLATFORM=offscreen unless set) or under xvfb-run.

#include "benchcommon.h"
#include "chaos/chaosserver.h"
#include "charts/livechart.h"
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
#include <QPixmap>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <malloc.h>
#include <mutex>
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

/// The same probe on a thread that does nothing else: how late a timer comes on this
/// machine anyway (other processes, other threads of this one). The GUI thread's lag above
/// it is the dashboard's own.
class ReferenceProbe final {
public:
    explicit ReferenceProbe(int tickMs)
    {
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_context,
            [this, tickMs] {
                m_timer = new QTimer(&m_context);
                m_timer->setTimerType(Qt::PreciseTimer);
                QObject::connect(m_timer, &QTimer::timeout, &m_context, [this, tickMs] {
                    const qint64 now = m_clock.nsecsElapsed() / 1000;
                    const std::lock_guard lock(m_mutex);
                    if (m_last >= 0 && m_measuring)
                        m_drifts.push_back(
                            std::max(0.0, static_cast<double>(now - m_last) / 1000.0 - tickMs));
                    m_last = now;
                });
                m_clock.start();
                m_timer->start(tickMs);
            },
            Qt::BlockingQueuedConnection);
    }
    ~ReferenceProbe()
    {
        QMetaObject::invokeMethod(
            &m_context, [this] { delete m_timer; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    ReferenceProbe(const ReferenceProbe &) = delete;
    ReferenceProbe &operator=(const ReferenceProbe &) = delete;

    void setMeasuring(bool on)
    {
        const std::lock_guard lock(m_mutex);
        m_measuring = on;
    }
    /// The drifts since the last take, in ms.
    std::vector<double> take()
    {
        const std::lock_guard lock(m_mutex);
        return std::exchange(m_drifts, {});
    }

private:
    struct Context : QObject {
        explicit Context(QThread *thread) { moveToThread(thread); }
    };
    QThread m_thread;
    Context m_context{&m_thread};
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    std::mutex m_mutex;
    std::vector<double> m_drifts;
    qint64 m_last = -1;
    bool m_measuring = false;
};

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
        {QStringLiteral("chaos-on-gui-thread"),
         QStringLiteral("Run the embedded chaos server on the GUI thread (as before it had a "
                        "thread of its own), for comparison.")},
        {QStringLiteral("malloc-trim-s"),
         QStringLiteral("Call malloc_trim(0) on the GUI thread every S seconds, as the "
                        "breakwater app does (default 30; 0: never)."),
         QStringLiteral("S"), QStringLiteral("30")},
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
    const bool chaosOnGui = parser.isSet(QStringLiteral("chaos-on-gui-thread"));
    const int latencyMs = intOption(parser, QStringLiteral("latency-ms"), 0);
    const int trimS = intOption(parser, QStringLiteral("malloc-trim-s"), 0);

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
    DashboardSession::Options sessionOptions;
    sessionOptions.chaosThread = !chaosOnGui;
    DashboardSession session(defaultConfigJson(), QStringLiteral("built-in default config"),
                             sessionOptions);
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

    std::printf("dashboard, open loop %d req/s, %s, median latency %d ms, chaos server %s, %s, "
                "probe every %d ms, %d s warm-up, %d minutes measured (platform %s)\n",
                rps, stream ? "streaming" : "not streaming", latencyMs,
                chaosOnGui ? "on the GUI thread" : "on its own thread",
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
    std::vector<double> chartsMs;
    std::vector<double> paintMs;
    std::vector<double> reference;
    ReferenceProbe referenceProbe(tickMs);
    const quint16 serverPort = run->lab().chaos() ? run->lab().chaos()->port() : 0;
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

    std::printf("%-7s %6s %7s %7s %7s %7s %8s %8s %8s %8s %6s %9s %9s\n", "minute", "req/s",
                "p50 ms", "p95 ms", "p99 ms", "max ms", "ref p99", "RSS MB", "used MB", "free MB",
                "conns", "charts", "paint");
    std::fflush(stdout);

    // The allocator's own view, every arena: bytes handed out and bytes it holds free. A
    // resident size that grows while "used" stays flat is memory kept by malloc, not data.
    std::vector<double> trimMs;
    QTimer trim;
    if (trimS > 0) {
        QObject::connect(&trim, &QTimer::timeout, &app, [&] {
            QElapsedTimer took;
            took.start();
            malloc_trim(0);
            trimMs.push_back(static_cast<double>(took.nsecsElapsed()) / 1e6);
        });
        trim.start(trimS * 1000);
    }

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
            referenceProbe.setMeasuring(true);
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
            const std::vector<double> referenceMinute = referenceProbe.take();
            reference.insert(reference.end(), referenceMinute.begin(), referenceMinute.end());
            // Every chart given the last snapshot in full, as a refresh with new points does
            // (one replace() per series), timed alone; then one full repaint of the window.
            ChartFrame frame;
            frame.snapshot = &window.lastSnapshot();
            // The run's time axis, as the window sets it (the duration: no relayout).
            frame.timeEnd = std::max(toSeconds(run->scaledScenario().duration),
                                     window.lastSnapshot().elapsedSeconds);
            QElapsedTimer timer;
            timer.start();
            for (LiveChart *chart : window.charts())
                chart->updateFrame(frame);
            const double chartsTook = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            timer.restart();
            const QPixmap painted = window.grab();
            const double paintTook = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            chartsMs.push_back(chartsTook);
            paintMs.push_back(paintTook);
            const struct mallinfo2 heap = mallinfo2();
            std::printf("%-7d %6.0f %7.2f %7.2f %7.2f %7.1f %8.2f %8.1f %8.1f %8.1f %6d %6.2f ms "
                        "%6.1f ms\n",
                        minute, static_cast<double>(requests - lastRequests) / 60.0, s.p50, s.p95,
                        s.p99, s.max, lagStats(referenceMinute).p99, static_cast<double>(rss) / 1e6,
                        static_cast<double>(heap.uordblks + heap.hblkhd) / 1e6,
                        static_cast<double>(heap.fordblks) / 1e6, connectionsTo(serverPort),
                        chartsTook, paintTook);
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
            referenceProbe.setMeasuring(false);
            const std::vector<double> rest = referenceProbe.take();
            reference.insert(reference.end(), rest.begin(), rest.end());
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
    const LagStats ref = lagStats(reference);
    std::printf("%-34s p50 %.2f  p95 %.2f  p99 %.2f  max %.1f ms (%zu ticks)\n",
                "same probe on an idle thread (ref)", ref.p50, ref.p95, ref.p99, ref.max,
                reference.size());
    std::printf("%-34s median %.2f ms, max %.2f ms (every chart, full data)\n", "one chart refresh",
                median(chartsMs),
                chartsMs.empty() ? 0 : *std::max_element(chartsMs.begin(), chartsMs.end()));
    std::printf("%-34s median %.1f ms, max %.1f ms (QWidget::grab of the window)\n",
                "one full repaint", median(paintMs),
                paintMs.empty() ? 0 : *std::max_element(paintMs.begin(), paintMs.end()));
    if (!trimMs.empty())
        std::printf("%-34s %zu calls, median %.1f ms, max %.1f ms\n", "malloc_trim(0)",
                    trimMs.size(), median(trimMs), *std::max_element(trimMs.begin(), trimMs.end()));
    std::printf("%-34s %.0f %% of one core\n", "process CPU",
                (cpuAtEnd - cpuAtMeasure) / seconds * 100);
    const bool pass = total.p99 <= 16.0 && (minutes < 2 || std::abs(growth) <= 0.10);
    std::printf("RESULT dashboard minutes=%d rps=%d achieved=%.0f lag_p50=%.2f lag_p95=%.2f "
                "lag_p99=%.2f lag_max=%.1f ref_p99=%.2f rss1_mb=%.1f rssN_mb=%.1f change=%.3f "
                "pass=%d\n",
                minutes, rps, static_cast<double>(requestsAtEnd - requestsAtMeasure) / seconds,
                total.p50, total.p95, total.p99, total.max, ref.p99,
                static_cast<double>(rssMinuteOne) / 1e6, static_cast<double>(rssEnd) / 1e6, growth,
                pass ? 1 : 0);
    return pass ? 0 : 1;
}

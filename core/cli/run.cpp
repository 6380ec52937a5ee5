#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/configoption.h"
#include "cli/runprogress.h"
#include "common/fakeclock.h"
#include "config/configloader.h"
#include "engine/events.h"
#include "engine/eventstream.h"
#include "load/loadgenerator.h"
#include "recorder/runrecorder.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"
#include "runtime/virtualtime.h"
#include "storage/database.h"
#include "storage/runhistory.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QTextStream>
#include <QTimer>
#include <cstdio>

namespace breakwater::cli {
namespace {

/// The smallest --time-scale: a 60 s scenario in 60 ms.
constexpr double kMinTimeScale = 0.001;

/// How long, in virtual time, calls may still be in flight once the load has ended before a
/// --virtual run cancels them (a real run would wait for them forever).
constexpr Millis kVirtualOverrun{3600 * 1000};

bool writeReport(const QString &path, const nlohmann::json &report, QString *error)
{
    const QByteArray bytes = QByteArray::fromStdString(report.dump(2)) + '\n';
    if (path.isEmpty() || path == QStringLiteral("-")) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly))
            return false;
        out.write(bytes);
        return true;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

/// Drives a started run in virtual time until it finishes. A run whose calls outlive the load
/// by kVirtualOverrun has them cancelled; false when even that does not end it.
bool finishInVirtualTime(ScenarioRun &run, FakeClock &clock, QTextStream &err)
{
    bool finished = run.isFinished();
    QObject::connect(&run, &ScenarioRun::finished, &run, [&finished] { finished = true; });
    const auto done = [&finished] {
        return finished;
    };
    const Millis giveUpAt = clock.now() + run.scaledScenario().duration + kVirtualOverrun;
    if (runInVirtualTime(clock, done, giveUpAt))
        return true;
    err << "breakwater-cli run: warning: calls still in flight " << toSeconds(kVirtualOverrun)
        << " s (virtual) after the load ended were cancelled\n";
    run.stop();
    if (runInVirtualTime(clock, done))
        return true;
    err << "breakwater-cli run: the run did not finish in virtual time\n";
    return false;
}

} // namespace

int runRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"),
                                            QStringLiteral("The scenario to run."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption configOpt(QStringLiteral("config"),
                                       QStringLiteral("Base config, the scenario's `config` "
                                                      "merged over it (default: built-in)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption reportOption(QStringLiteral("report"),
                                          QStringLiteral("Write the report JSON here (default: "
                                                         "stdout)."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Replace the scenario's seed."),
                                        QStringLiteral("N"));
    const QCommandLineOption metricsPortOption(
        QStringLiteral("metrics-port"),
        QStringLiteral("Serve Prometheus metrics on 127.0.0.1:N/metrics during the run (0: a "
                       "free port, printed on stderr)."),
        QStringLiteral("N"));
    const QCommandLineOption quietOption(QStringLiteral("quiet"),
                                         QStringLiteral("No live progress on stderr."));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("Engine worker threads (default 2)."),
                                           QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption timeScaleOption(
        QStringLiteral("time-scale"),
        QStringLiteral("Multiply every duration of the scenario and config by F (0.1 runs a "
                       "60 s scenario in 6 s with the same shape). Refused with --virtual."),
        QStringLiteral("F"), QStringLiteral("1"));
    const QCommandLineOption virtualOption(
        QStringLiteral("virtual"),
        QStringLiteral("Run in virtual time: one thread, a simulated clock and the chaos server "
                       "in process, with no sockets. The same report, in a fraction of a "
                       "second, and the same for a seed byte for byte (started_at aside). Every "
                       "model of the chain must be served by the embedded chaos server; no live "
                       "progress; --time-scale, --threads and --metrics-port are refused with "
                       "it."));
    const QCommandLineOption callsOption(
        QStringLiteral("calls"),
        QStringLiteral("Also write every call's result to FILE, one JSON line per call in the "
                       "order they finished, with \"started_s\" (when the call began, in "
                       "the run's seconds) beside the call result fields."),
        QStringLiteral("FILE"));
    const QCommandLineOption noSaveOption(QStringLiteral("no-save"),
                                          QStringLiteral("Do not save the run to the history."));
    const QCommandLineOption dbOption(QStringLiteral("db"),
                                      QStringLiteral("History database (default: $BREAKWATER_DB, "
                                                     "else ~/.local/share/breakwater/breakwater.db)."),
                                      QStringLiteral("FILE"));
    parser.addOptions({scenarioOption, configOpt, reportOption, callsOption, seedOption,
                       metricsPortOption,
                       quietOption, threadsOption, timeScaleOption, virtualOption, noSaveOption,
                       dbOption});
    if (auto exit = parseArguments(
            parser, QStringLiteral("run"),
            QStringLiteral("Runs a scenario (load and chaos timeline) through the engine, shows "
                           "live progress on stderr and writes the report JSON.\nExit code 0 "
                           "when the scenario's expectations hold, 1 when they fail, 2 on bad "
                           "input."),
            arguments))
        return *exit;
    QTextStream err(stderr);
    if (!parser.positionalArguments().isEmpty()) {
        err << "breakwater-cli run: unexpected argument '" << parser.positionalArguments().first()
            << "'\n";
        return BadInput;
    }
    if (!parser.isSet(scenarioOption)) {
        err << "breakwater-cli run: --scenario FILE is required\n";
        return BadInput;
    }
    if (!checkFileOptions(parser, QStringLiteral("run"), {"scenario", "config", "db"}))
        return BadInput;
    const bool virtualTime = parser.isSet(virtualOption);
    if (virtualTime) {
        // Each would be silently meaningless: virtual time has no duration to scale, one
        // thread, and nobody to scrape metrics while a run lasts a fraction of a second.
        for (const QCommandLineOption *refused :
             {&timeScaleOption, &threadsOption, &metricsPortOption}) {
            if (parser.isSet(*refused)) {
                err << "breakwater-cli run: --" << refused->names().first()
                    << " cannot be combined with --virtual\n";
                return BadInput;
            }
        }
    }
    struct {
        int threads = 2;
        double timeScale = 1.0;
        std::optional<std::uint64_t> seed;
    } options;
    bool ok = true;
    options.threads = parser.value(threadsOption).toInt(&ok);
    if (!ok || options.threads < 0 || options.threads > 64) {
        err << "breakwater-cli run: --threads: must be a whole number from 0 to 64\n";
        return BadInput;
    }
    options.timeScale = parser.value(timeScaleOption).toDouble(&ok);
    // Below the floor every duration rounds to 0 ms: a run of nothing that "passes".
    if (!ok || !(options.timeScale > 0) || options.timeScale > 100 ||
        options.timeScale < kMinTimeScale) {
        err << "breakwater-cli run: --time-scale: must be a number > 0 and <= 100 (and at "
               "least "
            << kMinTimeScale << ")\n";
        return BadInput;
    }
    if (parser.isSet(seedOption)) {
        const qulonglong seed = parser.value(seedOption).toULongLong(&ok);
        if (!ok) {
            err << "breakwater-cli run: --seed: must be a whole number >= 0\n";
            return BadInput;
        }
        options.seed = seed;
    }
    if (parser.isSet(metricsPortOption)) {
        const int port = parser.value(metricsPortOption).toInt(&ok);
        if (!ok || port < 0 || port > 65535) {
            err << "breakwater-cli run: --metrics-port: must be a port from 0 to 65535\n";
            return BadInput;
        }
    }

    if (!checkOutputPath(parser.value(reportOption), QStringLiteral("run"),
                         QStringLiteral("--report")))
        return BadInput;
    QFile callsFile;
    if (parser.isSet(callsOption)) {
        if (!checkOutputPath(parser.value(callsOption), QStringLiteral("run"),
                             QStringLiteral("--calls")))
            return BadInput;
        callsFile.setFileName(parser.value(callsOption));
        if (!callsFile.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            err << "breakwater-cli run: --calls: cannot write " << callsFile.fileName() << ": "
                << callsFile.errorString() << '\n';
            return BadInput;
        }
    }

    const QString scenarioPath = parser.value(scenarioOption);
    const ScenarioParseResult parsedScenario = loadScenarioFile(scenarioPath);
    if (!parsedScenario.scenario) {
        for (const ValidationError &error : parsedScenario.errors)
            err << "breakwater-cli run: " << error.toString() << '\n';
        return BadInput;
    }
    const Scenario &scenario = *parsedScenario.scenario;
    nlohmann::json baseConfig = defaultConfigJson();
    if (parser.isSet(configOpt)) {
        // The base config alone first: its mistakes then name its file, not "base + scenario".
        const ConfigParseResult base = loadConfigFile(parser.value(configOpt));
        if (!base.config) {
            for (const ValidationError &error : base.errors)
                err << "breakwater-cli run: " << error.toString() << '\n';
            return BadInput;
        }
        if (auto error = readJsonFile(parser.value(configOpt), baseConfig)) {
            err << "breakwater-cli run: " << error->toString() << '\n';
            return BadInput;
        }
    }
    const QString configLabel =
        parser.isSet(configOpt) ? parser.value(configOpt) + QStringLiteral(" + ") + scenarioPath
                                : scenarioPath;
    const ConfigParseResult config = configForScenario(baseConfig, scenario, configLabel);
    if (!config.config) {
        for (const ValidationError &error : config.errors)
            err << "breakwater-cli run: " << error.toString() << '\n';
        return BadInput;
    }
    if (virtualTime) {
        if (const QString problem = inProcessProblem(*config.config); !problem.isEmpty()) {
            err << "breakwater-cli run: --virtual: " << configLabel << ": " << problem << '\n';
            return BadInput;
        }
    }
    QString promptError;
    std::optional<PromptSet> prompts =
        PromptSet::forLoad(scenario.load, options.seed.value_or(scenario.seed), &promptError);
    if (!prompts) {
        err << "breakwater-cli run: " << promptError << '\n';
        return BadInput;
    }

    ScenarioRun::Options runOptions;
    runOptions.threads = options.threads;
    runOptions.timeScale = options.timeScale;
    runOptions.seed = options.seed;
    if (parser.isSet(metricsPortOption))
        runOptions.metricsPort = parser.value(metricsPortOption).toInt();
    std::shared_ptr<FakeClock> virtualClock;
    if (virtualTime) {
        virtualClock = std::make_shared<FakeClock>();
        runOptions.threads = 0;
        runOptions.chaosThread = false;
    }
    ScenarioRun run(*config.config, scenario, *prompts, runOptions,
                    virtualTime ? LabWorld::inProcess(virtualClock) : LabWorld::real());
    QString error;
    if (!run.start(&error)) {
        err << "breakwater-cli run: " << error << '\n';
        return InternalError;
    }
    if (callsFile.isOpen()) {
        // The run's origin on its clock: a call began its duration before it finished.
        const Millis origin = run.lab().clock().now() - run.elapsed();
        QObject::connect(&run.lab().events(), &EventStream::event, &run,
                         [&callsFile, origin](const EngineEvent &event) {
                             const auto *finished = std::get_if<CallFinished>(&event);
                             if (!finished)
                                 return;
                             nlohmann::json line = toJson(finished->result);
                             line["started_s"] =
                                 toSeconds(finished->at - origin - finished->result.duration);
                             callsFile.write(QByteArray::fromStdString(line.dump()) + '\n');
                         });
    }
    if (run.metricsPort() != 0)
        err << "metrics on http://127.0.0.1:" << run.metricsPort() << "/metrics\n";
    err.flush();

    const bool quiet = parser.isSet(quietOption);
    const double durationSeconds = toSeconds(run.scaledScenario().duration);
    QTimer progress;
    progress.setInterval(1000);
    QObject::connect(&progress, &QTimer::timeout, &run, [&] {
        err << progressLine(run.recorder().snapshot(), durationSeconds) << '\n';
        err.flush();
    });
    // A virtual run lasts a fraction of a second of wall time: no live progress.
    if (!quiet && !virtualTime)
        progress.start();
    QObject::connect(&run, &ScenarioRun::finished, &run, [] { QCoreApplication::quit(); });
    if (!virtualTime)
        QCoreApplication::exec();
    else if (!finishInVirtualTime(run, *virtualClock, err))
        return InternalError;
    progress.stop();

    const nlohmann::json report = run.report();
    if (!quiet)
        err << progressLine(run.recorder().snapshot(), durationSeconds) << '\n';
    const ExpectationVerdict verdict = run.verdict();
    if (!writeReport(parser.value(reportOption), report, &error)) {
        err << "breakwater-cli run: " << error << '\n';
        return InternalError;
    }
    if (!parser.isSet(noSaveOption)) {
        const QString dbPath =
            parser.isSet(dbOption) ? parser.value(dbOption) : defaultDatabasePath();
        QString saveError;
        const QString label = parser.isSet(configOpt) ? parser.value(configOpt)
                                                      : QStringLiteral("default config");
        if (const auto id = saveRun(dbPath, report, label, &saveError)) {
            if (!quiet)
                err << "saved as run " << *id << " in " << dbPath << '\n';
        } else {
            // The run itself succeeded: a history that cannot be written is worth a warning only.
            err << "breakwater-cli run: warning: not saved to the history: " << saveError << '\n';
        }
    }
    if (!verdict.passed) {
        err << "expectations failed:\n";
        for (const QString &failure : verdict.failures)
            err << "  - " << failure << '\n';
        return ExpectationsFailed;
    }
    if (!quiet)
        err << "expectations passed\n";
    return Success;
}

} // namespace breakwater::cli

#pragma once

#include "config/config.h"
#include "load/promptset.h"
#include "runtime/labworld.h"
#include "scenario/scenario.h"

#include <QDateTime>
#include <QObject>
#include <memory>
#include <nlohmann/json.hpp>

namespace breakwater {

class Lab;
class LoadGenerator;
class RunRecorder;

/// The config a scenario runs with: its `config` merged over `baseConfig` (RFC 7396), then
/// validated; errors name their path under the scenario's label.
ConfigParseResult configForScenario(const nlohmann::json &baseConfig, const Scenario &scenario,
                                    const QString &label);

/// One run of a scenario: a Lab on the merged config, the chaos server on the scenario's
/// baseline and timeline, load from the generator, everything recorded by one RunRecorder.
/// The CLI `run` and the dashboard both drive runs through this class.
class ScenarioRun final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioRun)

public:
    struct Options {
        /// Engine worker threads (0: engines on this thread).
        int threads = 2;
        /// Multiplies every duration of the scenario and config (see timescale.h).
        double timeScale = 1.0;
        /// Replaces the scenario's seed when set.
        std::optional<std::uint64_t> seed;
        /// Serve Prometheus metrics on this loopback port during the run (0: a free one).
        std::optional<int> metricsPort;
        /// Width of one point of the recorded series at time scale 1.
        Millis seriesStep{1000};
        /// Multiplies seriesStep by timeScale (never below minSeriesStep), so that a run made
        /// ten times faster still gets as many points: a 60 s scenario at 0.1 lasts 6 s and
        /// is recorded in 0.1 s steps, 60 points rather than 6. The report's `series.step_s`
        /// is the step used, in the run's (scaled) seconds like every other time in it.
        bool scaleSeriesStep = true;
        Millis minSeriesStep{100};
        /// The embedded chaos server answers in a thread of its own (Lab::Options::chaosThread).
        bool chaosThread = true;
    };

    /// The series step a run with `options` records with.
    static Millis seriesStepFor(const Options &options);

    /// `config` is the merged config (configForScenario) before time scaling; the run's lab
    /// runs in `world` (LabWorld::real(), or virtual time).
    ScenarioRun(Config config, Scenario scenario, PromptSet prompts, Options options,
                LabWorld world, QObject *parent = nullptr);
    ~ScenarioRun() override;

    /// Starts the lab, the chaos timeline and the load. False with `error` when it cannot.
    bool start(QString *error);
    /// Ends the run early: no new calls, those in flight are cancelled.
    void stop();
    bool isRunning() const { return m_running; }
    bool isFinished() const { return m_finished; }

    const Scenario &scenario() const { return m_scenario; }
    /// The scenario as it runs (after time scaling).
    const Scenario &scaledScenario() const { return m_scaled; }
    std::uint64_t seed() const;
    Lab &lab() { return *m_lab; }
    RunRecorder &recorder() { return *m_recorder; }
    LoadGenerator &load() { return *m_load; }
    /// The port metrics are served on, 0 when they are not.
    quint16 metricsPort() const;
    /// Time since start, on the run's clock.
    Millis elapsed() const;

    /// The report of SPEC.md section 6 (valid while running too), expectations included.
    nlohmann::json report() const;
    ExpectationVerdict verdict() const;

Q_SIGNALS:
    /// The load stopped (duration reached or stop()) and every call completed.
    void finished();

private:
    void onLoadFinished();

    Config m_config;
    Scenario m_scenario;
    Scenario m_scaled;
    PromptSet m_prompts;
    Options m_options;
    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<RunRecorder> m_recorder;
    std::unique_ptr<LoadGenerator> m_load;
    QDateTime m_startedAt;
    Millis m_startedClock{0};
    bool m_running = false;
    bool m_finished = false;
    bool m_cancelled = false;
};

} // namespace breakwater

#pragma once

#include "config/config.h"
#include "config/configloader.h"
#include "scenario/scenario.h"

#include <QObject>
#include <QString>
#include <memory>
#include <nlohmann/json.hpp>

namespace breakwater {
class Lab;
class RunRecorder;
class ScenarioRun;
} // namespace breakwater

namespace breakwater::ui {

/// The dashboard's session: there is always a current Lab and a RunRecorder fed by its event
/// stream. Between runs that is an idle lab on the base config, so prompts sent from the
/// console and chaos changes show on the charts before any run; during and after a run it is
/// the ScenarioRun's lab and recorder. Labs that are replaced are deleted later (from the
/// event loop), so a slot of the old lab may still be running when the switch happens.
class DashboardSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardSession)

public:
    struct Options {
        /// Multiplies every duration of a scenario run (like `breakwater-cli run --time-scale`).
        double timeScale = 1.0;
        /// Engine worker threads of a scenario run.
        int runThreads = 2;
        /// Seed of the idle lab's chaos server and jitter.
        std::uint64_t idleSeed = 1;
        /// The embedded chaos server of every lab answers in a thread of its own, off the
        /// GUI thread (false: on it, as before; for comparisons).
        bool chaosThread = true;
    };
    enum class Phase { Idle, Running, Finished };

    /// `baseConfig` must be a valid config (see parseConfig); `configLabel` names it in errors.
    DashboardSession(nlohmann::json baseConfig, QString configLabel, Options options,
                     QObject *parent = nullptr);
    ~DashboardSession() override;

    /// Starts the first idle lab. False with `error` when the base config is invalid or the
    /// embedded chaos server cannot listen.
    bool start(QString *error);

    /// Replaces the base config (validated). When idle, the idle lab is rebuilt on it.
    bool setBaseConfig(const nlohmann::json &config, const QString &label, QString *error);
    const nlohmann::json &baseConfigJson() const { return m_baseJson; }
    const Config &baseConfig() const { return m_baseConfig; }
    const QString &configLabel() const { return m_configLabel; }
    const Options &options() const { return m_options; }

    /// The lab everything acts on now; never null after start().
    Lab *currentLab() const;
    /// The recorder of the current lab.
    RunRecorder *recorder() const;
    /// The scenario run, while running and after it finished; null when idle.
    ScenarioRun *run() const { return m_run.get(); }
    Phase phase() const { return m_phase; }

    /// The config `scenario` runs with: its `config` merged over the base config (unscaled).
    ConfigParseResult configFor(const Scenario &scenario, const QString &label) const;
    /// Starts a run of `scenario`; its lab becomes current. False with `error` on bad input
    /// (config, prompts) or when the lab cannot start; the current lab then stays.
    bool startScenario(const Scenario &scenario, const QString &label, QString *error);
    /// Ends a running scenario early; finished() follows once calls in flight end.
    void stop();
    /// Drops the run (stopping it if needed) and returns to a fresh idle lab.
    bool reset(QString *error);

Q_SIGNALS:
    /// The current lab changed: panels bound to the old one must rebind. The old lab is
    /// deleted when control returns to the event loop.
    void labChanged(breakwater::Lab *lab);
    /// phase() changed.
    void phaseChanged();
    /// The scenario run finished (its duration passed, or it was stopped).
    void runFinished();

private:
    bool startIdle(QString *error);
    /// Hands the current lab (idle or run) to deleteLater.
    void retire();
    void setPhase(Phase phase);

    nlohmann::json m_baseJson;
    Config m_baseConfig;
    QString m_configLabel;
    Options m_options;
    Phase m_phase = Phase::Idle;
    std::unique_ptr<Lab> m_idleLab;
    std::unique_ptr<RunRecorder> m_idleRecorder;
    std::unique_ptr<ScenarioRun> m_run;
};

} // namespace breakwater::ui

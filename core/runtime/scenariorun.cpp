#include "scenariorun.h"

#include "chaos/chaosserver.h"
#include "config/configloader.h"
#include "load/loadgenerator.h"
#include "recorder/runrecorder.h"
#include "runtime/lab.h"
#include "scenario/timescale.h"

#include <QTimer>
#include <algorithm>
#include <cmath>

namespace breakwater {

ConfigParseResult configForScenario(const nlohmann::json &baseConfig, const Scenario &scenario,
                                    const QString &label)
{
    ConfigParseResult result = parseConfig(mergePatch(baseConfig, scenario.configPatch), label);
    return result;
}

ScenarioRun::ScenarioRun(Config config, Scenario scenario, PromptSet prompts, Options options,
                         LabWorld world, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_scenario(std::move(scenario)),
      m_prompts(std::move(prompts)), m_options(options)
{
    if (m_options.seed)
        m_scenario.seed = *m_options.seed;
    m_scaled = m_options.timeScale == 1.0 ? m_scenario : timeScaled(m_scenario, m_options.timeScale);
    const Config runConfig =
        m_options.timeScale == 1.0 ? m_config : timeScaled(m_config, m_options.timeScale);

    Lab::Options labOptions;
    labOptions.seed = m_scenario.seed;
    labOptions.threads = m_options.threads;
    labOptions.concurrency = m_scaled.load.concurrency;
    labOptions.chaosBaseline = m_scaled.baseline;
    labOptions.chaosThread = m_options.chaosThread;
    m_lab = std::make_unique<Lab>(runConfig, labOptions, std::move(world));
    RecorderOptions recorderOptions;
    recorderOptions.seriesStep = seriesStepFor(m_options);
    m_recorder =
        std::make_unique<RunRecorder>(m_lab->clock(), m_lab->modelLabels(), recorderOptions);
    connect(&m_lab->events(), &EventStream::event, m_recorder.get(), &RunRecorder::record);
}

ScenarioRun::~ScenarioRun()
{
    m_load.reset();
    m_lab.reset();
}

Millis ScenarioRun::seriesStepFor(const Options &options)
{
    if (!options.scaleSeriesStep || options.timeScale == 1.0)
        return options.seriesStep;
    const auto scaled = static_cast<Millis::rep>(
        std::llround(static_cast<double>(options.seriesStep.count()) * options.timeScale));
    return std::max(Millis(scaled), std::min(options.minSeriesStep, options.seriesStep));
}

std::uint64_t ScenarioRun::seed() const
{
    return m_scenario.seed;
}

bool ScenarioRun::start(QString *error)
{
    if (!m_lab->start(error))
        return false;
    if (m_options.metricsPort && m_lab->serveMetrics(static_cast<quint16>(*m_options.metricsPort)) == 0) {
        if (error)
            *error = QStringLiteral("cannot serve metrics on 127.0.0.1:%1").arg(*m_options.metricsPort);
        return false;
    }
    m_load = std::make_unique<LoadGenerator>(
        m_scaled.load, m_prompts, m_lab->clock(),
        [this](CallRequest request, Engine::Completion done) {
            m_lab->engines().submit(std::move(request), std::move(done));
        });
    connect(m_load.get(), &LoadGenerator::finished, this, &ScenarioRun::onLoadFinished);
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_startedClock = m_lab->clock().now();
    m_recorder->start();
    m_running = true;
    if (ChaosServer *chaos = m_lab->chaos()) {
        // Rate limits count over a scenario minute, however fast the run goes.
        chaos->controller().setTimeScale(m_options.timeScale);
        if (!m_scaled.timeline.isEmpty())
            chaos->controller().startTimeline(m_scaled.timeline);
    }
    m_load->start(m_scaled.duration);
    return true;
}

void ScenarioRun::stop()
{
    if (!m_running)
        return;
    m_cancelled = true;
    m_load->stop();
    m_lab->engines().cancelAll();
}

quint16 ScenarioRun::metricsPort() const
{
    return m_lab->metricsPort();
}

Millis ScenarioRun::elapsed() const
{
    return m_running || m_finished ? m_recorder->elapsed() : Millis(0);
}

void ScenarioRun::onLoadFinished()
{
    if (m_finished)
        return;
    m_running = false;
    m_finished = true;
    if (ChaosServer *chaos = m_lab->chaos())
        chaos->controller().stopTimeline();
    Q_EMIT finished();
}

nlohmann::json ScenarioRun::report() const
{
    nlohmann::json report = m_recorder->reportJson();
    report["scenario"] = jsonString(m_scenario.name);
    report["seed"] = m_scenario.seed;
    report["started_at"] = jsonString(m_startedAt.toString(Qt::ISODateWithMs));
    if (m_options.timeScale != 1.0)
        report["time_scale"] = m_options.timeScale;
    // Judged against the scenario as it ran: time-scaled latency limits.
    const ExpectationVerdict verdict = evaluateExpectations(m_scaled.expect, report);
    nlohmann::json failures = nlohmann::json::array();
    for (const QString &failure : verdict.failures)
        failures.push_back(jsonString(failure));
    report["expect"] = {{"passed", verdict.passed}, {"failures", failures}};
    return report;
}

ExpectationVerdict ScenarioRun::verdict() const
{
    return evaluateExpectations(m_scaled.expect, report());
}

} // namespace breakwater

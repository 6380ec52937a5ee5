#include "session.h"

#include "load/promptset.h"
#include "recorder/runrecorder.h"
#include "runtime/lab.h"
#include "runtime/scenariorun.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace breakwater::ui {
namespace {

QString joinErrors(const QList<ValidationError> &errors)
{
    QStringList lines;
    for (const ValidationError &error : errors)
        lines.append(error.toString());
    return lines.join(QLatin1Char('\n'));
}

} // namespace

DashboardSession::DashboardSession(nlohmann::json baseConfig, QString configLabel, Options options,
                                   QObject *parent)
    : QObject(parent), m_baseJson(std::move(baseConfig)), m_configLabel(std::move(configLabel)),
      m_options(options)
{}

DashboardSession::~DashboardSession()
{
    // The recorder holds the idle lab's clock: it goes first. A run tears itself down.
    m_idleRecorder.reset();
    m_idleLab.reset();
    m_run.reset();
}

bool DashboardSession::start(QString *error)
{
    const ConfigParseResult parsed = parseConfig(m_baseJson, m_configLabel);
    if (!parsed.config) {
        if (error)
            *error = joinErrors(parsed.errors);
        return false;
    }
    m_baseConfig = *parsed.config;
    return startIdle(error);
}

bool DashboardSession::setBaseConfig(const nlohmann::json &config, const QString &label,
                                     QString *error)
{
    const ConfigParseResult parsed = parseConfig(config, label);
    if (!parsed.config) {
        if (error)
            *error = joinErrors(parsed.errors);
        return false;
    }
    m_baseJson = config;
    m_baseConfig = *parsed.config;
    m_configLabel = label;
    if (m_phase == Phase::Idle)
        return startIdle(error);
    return true;
}

Lab *DashboardSession::currentLab() const
{
    return m_run ? &m_run->lab() : m_idleLab.get();
}

RunRecorder *DashboardSession::recorder() const
{
    return m_run ? &m_run->recorder() : m_idleRecorder.get();
}

ConfigParseResult DashboardSession::configFor(const Scenario &scenario, const QString &label) const
{
    return configForScenario(m_baseJson, scenario, label);
}

bool DashboardSession::startIdle(QString *error)
{
    Lab::Options options;
    options.seed = m_options.idleSeed;
    // One engine on this thread: the idle lab serves single prompts, not load.
    options.threads = 0;
    options.chaosThread = m_options.chaosThread;
    auto lab = std::make_unique<Lab>(m_baseConfig, options, LabWorld::real());
    if (!lab->start(error))
        return false;
    auto recorder = std::make_unique<RunRecorder>(lab->clock(), lab->modelLabels());
    connect(&lab->events(), &EventStream::event, recorder.get(), &RunRecorder::record);
    retire();
    m_idleLab = std::move(lab);
    m_idleRecorder = std::move(recorder);
    setPhase(Phase::Idle);
    Q_EMIT labChanged(m_idleLab.get());
    return true;
}

bool DashboardSession::startScenario(const Scenario &scenario, const QString &label, QString *error)
{
    if (m_phase == Phase::Running) {
        if (error)
            *error = tr("a run is in progress: stop it first");
        return false;
    }
    const ConfigParseResult config = configFor(scenario, label);
    if (!config.config) {
        if (error)
            *error = joinErrors(config.errors);
        return false;
    }
    QString promptError;
    const std::optional<PromptSet> prompts =
        PromptSet::forLoad(scenario.load, scenario.seed, &promptError);
    if (!prompts) {
        if (error)
            *error = promptError;
        return false;
    }
    ScenarioRun::Options runOptions;
    runOptions.threads = m_options.runThreads;
    runOptions.timeScale = m_options.timeScale;
    runOptions.chaosThread = m_options.chaosThread;
    auto run = std::make_unique<ScenarioRun>(*config.config, scenario, *prompts, runOptions,
                                             LabWorld::real());
    ScenarioRun *raw = run.get();
    connect(raw, &ScenarioRun::finished, this, [this, raw] {
        if (m_run.get() != raw)
            return;
        setPhase(Phase::Finished);
        Q_EMIT runFinished();
    });
    if (!run->start(error))
        return false;
    retire();
    m_run = std::move(run);
    setPhase(Phase::Running);
    Q_EMIT labChanged(&m_run->lab());
    return true;
}

void DashboardSession::stop()
{
    if (m_run && m_phase == Phase::Running)
        m_run->stop();
}

bool DashboardSession::reset(QString *error)
{
    return startIdle(error);
}

void DashboardSession::retire()
{
    // Parented to the session so that they are freed even if the event loop never runs
    // again; deleted later because a slot of theirs may be on the stack right now.
    if (m_run) {
        ScenarioRun *run = m_run.release();
        run->disconnect(this);
        run->stop();
        run->setParent(this);
        run->deleteLater();
    }
    if (m_idleRecorder) {
        RunRecorder *recorder = m_idleRecorder.release();
        recorder->setParent(this);
        recorder->deleteLater();
    }
    if (m_idleLab) {
        Lab *lab = m_idleLab.release();
        lab->setParent(this);
        lab->deleteLater();
    }
}

void DashboardSession::setPhase(Phase phase)
{
    if (m_phase == phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged();
}

} // namespace breakwater::ui

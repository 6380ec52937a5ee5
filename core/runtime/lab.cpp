#include "lab.h"

#include "chaos/chaosserver.h"
#include "engine/engine.h"
#include "metrics/alertevaluator.h"
#include "metrics/metricscollector.h"
#include "metrics/metricsregistry.h"
#include "metrics/metricsserver.h"

#include <QHostAddress>

#include <algorithm>

namespace breakwater {

Lab::Lab(Config config, Options options, LabWorld world, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_options(std::move(options)),
      m_world(std::move(world)), m_events(*m_world.clock)
{
    m_breakers = std::make_unique<BreakerRegistry>(m_config.breaker, clock());
    m_retryBudgets = std::make_unique<RetryBudgets>(m_config.retry, clock());
    m_cache = std::make_unique<ResponseCache>(m_config.cache, clock());
    // Breaker transitions join the one stream, stamped on the lab's clock.
    connect(m_breakers.get(), &BreakerRegistry::stateChanged, this,
            [this](const QString &model, BreakerState from, BreakerState to) {
                m_events.publish(BreakerTransition{clock().now(), model, from, to});
            },
            Qt::DirectConnection);
    m_metrics = std::make_unique<MetricsRegistry>();
    m_metricsCollector = std::make_unique<MetricsCollector>(*m_metrics, modelLabels());
    connect(&m_events, &EventStream::event, m_metricsCollector.get(), &MetricsCollector::record);
    m_alerts = std::make_unique<AlertEvaluator>(m_config.alert, clock(), m_events);
    connect(&m_events, &EventStream::event, m_alerts.get(), &AlertEvaluator::record);
}

Lab::~Lab()
{
    // Engines first: their calls reference the chaos server's sockets and the shared state.
    m_pool.reset();
    m_chaos.reset();
    m_metricsServer.reset();
}

quint16 Lab::serveMetrics(quint16 port)
{
    if (!m_metricsServer)
        m_metricsServer = std::make_unique<MetricsServer>(*m_metrics);
    return m_metricsServer->listen(QHostAddress(QHostAddress::LocalHost), port);
}

quint16 Lab::metricsPort() const
{
    return m_metricsServer ? m_metricsServer->port() : 0;
}

bool Lab::start(QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const bool inProcess = m_world.chaosInProcess();
    if (inProcess) {
        if (m_options.threads > 0)
            return fail(QStringLiteral("the chaos server in process runs on the lab's own "
                                       "thread: engine threads must be 0"));
        if (const QString problem = inProcessProblem(m_config); !problem.isEmpty())
            return fail(problem);
    }
    QUrl embeddedBaseUrl;
    const bool usesEmbedded = std::any_of(m_config.providers.begin(), m_config.providers.end(),
                                          [](const ProviderConfig &provider) {
                                              return provider.isEmbedded();
                                          });
    if (usesEmbedded) {
        m_chaos = std::make_unique<ChaosServer>(clock(), m_options.seed, m_options.chaosBaseline,
                                                HttpServerOptions{}, m_world.chaosWallClock);
        if (inProcess) {
            // Only the path of a request reaches the handler; the host names no machine.
            embeddedBaseUrl = QUrl(QStringLiteral("http://in-process.invalid"));
        } else {
            if (m_options.chaosThread)
                m_chaos->runInOwnThread();
            if (!m_chaos->listen()) {
                const QString reason = m_chaos->errorString();
                m_chaos.reset();
                return fail(
                    QStringLiteral("the embedded chaos server cannot listen: %1").arg(reason));
            }
            embeddedBaseUrl = m_chaos->baseUrl();
        }
        connect(&m_chaos->controller(), &ChaosController::timelineStepApplied, this,
                [this](const QString &model, const QString &note) {
                    if (!note.isEmpty())
                        m_events.publish(TimelineNote{clock().now(), model, note});
                });
    }
    TransportFactory transports = m_world.transports;
    if (inProcess) {
        transports = [this](int) {
            return m_world.chaosTransport(*m_chaos);
        };
    }
    EnginePool::Options poolOptions;
    poolOptions.threads = m_options.threads;
    poolOptions.concurrency = m_options.concurrency;
    poolOptions.seed = m_options.seed;
    poolOptions.embeddedBaseUrl = embeddedBaseUrl;
    m_pool = std::make_unique<EnginePool>(
        m_config, EngineShared{*m_breakers, *m_retryBudgets, *m_cache, m_bulkheads, m_events},
        clock(), std::move(transports), poolOptions);
    return true;
}

QStringList Lab::modelLabels() const
{
    return chainLabels(m_config.chain);
}

} // namespace breakwater

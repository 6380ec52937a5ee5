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

Lab::Lab(Config config, Options options, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_options(std::move(options))
{
    m_breakers = std::make_unique<BreakerRegistry>(m_config.breaker, m_clock);
    m_retryBudgets = std::make_unique<RetryBudgets>(m_config.retry, m_clock);
    m_cache = std::make_unique<ResponseCache>(m_config.cache, m_clock);
    // Breaker transitions join the one stream, stamped on the lab's clock.
    connect(m_breakers.get(), &BreakerRegistry::stateChanged, this,
            [this](const QString &model, BreakerState from, BreakerState to) {
                m_events.publish(BreakerTransition{m_clock.now(), model, from, to});
            },
            Qt::DirectConnection);
    m_metrics = std::make_unique<MetricsRegistry>();
    m_metricsCollector = std::make_unique<MetricsCollector>(*m_metrics, modelLabels());
    connect(&m_events, &EventStream::event, m_metricsCollector.get(), &MetricsCollector::record);
    m_alerts = std::make_unique<AlertEvaluator>(m_config.alert, m_clock, m_events);
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
    QUrl embeddedBaseUrl;
    const bool usesEmbedded = std::any_of(m_config.providers.begin(), m_config.providers.end(),
                                          [](const ProviderConfig &provider) {
                                              return provider.isEmbedded();
                                          });
    if (usesEmbedded) {
        m_chaos = std::make_unique<ChaosServer>(m_clock, m_options.seed, m_options.chaosBaseline);
        if (m_options.chaosThread)
            m_chaos->runInOwnThread();
        if (!m_chaos->listen()) {
            if (error)
                *error = QStringLiteral("the embedded chaos server cannot listen: %1")
                             .arg(m_chaos->errorString());
            m_chaos.reset();
            return false;
        }
        embeddedBaseUrl = m_chaos->baseUrl();
        connect(&m_chaos->controller(), &ChaosController::timelineStepApplied, this,
                [this](const QString &model, const QString &note) {
                    if (!note.isEmpty())
                        m_events.publish(TimelineNote{m_clock.now(), model, note});
                });
    }
    EnginePool::Options poolOptions;
    poolOptions.threads = m_options.threads;
    poolOptions.concurrency = m_options.concurrency;
    poolOptions.seed = m_options.seed;
    poolOptions.embeddedBaseUrl = embeddedBaseUrl;
    m_pool = std::make_unique<EnginePool>(
        m_config, EngineShared{*m_breakers, *m_retryBudgets, *m_cache, m_bulkheads, m_events}, m_clock, poolOptions);
    return true;
}

QStringList Lab::modelLabels() const
{
    return chainLabels(m_config.chain);
}

} // namespace breakwater

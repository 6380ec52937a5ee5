#pragma once

#include "breaker/breakerregistry.h"
#include "retry/retrybudget.h"
#include "cache/responsecache.h"
#include "chaos/chaosprofile.h"
#include "config/config.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "runtime/enginepool.h"
#include "runtime/labworld.h"

#include <QObject>
#include <QString>
#include <memory>

namespace breakwater {

class AlertEvaluator;
class ChaosServer;
class MetricsCollector;
class MetricsRegistry;
class MetricsServer;

/// Everything one session of Breakwater runs on, assembled once for the CLI and the
/// dashboard alike: the one event stream, breakers, cache, bulkheads, the engine pool, the
/// metrics and the in-process alert rules fed by the stream, and, when a provider's base_url
/// is "embedded", the embedded chaos server. The clock and the transports come from the
/// LabWorld it is given (the real one, or virtual time).
class Lab final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Lab)

public:
    struct Options {
        std::uint64_t seed = 1;
        /// Worker threads for engines (0: one engine on this thread).
        int threads = 0;
        /// Requests that must be able to be in flight at once.
        int concurrency = 6;
        ChaosProfile chaosBaseline = defaultChaosProfile();
        /// The embedded chaos server answers in a thread of its own, so that its sockets,
        /// parsing and delays take no time from this thread's event loop (the dashboard's
        /// GUI thread). False: it runs on this thread. Moot when the world reaches it in
        /// process.
        bool chaosThread = true;
    };

    Lab(Config config, Options options, LabWorld world, QObject *parent = nullptr);
    ~Lab() override;

    /// Starts the embedded chaos server if the config uses it, then the engines. False with
    /// `error` set when the server cannot listen, or when the world reaches the chaos server
    /// in process and the config or options cannot run so (inProcessProblem(), threads > 0).
    bool start(QString *error);

    const Config &config() const { return m_config; }
    Clock &clock() { return *m_world.clock; }
    EventStream &events() { return m_events; }
    BreakerRegistry &breakers() { return *m_breakers; }
    ResponseCache &cache() { return *m_cache; }
    EnginePool &engines() { return *m_pool; }
    /// The embedded chaos server, or nullptr when no provider uses it.
    ChaosServer *chaos() { return m_chaos.get(); }
    MetricsRegistry &metrics() { return *m_metrics; }
    MetricsCollector &metricsCollector() { return *m_metricsCollector; }
    AlertEvaluator &alerts() { return *m_alerts; }
    /// Serves /metrics on 127.0.0.1:`port` (0: a free port). Returns the bound port, 0 on
    /// failure.
    quint16 serveMetrics(quint16 port);
    /// The port /metrics is served on, 0 when it is not.
    quint16 metricsPort() const;
    QStringList modelLabels() const;

private:
    Config m_config;
    Options m_options;
    LabWorld m_world;
    EventStream m_events;
    std::unique_ptr<BreakerRegistry> m_breakers;
    std::unique_ptr<RetryBudgets> m_retryBudgets;
    std::unique_ptr<ResponseCache> m_cache;
    Bulkheads m_bulkheads;
    std::unique_ptr<ChaosServer> m_chaos;
    std::unique_ptr<MetricsRegistry> m_metrics;
    std::unique_ptr<MetricsCollector> m_metricsCollector;
    std::unique_ptr<AlertEvaluator> m_alerts;
    std::unique_ptr<MetricsServer> m_metricsServer;
    std::unique_ptr<EnginePool> m_pool;
};

} // namespace breakwater

#pragma once

#include "breaker/breakerregistry.h"
#include "cache/responsecache.h"
#include "chaos/chaosprofile.h"
#include "common/qtclock.h"
#include "config/config.h"
#include "engine/bulkhead.h"
#include "engine/eventstream.h"
#include "runtime/enginepool.h"

#include <QObject>
#include <QString>

#include <memory>

namespace breakwater {

class ChaosServer;

/// Everything one session of Breakwater runs on, assembled once for the CLI and the
/// dashboard alike: the clock, the one event stream, breakers, cache, bulkheads, the engine
/// pool and, when a provider's base_url is "embedded", the in-process chaos server.
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
    };

    Lab(Config config, Options options, QObject *parent = nullptr);
    ~Lab() override;

    /// Starts the embedded chaos server if the config uses it, then the engines. False with
    /// `error` set when the server cannot listen.
    bool start(QString *error);

    const Config &config() const { return m_config; }
    Clock &clock() { return m_clock; }
    EventStream &events() { return m_events; }
    BreakerRegistry &breakers() { return *m_breakers; }
    ResponseCache &cache() { return *m_cache; }
    EnginePool &engines() { return *m_pool; }
    /// The embedded chaos server, or nullptr when no provider uses it.
    ChaosServer *chaos() { return m_chaos.get(); }
    QStringList modelLabels() const;

private:
    Config m_config;
    Options m_options;
    QtClock m_clock;
    EventStream m_events;
    std::unique_ptr<BreakerRegistry> m_breakers;
    std::unique_ptr<ResponseCache> m_cache;
    Bulkheads m_bulkheads;
    std::unique_ptr<ChaosServer> m_chaos;
    std::unique_ptr<EnginePool> m_pool;
};

} // namespace breakwater

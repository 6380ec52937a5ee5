#include "labworld.h"

#include "chaos/chaosserver.h"
#include "chaos/inprocesstransport.h"
#include "common/qtclock.h"
#include "transport/qnamtransport.h"

#include <QDateTime>

namespace breakwater {

LabWorld LabWorld::real()
{
    LabWorld world;
    world.clock = std::make_shared<QtClock>();
    world.transports = [](int concurrency) {
        // Qt 6.4 opens at most 6 connections per host and manager: enough managers for
        // `concurrency` requests at once.
        const int managers = std::max(1, (concurrency + QnamTransport::kConnectionsPerManager - 1) /
                                             QnamTransport::kConnectionsPerManager);
        return std::make_unique<QnamTransport>(managers);
    };
    return world;
}

LabWorld LabWorld::inProcess(std::shared_ptr<Clock> clock)
{
    LabWorld world;
    world.clock = clock;
    world.chaosTransport = [clock](ChaosServer &server) {
        return std::make_unique<InProcessTransport>(server.handler(), *clock);
    };
    // A fixed origin, so that answers (their `created` fields, rate-limit reset dates) are
    // the same on every run of a seed.
    const QDateTime origin(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
    world.chaosWallClock = [clock, origin] {
        return origin.addMSecs(clock->now().count());
    };
    return world;
}

QString inProcessProblem(const Config &config)
{
    for (qsizetype i = 0; i < config.chain.size(); ++i) {
        const QString &name = config.chain.at(i).provider;
        const ProviderConfig *provider = config.provider(name);
        if (!provider || !provider->isEmbedded())
            return QStringLiteral("chain[%1].provider: '%2' is not the embedded chaos server "
                                  "(base_url \"embedded\"), the only provider reachable in "
                                  "virtual time")
                .arg(i)
                .arg(name);
    }
    return {};
}

} // namespace breakwater

#pragma once

#include "chaos/chaosrequesthandler.h"
#include "common/clock.h"
#include "config/config.h"
#include "transport/transport.h"

#include <QString>
#include <functional>
#include <memory>

namespace breakwater {

class ChaosServer;

/// What a Lab runs on, chosen by whoever composes it: the clock of every timer and
/// timestamp, the transport the engines send with, and how they reach the embedded chaos
/// server. The real world is the monotonic clock, QNetworkAccessManager and the chaos server
/// on a loopback port. A simulated one puts the chaos server in process, with no sockets and
/// no threads, on a FakeClock: a run is then deterministic for its seed and costs no real
/// time (docs/architecture.md, "Virtual time"). Nothing in the lab knows which it runs on.
struct LabWorld {
    /// Makes the transport every engine sends with when the chaos server is in process.
    using ChaosTransportFactory = std::function<std::unique_ptr<Transport>(ChaosServer &server)>;

    /// Shared by the lab and whoever drives it. With engine threads it must be usable from
    /// every thread (QtClock is; a FakeClock is not).
    std::shared_ptr<Clock> clock;
    /// Each engine's transport to the providers, the chaos server on loopback included.
    TransportFactory transports;
    /// Empty: the chaos server listens on loopback and is reached through `transports`.
    /// Set: it does not listen, and engines send everything through the transport this
    /// makes, on the lab's own thread (threads = 0); every model of the chain must then be
    /// served by the embedded provider (inProcessProblem()).
    ChaosTransportFactory chaosTransport;
    /// The dates the chaos server writes into its answers; empty: the system's.
    ChaosRequestHandler::WallClock chaosWallClock;

    /// What runs use outside virtual time: a QtClock of its own, QnamTransport, the chaos
    /// server on loopback.
    static LabWorld real();
    /// Everything on `clock` (a FakeClock for virtual time), the chaos server in process
    /// (InProcessTransport), no network; the chaos server's dates advance with the clock
    /// from a fixed instant.
    static LabWorld inProcess(std::shared_ptr<Clock> clock);

    /// Whether engines reach the chaos server in process.
    bool chaosInProcess() const { return static_cast<bool>(chaosTransport); }
};

/// Why `config` cannot run against the chaos server in process ("chain[1].provider: 'openai'
/// is not the embedded chaos server ..."), or an empty string when it can.
QString inProcessProblem(const Config &config);

} // namespace breakwater

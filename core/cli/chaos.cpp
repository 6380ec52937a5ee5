#include "chaos/chaosserver.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "common/qtclock.h"
#include "config/configloader.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace breakwater::cli {
namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe work here: wake the event loop through the pipe.
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
}

/// Quits the event loop on SIGINT or SIGTERM (the Qt way: a socket pair and a notifier).
void quitOnSignals(QObject *context)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [] {
        char byte;
        [[maybe_unused]] const ssize_t read = ::read(signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

} // namespace

int runChaos(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port to listen on (default 0: a free one)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption profileOption(QStringLiteral("profile"),
                                           QStringLiteral("Chaos profile (default: every model "
                                                          "answers, no faults)."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Seed for faults and latencies."),
                                        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption bindOption(
        QStringLiteral("bind"),
        QStringLiteral("Address to listen on (default 127.0.0.1). Anything else exposes the "
                       "server to the network."),
        QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    parser.addOptions({portOption, profileOption, seedOption, bindOption});
    if (auto exit = parseArguments(
            parser, QStringLiteral("chaos"),
            QStringLiteral("Runs the chaos server alone: the Anthropic and OpenAI wire formats "
                           "with injected faults, and its control API under /chaos/. Prints "
                           "'listening on http://127.0.0.1:PORT' first; runs until SIGINT or "
                           "SIGTERM."),
            arguments))
        return *exit;
    QTextStream err(stderr);
    if (!checkFileOptions(parser, QStringLiteral("chaos"), {"profile"}))
        return BadInput;
    if (!parser.positionalArguments().isEmpty()) {
        err << "breakwater-cli chaos: unexpected argument '" << parser.positionalArguments().first()
            << "'\n";
        return BadInput;
    }
    bool ok = false;
    const int port = parser.value(portOption).toInt(&ok);
    if (!ok || port < 0 || port > 65535) {
        err << "breakwater-cli chaos: --port: must be a port from 0 to 65535\n";
        return BadInput;
    }
    const std::uint64_t seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok) {
        err << "breakwater-cli chaos: --seed: must be a whole number >= 0\n";
        return BadInput;
    }
    const QHostAddress address(parser.value(bindOption));
    if (address.isNull()) {
        err << "breakwater-cli chaos: --bind: '" << parser.value(bindOption)
            << "' is not an IP address\n";
        return BadInput;
    }
    ChaosProfile profile = defaultChaosProfile();
    if (parser.isSet(profileOption)) {
        nlohmann::json json;
        const QString path = parser.value(profileOption);
        if (auto error = readJsonFile(path, json)) {
            err << "breakwater-cli chaos: " << error->toString() << '\n';
            return BadInput;
        }
        const ChaosProfileParseResult parsed = parseChaosProfile(json, path);
        if (!parsed.profile) {
            for (const ValidationError &error : parsed.errors)
                err << "breakwater-cli chaos: " << error.toString() << '\n';
            return BadInput;
        }
        profile = *parsed.profile;
    }
    QtClock clock;
    ChaosServer server(clock, seed, profile);
    if (!server.listen(static_cast<quint16>(port), address)) {
        err << "breakwater-cli chaos: cannot listen on " << address.toString() << ':' << port
            << ": " << server.errorString() << '\n';
        return InternalError;
    }
    if (!address.isLoopback())
        err << "breakwater-cli chaos: warning: listening on " << address.toString()
            << ", reachable from other machines\n";
    QTextStream out(stdout);
    out << "listening on " << server.baseUrl().toString() << '\n';
    out.flush();
    quitOnSignals(&server);
    QCoreApplication::exec();
    return Success;
}

} // namespace breakwater::cli

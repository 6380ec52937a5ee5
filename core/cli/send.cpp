#include "chaos/chaosprofile.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/configoption.h"
#include "engine/events.h"
#include "runtime/lab.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace breakwater::cli {

int runSend(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption(configOption());
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("Start the chain at this model (the models "
                                                  "after it stay as fallbacks)."),
                                   QStringLiteral("M"));
    const QCommandLineOption stream(QStringLiteral("stream"),
                                    QStringLiteral("Stream the answer; text is echoed to stderr "
                                                   "as it arrives."));
    const QCommandLineOption fault(QStringLiteral("fault"),
                                   QStringLiteral("Ask the chaos server for this fault on every "
                                                  "attempt (x-chaos-fault), e.g. overloaded."),
                                   QStringLiteral("FAULT"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seed of the embedded chaos server and the jitter."),
                                  QStringLiteral("N"), QStringLiteral("1"));
    parser.addOptions({model, stream, fault, seed});
    parser.addPositionalArgument(QStringLiteral("PROMPT"), QStringLiteral("The prompt to send."));
    if (auto exit = parseArguments(
            parser, QStringLiteral("send"),
            QStringLiteral("Sends one prompt through the resilience engine and prints the call "
                           "result JSON (SPEC.md section 4) on stdout.\nExit code 0 when an "
                           "answer came back (from a model, the cache or the degraded text), 1 "
                           "when the call failed (invalid request), 2 on bad input."),
            arguments))
        return *exit;
    QTextStream err(stderr);
    if (!checkFileOptions(parser, QStringLiteral("send"), {"config"}))
        return BadInput;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        err << "breakwater-cli send: expected exactly one PROMPT (quote it)\n";
        return BadInput;
    }
    bool seedOk = false;
    const std::uint64_t seedValue = parser.value(seed).toULongLong(&seedOk);
    if (!seedOk) {
        err << "breakwater-cli send: --seed: must be a whole number >= 0\n";
        return BadInput;
    }
    std::optional<Config> config = loadConfigOption(parser, QStringLiteral("send"));
    if (!config)
        return BadInput;
    if (parser.isSet(model)) {
        const QString wanted = parser.value(model);
        const QStringList labels = chainLabels(config->chain);
        const qsizetype index = labels.indexOf(wanted);
        if (index < 0) {
            err << "breakwater-cli send: --model: '" << wanted << "' is not in the chain ("
                << labels.join(QStringLiteral(", ")) << ")\n";
            return BadInput;
        }
        config->chain = config->chain.mid(index);
    }
    CallRequest request;
    request.prompt = positional.first();
    request.stream = parser.isSet(stream);
    if (parser.isSet(fault)) {
        const QString faultName = parser.value(fault);
        if (faultName != QStringLiteral("ok") && !chaosFaultFromName(faultName)) {
            QStringList names{QStringLiteral("ok")};
            for (ChaosFault each : allChaosFaults())
                names.append(chaosFaultName(each));
            err << "breakwater-cli send: --fault: unknown fault '" << faultName << "' ("
                << names.join(QStringLiteral(", ")) << ")\n";
            return BadInput;
        }
        request.extraHeaders.set("x-chaos-fault", faultName.toUtf8());
    }

    Lab::Options options;
    options.seed = seedValue;
    Lab lab(*config, options, LabWorld::real());
    QString error;
    if (!lab.start(&error)) {
        err << "breakwater-cli send: " << error << '\n';
        return InternalError;
    }
    if (request.stream) {
        QObject::connect(&lab.events(), &EventStream::event, &lab, [&err](const EngineEvent &event) {
            if (const auto *delta = std::get_if<StreamDelta>(&event)) {
                err << delta->text;
                err.flush();
            }
        });
    }
    int exitCode = InternalError;
    const bool streaming = request.stream;
    lab.engines().submit(request, [&exitCode, &err, streaming](const CallResult &result) {
        if (streaming)
            err << '\n';
        err.flush();
        QTextStream out(stdout);
        out << QString::fromStdString(toJson(result).dump(2)) << '\n';
        exitCode = result.success ? Success : ExpectationsFailed;
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return exitCode;
}

} // namespace breakwater::cli

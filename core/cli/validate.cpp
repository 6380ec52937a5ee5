#include "cli/cli.h"
#include "cli/commands.h"
#include "chaos/chaosprofile.h"
#include "config/configloader.h"
#include "scenario/scenario.h"

#include <QTextStream>

#include <cstdio>

namespace breakwater::cli {
namespace {

/// What a JSON file is, from its top-level keys.
enum class FileKind { Config, Scenario, ChaosProfile };

FileKind detectKind(const nlohmann::json &json)
{
    // The kind whose top-level fields the file uses most; a file that uses none (all typos)
    // is read as a config. A scenario's `config` and `seed` make it a scenario too, so that
    // its own mistakes are reported as a scenario's, not as unknown config fields.
    const auto count = [&json](std::initializer_list<const char *> keys) {
        int found = 0;
        for (const char *key : keys)
            found += json.contains(key) ? 1 : 0;
        return found;
    };
    const int scenario = count({"name", "description", "duration_s", "seed", "load", "config",
                                "chaos", "expect"});
    const int config = count({"providers", "chain", "retry", "breaker", "timeouts", "context",
                              "cache", "degraded_text", "alert", "metrics"});
    const int profile = count({"models"});
    if (scenario > config && scenario >= profile)
        return FileKind::Scenario;
    if (profile > config)
        return FileKind::ChaosProfile;
    return FileKind::Config;
}

QString kindName(FileKind kind)
{
    switch (kind) {
    case FileKind::Config:
        return QStringLiteral("config");
    case FileKind::Scenario:
        return QStringLiteral("scenario");
    case FileKind::ChaosProfile:
        return QStringLiteral("chaos profile");
    }
    return QString();
}

QList<ValidationError> validateFile(const QString &path, FileKind &kind)
{
    nlohmann::json json;
    if (auto error = readJsonFile(path, json))
        return {*error};
    kind = detectKind(json);
    const QString &label = path;
    switch (kind) {
    case FileKind::Config:
        return parseConfig(json, label).errors;
    case FileKind::Scenario:
        return parseScenario(json, label).errors;
    case FileKind::ChaosProfile:
        return parseChaosProfile(json, label).errors;
    }
    return {};
}

} // namespace

int runValidate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("configs, scenarios or chaos profiles"),
                                 QStringLiteral("FILE..."));
    if (auto exit = parseArguments(parser, QStringLiteral("validate"),
                                   QStringLiteral("Checks configs, scenarios and chaos profiles "
                                                  "and prints every problem with its JSON path."),
                                   arguments))
        return *exit;
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        QTextStream(stderr) << "breakwater-cli validate: no FILE given\n";
        return BadInput;
    }
    QTextStream out(stdout);
    QTextStream err(stderr);
    int problems = 0;
    for (const QString &file : files) {
        FileKind kind = FileKind::Config;
        const QList<ValidationError> errors = validateFile(file, kind);
        for (const ValidationError &error : errors)
            err << error.toString() << '\n';
        if (errors.isEmpty())
            out << file << ": ok (" << kindName(kind) << ")\n";
        problems += static_cast<int>(errors.size());
    }
    return problems == 0 ? Success : BadInput;
}

} // namespace breakwater::cli

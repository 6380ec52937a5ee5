// The bad-input sweep (issue 7): every file format breakwater-cli reads and every flag of
// every subcommand, fed malformed input. Each must end in exit 2 and a message naming the
// file and the JSON path (or the line, for line formats), or the flag: never a crash, a
// hang, a silent default or another exit code.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

// A malformed input fails at once; anything near this is a hang (or a run that should not
// have started).
constexpr int kTimeoutMs = 20000;

CliRun runCli(const QStringList &arguments, const QString &workDir = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Nothing here may touch the user's history database.
    environment.insert(u"BREAKWATER_DB"_s, (workDir.isEmpty() ? QDir::tempPath() : workDir) +
                                               u"/badinput-history.db"_s);
    process.setProcessEnvironment(environment);
    if (!workDir.isEmpty())
        process.setWorkingDirectory(workDir);
    process.start(QStringLiteral(BREAKWATER_CLI), arguments);
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        qWarning("breakwater-cli %s timed out", qPrintable(arguments.join(u' ')));
    }
    // A crash is -1, never a code that could pass for 2.
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(content);
}

/// The formats breakwater-cli reads. A timeline lives in a scenario's chaos.timeline, a
/// prompt file is named by a scenario's load.prompts.
enum class Format { Config, Scenario, Profile, Timeline, Jobs, Prompts };

/// How a row's file exists: written with the row's content, a directory, or not at all.
enum class Shape { Content, Directory, Missing };

QString fileNameOf(Format format)
{
    switch (format) {
    case Format::Config:
        return u"config.json"_s;
    case Format::Scenario:
    case Format::Timeline:
        return u"scenario.json"_s;
    case Format::Profile:
        return u"profile.json"_s;
    case Format::Jobs:
        return u"jobs.jsonl"_s;
    case Format::Prompts:
        return u"prompts.txt"_s;
    }
    return {};
}

/// A JSON value nested `depth` levels deep: parsers and mergers must not recurse on it.
QByteArray deeplyNested(int depth, char open = '[', char close = ']')
{
    return QByteArray(depth, open) + QByteArray(depth, close);
}

QByteArray deeplyNestedObject(int depth)
{
    QByteArray json;
    for (int i = 0; i < depth; ++i)
        json += "{\"x\":";
    json += '1';
    json += QByteArray(depth, '}');
    return json;
}

constexpr int kDeep = 200000;

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    /// A tiny valid scenario (for flags that need one).
    QString m_scenario;
    /// An existing (empty) queue database for `dlq`.
    QString m_database;

    QString expand(QString argument) const
    {
        argument.replace(u"{dir}"_s, m_dir.path());
        argument.replace(u"{scenario}"_s, m_scenario);
        argument.replace(u"{db}"_s, m_database);
        return argument;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_scenario = m_dir.filePath(u"tiny.json"_s);
        writeFile(m_scenario, R"({"duration_s": 1, "load": {"rps": 2, "concurrency": 1}})");
        m_database = m_dir.filePath(u"queue.db"_s);
        // A batch with no input and an empty queue creates the database and exits 0.
        const CliRun created = runCli({u"batch"_s, u"--db"_s, m_database, u"--quiet"_s});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        QVERIFY(QFileInfo::exists(m_database));
        writeFile(m_dir.filePath(u"not-a-database.db"_s), "this is not SQLite\n");
    }

    void malformedFileExitsTwoNamingFileAndPath_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("shape");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");

        // `expected` follows "<file>: " (JSON formats; a timeline is in a scenario),
        // "jobs.jsonl:" (job lines) or "<scenario>: load.prompts: <prompts>" (a prompt
        // file): the message must carry the file and the place in it (a JSON path, or a
        // line and column where the text is not JSON).
        const auto row = [](const QByteArray &name, Format format, const QByteArray &content,
                            const QString &expected, Shape shape = Shape::Content) {
            QTest::newRow(name.constData())
                << static_cast<int>(format) << static_cast<int>(shape) << content << expected;
        };
        // Every JSON file: the file-level failures.
        for (Format format : {Format::Config, Format::Scenario, Format::Profile}) {
            const QByteArray tag = fileNameOf(format).toLatin1() + ' ';
            row(tag + "empty", format, "", u"file is empty"_s);
            row(tag + "blank", format, " \n\t\n", u"file is empty"_s);
            row(tag + "not JSON", format, "retry = 5\n", u"invalid JSON at line 1, column 1"_s);
            row(tag + "truncated", format, "{\"a\": {\"b\": 1}", u"invalid JSON at line 1"_s);
            row(tag + "array", format, "[1, 2]", u"must be a JSON object"_s);
            row(tag + "invalid UTF-8 in a string", format, "{\"name\": \"caf\xc3\x28\"}",
                u"invalid JSON at line 1, column 15"_s);
            row(tag + "invalid UTF-8 in a key", format, "{\"\xff\xfe\": 1}",
                u"invalid JSON at line 1, column 3"_s);
            row(tag + "number beyond double", format, "{\"x\": 1e400}",
                u"invalid JSON at line 1, column 7: number overflow"_s);
            row(tag + "directory", format, "", u"cannot read: it is a directory"_s,
                Shape::Directory);
            row(tag + "missing", format, "", u"cannot read"_s, Shape::Missing);
            row(tag + "deep nesting", format, "{\"x\": " + deeplyNested(kDeep) + "}",
                u"at line 1, column 106: nested deeper than 100 levels"_s);
        }

        // Config (SPEC.md section 5).
        const Format c = Format::Config;
        row("config wrong type integer", c, R"({"retry": {"max_attempts": "5"}})",
            u"retry.max_attempts: must be an integer"_s);
        row("config fractional integer", c, R"({"retry": {"max_attempts": 2.5}})",
            u"retry.max_attempts: must be an integer"_s);
        row("config wrong type object", c, R"({"retry": 5})", u"retry: must be an object"_s);
        row("config wrong type boolean", c, R"({"cache": {"enabled": "yes"}})",
            u"cache.enabled: must be true or false"_s);
        row("config null", c, R"({"timeouts": {"total_s": null}})",
            u"timeouts.total_s: must be a number"_s);
        row("config wrong type enum", c, R"({"retry": {"jitter": 3}})",
            u"retry.jitter: must be one of"_s);
        row("config unknown enum", c, R"({"context": {"keep": "middle"}})",
            u"context.keep: must be one of"_s);
        row("config missing model", c, R"({"chain": [{"provider": "chaos"}]})",
            u"chain[0]: missing required field 'model'"_s);
        row("config missing base_url", c,
            R"({"providers": {"x": {"kind": "openai"}}, "chain": [{"provider": "x", "model": "m"}]})",
            u"providers.x: missing required field 'base_url'"_s);
        row("config empty chain", c, R"({"chain": []})", u"chain: must be a non-empty array"_s);
        row("config chain item not object", c, R"({"chain": ["chaos"]})",
            u"chain[0]: must be an object"_s);
        row("config huge integer", c,
            R"({"chain": [{"provider": "chaos", "model": "m", "max_tokens": 1e30}]})",
            u"chain[0].max_tokens: must be an integer <= 2147483647"_s);
        row("config int64 overflow", c, R"({"retry": {"max_attempts": 9223372036854775808}})",
            u"retry.max_attempts: must be an integer <= 100"_s);
        row("config uint64 overflow", c, R"({"metrics": {"port": 18446744073709551616}})",
            u"metrics.port: must be an integer <= 65535"_s);
        row("config huge negative", c, R"({"metrics": {"port": -99999999999999999999}})",
            u"metrics.port: must be an integer >= 0"_s);
        row("config negative duration", c, R"({"timeouts": {"total_s": -1}})",
            u"timeouts.total_s: must be a number >= 0"_s);
        row("config huge duration", c, R"({"breaker": {"open_s": 1e30}})",
            u"breaker.open_s: must be a number <= 31536000"_s);
        row("config zero open_s", c, R"({"breaker": {"open_s": 0}})",
            u"breaker.open_s: must be a number > 0"_s);
        row("config rate above one", c, R"({"alert": {"error_rate": 1.5}})",
            u"alert.error_rate: must be a number <= 1"_s);
        row("config unknown key", c, R"({"retyr": {}})",
            u"unknown field 'retyr' (did you mean 'retry'?)"_s);
        row("config unknown nested key", c, R"({"retry": {"max_attempt": 3}})",
            u"retry: unknown field 'max_attempt' (did you mean 'max_attempts'?)"_s);
        row("config bad base_url", c,
            R"({"providers": {"x": {"kind": "openai", "base_url": "ftp://h"}}, "chain": [{"provider": "x", "model": "m"}]})",
            u"providers.x.base_url: must be \"embedded\" or an http or https URL"_s);
        row("config bad api_key_env", c,
            R"({"providers": {"chaos": {"kind": "anthropic", "base_url": "embedded", "api_key_env": "1KEY"}}})",
            u"providers.chaos.api_key_env: must be an environment variable name"_s);

        // Scenario.
        const Format s = Format::Scenario;
        row("scenario wrong type duration", s, R"({"duration_s": "60"})",
            u"duration_s: must be a number"_s);
        row("scenario negative duration", s, R"({"duration_s": -5})",
            u"duration_s: must be a number > 0"_s);
        row("scenario zero duration", s, R"({"duration_s": 0})",
            u"duration_s: must be a number > 0"_s);
        row("scenario huge duration", s, R"({"duration_s": 1e30})",
            u"duration_s: must be a number <= 86400"_s);
        row("scenario negative seed", s, R"({"seed": -1})", u"seed: must be an integer >= 0"_s);
        row("scenario seed beyond uint64", s, R"({"seed": 18446744073709551616})",
            u"seed: must be an integer <= 9007199254740992"_s);
        row("scenario fractional seed", s, R"({"seed": 1.5})", u"seed: must be an integer"_s);
        row("scenario empty name", s, R"({"name": ""})", u"name: must be a non-empty string"_s);
        row("scenario load not object", s, R"({"load": 5})", u"load: must be an object"_s);
        row("scenario negative rps", s, R"({"load": {"rps": -1}})",
            u"load.rps: must be a number >= 0"_s);
        row("scenario huge rps", s, R"({"load": {"rps": 1e30}})",
            u"load.rps: must be a number <= 100000"_s);
        row("scenario zero concurrency", s, R"({"load": {"concurrency": 0}})",
            u"load.concurrency: must be an integer >= 1"_s);
        row("scenario negative ramp", s, R"({"load": {"ramp_s": -2}})",
            u"load.ramp_s: must be a number >= 0"_s);
        row("scenario stream not boolean", s, R"({"load": {"stream": 1}})",
            u"load.stream: must be true or false"_s);
        row("scenario unknown prompt set", s, R"({"load": {"prompts": "builtin:huge"}})",
            u"load.prompts: unknown built-in prompt set 'huge'"_s);
        row("scenario missing prompt file", s, R"({"load": {"prompts": "nope.txt"}})",
            u"load.prompts: no prompt file 'nope.txt'"_s);
        row("scenario repeat rate above one", s, R"({"load": {"repeat_rate": 1.5}})",
            u"load.repeat_rate: must be a number between 0 and 1"_s);
        row("scenario repeat rate on a fixed set", s,
            R"({"load": {"prompts": "builtin:mixed", "repeat_rate": 0.2}})",
            u"load.repeat_rate: applies to builtin:unique only"_s);
        row("scenario negative think time", s, R"({"load": {"rps": 0, "think_s": -1}})",
            u"load.think_s: must be a number >= 0"_s);
        row("scenario think time in an open loop", s, R"({"load": {"think_s": 2}})",
            u"load.think_s: applies to a closed loop only (rps: 0)"_s);
        row("scenario expect model rate above one", s, R"({"expect": {"model_rate_min": 1.01}})",
            u"expect.model_rate_min: must be a number between 0 and 1"_s);
        row("scenario unknown key", s, R"({"lod": {}})", u"unknown field 'lod'"_s);
        row("scenario unknown load key", s, R"({"load": {"rsp": 5}})",
            u"load: unknown field 'rsp' (did you mean 'rps'?)"_s);
        row("scenario config not object", s, R"({"config": []})", u"config: must be an object"_s);
        row("scenario bad config field", s, R"({"config": {"retry": {"max_attempts": 0}}})",
            u"config.retry.max_attempts: must be an integer >= 1"_s);
        row("scenario deep config patch", s, "{\"config\": " + deeplyNestedObject(kDeep) + "}",
            u"at line 1, column 507: nested deeper than 100 levels"_s);
        row("scenario bad baseline fault", s,
            R"({"chaos": {"baseline": {"models": {"m": {"faults": {"timeout": 1.5}}}}}})",
            u"chaos.baseline.models.m.faults.timeout: must be a number <= 1"_s);
        row("scenario chaos unknown key", s, R"({"chaos": {"baseline": {}, "timelime": []}})",
            u"chaos: unknown field 'timelime' (did you mean 'timeline'?)"_s);
        row("scenario expect rate above one", s, R"({"expect": {"success_rate_min": 2}})",
            u"expect.success_rate_min: must be a number <= 1"_s);
        row("scenario expect negative requests", s, R"({"expect": {"requests_min": -1}})",
            u"expect.requests_min: must be an integer >= 0"_s);
        row("scenario expect share wrong type", s,
            R"({"expect": {"source_share_min": {"cache": "lots"}}})",
            u"expect.source_share_min.cache: must be a number from 0 to 1"_s);
        row("scenario expect list wrong type", s, R"({"expect": {"breaker_opened": "m"}})",
            u"expect.breaker_opened: must be an array of strings"_s);

        // Timeline (a scenario's chaos.timeline, duration 10 s).
        const Format t = Format::Timeline;
        row("timeline not array", t, "5", u"chaos.timeline: must be an array"_s);
        row("timeline item not object", t, "[5]", u"chaos.timeline[0]: must be an object"_s);
        row("timeline missing at_s", t, R"([{"model": "m"}])",
            u"chaos.timeline[0]: missing required field 'at_s'"_s);
        row("timeline missing model", t, R"([{"at_s": 1}])",
            u"chaos.timeline[0]: missing required field 'model'"_s);
        row("timeline negative at_s", t,
            R"([{"at_s": 1, "model": "m"}, {"at_s": -4, "model": "m"}])",
            u"chaos.timeline[1].at_s: must be a number >= 0"_s);
        row("timeline wrong type at_s", t, R"([{"at_s": "1", "model": "m"}])",
            u"chaos.timeline[0].at_s: must be a number"_s);
        row("timeline huge at_s", t, R"([{"at_s": 1e30, "model": "m"}])",
            u"chaos.timeline[0].at_s: must be a number <= 31536000"_s);
        row("timeline at_s past the end", t, R"([{"at_s": 20, "model": "m"}])",
            u"chaos.timeline[0].at_s: must be <= duration_s (10)"_s);
        row("timeline wrong type model", t, R"([{"at_s": 1, "model": 7}])",
            u"chaos.timeline[0].model: must be a non-empty string"_s);
        row("timeline set not object", t, R"([{"at_s": 1, "model": "m", "set": 3}])",
            u"chaos.timeline[0].set: must be an object"_s);
        row("timeline set bad fault", t,
            R"([{"at_s": 1, "model": "m", "set": {"faults": {"unavailable": 2}}}])",
            u"chaos.timeline[0].set.faults.unavailable: must be a number <= 1"_s);
        row("timeline set unknown key", t, R"([{"at_s": 1, "model": "m", "set": {"fautls": {}}}])",
            u"chaos.timeline[0].set: unknown field 'fautls'"_s);
        row("timeline unknown key", t, R"([{"at_s": 1, "model": "m", "when": 3}])",
            u"chaos.timeline[0]: unknown field 'when'"_s);
        row("timeline deep set", t,
            "[{\"at_s\": 1, \"model\": \"m\", \"set\": " + deeplyNestedObject(kDeep) + "}]",
            u"at line 1, column 556: nested deeper than 100 levels"_s);

        // Chaos profile.
        const Format p = Format::Profile;
        row("profile models not object", p, R"({"models": []})", u"models: must be an object"_s);
        row("profile model not object", p, R"({"models": {"m": 5}})",
            u"models.m: must be an object"_s);
        row("profile empty model name", p, R"({"models": {"": {}}})",
            u"models[\"\"]: a model name must not be empty"_s);
        row("profile negative latency", p, R"({"models": {"m": {"latency_ms": {"p50": -1}}}})",
            u"models.m.latency_ms.p50: must be a number >= 0"_s);
        row("profile p99 below p50", p,
            R"({"models": {"m": {"latency_ms": {"p50": 500, "p99": 100}}}})",
            u"models.m.latency_ms.p99: must be >= p50"_s);
        row("profile wrong type fault", p, R"({"models": {"m": {"faults": {"timeout": "0.1"}}}})",
            u"models.m.faults.timeout: must be a number"_s);
        row("profile unknown fault", p, R"({"models": {"m": {"faults": {"gremlins": 0.1}}}})",
            u"models.m.faults: unknown field 'gremlins'"_s);
        row("profile huge context window", p, R"({"models": {"m": {"context_window": 1e30}}})",
            u"models.m.context_window: must be an integer <= 100000000"_s);
        row("profile negative rpm", p, R"({"models": {"m": {"limits": {"rpm": -5}}}})",
            u"models.m.limits.rpm: must be an integer >= 0"_s);
        row("profile null ttft", p, R"({"models": {"*": {"ttft_ms": null}}})",
            u"models[\"*\"].ttft_ms: must be a number"_s);
        row("profile unknown key", p, R"({"models": {"m": {"latency": 5}}})",
            u"models.m: unknown field 'latency'"_s);

        // Job lines (SPEC.md section 9): the place is the line.
        const Format j = Format::Jobs;
        row("jobs empty", j, "", u" no jobs"_s);
        row("jobs blank", j, "\n  \n", u" no jobs"_s);
        row("jobs directory", j, "", u" cannot read: it is a directory"_s, Shape::Directory);
        row("jobs missing", j, "", u" cannot read"_s, Shape::Missing);
        row("jobs not JSON", j, "hello\n", u"1: invalid JSON"_s);
        row("jobs truncated", j, "{\"id\": \"a\", \"prompt\": \"p\"\n", u"1: invalid JSON"_s);
        row("jobs array", j, "[1]\n", u"1: must be a JSON object"_s);
        row("jobs missing id", j, R"({"prompt": "p"})", u"1: missing \"id\""_s);
        row("jobs wrong type id", j, R"({"id": 5, "prompt": "p"})",
            u"1: \"id\" must be a non-empty string"_s);
        row("jobs missing prompt", j, R"({"id": "a"})", u"1: missing \"prompt\""_s);
        row("jobs wrong type prompt", j, R"({"id": "a", "prompt": 5})",
            u"1: \"prompt\" must be a string"_s);
        row("jobs invalid UTF-8", j, "{\"id\": \"a\", \"prompt\": \"\xff\"}\n",
            u"1: invalid JSON"_s);
        row("jobs number beyond double", j,
            R"({"id": "a", "prompt": "p", "chaos_latency_ms": 1e400})", u"1: invalid JSON"_s);
        row("jobs huge latency", j, R"({"id": "a", "prompt": "p", "chaos_latency_ms": 1e30})",
            u"1: \"chaos_latency_ms\" must be a whole number"_s);
        row("jobs negative latency", j, R"({"id": "a", "prompt": "p", "chaos_latency_ms": -5})",
            u"1: \"chaos_latency_ms\" must be a whole number"_s);
        row("jobs unknown fault", j, R"({"id": "a", "prompt": "p", "chaos_fault": "gremlins"})",
            u"1: \"chaos_fault\" must be one of"_s);
        row("jobs duplicate id", j,
            "{\"id\": \"a\", \"prompt\": \"p\"}\n{\"id\": \"a\", \"prompt\": \"q\"}\n",
            u"2: duplicate id \"a\" (first on line 1)"_s);
        row("jobs deep nesting", j,
            "{\"id\": \"a\", \"prompt\": \"p\", \"extra\": " + deeplyNested(kDeep) + "}\n",
            u"1: nested deeper than"_s);

        // Prompt files (a scenario's load.prompts): one prompt a line.
        const Format pr = Format::Prompts;
        row("prompts empty", pr, "", u": no prompts"_s);
        row("prompts blank", pr, "\n \n\t\n", u": no prompts"_s);
        row("prompts invalid UTF-8", pr, "fine\ncaf\xc3\x28\n", u":2: not valid UTF-8"_s);
        row("prompts directory", pr, "", u"no prompt file"_s, Shape::Directory);
        row("prompts missing", pr, "", u"no prompt file"_s, Shape::Missing);
    }

    void malformedFileExitsTwoNamingFileAndPath()
    {
        QFETCH(int, format);
        QFETCH(int, shape);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const auto kind = static_cast<Format>(format);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(fileNameOf(kind));
        // The file the row is about; a timeline and a prompt file sit inside a scenario.
        QString file = path;
        if (kind == Format::Prompts)
            file = dir.filePath(u"prompts.txt"_s);
        switch (static_cast<Shape>(shape)) {
        case Shape::Content:
            if (kind == Format::Timeline)
                writeFile(path, R"({"duration_s": 10, "chaos": {"timeline": )" + content + "}}");
            else
                writeFile(file, content);
            break;
        case Shape::Directory:
            QVERIFY(QDir(dir.path()).mkdir(QFileInfo(file).fileName()));
            break;
        case Shape::Missing:
            break;
        }
        QString scenario = m_scenario;
        if (kind == Format::Prompts) {
            scenario = dir.filePath(u"scenario.json"_s);
            writeFile(scenario,
                      R"({"duration_s": 1, "load": {"rps": 2, "prompts": "prompts.txt"}})");
        } else if (kind == Format::Scenario || kind == Format::Timeline) {
            scenario = path;
        }

        QString message;
        QList<QStringList> invocations;
        const QStringList run{u"run"_s,  u"--scenario"_s, scenario,      u"--time-scale"_s,
                              u"0.01"_s, u"--quiet"_s,    u"--no-save"_s};
        switch (kind) {
        case Format::Config:
            message = path + u": "_s + expected;
            invocations = {{u"send"_s, u"--config"_s, path, u"hi"_s},
                           run + QStringList{u"--config"_s, path},
                           {u"validate"_s, path}};
            break;
        case Format::Scenario:
            message = path + u": "_s + expected;
            invocations = {run, {u"validate"_s, path}};
            break;
        case Format::Timeline:
            message = path + u": "_s + expected;
            invocations = {run, {u"validate"_s, path}};
            break;
        case Format::Profile:
            message = path + u": "_s + expected;
            invocations = {{u"chaos"_s, u"--profile"_s, path}, {u"validate"_s, path}};
            break;
        case Format::Jobs:
            message = u"jobs.jsonl:"_s + expected;
            invocations = {{u"batch"_s, u"--input"_s, path, u"--db"_s, dir.filePath(u"queue.db"_s),
                            u"--quiet"_s}};
            break;
        case Format::Prompts:
            message = scenario + u": load.prompts: "_s +
                      (static_cast<Shape>(shape) == Shape::Content ? file + expected : expected);
            invocations = {run, {u"validate"_s, scenario}};
            break;
        }
        for (const QStringList &arguments : std::as_const(invocations)) {
            const CliRun result = runCli(arguments, dir.path());
            const QString what = arguments.first() + u": "_s + result.err;
            QVERIFY2(result.exitCode == 2,
                     qPrintable(u"exit %1 from "_s.arg(result.exitCode) + what));
            QVERIFY2(result.err.contains(message),
                     qPrintable(u"expected \"%1\" in:\n"_s.arg(message) + what));
        }
    }

    void unknownJobFieldsAreKeptNotRejected()
    {
        // SPEC.md section 9 leaves a job's other fields to the application: kept, not errors.
        QTemporaryDir dir;
        const QString jobs = dir.filePath(u"jobs.jsonl"_s);
        writeFile(jobs, R"({"id": "a", "prompt": "hello", "tenant": "acme", "priority": 3})"
                        "\n");
        const CliRun result = runCli(
            {u"batch"_s, u"--input"_s, jobs, u"--db"_s, dir.filePath(u"q.db"_s), u"--quiet"_s},
            dir.path());
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY2(result.err.contains(u"1 done"_s), qPrintable(result.err));
    }

    void malformedFlagExitsTwoNamingTheFlag_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("expected");
        const auto row = [](const char *name, const QStringList &arguments,
                            const QString &expected) {
            QTest::newRow(name) << arguments << expected;
        };
        // Every subcommand: an unknown flag, a flag without its value, --help's sibling typo.
        for (const char *command : {"send", "run", "chaos", "validate", "batch", "dlq"}) {
            const QString name = QString::fromLatin1(command);
            row(QByteArray(command).append(" unknown flag").constData(), {name, u"--frobnicate"_s},
                u"Unknown option 'frobnicate'"_s);
            row(QByteArray(command).append(" unknown short flag").constData(), {name, u"-x"_s},
                u"Unknown option 'x'"_s);
        }

        // send
        row("send no prompt", {u"send"_s}, u"exactly one PROMPT"_s);
        row("send two prompts", {u"send"_s, u"a"_s, u"b"_s}, u"exactly one PROMPT"_s);
        row("send config without value", {u"send"_s, u"hi"_s, u"--config"_s},
            u"Missing value after '--config'"_s);
        row("send config missing file", {u"send"_s, u"--config"_s, u"{dir}/none.json"_s, u"hi"_s},
            u"{dir}/none.json: cannot read"_s);
        row("send model without value", {u"send"_s, u"hi"_s, u"--model"_s},
            u"Missing value after '--model'"_s);
        row("send model unknown", {u"send"_s, u"--model"_s, u"gpt-9"_s, u"hi"_s},
            u"--model: 'gpt-9' is not in the chain"_s);
        row("send model empty", {u"send"_s, u"--model="_s, u"hi"_s},
            u"--model: '' is not in the chain"_s);
        row("send fault unknown", {u"send"_s, u"--fault"_s, u"gremlins"_s, u"hi"_s},
            u"--fault: unknown fault 'gremlins'"_s);
        row("send fault without value", {u"send"_s, u"hi"_s, u"--fault"_s},
            u"Missing value after '--fault'"_s);
        row("send seed not a number", {u"send"_s, u"--seed"_s, u"abc"_s, u"hi"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("send seed negative", {u"send"_s, u"--seed"_s, u"-1"_s, u"hi"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("send seed huge", {u"send"_s, u"--seed"_s, u"99999999999999999999999"_s, u"hi"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("send seed fractional", {u"send"_s, u"--seed"_s, u"1.5"_s, u"hi"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("send seed empty", {u"send"_s, u"--seed="_s, u"hi"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("send config empty", {u"send"_s, u"--config="_s, u"hi"_s},
            u"--config: must name a file"_s);
        row("send stream with value", {u"send"_s, u"--stream=yes"_s, u"hi"_s},
            u"Unexpected value after '--stream'"_s);

        // run
        const QStringList run{u"run"_s, u"--scenario"_s, u"{scenario}"_s, u"--no-save"_s,
                              u"--quiet"_s};
        row("run no scenario", {u"run"_s}, u"--scenario FILE is required"_s);
        row("run scenario without value", {u"run"_s, u"--scenario"_s},
            u"Missing value after '--scenario'"_s);
        row("run stray argument", run + QStringList{u"extra"_s}, u"unexpected argument 'extra'"_s);
        row("run config missing file", run + QStringList{u"--config"_s, u"{dir}/none.json"_s},
            u"{dir}/none.json: cannot read"_s);
        row("run seed negative", run + QStringList{u"--seed"_s, u"-3"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("run seed not a number", run + QStringList{u"--seed"_s, u"seven"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("run seed huge", run + QStringList{u"--seed"_s, u"18446744073709551616"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("run threads negative", run + QStringList{u"--threads"_s, u"-1"_s},
            u"--threads: must be a whole number from 0 to 64"_s);
        row("run threads huge", run + QStringList{u"--threads"_s, u"100000"_s},
            u"--threads: must be a whole number from 0 to 64"_s);
        row("run threads not a number", run + QStringList{u"--threads"_s, u"two"_s},
            u"--threads: must be a whole number from 0 to 64"_s);
        row("run time scale zero", run + QStringList{u"--time-scale"_s, u"0"_s},
            u"--time-scale: must be a number > 0 and <= 100"_s);
        row("run time scale negative", run + QStringList{u"--time-scale"_s, u"-1"_s},
            u"--time-scale: must be a number > 0 and <= 100"_s);
        row("run time scale huge", run + QStringList{u"--time-scale"_s, u"1e400"_s},
            u"--time-scale: must be a number > 0 and <= 100"_s);
        row("run time scale nan", run + QStringList{u"--time-scale"_s, u"nan"_s},
            u"--time-scale: must be a number > 0 and <= 100"_s);
        row("run time scale inf", run + QStringList{u"--time-scale"_s, u"inf"_s},
            u"--time-scale: must be a number > 0 and <= 100"_s);
        row("run time scale tiny", run + QStringList{u"--time-scale"_s, u"1e-300"_s},
            u"--time-scale: must be a number > 0 and <= 100 (and at least 0.001)"_s);
        row("run metrics port negative", run + QStringList{u"--metrics-port"_s, u"-1"_s},
            u"--metrics-port: must be a port from 0 to 65535"_s);
        row("run metrics port huge", run + QStringList{u"--metrics-port"_s, u"70000"_s},
            u"--metrics-port: must be a port from 0 to 65535"_s);
        row("run metrics port not a number", run + QStringList{u"--metrics-port"_s, u"http"_s},
            u"--metrics-port: must be a port from 0 to 65535"_s);
        row("run report in missing directory",
            run + QStringList{u"--report"_s, u"{dir}/no/such/dir/report.json"_s},
            u"--report: {dir}/no/such/dir/report.json: the directory does not exist"_s);
        row("run report is a directory", run + QStringList{u"--report"_s, u"{dir}"_s},
            u"--report: {dir}: is a directory"_s);
        row("run quiet with value", run + QStringList{u"--quiet=no"_s},
            u"Unexpected value after '--quiet'"_s);
        row("run no-save with value", run + QStringList{u"--no-save=yes"_s},
            u"Unexpected value after '--no-save'"_s);
        row("run scenario empty", {u"run"_s, u"--scenario="_s}, u"--scenario: must name a file"_s);
        row("run config empty", run + QStringList{u"--config="_s}, u"--config: must name a file"_s);
        row("run db empty", run + QStringList{u"--db="_s}, u"--db: must name a file"_s);
        row("run db without value", run + QStringList{u"--db"_s}, u"Missing value after '--db'"_s);
        row("run report without value", run + QStringList{u"--report"_s},
            u"Missing value after '--report'"_s);
        row("run threads without value", run + QStringList{u"--threads"_s},
            u"Missing value after '--threads'"_s);

        // chaos
        row("chaos stray argument", {u"chaos"_s, u"extra"_s}, u"unexpected argument 'extra'"_s);
        row("chaos port negative", {u"chaos"_s, u"--port"_s, u"-1"_s},
            u"--port: must be a port from 0 to 65535"_s);
        row("chaos port huge", {u"chaos"_s, u"--port"_s, u"99999999999"_s},
            u"--port: must be a port from 0 to 65535"_s);
        row("chaos port not a number", {u"chaos"_s, u"--port"_s, u"eighty"_s},
            u"--port: must be a port from 0 to 65535"_s);
        row("chaos port without value", {u"chaos"_s, u"--port"_s},
            u"Missing value after '--port'"_s);
        row("chaos seed negative", {u"chaos"_s, u"--seed"_s, u"-2"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("chaos bind not an address", {u"chaos"_s, u"--bind"_s, u"localhost:80"_s},
            u"--bind: 'localhost:80' is not an IP address"_s);
        row("chaos profile empty", {u"chaos"_s, u"--profile="_s}, u"--profile: must name a file"_s);
        row("chaos profile without value", {u"chaos"_s, u"--profile"_s},
            u"Missing value after '--profile'"_s);
        row("chaos bind without value", {u"chaos"_s, u"--bind"_s},
            u"Missing value after '--bind'"_s);
        row("chaos profile missing file", {u"chaos"_s, u"--profile"_s, u"{dir}/none.json"_s},
            u"{dir}/none.json: cannot read"_s);

        // validate
        row("validate nothing", {u"validate"_s}, u"no FILE given"_s);

        // batch
        const QStringList batch{u"batch"_s, u"--db"_s, u"{dir}/batch.db"_s, u"--quiet"_s};
        row("batch stray argument", batch + QStringList{u"jobs.jsonl"_s},
            u"unexpected argument 'jobs.jsonl'"_s);
        row("batch concurrency zero", batch + QStringList{u"--concurrency"_s, u"0"_s},
            u"--concurrency: must be a whole number from 1 to 1024"_s);
        row("batch concurrency negative", batch + QStringList{u"--concurrency"_s, u"-4"_s},
            u"--concurrency: must be a whole number from 1 to 1024"_s);
        row("batch concurrency huge", batch + QStringList{u"--concurrency"_s, u"1e9"_s},
            u"--concurrency: must be a whole number from 1 to 1024"_s);
        row("batch concurrency not a number", batch + QStringList{u"--concurrency"_s, u"many"_s},
            u"--concurrency: must be a whole number from 1 to 1024"_s);
        row("batch max receive zero", batch + QStringList{u"--max-receive-count"_s, u"0"_s},
            u"--max-receive-count: must be a whole number from 1 to 1000"_s);
        row("batch max receive huge", batch + QStringList{u"--max-receive-count"_s, u"5000"_s},
            u"--max-receive-count: must be a whole number from 1 to 1000"_s);
        row("batch retry delay negative", batch + QStringList{u"--retry-delay"_s, u"-1"_s},
            u"--retry-delay: must be a number of seconds from 0 to 3600"_s);
        row("batch retry delay nan", batch + QStringList{u"--retry-delay"_s, u"nan"_s},
            u"--retry-delay: must be a number of seconds from 0 to 3600"_s);
        row("batch retry delay huge", batch + QStringList{u"--retry-delay"_s, u"1e30"_s},
            u"--retry-delay: must be a number of seconds from 0 to 3600"_s);
        row("batch seed negative", batch + QStringList{u"--seed"_s, u"-1"_s},
            u"--seed: must be a whole number >= 0"_s);
        row("batch metrics port huge", batch + QStringList{u"--metrics-port"_s, u"65536"_s},
            u"--metrics-port: must be a port from 0 to 65535"_s);
        row("batch input without value", {u"batch"_s, u"--input"_s},
            u"Missing value after '--input'"_s);
        row("batch input empty", batch + QStringList{u"--input="_s},
            u"--input: must name a file"_s);
        row("batch db empty", {u"batch"_s, u"--db="_s}, u"--db: must name a file"_s);
        row("batch output empty", batch + QStringList{u"--output="_s},
            u"--output: must name a file"_s);
        row("batch output without value", batch + QStringList{u"--output"_s},
            u"Missing value after '--output'"_s);
        row("batch quiet with value", batch + QStringList{u"--quiet=1"_s},
            u"Unexpected value after '--quiet'"_s);
        row("batch config missing file", batch + QStringList{u"--config"_s, u"{dir}/none.json"_s},
            u"{dir}/none.json: cannot read"_s);
        row("batch db is a directory", {u"batch"_s, u"--db"_s, u"{dir}"_s, u"--quiet"_s},
            u"{dir}: "_s);
        row("batch db not a database",
            {u"batch"_s, u"--db"_s, u"{dir}/not-a-database.db"_s, u"--quiet"_s},
            u"{dir}/not-a-database.db: "_s);
        row("batch output in missing directory",
            batch + QStringList{u"--output"_s, u"{dir}/no/such/dir/results.jsonl"_s},
            u"--output: {dir}/no/such/dir/results.jsonl: the directory does not exist"_s);

        // dlq
        row("dlq no action", {u"dlq"_s, u"--db"_s, u"{db}"_s}, u"expected an action"_s);
        row("dlq unknown action", {u"dlq"_s, u"lsit"_s, u"--db"_s, u"{db}"_s},
            u"unknown action 'lsit'"_s);
        row("dlq all with list", {u"dlq"_s, u"list"_s, u"--all"_s, u"--db"_s, u"{db}"_s},
            u"--all applies to redrive only"_s);
        row("dlq list extra", {u"dlq"_s, u"list"_s, u"x"_s, u"--db"_s, u"{db}"_s},
            u"unexpected argument 'x'"_s);
        row("dlq show without id", {u"dlq"_s, u"show"_s, u"--db"_s, u"{db}"_s},
            u"expected exactly one ID"_s);
        row("dlq show unknown id", {u"dlq"_s, u"show"_s, u"nope"_s, u"--db"_s, u"{db}"_s},
            u"no dead letter with id 'nope'"_s);
        row("dlq redrive nothing", {u"dlq"_s, u"redrive"_s, u"--db"_s, u"{db}"_s},
            u"give the IDs to redrive, or --all"_s);
        row("dlq redrive both", {u"dlq"_s, u"redrive"_s, u"a"_s, u"--all"_s, u"--db"_s, u"{db}"_s},
            u"give the IDs to redrive, or --all"_s);
        row("dlq redrive unknown id", {u"dlq"_s, u"redrive"_s, u"nope"_s, u"--db"_s, u"{db}"_s},
            u"nope"_s);
        row("dlq export without file", {u"dlq"_s, u"export"_s, u"--db"_s, u"{db}"_s},
            u"expected exactly one FILE"_s);
        row("dlq export to missing directory",
            {u"dlq"_s, u"export"_s, u"{dir}/no/such/out.jsonl"_s, u"--db"_s, u"{db}"_s},
            u"{dir}/no/such/out.jsonl: cannot write"_s);
        row("dlq db without value", {u"dlq"_s, u"list"_s, u"--db"_s},
            u"Missing value after '--db'"_s);
        row("dlq db empty", {u"dlq"_s, u"list"_s, u"--db="_s}, u"--db: must name a file"_s);
        row("dlq all with value", {u"dlq"_s, u"redrive"_s, u"--all=yes"_s, u"--db"_s, u"{db}"_s},
            u"Unexpected value after '--all'"_s);
        row("dlq db missing", {u"dlq"_s, u"list"_s, u"--db"_s, u"{dir}/none.db"_s},
            u"{dir}/none.db: no such database file"_s);
        row("dlq db is a directory", {u"dlq"_s, u"list"_s, u"--db"_s, u"{dir}"_s}, u"{dir}: "_s);
        row("dlq db not a database", {u"dlq"_s, u"list"_s, u"--db"_s, u"{dir}/not-a-database.db"_s},
            u"{dir}/not-a-database.db: "_s);
    }

    void malformedFlagExitsTwoNamingTheFlag()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, expected);
        for (QString &argument : arguments)
            argument = expand(argument);
        expected = expand(expected);
        const CliRun result = runCli(arguments, m_dir.path());
        const QString what = arguments.join(u' ') + u"\n"_s + result.err;
        QVERIFY2(result.exitCode == 2, qPrintable(u"exit %1: "_s.arg(result.exitCode) + what));
        QVERIFY2(result.err.contains(expected),
                 qPrintable(u"expected \"%1\" in: "_s.arg(expected) + what));
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"

#include "jobfile.h"

#include "chaos/chaosprofile.h"
#include "common/jsonqt.h"
#include "config/configloader.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStringList>

namespace breakwater {
namespace {

/// The chaos server's cap on `x-chaos-latency-ms`: an hour.
constexpr double kMaxChaosLatencyMs = 3600.0 * 1000.0;

/// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 9: syntax
/// error …" without the parts that mean nothing to the user (every line is "line 1").
QString parseErrorText(const nlohmann::json::exception &error)
{
    const QString text = QString::fromUtf8(error.what());
    const qsizetype column = text.indexOf(QStringLiteral("column "));
    return column >= 0 ? text.mid(column) : text;
}

QString chaosFaultChoices()
{
    QStringList names{QStringLiteral("ok")};
    for (ChaosFault fault : allChaosFaults())
        names.append(chaosFaultName(fault));
    return names.join(QStringLiteral(", "));
}

/// Checks one parsed line; the problem, or an empty string when it is a good job.
QString problemWith(const nlohmann::json &json)
{
    if (!json.is_object())
        return QStringLiteral("must be a JSON object");
    const auto id = json.find("id");
    if (id == json.end())
        return QStringLiteral("missing \"id\"");
    if (!id->is_string() || id->get_ref<const std::string &>().empty())
        return QStringLiteral("\"id\" must be a non-empty string");
    const auto prompt = json.find("prompt");
    if (prompt == json.end())
        return QStringLiteral("missing \"prompt\"");
    if (!prompt->is_string())
        return QStringLiteral("\"prompt\" must be a string");
    if (qstringFrom(*prompt).trimmed().isEmpty())
        return QStringLiteral("empty \"prompt\"");
    if (const auto fault = json.find("chaos_fault"); fault != json.end()) {
        const QString name = qstringFrom(*fault);
        if (!fault->is_string() || (name != QStringLiteral("ok") && !chaosFaultFromName(name)))
            return QStringLiteral("\"chaos_fault\" must be one of %1").arg(chaosFaultChoices());
    }
    if (const auto latency = json.find("chaos_latency_ms"); latency != json.end()) {
        if (!latency->is_number_integer() || latency->get<double>() < 0 ||
            latency->get<double>() > kMaxChaosLatencyMs)
            return QStringLiteral("\"chaos_latency_ms\" must be a whole number from 0 to %1")
                .arg(static_cast<qint64>(kMaxChaosLatencyMs));
    }
    return QString();
}

} // namespace

QString JobLineError::toString(const QString &fileLabel) const
{
    return QStringLiteral("%1:%2: %3").arg(fileLabel).arg(line).arg(message);
}

ParsedJobs parseJobLines(const QByteArray &data)
{
    ParsedJobs parsed;
    QHash<QString, int> firstLine;
    int lineNumber = 0;
    qsizetype start = 0;
    while (start < data.size()) {
        qsizetype end = data.indexOf('\n', start);
        if (end < 0)
            end = data.size();
        QByteArray line = data.mid(start, end - start);
        start = end + 1;
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        if (line.trimmed().isEmpty())
            continue;

        nlohmann::json json;
        try {
            json = nlohmann::json::parse(line.constBegin(), line.constEnd());
        } catch (const nlohmann::json::exception &error) {
            // Not only parse_error: a number beyond double (1e400) is an out_of_range error.
            parsed.errors.append(
                {lineNumber, QStringLiteral("invalid JSON: ") + parseErrorText(error)});
            continue;
        }
        // The payload is copied and stored (dump), both recursive: deep input stops here.
        if (isNestedDeeperThan(json)) {
            parsed.errors.append({lineNumber, tooDeepMessage()});
            continue;
        }
        const QString problem = problemWith(json);
        if (!problem.isEmpty()) {
            parsed.errors.append({lineNumber, problem});
            continue;
        }
        const QString id = qstringFrom(json["id"]);
        if (const auto seen = firstLine.constFind(id); seen != firstLine.constEnd()) {
            parsed.errors.append(
                {lineNumber,
                 QStringLiteral("duplicate id \"%1\" (first on line %2)").arg(id).arg(*seen)});
            continue;
        }
        firstLine.insert(id, lineNumber);
        parsed.jobs.append(NewJob{id, qstringFrom(json["prompt"]), std::move(json)});
        parsed.lines.append(lineNumber);
    }
    return parsed;
}

std::optional<ParsedJobs> readJobFile(const QString &path, QString *error)
{
    if (QFileInfo(path).isDir()) {
        if (error)
            *error = QStringLiteral("%1: cannot read: it is a directory").arg(path);
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        if (error)
            *error = QStringLiteral("%1: cannot read: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A job file given but empty is a mistake (the wrong file, or one not written yet); to
    // resume what the queue holds, a batch is run without --input.
    if (data.trimmed().isEmpty() || data.trimmed() == "\xEF\xBB\xBF") {
        if (error)
            *error = QStringLiteral("%1: no jobs (one JSON object a line expected)").arg(path);
        return std::nullopt;
    }
    return parseJobLines(data);
}

EnqueueSummary summarizeEnqueue(const ParsedJobs &jobs, const QList<EnqueueStatus> &statuses)
{
    EnqueueSummary summary;
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        switch (statuses.at(i)) {
        case EnqueueStatus::Added:
            ++summary.added;
            break;
        case EnqueueStatus::AlreadyKnown:
            ++summary.alreadyKnown;
            break;
        case EnqueueStatus::Conflict:
            summary.conflicts.append(JobLineError{
                jobs.lines.at(i),
                QStringLiteral("id \"%1\" is already in the queue with a different prompt")
                    .arg(jobs.jobs.at(i).id)});
            break;
        }
    }
    return summary;
}

CallRequest callRequestFor(const ReceivedJob &job)
{
    CallRequest request;
    request.id = QStringLiteral("%1#%2").arg(job.id).arg(job.receiveCount);
    request.prompt = job.prompt;
    if (job.payload.is_object()) {
        if (const auto fault = job.payload.find("chaos_fault");
            fault != job.payload.end() && fault->is_string())
            request.extraHeaders.set("x-chaos-fault", qstringFrom(*fault).toUtf8());
        if (const auto latency = job.payload.find("chaos_latency_ms");
            latency != job.payload.end() && latency->is_number_integer())
            request.extraHeaders.set("x-chaos-latency-ms",
                                     QByteArray::number(latency->get<qint64>()));
    }
    return request;
}

} // namespace breakwater

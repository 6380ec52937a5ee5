#pragma once

#include "engine/engine.h"
#include "storage/jobqueue.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace breakwater {

/// One line of a job file that was skipped, and why.
struct JobLineError {
    /// 1-based.
    int line = 0;
    QString message;

    /// "jobs.jsonl:17: missing \"id\"".
    QString toString(const QString &fileLabel) const;
};

/// The jobs of a JSON-lines job file (SPEC.md section 9), with the lines that were skipped.
struct ParsedJobs {
    QList<NewJob> jobs;
    /// The line each job came from (same order as `jobs`).
    QList<int> lines;
    QList<JobLineError> errors;
};

/// Reads JSON-lines jobs: each non-blank line an object `{"id":"…","prompt":"…", …}`, kept
/// whole as the job's payload. A line is skipped and reported when it is not valid JSON,
/// not an object, has no string `id`, repeats an earlier line's id, or has a missing or
/// blank `prompt`. Optional fields for the chaos server: `chaos_fault` (a fault name of
/// SPEC.md section 5, or "ok", sent as `x-chaos-fault` on every attempt) and
/// `chaos_latency_ms` (sent as `x-chaos-latency-ms`). Other fields are kept and ignored.
ParsedJobs parseJobLines(const QByteArray &data);

/// Reads and parses a job file; nullopt with `error` ("FILE: cannot read: why", "FILE: no
/// jobs …") when it cannot be read or holds nothing but blank lines.
std::optional<ParsedJobs> readJobFile(const QString &path, QString *error);

/// What JobQueue::enqueue() made of a job file's jobs.
struct EnqueueSummary {
    int added = 0;
    /// Already in the queue with the same prompt (a rerun of the same file): left as they are.
    int alreadyKnown = 0;
    /// Ids already in the queue with a different prompt: skipped, reported by line.
    QList<JobLineError> conflicts;
};

/// Tallies `statuses` (enqueue()'s answer for `jobs.jobs`, in order).
EnqueueSummary summarizeEnqueue(const ParsedJobs &jobs, const QList<EnqueueStatus> &statuses);

/// The robust call for one receive of a job: its prompt, the chaos headers it asks for, and
/// the id "<job id>#<receive>" so that logs tell receives apart.
CallRequest callRequestFor(const ReceivedJob &job);

} // namespace breakwater

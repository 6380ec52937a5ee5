// Job-file parsing (JSON lines, core/batch/jobfile.h): any bytes give jobs and per-line
// errors, never a crash or an escaped nlohmann exception. Every job keeps its line, ids are
// unique and non-empty, prompts are not blank, a job's payload written back as one line
// parses to the same job, and the call request built for a receive of each job carries its
// prompt and a chaos header only when the job asked for one.

#include "batch/jobfile.h"
#include "fuzzsupport.h"

#include <QSet>

using namespace breakwater;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const ParsedJobs parsed = parseJobLines(fuzz::inputView(data, size).toByteArray());
    fuzz::check(parsed.jobs.size() == parsed.lines.size(), "a job without its line");
    QSet<int> jobLines;
    QSet<QString> ids;
    int previous = 0;
    for (qsizetype i = 0; i < parsed.jobs.size(); ++i) {
        const NewJob &job = parsed.jobs[i];
        const int line = parsed.lines[i];
        fuzz::check(line > previous, "job lines out of order");
        previous = line;
        jobLines.insert(line);
        fuzz::check(!job.id.isEmpty(), "an empty id was accepted");
        fuzz::check(!ids.contains(job.id), "a repeated id was accepted");
        ids.insert(job.id);
        fuzz::check(!job.prompt.trimmed().isEmpty(), "a blank prompt was accepted");
        fuzz::check(job.payload.is_object(), "a payload that is not an object");

        const std::string written = job.payload.dump();
        const ParsedJobs again =
            parseJobLines(QByteArray(written.data(), static_cast<qsizetype>(written.size())));
        fuzz::check(again.errors.isEmpty() && again.jobs.size() == 1 &&
                        again.jobs.front().id == job.id && again.jobs.front().prompt == job.prompt,
                    "a job's payload does not parse back to the same job");

        ReceivedJob received;
        received.id = job.id;
        received.prompt = job.prompt;
        received.payload = job.payload;
        received.receiveCount = 1;
        const CallRequest request = callRequestFor(received);
        fuzz::check(request.prompt == job.prompt, "the call lost the job's prompt");
        fuzz::check(request.extraHeaders.contains("x-chaos-fault") ==
                        job.payload.contains("chaos_fault"),
                    "x-chaos-fault sent without chaos_fault, or dropped");
    }
    for (const JobLineError &error : parsed.errors) {
        fuzz::check(error.line >= 1, "an error without a line");
        fuzz::check(!jobLines.contains(error.line), "a line that is both a job and an error");
        fuzz::check(!error.message.isEmpty(), "an error without a message");
    }
    return 0;
}

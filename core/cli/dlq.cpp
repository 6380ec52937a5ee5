#include "cli/cli.h"
#include "cli/commands.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <cstdio>

namespace breakwater::cli {
namespace {

/// The error column of `dlq list` is cut here: `show` has the whole text.
constexpr int kListErrorWidth = 60;

QString oneLine(QString text, int width)
{
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text.size() > width ? text.left(width - 1) + QChar(0x2026) : text;
}

int list(DeadLetterQueue &queue, QTextStream &out, QTextStream &err)
{
    const std::optional<QList<DeadLetter>> entries = queue.list();
    if (!entries) {
        err << "breakwater-cli dlq list: " << queue.lastError() << '\n';
        return InternalError;
    }
    if (entries->isEmpty()) {
        out << "the dead-letter queue is empty\n";
        return Success;
    }
    int idWidth = 2;
    int classWidth = 5;
    for (const DeadLetter &entry : *entries) {
        idWidth = std::max(idWidth, static_cast<int>(entry.id.size()));
        classWidth = std::max(classWidth, static_cast<int>(entry.errorClass.size()));
    }
    out << QStringLiteral("ID").leftJustified(idWidth) << "  "
        << QStringLiteral("FAILED AT (UTC)").leftJustified(19) << "  "
        << QStringLiteral("CLASS").leftJustified(classWidth) << "  RECEIVES  ERROR\n";
    for (const DeadLetter &entry : *entries) {
        out << entry.id.leftJustified(idWidth) << "  "
            << entry.failedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) << "  "
            << (entry.errorClass.isEmpty() ? QStringLiteral("-") : entry.errorClass)
                   .leftJustified(classWidth)
            << "  " << QString::number(entry.receiveCount).leftJustified(8) << "  "
            << oneLine(entry.error, kListErrorWidth) << '\n';
    }
    out << entries->size() << " entr" << (entries->size() == 1 ? "y" : "ies") << '\n';
    return Success;
}

int show(DeadLetterQueue &queue, const QStringList &ids, const QString &dbPath, QTextStream &out,
         QTextStream &err)
{
    if (ids.size() != 1) {
        err << "breakwater-cli dlq show: expected exactly one ID\n";
        return BadInput;
    }
    const std::optional<DeadLetter> entry = queue.find(ids.first());
    if (!entry) {
        if (!queue.lastError().isEmpty()) {
            err << "breakwater-cli dlq show: " << queue.lastError() << '\n';
            return InternalError;
        }
        err << "breakwater-cli dlq show: " << dbPath << ": no dead letter with id '" << ids.first()
            << "'\n";
        return BadInput;
    }
    out << QString::fromStdString(entry->toJson().dump(2)) << '\n';
    return Success;
}

int redrive(DeadLetterQueue &queue, const QStringList &ids, bool all, QTextStream &out,
            QTextStream &err)
{
    if (all == !ids.isEmpty()) {
        err << "breakwater-cli dlq redrive: give the IDs to redrive, or --all (not both)\n";
        return BadInput;
    }
    const std::optional<int> moved = all ? queue.redriveAll() : queue.redrive(ids);
    if (!moved) {
        err << "breakwater-cli dlq redrive: " << queue.lastError() << '\n';
        return queue.unknownIds().isEmpty() ? InternalError : BadInput;
    }
    out << "redrove " << *moved << " job(s) to the queue (receive count reset); run "
        << "'breakwater-cli batch' on the same --db to process them\n";
    return Success;
}

int purge(DeadLetterQueue &queue, const QStringList &ids, QTextStream &out, QTextStream &err)
{
    const std::optional<int> purged = ids.isEmpty() ? queue.purgeAll() : queue.purge(ids);
    if (!purged) {
        err << "breakwater-cli dlq purge: " << queue.lastError() << '\n';
        return queue.unknownIds().isEmpty() ? InternalError : BadInput;
    }
    out << "purged " << *purged << " dead letter(s)\n";
    return Success;
}

int exportEntries(DeadLetterQueue &queue, const QStringList &files, QTextStream &out,
                  QTextStream &err)
{
    if (files.size() != 1) {
        err << "breakwater-cli dlq export: expected exactly one FILE ('-' for stdout)\n";
        return BadInput;
    }
    const QString path = files.first();
    std::optional<int> written;
    if (path == QStringLiteral("-")) {
        out.flush();
        QFile stdoutFile;
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly)) {
            err << "breakwater-cli dlq export: cannot write to stdout\n";
            return InternalError;
        }
        written = queue.exportJsonLines(stdoutFile, QStringLiteral("stdout"));
        if (!written) {
            err << "breakwater-cli dlq export: " << queue.lastError() << '\n';
            return InternalError;
        }
        return Success;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        err << "breakwater-cli dlq export: " << path << ": cannot write: " << file.errorString()
            << '\n';
        return BadInput;
    }
    written = queue.exportJsonLines(file, path);
    if (!written || !file.commit()) {
        err << "breakwater-cli dlq export: "
            << (written ? QStringLiteral("%1: cannot write: %2").arg(path, file.errorString())
                        : queue.lastError())
            << '\n';
        return InternalError;
    }
    out << "exported " << *written << " dead letter(s) to " << path << '\n';
    return Success;
}

} // namespace

int runDlq(const QStringList &arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("The queue's SQLite file (default: %1).").arg(defaultDatabasePath()),
        QStringLiteral("FILE"));
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("redrive: every entry."));
    parser.addOptions({db, all});
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list | show ID | redrive ID...|--all | "
                                                "purge [ID...] | export FILE"),
                                 QStringLiteral("ACTION [ARG...]"));
    if (auto exit = parseArguments(
            parser, QStringLiteral("dlq"),
            QStringLiteral(
                "The dead-letter queue of 'breakwater-cli batch' (SPEC.md section 9): jobs that "
                "still ended degraded or failed after max_receive_count receives.\n"
                "  list            one line per entry: id, failed at, error class, receives, "
                "error\n"
                "  show ID         the whole entry as JSON, with the last call result and the "
                "job\n"
                "  redrive ID...   back to the queue with the receive count reset (--all: "
                "every entry); nothing moves when an ID is unknown\n"
                "  purge [ID...]   deletes these entries and their jobs (no ID: all of them)\n"
                "  export FILE     one JSON line per entry, with the job's id ('-': stdout)\n"
                "Exit code 0 on success, 2 on bad input (unknown action or ID, missing "
                "database), 3 on an internal error."),
            arguments))
        return *exit;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!checkFileOptions(parser, QStringLiteral("dlq"), {"db"}))
        return BadInput;
    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        err << "breakwater-cli dlq: expected an action: list, show, redrive, purge or export\n"
               "(see 'breakwater-cli dlq --help')\n";
        return BadInput;
    }
    const QString action = positional.takeFirst();
    const QStringList actions{QStringLiteral("list"), QStringLiteral("show"),
                              QStringLiteral("redrive"), QStringLiteral("purge"),
                              QStringLiteral("export")};
    if (!actions.contains(action)) {
        err << "breakwater-cli dlq: unknown action '" << action
            << "' (expected list, show, redrive, purge or export)\n";
        return BadInput;
    }
    if (parser.isSet(all) && action != QStringLiteral("redrive")) {
        err << "breakwater-cli dlq " << action << ": --all applies to redrive only\n";
        return BadInput;
    }
    if (action == QStringLiteral("list") && !positional.isEmpty()) {
        err << "breakwater-cli dlq list: unexpected argument '" << positional.first() << "'\n";
        return BadInput;
    }
    const QString dbPath = parser.isSet(db) ? parser.value(db) : defaultDatabasePath();
    // Reading a queue that is not there is a mistake (a typo in --db), not an empty queue.
    if (!QFileInfo::exists(dbPath)) {
        err << "breakwater-cli dlq " << action << ": " << dbPath << ": no such database file\n";
        return BadInput;
    }
    QString error;
    std::unique_ptr<Database> database = Database::open(dbPath, &error);
    if (!database) {
        err << "breakwater-cli dlq " << action << ": " << error << '\n';
        return BadInput;
    }
    DeadLetterQueue queue(*database);
    if (action == QStringLiteral("list"))
        return list(queue, out, err);
    if (action == QStringLiteral("show"))
        return show(queue, positional, dbPath, out, err);
    if (action == QStringLiteral("redrive"))
        return redrive(queue, positional, parser.isSet(all), out, err);
    if (action == QStringLiteral("purge"))
        return purge(queue, positional, out, err);
    return exportEntries(queue, positional, out, err);
}

} // namespace breakwater::cli

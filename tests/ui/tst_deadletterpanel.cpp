// The dead-letter tab on a temporary database (BREAKWATER_DB): entries listed with id, error
// class, receive count and failure time, sortable; one inspected in full with no key shown;
// redrive of one (back to pending in the job queue) and of all; purge only after a yes;
// export as JSON lines; llm_dlq_messages following the queue; no database, said plainly.
#include "common/errorclass.h"
#include "config/configloader.h"
#include "metrics/metricsregistry.h"
#include "panels/deadlettermodel.h"
#include "panels/deadletterpanel.h"
#include "runtime/lab.h"
#include "storage/database.h"
#include "storage/deadletterqueue.h"
#include "storage/jobqueue.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace breakwater;
using namespace breakwater::ui;
using namespace Qt::StringLiterals;

namespace {

/// A key pasted into a job line: it must never reach the screen or an export.
const QString kKey = u"sk-ant-api03-DoNotShowThisKey123"_s;

/// Adds job `id` and fails it `receives` times, the last of which dead-letters it, at
/// `minute` minutes past a fixed time (so failure times order for certain).
bool deadLetter(Database &database, const QString &id, int receives, Outcome outcome, int minute)
{
    QueueOptions options;
    options.maxReceiveCount = receives;
    options.retryDelay = Millis(0);
    const QDateTime at = QDateTime(QDate(2026, 11, 29), QTime(10, 0), Qt::UTC).addSecs(minute * 60);
    JobQueue queue(database, options, [at] { return at; });
    nlohmann::json payload = {{"id", id.toStdString()},
                              {"prompt", "Summarise document " + id.toStdString()},
                              {"note", "key " + kKey.toStdString()}};
    if (!queue.enqueue({NewJob{id, u"Summarise document %1"_s.arg(id), payload}}))
        return false;
    for (int i = 0; i < receives; ++i) {
        const std::optional<ReceivedJob> job = queue.receive();
        if (!job || job->id != id)
            return false;
        CallResult result;
        result.id = id;
        result.success = true;
        result.source = u"degraded"_s;
        result.degraded = true;
        result.errorClass = outcome;
        result.error = u"every model failed: %1"_s.arg(outcomeName(outcome));
        const std::optional<Settled> settled = queue.fail(*job, result);
        if (!settled ||
            *settled != (i + 1 == receives ? Settled::DeadLettered : Settled::WillRetry))
            return false;
    }
    return true;
}

std::unique_ptr<Lab> makeLab()
{
    ConfigParseResult parsed = parseConfig(defaultConfigJson(), u"test"_s);
    if (!parsed.config)
        qFatal("default config invalid");
    return std::make_unique<Lab>(*parsed.config, Lab::Options{}, LabWorld::real());
}

QString text(const nlohmann::json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QString dlqGauge(Lab &lab)
{
    for (const QByteArray &line : lab.metrics().render().split('\n')) {
        if (line.startsWith("llm_dlq_messages "))
            return QString::fromUtf8(line.mid(17));
    }
    return QString();
}

} // namespace

class TestDeadLetterPanel final : public QObject {
    Q_OBJECT

private:
    template <typename T> T *child(QWidget &parent, const QString &name)
    {
        T *found = parent.findChild<T *>(name);
        if (!found)
            qFatal("no child %s", qPrintable(name));
        return found;
    }

    QStringList columnInView(DeadLetterPanel &panel, int column)
    {
        QStringList values;
        QAbstractItemModel *view = panel.sortedModel();
        for (int row = 0; row < view->rowCount(); ++row)
            values.append(view->index(row, column).data().toString());
        return values;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("BREAKWATER_DB", m_dir->filePath(u"breakwater.db"_s).toUtf8());
        QString error;
        m_database = Database::open(defaultDatabasePath(), &error);
        QVERIFY2(m_database, qPrintable(error));
        QCOMPARE(m_database->path(), m_dir->filePath(u"breakwater.db"_s));
        QVERIFY(deadLetter(*m_database, u"job-a"_s, 3, Outcome::ServerError, 0));
        QVERIFY(deadLetter(*m_database, u"job-b"_s, 1, Outcome::Auth, 1));
        QVERIFY(deadLetter(*m_database, u"job-c"_s, 2, Outcome::Timeout, 2));
    }

    void cleanup()
    {
        m_database.reset();
        m_dir.reset();
    }

    void listsEveryEntryWithClassReceivesAndTime()
    {
        DeadLetterPanel panel(m_database.get());
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sortedTester(
            panel.sortedModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(panel.model()->rowCount(), 3);
        const int row = panel.model()->rowOf(u"job-a"_s);
        QVERIFY(row >= 0);
        auto cell = [&](int column) {
            return panel.model()->index(row, column).data().toString();
        };
        QCOMPARE(cell(DeadLetterModel::IdColumn), u"job-a"_s);
        QCOMPARE(cell(DeadLetterModel::ErrorClassColumn), u"server_error"_s);
        QCOMPARE(cell(DeadLetterModel::ReceiveCountColumn), u"3"_s);
        QVERIFY(!cell(DeadLetterModel::FailedAtColumn).isEmpty());
        QVERIFY(cell(DeadLetterModel::ErrorColumn).contains(u"every model failed"_s));
        QCOMPARE(child<QLabel>(panel, u"deadLetterCount"_s)->text(),
                 u"3 jobs in the dead-letter queue"_s);
    }

    void sortsByReceiveCountAndErrorClass_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("order");
        QTest::addColumn<QStringList>("ids");
        QTest::newRow("receives ascending")
            << int(DeadLetterModel::ReceiveCountColumn) << int(Qt::AscendingOrder)
            << QStringList{u"job-b"_s, u"job-c"_s, u"job-a"_s};
        QTest::newRow("receives descending")
            << int(DeadLetterModel::ReceiveCountColumn) << int(Qt::DescendingOrder)
            << QStringList{u"job-a"_s, u"job-c"_s, u"job-b"_s};
        QTest::newRow("error class")
            << int(DeadLetterModel::ErrorClassColumn) << int(Qt::AscendingOrder)
            << QStringList{u"job-b"_s, u"job-a"_s, u"job-c"_s};
        QTest::newRow("failed at, oldest first")
            << int(DeadLetterModel::FailedAtColumn) << int(Qt::AscendingOrder)
            << QStringList{u"job-a"_s, u"job-b"_s, u"job-c"_s};
    }

    void sortsByReceiveCountAndErrorClass()
    {
        QFETCH(int, column);
        QFETCH(int, order);
        QFETCH(QStringList, ids);
        DeadLetterPanel panel(m_database.get());
        panel.table()->sortByColumn(column, static_cast<Qt::SortOrder>(order));
        QCOMPARE(columnInView(panel, DeadLetterModel::IdColumn), ids);
    }

    void inspectingAnEntryShowsItInFullWithoutTheKey()
    {
        DeadLetterPanel panel(m_database.get());
        panel.show();
        QVERIFY(panel.detailText().isEmpty());
        QVERIFY(panel.select(u"job-c"_s));
        const QString detail = panel.detailText();
        const nlohmann::json entry = nlohmann::json::parse(detail.toStdString());
        QCOMPARE(text(entry["id"]), u"job-c"_s);
        QCOMPARE(text(entry["error_class"]), u"timeout"_s);
        QCOMPARE(entry["receive_count"].get<int>(), 2);
        QCOMPARE(text(entry["last_result"]["source"]), u"degraded"_s);
        QCOMPARE(text(entry["job"]["prompt"]), u"Summarise document job-c"_s);
        QVERIFY(!detail.contains(kKey));
        QVERIFY(detail.contains(u"sk-•••"_s));
        for (int row = 0; row < panel.model()->rowCount(); ++row) {
            for (int column = 0; column < DeadLetterModel::ColumnCount; ++column)
                QVERIFY(!panel.model()->index(row, column).data().toString().contains(kKey));
        }
    }

    void redriveSelectedPutsTheJobBackAsPending()
    {
        std::unique_ptr<Lab> lab = makeLab();
        DeadLetterPanel panel(m_database.get(), lab.get());
        QCOMPARE(dlqGauge(*lab), u"3"_s);
        QPushButton *redrive = child<QPushButton>(panel, u"redriveSelected"_s);
        QVERIFY(!redrive->isEnabled());
        QVERIFY(panel.select(u"job-a"_s));
        QVERIFY(redrive->isEnabled());
        QSignalSpy changed(&panel, &DeadLetterPanel::queueChanged);
        QTest::mouseClick(redrive, Qt::LeftButton);
        QCOMPARE(changed.count(), 1);

        QCOMPARE(panel.model()->rowCount(), 2);
        QCOMPARE(panel.model()->rowOf(u"job-a"_s), -1);
        DeadLetterQueue queue(*m_database);
        QVERIFY(!queue.find(u"job-a"_s));
        QVERIFY(queue.lastError().isEmpty());
        JobQueue jobs(*m_database);
        const std::optional<StoredJob> job = jobs.job(u"job-a"_s);
        QVERIFY(job);
        QCOMPARE(job->state, u"pending"_s);
        QCOMPARE(job->receiveCount, 0);
        QCOMPARE(jobs.counts().pending, 1);
        QCOMPARE(dlqGauge(*lab), u"2"_s);
        QVERIFY(panel.statusText().contains(u"Redrove 1 job"_s));
    }

    void redriveAllEmptiesTheQueue()
    {
        DeadLetterPanel panel(m_database.get());
        QTest::mouseClick(child<QPushButton>(panel, u"redriveAll"_s), Qt::LeftButton);
        QCOMPARE(panel.model()->rowCount(), 0);
        QCOMPARE(JobQueue(*m_database).counts().pending, 3);
        QVERIFY(!child<QPushButton>(panel, u"redriveAll"_s)->isEnabled());
        QCOMPARE(child<QLabel>(panel, u"deadLetterCount"_s)->text(),
                 u"The dead-letter queue is empty"_s);
    }

    void purgeHappensOnlyAfterAYes()
    {
        std::unique_ptr<Lab> lab = makeLab();
        DeadLetterPanel panel(m_database.get(), lab.get());
        QStringList questions;
        bool answer = false;
        panel.setConfirmation([&](const QString &, const QString &question) {
            questions.append(question);
            return answer;
        });
        QVERIFY(panel.select(u"job-b"_s));
        QTest::mouseClick(child<QPushButton>(panel, u"purgeSelected"_s), Qt::LeftButton);
        QCOMPARE(questions.size(), 1);
        QVERIFY(questions.last().contains(u"job-b"_s));
        QCOMPARE(panel.model()->rowCount(), 3);
        QVERIFY(panel.statusText().contains(u"Nothing purged"_s));

        answer = true;
        QTest::mouseClick(child<QPushButton>(panel, u"purgeSelected"_s), Qt::LeftButton);
        QCOMPARE(questions.size(), 2);
        QCOMPARE(panel.model()->rowCount(), 2);
        QVERIFY(!JobQueue(*m_database).job(u"job-b"_s));
        QCOMPARE(dlqGauge(*lab), u"2"_s);

        QTest::mouseClick(child<QPushButton>(panel, u"purgeAll"_s), Qt::LeftButton);
        QCOMPARE(questions.size(), 3);
        QVERIFY(questions.last().contains(u"all 2 jobs"_s));
        QCOMPARE(panel.model()->rowCount(), 0);
        QCOMPARE(DeadLetterQueue(*m_database).count(), 0);
        QCOMPARE(dlqGauge(*lab), u"0"_s);
    }

    void exportWritesOneJsonLinePerEntry()
    {
        DeadLetterPanel panel(m_database.get());
        const QString path = m_dir->filePath(u"out/dead.jsonl"_s);
        QDir().mkpath(m_dir->filePath(u"out"_s));
        QString suggested;
        panel.setExportPathChooser([&](const QString &name) {
            suggested = name;
            return path;
        });
        QTest::mouseClick(child<QPushButton>(panel, u"exportDeadLetters"_s), Qt::LeftButton);
        QVERIFY(suggested.endsWith(u".jsonl"_s));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray data = file.readAll();
        QVERIFY(!data.contains(kKey.toUtf8()));
        QStringList ids;
        for (const QByteArray &line : data.split('\n')) {
            if (line.isEmpty())
                continue;
            const nlohmann::json entry = nlohmann::json::parse(line.toStdString());
            ids.append(text(entry["id"]));
            QVERIFY(entry.contains("last_result"));
            QVERIFY(entry.contains("failed_at"));
        }
        ids.sort();
        QCOMPARE(ids, (QStringList{u"job-a"_s, u"job-b"_s, u"job-c"_s}));
        QVERIFY(panel.statusText().contains(u"Exported 3 entries"_s));
    }

    void refreshShowsEntriesAddedMeanwhile()
    {
        DeadLetterPanel panel(m_database.get());
        QVERIFY(deadLetter(*m_database, u"job-d"_s, 1, Outcome::RateLimited, 3));
        QCOMPARE(panel.model()->rowCount(), 3);
        QTest::mouseClick(child<QPushButton>(panel, u"refreshDeadLetters"_s), Qt::LeftButton);
        QCOMPARE(panel.model()->rowCount(), 4);
    }

    void withoutADatabaseItSaysWhy()
    {
        DeadLetterPanel panel(nullptr, nullptr, u"/nowhere/x.db: cannot open"_s);
        QCOMPARE(panel.model()->rowCount(), 0);
        QVERIFY(panel.statusText().contains(u"/nowhere/x.db"_s));
        QVERIFY(!child<QPushButton>(panel, u"refreshDeadLetters"_s)->isEnabled());
        QVERIFY(!child<QPushButton>(panel, u"exportDeadLetters"_s)->isEnabled());
    }
};

QTEST_MAIN(TestDeadLetterPanel)
#include "tst_deadletterpanel.moc"

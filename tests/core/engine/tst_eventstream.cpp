// The event stream: at once on its own thread; from other threads in publication order, in
// batches (one wake-up per batch interval while events flow, not one per event), and nothing
// stranded when a flow stops.
#include "engine/eventstream.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <chrono>
#include <thread>

using namespace breakwater;
using namespace std::chrono_literals;

namespace {

EngineEvent numbered(int n)
{
    return CallStarted{QString::number(n), Millis(n), false};
}

int numberOf(const EngineEvent &event)
{
    return static_cast<int>(std::get<CallStarted>(event).at.count());
}

/// What a consumer on the stream's thread saw.
struct Seen {
    std::vector<int> numbers;
    bool offTheStreamThread = false;
};

void record(EventStream &stream, Seen &seen)
{
    QObject::connect(&stream, &EventStream::event, &stream, [&seen](const EngineEvent &event) {
        seen.numbers.push_back(numberOf(event));
        if (QThread::currentThread() != qApp->thread())
            seen.offTheStreamThread = true;
    });
}

/// Runs this thread's event loop (as an application does: QTRY_* would sleep between looks,
/// batching by itself) until `count` events were seen, or ten seconds passed.
bool runUntilSeen(EventStream &stream, const Seen &seen, std::size_t count)
{
    QEventLoop loop;
    const QMetaObject::Connection watch =
        QObject::connect(&stream, &EventStream::event, &loop, [&] {
            if (seen.numbers.size() >= count)
                loop.quit();
        });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    if (seen.numbers.size() < count)
        loop.exec();
    QObject::disconnect(watch);
    return seen.numbers.size() == count;
}

bool inOrderFromZero(const std::vector<int> &numbers)
{
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        if (numbers[i] != static_cast<int>(i))
            return false;
    }
    return true;
}

} // namespace

class TestEventStream : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emitsAtOnceOnItsOwnThread()
    {
        EventStream stream;
        Seen seen;
        record(stream, seen);
        stream.publish(numbered(0));
        const EngineEvent second = numbered(1);
        stream.publish(second);
        QCOMPARE(seen.numbers, (std::vector<int>{0, 1}));
        QCOMPARE(stream.crossThreadBatches(), quint64(0));
    }

    void handsOverOtherThreadsEventsInOrder()
    {
        EventStream stream;
        Seen seen;
        record(stream, seen);
        constexpr int kEvents = 20000;
        std::thread publisher([&stream] {
            for (int i = 0; i < kEvents; ++i)
                stream.publish(numbered(i));
        });
        publisher.join();
        QVERIFY(runUntilSeen(stream, seen, kEvents));
        QVERIFY(inOrderFromZero(seen.numbers));
        QVERIFY(!seen.offTheStreamThread);
        QVERIFY(stream.crossThreadBatches() >= 1);
    }

    void wakesItsThreadOncePerIntervalWhileEventsFlow()
    {
        // A paced flow, about one event every 250 µs for 100 ms: woken for each, the stream's
        // thread would take about 400 batches; batched, about one per interval.
        EventStream stream;
        Seen seen;
        record(stream, seen);
        constexpr int kEvents = 400;
        QElapsedTimer elapsed;
        elapsed.start();
        std::thread publisher([&stream] {
            for (int i = 0; i < kEvents; ++i) {
                stream.publish(numbered(i));
                std::this_thread::sleep_for(250us);
            }
        });
        const bool all = runUntilSeen(stream, seen, kEvents);
        publisher.join();
        QVERIFY(all);
        const qint64 ms = elapsed.elapsed();
        const quint64 batches = stream.crossThreadBatches();
        // Half the interval as the bound leaves room for a timer that fires a little early.
        const quint64 bound = quint64(ms / (EventStream::kBatchIntervalMs / 2.0)) + 2;
        QVERIFY2(batches <= bound, qPrintable(QStringLiteral("%1 batches in %2 ms (at most %3)")
                                                  .arg(batches)
                                                  .arg(ms)
                                                  .arg(bound)));
        QVERIFY2(batches < quint64(kEvents) / 4, qPrintable(QString::number(batches)));
        QVERIFY(inOrderFromZero(seen.numbers));
    }

    void strandsNothingWhenAFlowStops()
    {
        // Bursts separated by gaps around the batch interval: the last event of each burst
        // must arrive whether it came just before the stream went quiet or just after.
        EventStream stream;
        Seen seen;
        record(stream, seen);
        int published = 0;
        for (int burst = 0; burst < 60; ++burst) {
            const int size = 1 + burst % 3;
            std::thread publisher([&stream, &published, size] {
                for (int i = 0; i < size; ++i)
                    stream.publish(numbered(published++));
            });
            publisher.join();
            const auto gap = std::chrono::microseconds(
                (burst % 7) * EventStream::kBatchIntervalMs * 1000 / 3);
            const auto until = std::chrono::steady_clock::now() + gap;
            while (std::chrono::steady_clock::now() < until)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        }
        QVERIFY(runUntilSeen(stream, seen, std::size_t(published)));
        QVERIFY(inOrderFromZero(seen.numbers));
    }

    void flushHandsOverWhatWaitsAtOnce()
    {
        EventStream stream;
        Seen seen;
        record(stream, seen);
        std::thread publisher([&stream] {
            for (int i = 0; i < 50; ++i)
                stream.publish(numbered(i));
        });
        publisher.join();
        // No event loop has run: the events wait for their wake-up.
        QVERIFY(seen.numbers.empty());
        stream.flushPending();
        QCOMPARE(seen.numbers.size(), std::size_t(50));
        QVERIFY(inOrderFromZero(seen.numbers));
        // The wake-up that follows finds nothing more to hand over.
        QTest::qWait(3 * EventStream::kBatchIntervalMs);
        QCOMPARE(seen.numbers.size(), std::size_t(50));
    }
};

QTEST_GUILESS_MAIN(TestEventStream)
#include "tst_eventstream.moc"

// The event stream: at once on its own thread; from other threads in publication order, in
// batches (the first event after a quiet spell wakes the stream's thread at once, later ones
// wait for the batch interval), on a FakeClock.
#include "common/fakeclock.h"
#include "engine/eventstream.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace breakwater;

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

private:
    static constexpr Millis kInterval{EventStream::kBatchIntervalMs};

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
        FakeClock clock;
        EventStream stream(clock);
        Seen seen;
        record(stream, seen);
        constexpr int kEvents = 20000;
        std::atomic<bool> published{false};
        std::thread publisher([&stream, &published] {
            for (int i = 0; i < kEvents; ++i)
                stream.publish(numbered(i));
            published = true;
        });
        // This thread hands over meanwhile, as the application's loop would.
        while (!published) {
            QCoreApplication::processEvents();
            clock.advance(kInterval);
        }
        publisher.join();
        QCoreApplication::processEvents(); // a wake-up still waiting, if any
        clock.advance(kInterval);          // else the batch interval
        QCOMPARE(seen.numbers.size(), std::size_t(kEvents));
        QVERIFY(inOrderFromZero(seen.numbers));
        QVERIFY(!seen.offTheStreamThread);
        QVERIFY(stream.crossThreadBatches() >= 1);
    }

    void wakesItsThreadOnlyForTheFirstEventOfAFlow()
    {
        FakeClock clock;
        EventStream stream(clock);
        Seen seen;
        record(stream, seen);
        std::thread([&stream] { stream.publish(numbered(0)); }).join();
        QCoreApplication::processEvents();
        // The first event after a quiet spell: handed over at once.
        QCOMPARE(seen.numbers.size(), std::size_t(1));
        QCOMPARE(stream.crossThreadBatches(), quint64(1));

        std::thread([&stream] {
            for (int i = 1; i < 200; ++i)
                stream.publish(numbered(i));
        }).join();
        QCoreApplication::processEvents();
        // The rest of the flow woke nothing (one wake-up per event, before): it waits for the
        // batch interval, then goes over as one batch.
        QCOMPARE(seen.numbers.size(), std::size_t(1));
        clock.advance(kInterval - Millis(1));
        QCOMPARE(seen.numbers.size(), std::size_t(1));
        clock.advance(Millis(1));
        QCOMPARE(seen.numbers.size(), std::size_t(200));
        QCOMPARE(stream.crossThreadBatches(), quint64(2));
        QVERIFY(inOrderFromZero(seen.numbers));

        // An interval that finds nothing waiting ends the flow: the next event wakes the
        // stream's thread at once again.
        clock.advance(kInterval);
        QCOMPARE(clock.pendingTimers(), 0);
        std::thread([&stream] { stream.publish(numbered(200)); }).join();
        QCoreApplication::processEvents();
        QCOMPARE(seen.numbers.size(), std::size_t(201));
        QCOMPARE(stream.crossThreadBatches(), quint64(3));
        QVERIFY(inOrderFromZero(seen.numbers));
    }

    void flushHandsOverWhatWaitsAtOnce()
    {
        FakeClock clock;
        EventStream stream(clock);
        Seen seen;
        record(stream, seen);
        std::thread([&stream] {
            for (int i = 0; i < 50; ++i)
                stream.publish(numbered(i));
        }).join();
        // No event loop has run: the events wait for their wake-up.
        QVERIFY(seen.numbers.empty());
        stream.flushPending();
        QCOMPARE(seen.numbers.size(), std::size_t(50));
        QVERIFY(inOrderFromZero(seen.numbers));
        // The wake-up and the interval that follow find nothing more to hand over.
        QCoreApplication::processEvents();
        clock.advance(kInterval);
        QCOMPARE(seen.numbers.size(), std::size_t(50));
        QCOMPARE(stream.crossThreadBatches(), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestEventStream)
#include "tst_eventstream.moc"

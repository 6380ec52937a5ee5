#include "virtualtime.h"

#include "common/fakeclock.h"

#include <QCoreApplication>
#include <QEvent>
#include <QThread>

namespace breakwater {
namespace {

/// Counts the events delivered to objects of the main thread, to tell when a pass of posted
/// events found none (Qt has no public way to ask whether any are waiting).
class DeliveryCounter final : public QObject {
public:
    DeliveryCounter() { QCoreApplication::instance()->installEventFilter(this); }
    ~DeliveryCounter() override { QCoreApplication::instance()->removeEventFilter(this); }

    quint64 delivered = 0;

protected:
    bool eventFilter(QObject *, QEvent *) override
    {
        ++delivered;
        return false;
    }
};

} // namespace

bool runInVirtualTime(FakeClock &clock, const std::function<bool()> &done, Millis until)
{
    Q_ASSERT(QThread::currentThread() == QCoreApplication::instance()->thread());
    DeliveryCounter counter;
    for (;;) {
        if (done())
            return true;
        // One pass runs the events posted before it; those it posts wait for the next.
        const quint64 before = counter.delivered;
        QCoreApplication::sendPostedEvents();
        if (counter.delivered != before)
            continue;
        // Objects deleted later would otherwise pile up: outside an event loop Qt deletes
        // them only when asked.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (counter.delivered != before)
            continue;
        const Millis next = clock.nextDeadline();
        if (next < Millis(0) || next > until)
            return false;
        clock.advance(next - clock.now());
    }
}

} // namespace breakwater

#include "qtclock.h"

#include <QThread>
#include <QTimer>

namespace breakwater {
namespace {

class QtTimer final : public Timer {
public:
    explicit QtTimer(std::function<void()> callback)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, std::move(callback));
    }
    // A shared object (a breaker) may arm its timer from whichever thread tripped it; a
    // QTimer may only be started in its own thread, so foreign calls are queued there.
    void start(Millis delay) override
    {
        const Millis clamped = std::max<Millis>(delay, Millis(0));
        if (QThread::currentThread() == m_timer.thread())
            m_timer.start(clamped);
        else
            QMetaObject::invokeMethod(&m_timer, [this, clamped] { m_timer.start(clamped); });
    }
    void stop() override
    {
        if (QThread::currentThread() == m_timer.thread())
            m_timer.stop();
        else
            QMetaObject::invokeMethod(&m_timer, [this] { m_timer.stop(); });
    }
    bool isActive() const override { return m_timer.isActive(); }

private:
    QTimer m_timer;
};

} // namespace

QtClock::QtClock()
{
    m_elapsed.start();
}

Millis QtClock::now() const
{
    return Millis(m_elapsed.elapsed());
}

std::unique_ptr<Timer> QtClock::createTimer(std::function<void()> callback)
{
    return std::make_unique<QtTimer>(std::move(callback));
}

} // namespace breakwater

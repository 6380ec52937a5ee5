#include "qtclock.h"

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
    void start(Millis delay) override { m_timer.start(std::max<Millis>(delay, Millis(0))); }
    void stop() override { m_timer.stop(); }
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

#include "fakeclock.h"

#include <utility>

namespace breakwater {

class FakeTimer final : public Timer {
public:
    FakeTimer(FakeClock *clock, std::function<void()> callback)
        : m_clock(clock), m_callback(std::move(callback))
    {
    }
    ~FakeTimer() override { stop(); }

    void start(Millis delay) override
    {
        stop();
        m_deadline = m_clock->now() + std::max(delay, Millis(0));
        m_sequence = m_clock->arm(this, m_deadline);
        m_active = true;
    }
    void stop() override
    {
        if (m_active) {
            m_clock->disarm(m_sequence, m_deadline);
            m_active = false;
        }
    }
    bool isActive() const override { return m_active; }

    void fire()
    {
        m_active = false;
        // Copy: the callback may destroy this timer.
        auto callback = m_callback;
        callback();
    }

private:
    FakeClock *m_clock;
    std::function<void()> m_callback;
    Millis m_deadline{0};
    std::uint64_t m_sequence = 0;
    bool m_active = false;
};

FakeClock::~FakeClock() = default;

Millis FakeClock::now() const
{
    std::lock_guard lock(m_mutex);
    return m_now;
}

std::unique_ptr<Timer> FakeClock::createTimer(std::function<void()> callback)
{
    return std::make_unique<FakeTimer>(this, std::move(callback));
}

std::uint64_t FakeClock::arm(FakeTimer *timer, Millis deadline)
{
    std::lock_guard lock(m_mutex);
    const std::uint64_t sequence = m_nextSequence++;
    m_armed.emplace(TimerKey{deadline, sequence}, Entry{timer});
    return sequence;
}

void FakeClock::disarm(std::uint64_t sequence, Millis deadline)
{
    std::lock_guard lock(m_mutex);
    m_armed.erase(TimerKey{deadline, sequence});
}

void FakeClock::advance(Millis step)
{
    Millis target;
    {
        std::lock_guard lock(m_mutex);
        target = m_now + step;
    }
    for (;;) {
        FakeTimer *due = nullptr;
        {
            std::lock_guard lock(m_mutex);
            if (m_armed.empty() || m_armed.begin()->first.first > target) {
                m_now = target;
                return;
            }
            auto first = m_armed.begin();
            m_now = std::max(m_now, first->first.first);
            due = first->second.timer;
            m_armed.erase(first);
        }
        due->fire();
    }
}

bool FakeClock::advanceToNextTimer()
{
    Millis deadline = nextDeadline();
    if (deadline < Millis(0))
        return false;
    advance(deadline - now());
    return true;
}

int FakeClock::pendingTimers() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_armed.size());
}

Millis FakeClock::nextDeadline() const
{
    std::lock_guard lock(m_mutex);
    return m_armed.empty() ? Millis(-1) : m_armed.begin()->first.first;
}

} // namespace breakwater

#pragma once

#include "clock.h"

#include <QElapsedTimer>

namespace breakwater {

/// Production clock: QElapsedTimer (monotonic) and precise QTimers.
class QtClock final : public Clock {
public:
    QtClock();
    Millis now() const override;
    std::unique_ptr<Timer> createTimer(std::function<void()> callback) override;

private:
    QElapsedTimer m_elapsed;
};

} // namespace breakwater

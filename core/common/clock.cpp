#include "clock.h"

#include <cmath>

namespace breakwater {

Millis fromSeconds(double seconds)
{
    return Millis(static_cast<Millis::rep>(std::llround(seconds * 1000.0)));
}

} // namespace breakwater

#include "common/clock.hpp"

#include <thread>

namespace certkeep {

void SystemClock::sleepFor(std::chrono::milliseconds duration) {
    std::this_thread::sleep_for(duration);
}

Clock& systemClock() {
    static SystemClock clock;
    return clock;
}

} // namespace certkeep

#pragma once
// Time behind an interface, so polling, backoff and renewal schedules can be tested without
// sleeping: SystemClock in production, tests/fakes/fake_clock.hpp in tests.

#include <chrono>
#include <memory>

namespace certkeep {

class Clock {
  public:
    virtual ~Clock() = default;
    // Monotonic time, for deadlines and poll intervals.
    [[nodiscard]] virtual std::chrono::steady_clock::time_point now() const = 0;
    // Wall-clock time, for certificate validity and records kept in the store.
    [[nodiscard]] virtual std::chrono::system_clock::time_point wallNow() const = 0;
    // Blocks for `duration` (a fake advances both clocks instead).
    virtual void sleepFor(std::chrono::milliseconds duration) = 0;
};
using ClockPtr = std::unique_ptr<Clock>;

// The real clocks and std::this_thread::sleep_for.
class SystemClock : public Clock {
  public:
    [[nodiscard]] std::chrono::steady_clock::time_point now() const override {
        return std::chrono::steady_clock::now();
    }
    [[nodiscard]] std::chrono::system_clock::time_point wallNow() const override {
        return std::chrono::system_clock::now();
    }
    void sleepFor(std::chrono::milliseconds duration) override;
};

// A process-wide SystemClock (stateless, so sharing it is not mutable global state).
Clock& systemClock();

} // namespace certkeep

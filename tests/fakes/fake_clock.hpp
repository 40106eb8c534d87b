#pragma once
// Test fake for Clock: time stands still until sleepFor() or advance() moves it; every sleep
// is recorded, so tests assert on waits without waiting.

#include "common/clock.hpp"

#include <chrono>
#include <mutex>
#include <vector>

namespace certkeep::fakes {

class FakeClock : public Clock {
  public:
    FakeClock() : wall_(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}

    [[nodiscard]] std::chrono::steady_clock::time_point now() const override {
        std::lock_guard lock(mutex_);
        return steady_;
    }
    [[nodiscard]] std::chrono::system_clock::time_point wallNow() const override {
        std::lock_guard lock(mutex_);
        return wall_;
    }
    void sleepFor(std::chrono::milliseconds duration) override {
        std::lock_guard lock(mutex_);
        sleeps.push_back(duration);
        steady_ += duration;
        wall_ += duration;
    }
    // Moves both clocks forward without recording a sleep.
    void advance(std::chrono::milliseconds duration) {
        std::lock_guard lock(mutex_);
        steady_ += duration;
        wall_ += duration;
    }
    void setWall(std::chrono::system_clock::time_point t) {
        std::lock_guard lock(mutex_);
        wall_ = t;
    }

    std::vector<std::chrono::milliseconds> sleeps; // every sleepFor() in order

  private:
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point steady_{};
    std::chrono::system_clock::time_point wall_;
};

} // namespace certkeep::fakes

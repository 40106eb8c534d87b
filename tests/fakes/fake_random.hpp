#pragma once
// Test fake for lifecycle::Random: returns the values it was given, in order, repeating the
// last one; every draw is counted.

#include "lifecycle/schedule.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

namespace certkeep::fakes {

class FakeRandom : public lifecycle::Random {
  public:
    explicit FakeRandom(std::vector<double> values = {0.5}) : values_(std::move(values)) {}

    double uniform() override {
        std::lock_guard lock(mutex_);
        double v = values_.empty() ? 0.0 : values_[std::min(next_, values_.size() - 1)];
        ++next_;
        ++draws;
        return v;
    }

    int draws = 0; // uniform() calls so far

  private:
    std::mutex mutex_;
    std::vector<double> values_;
    std::size_t next_ = 0;
};

} // namespace certkeep::fakes

#pragma once
// Test fake for challenges::Solver: records every phase (present, waitReady, cleanup,
// withdrawAll) in order; can refuse present() for chosen identifiers and fail waitReady().
// Optionally offers the FetchNotifier capability.

#include "challenges/solver.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace certkeep::fakes {

class FakeSolver : public challenges::Solver, public challenges::FetchNotifier {
  public:
    explicit FakeSolver(std::string type = "http-01") : type_(std::move(type)) {}

    [[nodiscard]] std::string type() const override { return type_; }

    Status present(const challenges::ChallengeTask& task) override {
        std::lock_guard lock(*mutex_);
        ++presentAttempts;
        calls.push_back("present " + name(task));
        if (failPresentFor.count(task.identifier) != 0U) {
            return fail(ErrorKind::Local, "fake solver: refusing to present for " + name(task));
        }
        presented.push_back(task);
        return {};
    }

    Status waitReady(std::chrono::steady_clock::time_point deadline) override {
        std::lock_guard lock(*mutex_);
        ++waitReadyCalls;
        lastDeadline = deadline;
        calls.emplace_back("waitReady");
        if (waitReadyHook) {
            waitReadyHook();
        }
        if (waitReadyError) {
            return fail(*waitReadyError);
        }
        return {};
    }

    Status cleanup(const challenges::ChallengeTask& task) override {
        std::lock_guard lock(*mutex_);
        calls.push_back("cleanup " + name(task));
        cleanedUp.push_back(task);
        return {};
    }

    void withdrawAll() override {
        std::lock_guard lock(*mutex_);
        ++withdrawAllCalls;
        calls.emplace_back("withdrawAll");
    }

    // nullptr unless the test sets offerFetchNotifier (as the standalone responder would).
    challenges::FetchNotifier* fetchNotifier() override {
        return offerFetchNotifier ? this : nullptr;
    }

    bool awaitFetch(const std::string& token, std::chrono::milliseconds timeout) override {
        std::lock_guard lock(*mutex_);
        awaitedFetches.emplace_back(token, timeout);
        return fetchArrives;
    }

    // "*.example.com" for a wildcard task, "example.com" otherwise.
    static std::string name(const challenges::ChallengeTask& task) {
        return (task.wildcard ? "*." : "") + task.identifier;
    }

    // What happened, in order: "present a.example", "waitReady", "cleanup *.a.example", ...
    std::vector<std::string> calls;
    int presentAttempts = 0;                          // every present(), also refused ones
    std::vector<challenges::ChallengeTask> presented; // successful present() calls
    std::vector<challenges::ChallengeTask> cleanedUp;
    std::set<std::string> failPresentFor; // identifiers (without "*.") whose present() fails
    int waitReadyCalls = 0;
    std::optional<std::chrono::steady_clock::time_point> lastDeadline;
    std::optional<Error> waitReadyError; // returned by every waitReady() when set
    std::function<void()> waitReadyHook; // runs inside every waitReady() (under the fake's lock)
    int withdrawAllCalls = 0;
    bool offerFetchNotifier = false;
    bool fetchArrives = true; // what awaitFetch() answers
    std::vector<std::pair<std::string, std::chrono::milliseconds>> awaitedFetches;

  private:
    std::string type_;
    // The signal path may call withdrawAll() from another thread. Shared so that the fake
    // stays copyable (tests assign a fresh FakeSolver).
    std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
};

} // namespace certkeep::fakes

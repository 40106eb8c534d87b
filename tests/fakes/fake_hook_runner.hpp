#pragma once
// Test fake for hooks::HookRunner: records every call (argv, a copy of the event, the options'
// timeout and dropEnv) in order, thread-safe. Knobs per argv[0]: an exit status, a start error,
// output lines (delivered prefixed to options.output and kept as the tail); and a callback run on
// every call (outside the lock, so it may block to test concurrency).

#include "hooks/dispatch.hpp"
#include "hooks/runner.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace certkeep::fakes {

class FakeHookRunner : public hooks::HookRunner {
  public:
    struct Call {
        std::vector<std::string> argv;
        hooks::HookEvent event;
        std::chrono::milliseconds timeout{};
        std::vector<std::string> dropEnv;
    };

    Result<hooks::HookOutcome> run(const std::vector<std::string>& argv,
                                   const hooks::HookEvent& event,
                                   const hooks::RunOptions& options) override {
        Call call{argv, event, options.timeout, options.dropEnv};
        std::string program = argv.empty() ? "" : argv[0];
        std::function<void(const Call&)> callback;
        std::vector<std::string> lines;
        hooks::HookOutcome outcome;
        outcome.timeout = options.timeout;
        {
            std::lock_guard lock(mutex_);
            calls_.push_back(call);
            if (auto e = errors_.find(program); e != errors_.end()) {
                return e->second;
            }
            auto status = exitStatus_.find(program);
            outcome.exitStatus = status == exitStatus_.end() ? 0 : status->second;
            if (auto out = output_.find(program); out != output_.end()) {
                lines = out->second;
            }
            callback = callback_;
        }
        if (callback) {
            callback(call);
        }
        std::string prefix = "hook " + event.event + " " + hooks::hookDisplayName(argv) + ": ";
        for (const auto& line : lines) {
            if (options.output) {
                options.output(prefix + line);
            }
            outcome.tail += (outcome.tail.empty() ? "" : "\n") + line;
        }
        outcome.ok = outcome.exitStatus == 0;
        return outcome;
    }

    // Knobs, keyed by argv[0] as given.
    void setExitStatus(const std::string& program, int status) {
        std::lock_guard lock(mutex_);
        exitStatus_[program] = status;
    }
    void setError(const std::string& program, Error error) {
        std::lock_guard lock(mutex_);
        errors_[program] = std::move(error);
    }
    void setOutput(const std::string& program, std::vector<std::string> lines) {
        std::lock_guard lock(mutex_);
        output_[program] = std::move(lines);
    }
    void setCallback(std::function<void(const Call&)> callback) {
        std::lock_guard lock(mutex_);
        callback_ = std::move(callback);
    }

    // Every call so far, in order.
    [[nodiscard]] std::vector<Call> calls() const {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    // "event argv0" for each call, in order: the shape most tests assert on.
    [[nodiscard]] std::vector<std::string> summary() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& call : calls_) {
            out.push_back(call.event.event + " " + (call.argv.empty() ? "" : call.argv[0]));
        }
        return out;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<Call> calls_;
    std::map<std::string, int> exitStatus_;
    std::map<std::string, Error> errors_;
    std::map<std::string, std::vector<std::string>> output_;
    std::function<void(const Call&)> callback_;
};

} // namespace certkeep::fakes

#pragma once
// Running one hook program: the interface lifecycle/ calls (so it can be tested with a fake) and
// the real runner (posix_spawn, own process group, timeout, environment and JSON on stdin).

#include "common/counters.hpp"
#include "common/result.hpp"
#include "hooks/event.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace certkeep::hooks {

struct RunOptions {
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    // Each line the hook writes (stdout and stderr), already prefixed "hook <event> <prog>: ".
    std::function<void(const std::string&)> output;
    std::vector<std::string> dropEnv; // variables removed from the inherited environment (secrets)
    // After the timeout: how long SIGTERM has to end the process group before SIGKILL.
    std::chrono::milliseconds killGrace{std::chrono::seconds(2)};
    // runHooks counts each run here (certkeep_hook_runs_total); nullptr = not counted. Must
    // outlive the run.
    Counters* counters = nullptr;
};

struct HookOutcome {
    bool ok = false;     // exited 0 (and in time)
    int exitStatus = -1; // when it exited
    int signal = 0;      // when it was killed by a signal
    bool timedOut = false;
    std::string tail; // its last output lines (at most 10 lines / 2 KiB), for error messages
    std::chrono::milliseconds timeout{}; // the limit it ran under, for describe()
    // "exited with status 3", "was killed by SIGSEGV", "was killed by SIGTERM after the 5m
    // timeout", "succeeded".
    [[nodiscard]] std::string describe() const;
    // The last line of `tail`, "" when it wrote nothing.
    [[nodiscard]] std::string lastLine() const;
};

class HookRunner {
  public:
    virtual ~HookRunner() = default;
    // Runs argv for `event`: environment = inherited minus dropEnv minus any CERTKEEP_*
    // variables, plus hookEnvironment(event); stdin = hookJson(event) + "\n". Waits for it (at
    // most options.timeout, then the process group is stopped). An Error only when it cannot be
    // started (not found, not executable, untrusted): a Config error naming the program. Safe to
    // call from several threads at once.
    virtual Result<HookOutcome> run(const std::vector<std::string>& argv, const HookEvent& event,
                                    const RunOptions& options) = 0;
};

using HookRunnerPtr = std::unique_ptr<HookRunner>;

// The real runner. argv[0] with a '/' is used as is, else searched in PATH; it must be a regular
// executable file and, when certkeep runs as root, pass checkTrustedFile. Keeps no state.
class ProcessHookRunner : public HookRunner {
  public:
    Result<HookOutcome> run(const std::vector<std::string>& argv, const HookEvent& event,
                            const RunOptions& options) override;
};

} // namespace certkeep::hooks

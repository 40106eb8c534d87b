#pragma once
// Starting a program in its own process group with posix_spawn, feeding its stdin, reading its
// output and enforcing a timeout on the whole group. No shell, no global state.

#include "common/result.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace certkeep::hooks {

struct ProcessSpec {
    std::string path;              // the file to execute (already resolved)
    std::vector<std::string> argv; // argv[0] as the user wrote it
    std::vector<std::string> env;  // "NAME=value" entries, the whole environment
    std::string input;             // written to its stdin, then stdin is closed
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds killGrace{std::chrono::seconds(2)}; // SIGTERM to SIGKILL
    // Output bytes (stdout and stderr share one pipe, so their order is kept), in pieces.
    std::function<void(std::string_view)> output;
};

struct ProcessEnd {
    int exitStatus = -1; // when it exited
    int signal = 0;      // when a signal ended it
    bool timedOut = false;
};

// After the program exits, how long output of children it left behind is still read.
inline constexpr std::chrono::milliseconds kDrainAfterExit{500};

// Runs spec.path with an empty signal mask and default dispositions (whatever this thread
// blocks or ignores), stdin from a pipe, stdout and stderr to a pipe, every other fd closed.
// Returns when it has exited and been reaped: at spec.timeout its process group gets SIGTERM,
// and SIGKILL after killGrace. A hook that does not read its stdin is normal (EPIPE ignored, no
// SIGPIPE left pending). Local error when it cannot be started.
Result<ProcessEnd> runProcess(const ProcessSpec& spec);

} // namespace certkeep::hooks

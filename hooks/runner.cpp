#include "hooks/runner.hpp"

#include "common/duration.hpp"
#include "hooks/dispatch.hpp"
#include "hooks/launch.hpp"
#include "hooks/output_lines.hpp"
#include "hooks/process.hpp"

#include <cstring>

namespace certkeep::hooks {

namespace {

std::string signalName(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// "5m", "1m30s", "300ms".
std::string formatLimit(std::chrono::milliseconds limit) {
    if (limit.count() % 1000 != 0 || limit.count() == 0) {
        return std::to_string(limit.count()) + "ms";
    }
    return formatDuration(std::chrono::duration_cast<std::chrono::seconds>(limit));
}

} // namespace

std::string HookOutcome::describe() const {
    if (timedOut) {
        std::string after = "after the " + formatLimit(timeout) + " timeout";
        if (signal != 0) {
            return "was killed by " + signalName(signal) + " " + after;
        }
        return "was stopped " + after + " (it exited with status " + std::to_string(exitStatus) +
               ")";
    }
    if (signal != 0) {
        return "was killed by " + signalName(signal);
    }
    if (ok) {
        return "succeeded";
    }
    return "exited with status " + std::to_string(exitStatus);
}

std::string HookOutcome::lastLine() const {
    auto newline = tail.find_last_of('\n');
    return newline == std::string::npos ? tail : tail.substr(newline + 1);
}

Result<HookOutcome> ProcessHookRunner::run(const std::vector<std::string>& argv,
                                           const HookEvent& event, const RunOptions& options) {
    if (argv.empty() || argv[0].empty()) {
        return fail(ErrorKind::Config,
                    event.event + " hook has an empty command: give a program and its arguments");
    }
    auto path = resolveHookProgram(argv[0], event.event, processPath());
    if (!path) {
        return path.takeError();
    }
    OutputLines lines("hook " + event.event + " " + hookDisplayName(argv) + ": ", options.output);
    ProcessSpec spec;
    spec.path = std::move(path.value());
    spec.argv = argv;
    spec.env = childEnvironment(event, options.dropEnv);
    // Replace, not throw, on invalid UTF-8: an error text may come from a server response.
    spec.input =
        hookJson(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    spec.timeout = options.timeout;
    spec.killGrace = options.killGrace;
    spec.output = [&lines](std::string_view bytes) { lines.feed(bytes); };
    auto end = runProcess(spec);
    if (!end) {
        return end.takeError();
    }
    lines.finish();
    HookOutcome outcome;
    outcome.exitStatus = end->exitStatus;
    outcome.signal = end->signal;
    outcome.timedOut = end->timedOut;
    outcome.ok = !end->timedOut && end->signal == 0 && end->exitStatus == 0;
    outcome.tail = lines.tail();
    outcome.timeout = options.timeout;
    return outcome;
}

} // namespace certkeep::hooks

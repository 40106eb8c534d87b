#include "hooks/dispatch.hpp"

#include <algorithm>

namespace certkeep::hooks {

namespace {

// Appends each argv of `more` that `out` does not hold yet.
void appendUnique(HookList& out, const HookList& more) {
    for (const auto& argv : more) {
        if (std::find(out.begin(), out.end(), argv) == out.end()) {
            out.push_back(argv);
        }
    }
}

const HookList& listOf(const HookMap& map, const std::string& event) {
    static const HookList kNone;
    auto it = map.find(event);
    return it == map.end() ? kNone : it->second;
}

} // namespace

HookList hooksFor(const std::string& event, const HookMap& global, const HookMap& perCertificate) {
    HookList out;
    appendUnique(out, listOf(global, event));
    appendUnique(out, listOf(perCertificate, event));
    return out;
}

HookList unionOf(const std::vector<HookList>& lists) {
    HookList out;
    for (const auto& list : lists) {
        appendUnique(out, list);
    }
    return out;
}

std::string hookResultLabel(const Result<HookOutcome>& outcome) {
    if (!outcome) {
        return "error";
    }
    if (outcome->timedOut) {
        return "timeout";
    }
    return outcome->ok ? "success" : "failure";
}

Status runHooks(HookRunner& runner, const HookList& hooks, const HookEvent& event,
                const RunOptions& options) {
    for (const auto& argv : hooks) {
        auto outcome = runner.run(argv, event, options);
        if (options.counters != nullptr) {
            options.counters->add(kHookRunsTotal,
                                  {{"hook", isKnownEvent(event.event) ? event.event : "other"},
                                   {"result", hookResultLabel(outcome)}});
        }
        if (!outcome) {
            return outcome.takeError();
        }
        if (outcome->ok) {
            continue;
        }
        std::string message =
            event.event + " hook " + (argv.empty() ? "" : argv[0]) + " " + outcome->describe();
        if (std::string last = outcome->lastLine(); !last.empty()) {
            message += ": " + last;
        }
        return fail(ErrorKind::Local, message);
    }
    return {};
}

std::string hookDisplayName(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        return "(none)";
    }
    const std::string& program = argv[0];
    auto slash = program.find_last_of('/');
    if (slash == std::string::npos || slash + 1 == program.size()) {
        return program;
    }
    return program.substr(slash + 1);
}

} // namespace certkeep::hooks

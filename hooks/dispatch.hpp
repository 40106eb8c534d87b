#pragma once
// Which hooks run for an event, and running a list of them in order, stopping at the first
// failure.

#include "common/result.hpp"
#include "hooks/event.hpp"
#include "hooks/runner.hpp"

#include <map>
#include <string>
#include <vector>

namespace certkeep::hooks {

// Argument vectors of the hooks of one event, in the order they run.
using HookList = std::vector<std::vector<std::string>>;
// Event name (kPre, kDeploy, ...) -> its hooks.
using HookMap = std::map<std::string, HookList>;

// The hooks of `event`: the global ones first, then the certificate's; an argv given in both
// runs once (at its first place).
HookList hooksFor(const std::string& event, const HookMap& global, const HookMap& perCertificate);

// Every argv of `lists`, each once, in the order first seen (pre/post hooks across the
// certificates of one run).
HookList unionOf(const std::vector<HookList>& lists);

// Each hook run: certkeep_hook_runs_total{hook="<event>",result="<result>"}.
inline constexpr const char* kHookRunsTotal = "certkeep_hook_runs_total";

// The result label of one run: "success", "failure" (non-zero exit or a signal), "timeout"
// (stopped after options.timeout, whatever its exit) or "error" (it could not be started).
std::string hookResultLabel(const Result<HookOutcome>& outcome);

// Runs `hooks` one after the other for `event`. Stops at the first that cannot be started (the
// runner's error) or does not succeed: a Local error such as
// "deploy hook /usr/local/bin/reload exited with status 3: <last line of its output>".
// Each run is counted in options.counters under the event's name (never the program's: the
// label set stays small); an unknown event name counts as "other".
Status runHooks(HookRunner& runner, const HookList& hooks, const HookEvent& event,
                const RunOptions& options);

// The name a hook goes by in output prefixes: the basename of argv[0] ("reload" for
// "/usr/local/bin/reload").
std::string hookDisplayName(const std::vector<std::string>& argv);

} // namespace certkeep::hooks

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

// Runs `hooks` one after the other for `event`. Stops at the first that cannot be started (the
// runner's error) or does not succeed: a Local error such as
// "deploy hook /usr/local/bin/reload exited with status 3: <last line of its output>".
Status runHooks(HookRunner& runner, const HookList& hooks, const HookEvent& event,
                const RunOptions& options);

// The name a hook goes by in output prefixes: the basename of argv[0] ("reload" for
// "/usr/local/bin/reload").
std::string hookDisplayName(const std::vector<std::string>& argv);

} // namespace certkeep::hooks

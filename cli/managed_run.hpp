#pragma once
// What `renew`, `status` and `check` start with: the config in use, the global options it
// completes, the real parts, and the certificates to look after.

#include "cli/managed.hpp"
#include "cli/wiring.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certkeep::cli {

struct ManagedRun {
    std::optional<config::ConfigFile> config;
    GlobalOptions global; // the command line's, completed by the config file
    WiringPtr wiring;
    ManagedSet set;
};

// Loads the config in use, wires the real parts and lists the certificates (`names` narrows
// them). A config file that does not load, and a certificate the config declares wrongly, are
// Usage errors (exit 2); the store's and the wiring's errors come back as they are.
Result<ManagedRun> startManagedRun(const GlobalOptions& commandLine, Console& console,
                                   const Overrides& overrides,
                                   const std::vector<std::string>& names);

} // namespace certkeep::cli

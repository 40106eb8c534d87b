#pragma once
// The real parts behind lifecycle::Services: the filesystem store, libcurl, the system clock,
// HTTP-01 solvers, and the shutdown gate the signal path waits on.

#include "cli/console.hpp"
#include "cli/options.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"

#include <memory>
#include <string>

namespace certkeep::cli {

struct Wiring {
    std::string stateDir;
    store::StorePtr store;
    acme::TransportPtr transport;
    ShutdownGate gate;
    lifecycle::DefaultSolverFactory solvers;
    lifecycle::ActiveSolvers active;
    std::unique_ptr<lifecycle::Services> services;
};
using WiringPtr = std::unique_ptr<Wiring>;

// Checks the CA bundle, opens the store and the transport. No request is sent yet.
Result<WiringPtr> wire(const GlobalOptions& global, Console& console);

// The account settings the global options give; Usage error for a bad --account-key-type.
Result<lifecycle::AccountSpec> accountSpecFrom(const GlobalOptions& global);

} // namespace certkeep::cli

#pragma once
// The real parts behind lifecycle::Services: the filesystem store, libcurl, the system clock,
// HTTP-01 solvers, and the shutdown gate the signal path waits on.

#include "cli/console.hpp"
#include "cli/options.hpp"
#include "hooks/runner.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"
#include "lifecycle/tls_probe.hpp"

#include <memory>
#include <string>

namespace certkeep::cli {

struct Wiring {
    Wiring() = default;
    // Adds what was counted and not yet recorded (issue, revoke, account commands) to the
    // store's persisted metrics, best effort: Prometheus counters never miss a run's requests.
    ~Wiring();
    Wiring(const Wiring&) = delete;
    Wiring& operator=(const Wiring&) = delete;

    std::string stateDir;
    store::StorePtr store;
    acme::TransportPtr transport;
    ShutdownGate gate;
    lifecycle::DefaultSolverFactory solvers;
    lifecycle::ActiveSolvers active;
    hooks::ProcessHookRunner hookRunner;
    lifecycle::OpenSslTlsProbe probe;
    lifecycle::DefaultRandom random;
    Counters counters; // ACME requests, problems, hook runs and renewals of this run
    std::unique_ptr<lifecycle::Services> services;
};
using WiringPtr = std::unique_ptr<Wiring>;

// Checks the CA bundle, opens the store and the transport, and hands the hook runner, the TLS
// probe and a transport factory (one per thread and CA bundle) to the services. No request
// is sent yet.
Result<WiringPtr> wire(const GlobalOptions& global, Console& console);

// The account settings the global options give; Usage error for a bad --account-key-type.
Result<lifecycle::AccountSpec> accountSpecFrom(const GlobalOptions& global);

// The DNS-01 secrets from the environment, notes to the console, waits stopped by `gate`.
lifecycle::Dns01Setup dnsSetup(ShutdownGate& gate, Console& console);

// Secrets hooks must not inherit from certkeep's environment.
const std::vector<std::string>& secretEnvironment();

} // namespace certkeep::cli

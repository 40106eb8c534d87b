#pragma once
// certkeep serve: renews on its own schedule, serves /metrics and the status page, reloads its
// config on SIGHUP and stops cleanly on SIGTERM/SIGINT (exit 0). A renewal cycle is the same
// lifecycle::renewCertificates a one-shot `renew` runs, so backoff, ARI and locks apply alike;
// one-shot runs and serve may even run side by side.

#include "cli/console.hpp"
#include "cli/managed.hpp"
#include "cli/serve/status_server.hpp"
#include "lifecycle/renewal.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace certkeep::cli {

struct ServeOptions {
    std::string metricsListen = "127.0.0.1:9469"; // loopback unless told otherwise
    std::vector<AllowedNetwork> allowed; // --metrics-allow; empty = anyone who can reach it
    std::chrono::seconds interval{300};  // the longest sleep between two checks
    std::string metricsFile;             // also write the textfile after each cycle
    lifecycle::RenewOptions renew;
    Overrides overrides;
};

// Runs until SIGTERM or SIGINT; returns the exit code (0 after a clean stop; 2/3 when it could
// not start: bad config, the listen address taken, the store unreadable).
int runDaemon(const GlobalOptions& global, const ServeOptions& options, Console& console);

} // namespace certkeep::cli

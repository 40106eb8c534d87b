#pragma once
// What `certkeep config check` prints: every problem, or one summary line.

#include "cli/config/config.hpp"
#include "cli/console.hpp"

#include <string>

namespace certkeep::cli::config {

// "FILE: OK: 3 certificates (a.example, b.example, mtls) on 2 servers"; a certificate without
// a server counts as on Let's Encrypt, the default.
std::string summaryLine(const ConfigFile& config);

// Checks `path`: prints each problem as "FILE:LINE:COL: message" on stderr and returns 2 (a
// config error), or prints the summary line on stdout and returns 0.
int runConfigCheck(const std::string& path, Console& console);

} // namespace certkeep::cli::config

#pragma once
// What `renew` prints: one line per certificate that did something (every one with -v), errors
// on stderr naming the certificate, and a summary line.

#include "cli/console.hpp"
#include "cli/managed.hpp"
#include "lifecycle/renewal.hpp"

namespace certkeep::cli {

void printRenewReport(Console& console, const ManagedSet& set, const lifecycle::RenewReport& report,
                      const lifecycle::RenewOptions& options);

} // namespace certkeep::cli

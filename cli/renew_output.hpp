#pragma once
// What `renew` prints: one line per certificate that did something (every one with -v), errors
// on stderr naming the certificate, and a summary line.

#include "cli/console.hpp"
#include "cli/managed.hpp"
#include "lifecycle/renewal.hpp"

namespace certkeep::cli {

// One certificate's line(s): renewed, dry-run, failed (stderr), skipped, busy, not due (only
// with -v), and its deploy outcome.
void printCertificateReport(Console& console, const lifecycle::CertificateReport& r);
// Every certificate's lines and the summary line.
void printRenewReport(Console& console, const ManagedSet& set, const lifecycle::RenewReport& report,
                      const lifecycle::RenewOptions& options);

} // namespace certkeep::cli

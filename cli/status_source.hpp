#pragma once
// The state of every certificate a run looks after, as report/ renders it: the store's live
// metadata and renewal state with the lifecycle's plan (no network: the stored ARI window
// counts), the thresholds resolved for each certificate.

#include "cli/managed.hpp"
#include "lifecycle/services.hpp"
#include "report/model.hpp"

#include <vector>

namespace certkeep::cli {

// One entry per certificate of `set` (managed, then the unmanaged ones), in name order. The
// store is read in parallel. A certificate whose records cannot be read is shown with the
// error as its last error rather than failing the whole report.
std::vector<report::CertificateStatus> collectStatus(lifecycle::Services& services,
                                                     const ManagedSet& set);

// The same right after a renew run over `set`: what the run already read is used for the
// certificates it left alone (not due or backing off, nothing deployed); the others are read
// again.
std::vector<report::CertificateStatus> collectStatus(lifecycle::Services& services,
                                                     const ManagedSet& set,
                                                     const lifecycle::RenewReport& after);

} // namespace certkeep::cli

#pragma once
// Expiry alerts: a certificate inside its warn threshold that a run still could not renew fires
// its `alert` hooks, at most once a day per certificate (the time is kept in its renewal state).
// Internal to lifecycle/renewal.

#include "lifecycle/renewal.hpp"
#include "lifecycle/renewal_plan.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// The default warn and crit thresholds of a managed certificate: a share of its lifetime, so a
// 24-hour certificate is not in permanent alert.
inline constexpr const char* kDefaultWarn = "20%";
inline constexpr const char* kDefaultCrit = "10%";

// The time left below which `cert` is in its warn (or crit) threshold, for a certificate of
// `lifetime`: its `warn`/`crit` setting, else the default. A setting that does not parse (the
// config check refuses it) counts as the default.
std::chrono::seconds warnBefore(const store::CertSettings& settings, std::chrono::seconds lifetime);
std::chrono::seconds critBefore(const store::CertSettings& settings, std::chrono::seconds lifetime);

// Among `certs` (reports and plans at the same index): each live certificate whose renewal failed
// or is backing off, whose earliest chain expiry is within its warn threshold and that had no
// alert in the last 24 hours, gets its alert hooks run (CERTKEEP_TIME_LEFT set) and the time
// recorded. Nothing in a dry run. Hook failures are notes.
void alertUnrenewed(Services& services, const std::vector<const ManagedCertificate*>& certs,
                    const std::vector<Plan>& plans, std::vector<CertificateReport>& reports,
                    const RenewOptions& options);

} // namespace certkeep::lifecycle

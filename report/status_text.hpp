#pragma once
// `certkeep status` output: a table for people and one JSON document for scripts.

#include "report/model.hpp"

#include <string>
#include <vector>

namespace certkeep::report {

// One header line and one row per certificate, columns aligned: NAME, IDENTIFIERS, ISSUER,
// NOT AFTER, LEFT, NEXT RENEWAL (with its reason), LAST ATTEMPT, RESULT, FAILURES, DEPLOY. An
// unmanaged certificate says so in NEXT RENEWAL; the last error, when any, follows its row on an
// indented line. "no certificates" when the list is empty.
std::string statusTable(const std::vector<CertificateStatus>& certificates, TimePoint now);

// A JSON array, one object per certificate in the given order, with stable snake_case keys:
// name, identifiers, managed, issued, version, issuer, serial, not_before, not_after,
// chain_not_after, time_left_seconds, health, next_renewal, next_renewal_reason,
// next_renewal_why, last_attempt, last_result, last_success, consecutive_failures, last_error,
// deploy_pending, deploy_error, warn_before_seconds, crit_before_seconds. Times are RFC 3339
// UTC strings, null when unset; a certificate never issued has nulls for its times.
std::string statusJson(const std::vector<CertificateStatus>& certificates, TimePoint now);

} // namespace certkeep::report

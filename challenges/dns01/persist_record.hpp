#pragma once
// dns-persist-01 TXT records, draft-ietf-acme-dns-persist-01: the revision Let's Encrypt's
// Boulder implements (staging since 2026-04, va/dns_persist.go). The one place that knows the
// draft's record syntax: a new revision changes this pair only.
//
//   _validation-persist.example.com. IN TXT "letsencrypt.org; accounturi=https://...acct/1;"
//                                           " policy=wildcard; persistUntil=1767225600"
//
// The value is an RFC 8659 §4 issue-value: the CA's issuer domain name, then `tag=value`
// parameters (accounturi mandatory; policy and persistUntil optional; unknown tags ignored).
// Parsing and matching follow what Boulder accepts, so a check here predicts the CA's answer.

#include "common/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns01 {

// The draft revision implemented here (for the README and `certkeep dns persist-record`).
inline constexpr const char* kPersistDraft = "draft-ietf-acme-dns-persist-01";

struct PersistRecord {
    std::string issuerDomain; // the CA's issuer domain name: lowercase A-label, no trailing dot
    std::string accountUri;   // the ACME account URL, compared exactly (RFC 3986 §6.2.1)
    bool wildcard = false;    // policy=wildcard: also authorizes *.<identifier>
    // Not valid for new validations after this time (whole seconds; times past 2262, the end of
    // the clock, read as its last representable instant).
    std::optional<std::chrono::system_clock::time_point> persistUntil;
};

// "_validation-persist.example.com" for "example.com" and "*.example.com" (draft §3.2): the
// wildcard label and a trailing dot are stripped, the name lowercased.
std::string persistRecordName(const std::string& identifier);

// Whether `record` can be written as a value that parses back to it: the issuer a domain name
// (any case, trailing dot allowed), the account URI non-empty and free of whitespace, ';' and
// control characters. A Protocol error naming the field (the values come from the CA).
Status validatePersistRecord(const PersistRecord& record);

// The TXT value as the draft's examples write it: "issuer; accounturi=URI[; policy=wildcard]
// [; persistUntil=SECONDS]", issuer normalized. Check the record with validatePersistRecord
// first; an invalid one gives a value that does not parse.
std::string formatPersistRecord(const PersistRecord& record);

// The value as <character-string>s of at most 255 octets (RFC 1035 §3.3.14; draft §3.2 asks
// clients to split long values), in order. One empty string for an empty value.
std::vector<std::string> splitTxtValue(const std::string& value);

// A zone-file line for the operator: `_validation-persist.example.com. IN TXT "..." "..."`,
// the value split into character-strings, '"' and '\' escaped (RFC 1035 §5.1).
std::string persistZoneEntry(const std::string& identifier, const std::string& value);

// Parses one TXT value (an RR's character-strings joined with nothing between them). A Protocol
// error naming what is wrong: empty or malformed issuer, an empty parameter (trailing ';'), a
// parameter without '=', a value with whitespace or control characters, a duplicate or empty
// accounturi, a duplicate policy, a persistUntil that is not a base-10 integer, no accounturi.
Result<PersistRecord> parsePersistRecord(const std::string& txt);

// The first of `txtValues` (all TXT values at the record name) that authorizes `accountUri` at
// one of `issuerDomains` (the challenge's issuer-domain-names, any case, trailing dot allowed)
// at time `now`; a wildcard identifier needs policy=wildcard, persistUntil must not have passed.
// Values for other issuers, and values too malformed to name an issuer, are skipped. Errors:
// NotFound when no value names one of the issuers (the message lists the issuers seen),
// Validation naming why each value for our issuer fails (wrong account, no wildcard policy,
// expired persistUntil, malformed), Protocol when `issuerDomains` holds no valid name.
Result<PersistRecord> findAuthorizingRecord(const std::vector<std::string>& txtValues,
                                            const std::vector<std::string>& issuerDomains,
                                            const std::string& accountUri, bool wildcard,
                                            std::chrono::system_clock::time_point now);

} // namespace certkeep::challenges::dns01

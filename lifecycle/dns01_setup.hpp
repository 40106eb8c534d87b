#pragma once
// Building the DNS-01 solver a certificate's settings ask for: the provider (rfc2136 with its
// TSIG key, exec run through hooks/, pdns with its API key), the c-ares lookups and the
// propagation check.

#include "challenges/dns01/dns01_solver.hpp"
#include "store/records.hpp"

#include <functional>
#include <memory>
#include <string>

namespace certkeep::lifecycle {

// Secrets given in the environment instead of files (never on the command line, never logged):
// CERTKEEP_TSIG_KEY ("hmac-sha256:NAME:SECRET", nsupdate -y's form, or a key file's text) and
// CERTKEEP_PDNS_API_KEY.
struct DnsSecrets {
    std::string tsigKey;
    std::string pdnsApiKey;
};

struct Dns01Setup {
    DnsSecrets secrets;
    Clock* clock = nullptr;                       // nullptr = the system clock
    std::function<void(const std::string&)> note; // unreachable-address notes; may be empty
    std::function<bool()> cancelled;              // stops a propagation wait; may be empty
};

// The solver for `dns` (already checked by challengeSpecOf). Config error naming the key file
// or the missing secret, Local error when c-ares cannot start.
Result<std::unique_ptr<challenges::dns01::Dns01Solver>>
makeDns01Solver(const store::DnsSettings& dns, const Dns01Setup& setup);

} // namespace certkeep::lifecycle

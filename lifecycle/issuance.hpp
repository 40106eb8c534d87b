#pragma once
// One issuance (RFC 8555 §7.4) from a CertificateSpec to a stored version:
//   checks that need no network (store writable, names unchanged or --replace-names) ->
//   resume a pending order a killed run left -> order -> authorize -> key and order URL
//   written to the store -> finalize -> download and check -> store -> settings.
// Nothing issued is lost: from finalize on, the pending order lets the next run download what
// the CA issued instead of ordering again.

#include "acme/crypto/csr.hpp"
#include "lifecycle/account.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"

#include <string>
#include <vector>

namespace certkeep::lifecycle {

struct IssueOutcome {
    std::string name;
    int version = 0;
    std::string liveLocation;
    acme::CertInfo info;
    std::vector<std::string> identifiers; // values, in order
    bool recovered = false;               // downloaded from an order a previous run left pending
};

Result<IssueOutcome> issueCertificate(Services& services, const AccountSpec& account,
                                      const CertificateSpec& spec);

// The identifiers a stored certificate is for, from its settings or else its leaf: values.
Result<std::vector<std::string>> storedIdentifiers(store::Store& store, const std::string& name);

} // namespace certkeep::lifecycle

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

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// What renewal adds to a plain issuance; the defaults are `certkeep issue`.
struct IssueOptions {
    std::string replaces;    // RFC 9773 certificate ID of the certificate this one replaces
    std::string reuseKeyPem; // reuse-key: the private key to certify again; "" = a new key
    // Validate every challenge, then deactivate the authorizations (§7.5.2) instead of
    // finalizing: nothing is issued or stored.
    bool dryRun = false;
    // The complete settings to keep with the certificate; nullopt = derived from the specs.
    std::optional<store::CertSettings> settings;
    // Asked with the certificate lock held, before anything else: false when the work is no
    // longer needed (another run renewed it meanwhile).
    std::function<Result<bool>()> stillNeeded;
};

struct IssueOutcome {
    std::string name;
    int version = 0;
    std::string liveLocation;
    acme::CertInfo info;
    std::string leafPem;
    std::vector<std::string> identifiers; // values, in order
    bool recovered = false;               // downloaded from an order a previous run left pending
    bool dryRun = false;                  // validated only; nothing stored
    bool notNeeded = false;               // stillNeeded() said no; nothing done
    // Renewals only (stillNeeded set): another run held the certificate's lock for the whole
    // lock timeout; nothing done, `busyReason` says why.
    bool busy = false;
    std::string busyReason;
};

Result<IssueOutcome> issueCertificate(Services& services, const AccountSpec& account,
                                      const CertificateSpec& spec,
                                      const IssueOptions& options = {});

// The identifiers a stored certificate is for, from its settings or else its leaf: values.
Result<std::vector<std::string>> storedIdentifiers(store::Store& store, const std::string& name);

} // namespace certkeep::lifecycle

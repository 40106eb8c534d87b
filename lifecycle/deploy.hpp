#pragma once
// Telling the world about a new certificate: the deploy hooks, then deploy verification (the
// server at `verify` presents the new leaf). The outcome is recorded in the renewal state so a
// failed deploy is retried by the next run even though the certificate is no longer due.
// Internal to lifecycle/renewal.

#include "hooks/event.hpp"
#include "lifecycle/renewal.hpp"

#include <string>

namespace certkeep::lifecycle {

// The facts of one stored version a hook is told about.
struct DeployedVersion {
    int version = 0;
    std::string leafPem;
    acme::CertInfo info;
};

// The hook event for `cert` at `version` (paths of the live files, serial, expiry).
hooks::HookEvent certificateEvent(Services& services, const ManagedCertificate& cert,
                                  const std::string& event, const DeployedVersion& version);

// The live version, read back from the store (for a deploy retried by a later run).
Result<DeployedVersion> liveVersion(Services& services, const std::string& name);

// Deploy hooks (global and the certificate's, each program once), then verification; the
// renewal state records the outcome. Error naming the hook or the server otherwise.
Status deploy(Services& services, const ManagedCertificate& cert, const DeployedVersion& version,
              const RenewOptions& options);

// Runs `event`'s hooks (global then the certificate's) for one certificate; Error on the
// first that fails. Nothing to run without a hook runner.
Status runCertificateHooks(Services& services, const ManagedCertificate& cert,
                           const hooks::HookEvent& event, const RenewOptions& options);

} // namespace certkeep::lifecycle

#pragma once
// certkeep renew: each managed certificate is planned (due? backing off? ARI window?), the due
// ones are renewed at most `parallel` at a time, each under its own lock and re-checked once
// the lock is held; then deploy hooks run one at a time in name order, each followed by its
// deploy verification; failure and post hooks last. A failed renewal leaves the live
// certificate exactly as it was and records a growing backoff.

#include "hooks/dispatch.hpp"
#include "hooks/runner.hpp"
#include "lifecycle/issuance.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// One certificate under management, with everything a renewal and its deploy need.
struct ManagedCertificate {
    AccountSpec account;
    CertificateSpec spec;         // spec.replaceNames is implied: the settings are the authority
    store::CertSettings settings; // complete: saved with the next version
    RenewBefore policy;           // parsed settings.renewBefore
    hooks::HookMap hooks;         // this certificate's hooks for this run
};

struct RenewOptions {
    bool force = false;
    bool dryRun = false;
    int parallel = 4;
    hooks::HookMap globalHooks;
    hooks::RunOptions hookOptions;           // timeout and output of every hook
    std::chrono::seconds verifyPatience{30}; // deploy verification keeps trying this long
    std::chrono::seconds lockWait{60};       // how long to wait for a certificate's lock
};

enum class RenewResult {
    NotDue,     // nothing to do
    BackingOff, // due, but a failure's backoff or Retry-After has not passed
    Busy,       // another run holds its lock
    Renewed,    // a new version is live
    DryRun,     // validated only
    Failed,     // the renewal failed; the live certificate is untouched
};

struct Plan; // lifecycle/renewal_plan.hpp

struct CertificateReport {
    std::string name;
    Decision decision;
    RenewResult result = RenewResult::NotDue;
    std::string message;                        // one line for people
    std::shared_ptr<const IssueOutcome> issued; // Renewed (a pointer: reports are many)
    std::optional<Error> error;                 // Failed
    bool deployed = false;                      // deploy hooks ran and succeeded (and verification)
    std::optional<Error> deployError;           // deploy hook or verification failed
    // What the run read and decided before acting (store records, live metadata): still the
    // truth for a certificate that was not due and had nothing deployed, so status and metrics
    // after the run need not read it again. Unset when the run stopped before the end.
    std::shared_ptr<const Plan> plan;
};

struct RenewReport {
    std::vector<CertificateReport> certificates; // in name order
    std::optional<Error> preHookError;           // the run stopped before any order
    std::optional<Error> postHookError;
    // Exit status 1 material: a renewal, a deploy, or a pre/post hook failed.
    [[nodiscard]] bool anyFailed() const;
    [[nodiscard]] int count(RenewResult result) const;
};

// Renews what is due among `certificates` (each name once).
RenewReport renewCertificates(Services& services,
                              const std::vector<ManagedCertificate>& certificates,
                              const RenewOptions& options);

// What a plain `certkeep issue` does after storing: deploy hooks and verification, recording
// the deploy state. Error when a hook or the verification failed (the certificate stays).
Status deployIssued(Services& services, const ManagedCertificate& cert, const IssueOutcome& issued,
                    const RenewOptions& options);

} // namespace certkeep::lifecycle

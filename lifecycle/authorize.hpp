#pragma once
// RFC 8555 §7.5: answering an order's authorizations in phases: fetch all and check that each
// is for an identifier we asked for -> present every challenge -> wait until the solvers are
// ready -> tell the CA to validate each -> wait for each result -> clean up all (also on
// failure). A solver is chosen per identifier. An authorization that offers dns-persist-01
// while Services::persistAuthorized finds the record in place is answered with that challenge
// instead: no solver, nothing presented or cleaned up.

#include "acme/client.hpp"
#include "challenges/solver.hpp"
#include "lifecycle/services.hpp"

#include <functional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// Called with the tasks about to be presented, before anything is published, so that the
// caller can record them (a webroot token file must be findable after a crash).
using BeforePresent =
    std::function<Status(challenges::Solver&, const std::vector<challenges::ChallengeTask>&)>;

struct AuthorizeRequest {
    const acme::Order* order = nullptr;
    std::vector<acme::Identifier> requested; // what the order asked for
    std::string thumbprint;                  // RFC 7638, of the account key
    // The account URL: the accounturi a dns-persist-01 record must carry when the challenge
    // names none (draft-ietf-acme-dns-persist-01 §3.1). "" = dns-persist-01 only when the CA
    // names the account.
    std::string accountUrl;
    // Replaces services.persistAuthorized for this order when set (a certificate whose DNS
    // settings name their own resolver).
    decltype(Services::persistAuthorized) persistAuthorized;
    // The solver for one authorization; Usage error when none can answer it (a wildcard
    // needs DNS-01).
    std::function<Result<challenges::Solver*>(const acme::Authorization&)> solverFor;
    BeforePresent beforePresent; // may be empty
};

// Every authorization of the order is valid when this returns success.
Status authorizeOrder(Services& services, acme::Client& client, const AuthorizeRequest& request);

// Whether `authz` is for one of `requested` (a wildcard authorization for "*.<value>").
bool isRequested(const acme::Authorization& authz, const std::vector<acme::Identifier>& requested);

} // namespace certkeep::lifecycle

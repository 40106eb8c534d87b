#include "lifecycle/authorize.hpp"

#include "acme/problem.hpp"
#include "common/ip.hpp"

#include <algorithm>
#include <set>

namespace certkeep::lifecycle {

namespace {

// One authorization that needs an answer.
struct Work {
    std::string url;
    std::string identifier; // as shown: "*.example.com" for a wildcard
    acme::Challenge challenge;
    challenges::Solver* solver = nullptr; // nullptr: dns-persist-01, nothing to present
    challenges::ChallengeTask task;
};

// Withdraws every presented task when it goes out of scope, whatever happened.
class CleanupGuard {
  public:
    explicit CleanupGuard(ActiveSolvers& active) : active_(active) {}
    ~CleanupGuard() {
        for (const auto& [solver, task] : presented_) {
            (void)solver->cleanup(task); // best effort: nothing is left to report to
        }
        for (auto* solver : solvers_) {
            active_.remove(solver);
        }
    }
    CleanupGuard(const CleanupGuard&) = delete;
    CleanupGuard& operator=(const CleanupGuard&) = delete;
    void add(challenges::Solver* solver, const challenges::ChallengeTask& task) {
        if (std::find(solvers_.begin(), solvers_.end(), solver) == solvers_.end()) {
            solvers_.push_back(solver);
            active_.add(solver);
        }
        presented_.emplace_back(solver, task);
    }

  private:
    ActiveSolvers& active_;
    std::vector<challenges::Solver*> solvers_;
    std::vector<std::pair<challenges::Solver*, challenges::ChallengeTask>> presented_;
};

std::string shownIdentifier(const acme::Authorization& authz) {
    return (authz.wildcard ? "*." : "") + authz.identifier.value;
}

// The words for a failed authorization: the identifier first, then the CA's reason and a hint.
Error authzError(const acme::Authorization& authz) {
    const std::string who = shownIdentifier(authz);
    for (const auto& c : authz.challenges) {
        if (c.error) {
            Error e = makeError(acme::kindForProblem(*c.error, acme::ProblemSource::Validation),
                                acme::describeProblem(*c.error, "validation of " + who,
                                                      acme::ProblemSource::Validation, c.type));
            e.problem = c.error;
            return e;
        }
    }
    return makeError(ErrorKind::Validation, "validation of " + who +
                                                " failed: the CA marked the authorization " +
                                                authz.status + " without giving a reason");
}

void logLine(const Services& services, const std::string& line) {
    if (services.log) {
        services.log(line);
    }
}

// The account URI a dns-persist-01 record must carry: the CA's accounturi, else our own URL.
std::string persistAccount(const acme::Challenge& challenge, const AuthorizeRequest& request) {
    return challenge.accountUri.empty() ? request.accountUrl : challenge.accountUri;
}

// dns-persist-01 (draft-ietf-acme-dns-persist-01): the challenge to answer when the CA offers
// it and the record authorizes us on every authoritative server; nullopt otherwise. A check
// that fails is a note, never a failure: the solver's challenge is answered instead.
std::optional<acme::Challenge> persistChallenge(const Services& services,
                                                const AuthorizeRequest& request,
                                                const acme::Authorization& authz) {
    const auto& check =
        request.persistAuthorized ? request.persistAuthorized : services.persistAuthorized;
    if (!check || authz.identifier.type != "dns") {
        return std::nullopt;
    }
    auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                           [](const acme::Challenge& c) { return c.type == acme::kDnsPersist01; });
    if (it == authz.challenges.end()) {
        return std::nullopt;
    }
    const std::string who = shownIdentifier(authz);
    const std::string account = persistAccount(*it, request);
    if (account.empty()) {
        logLine(services, "dns-persist-01 offered for " + who + ", not used: no account URL");
        return std::nullopt;
    }
    auto authorized = check(authz.identifier.value, authz.wildcard, it->issuerDomainNames, account);
    if (authorized && *authorized) {
        logLine(services, "dns-persist-01 record for " + who +
                              " in place on every authoritative server: answering "
                              "dns-persist-01, no DNS change");
        return *it;
    }
    if (!authorized && services.note) {
        services.note("note: dns-persist-01 not used for " + who + ": " +
                      authorized.error().message);
    }
    logLine(services, "dns-persist-01 offered for " + who + ", not used: " +
                          (authorized ? std::string("no record for this account")
                                      : authorized.error().message));
    return std::nullopt;
}

// Fetches one authorization and decides what to answer; nullopt when it is already valid.
Result<std::optional<Work>> prepare(Services& services, acme::Client& client,
                                    const AuthorizeRequest& request, const std::string& url) {
    auto authz = client.fetchAuthorization(url);
    if (!authz) {
        return authz.takeError();
    }
    if (!isRequested(*authz, request.requested)) {
        return fail(ErrorKind::Protocol,
                    "the CA sent an authorization for " + shownIdentifier(*authz) +
                        ", which this order did not ask for; refusing to answer it");
    }
    if (authz->status == "valid") {
        return std::optional<Work>(); // reused authorization: nothing to do
    }
    if (authz->status != "pending") {
        return fail(authzError(*authz));
    }
    if (auto persist = persistChallenge(services, request, *authz)) {
        return std::optional<Work>(Work{url, shownIdentifier(*authz), *persist, nullptr, {}});
    }
    auto solver = request.solverFor(*authz);
    if (!solver) {
        return solver.takeError();
    }
    const std::string type = (*solver)->type();
    auto it = std::find_if(authz->challenges.begin(), authz->challenges.end(),
                           [&](const acme::Challenge& c) { return c.type == type; });
    if (it == authz->challenges.end()) {
        return fail(ErrorKind::Usage, "the CA offers no " + type + " challenge for " +
                                          shownIdentifier(*authz) +
                                          "; choose another challenge type");
    }
    if (!challenges::isValidToken(it->token)) {
        return fail(ErrorKind::Protocol, "the CA sent an invalid challenge token for " +
                                             shownIdentifier(*authz) + "; refusing to use it");
    }
    Work w{url, shownIdentifier(*authz), *it, *solver, {}};
    w.task = {authz->identifier.value, authz->wildcard, it->token,
              acme::keyAuthorization(it->token, request.thumbprint)};
    return std::optional<Work>(std::move(w));
}

// Records, then presents every task; the guard withdraws them later.
Status presentAll(const AuthorizeRequest& request, std::vector<Work>& work, CleanupGuard& guard) {
    std::vector<challenges::Solver*> solvers;
    for (const auto& w : work) {
        if (w.solver != nullptr &&
            std::find(solvers.begin(), solvers.end(), w.solver) == solvers.end()) {
            solvers.push_back(w.solver);
        }
    }
    for (auto* solver : solvers) {
        std::vector<challenges::ChallengeTask> tasks;
        for (const auto& w : work) {
            if (w.solver == solver) {
                tasks.push_back(w.task);
            }
        }
        if (request.beforePresent) {
            if (auto st = request.beforePresent(*solver, tasks); !st) {
                return st;
            }
        }
    }
    for (const auto& w : work) {
        if (w.solver == nullptr) {
            continue; // dns-persist-01: the record is already there
        }
        guard.add(w.solver, w.task); // before present: a half-done present is cleaned too
        if (auto st = w.solver->present(w.task); !st) {
            return fail(
                std::move(st).error().context("presenting the challenge for " + w.identifier));
        }
    }
    return {};
}

Status waitReadyAll(Services& services, const std::vector<Work>& work) {
    auto deadline = services.clock.now() + services.flow.readyTimeout;
    std::set<challenges::Solver*> done;
    for (const auto& w : work) {
        if (w.solver != nullptr && done.insert(w.solver).second) {
            if (auto st = w.solver->waitReady(deadline); !st) {
                return st;
            }
        }
    }
    return {};
}

// §7.5.1 respond to each, then wait for each result.
Status respondAndWait(Services& services, acme::Client& client, const std::vector<Work>& work) {
    for (const auto& w : work) {
        if (auto st = client.respondChallenge(w.challenge); !st) {
            return fail(std::move(st).error().context(w.identifier));
        }
    }
    for (const auto& w : work) {
        if (auto* notifier = w.solver != nullptr ? w.solver->fetchNotifier() : nullptr) {
            // A solver that sees the CA's fetch saves polling requests; others just poll.
            (void)notifier->awaitFetch(w.task.token, services.flow.fetchNoticeTimeout);
        }
        auto authz = client.waitAuthorization(w.url);
        if (!authz) {
            return authz.takeError();
        }
        if (authz->status != "valid") {
            return fail(authzError(*authz));
        }
    }
    return {};
}

} // namespace

bool isRequested(const acme::Authorization& authz, const std::vector<acme::Identifier>& requested) {
    const auto& id = authz.identifier;
    return std::any_of(requested.begin(), requested.end(), [&](const acme::Identifier& r) {
        if (r.type != id.type) {
            return false;
        }
        if (id.type == "ip") {
            return !authz.wildcard && canonicalIp(r.value) == canonicalIp(id.value) &&
                   !canonicalIp(r.value).empty();
        }
        return r.value == (authz.wildcard ? "*." + id.value : id.value);
    });
}

Status authorizeOrder(Services& services, acme::Client& client, const AuthorizeRequest& request) {
    std::vector<Work> work;
    for (const auto& url : request.order->authorizations) {
        auto prepared = prepare(services, client, request, url);
        if (!prepared) {
            return prepared.takeError();
        }
        if (*prepared) {
            work.push_back(std::move(**prepared));
        }
    }
    if (work.empty()) {
        return {};
    }
    CleanupGuard guard(services.active);
    if (auto st = presentAll(request, work, guard); !st) {
        return st;
    }
    if (auto st = waitReadyAll(services, work); !st) {
        return st;
    }
    return respondAndWait(services, client, work);
}

} // namespace certkeep::lifecycle

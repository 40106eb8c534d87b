#include "lifecycle/issuance.hpp"

#include "acme/problem.hpp"
#include "common/url.hpp"
#include "lifecycle/authorize.hpp"
#include "lifecycle/certificate.hpp"
#include "lifecycle/persist_check.hpp"
#include "lifecycle/version_meta.hpp"

#include <algorithm>

namespace certkeep::lifecycle {

namespace {

// Everything one run of the flow works with.
struct Flow {
    Services& services;
    const AccountSpec& accountSpec;
    const CertificateSpec& spec;
    const IssueOptions& options;
    AccountSession session;
    challenges::SolverPtr solver;
    store::PendingOrder pending;
    bool pendingSaved = false;
    store::LockPtr lock; // the certificate lock, held for the whole run
    bool dryRunDone = false;
};

// A lock is a lease (an etcd store can lose it): checked before each step whose effect must
// not happen twice, so two runs never finalize or store for one name at once.
Status checkLock(const Flow& f, const std::string& step) {
    if (f.lock && f.lock->held()) {
        return {};
    }
    return fail(ErrorKind::Local, "lost the lock for certificate " + f.spec.name +
                                      " (another run may hold it now); stopped before " + step);
}

void note(const Flow& f, const std::string& line) {
    if (f.services.note) {
        f.services.note(line);
    }
}

Status savePending(Flow& f) {
    ShutdownGate::Section section(f.services.gate);
    if (auto st = f.services.store.savePendingOrder(f.spec.name, f.pending); !st) {
        return st;
    }
    f.pendingSaved = true;
    return {};
}

void discardPending(Flow& f, const std::string& why) {
    note(f, "note: discarding the order a previous run left pending: " + why);
    ShutdownGate::Section section(f.services.gate);
    (void)f.services.store.removePendingOrder(f.spec.name); // best effort: it is only stale
}

// Token files an interrupted run left in a webroot, removed through a webroot solver.
void removeLeftoverTokens(Flow& f, const store::PendingOrder& p) {
    for (const auto& t : p.published) {
        if (t.kind != "webroot") {
            continue;
        }
        auto solver = f.services.solvers.webroot(t.location);
        Status st = solver ? (*solver)->cleanup({"", false, t.token, ""}) : solver.takeError();
        if (!st) {
            note(f, "warning: could not remove a challenge file a previous run left: " +
                        st.error().message);
        }
    }
}

Error orderError(const acme::Order& order) {
    if (order.error) {
        Error e = makeError(
            acme::kindForProblem(*order.error, acme::ProblemSource::Validation),
            acme::describeProblem(*order.error, "the order", acme::ProblemSource::Validation));
        e.problem = order.error;
        return e;
    }
    return makeError(ErrorKind::Acme, "the CA marked the order " + order.status +
                                          " without giving a reason (" + displayUrl(order.url) +
                                          ")");
}

// Errors after which the same request may work later: the order is kept for the next run.
bool isTransient(const Error& e) {
    return e.kind == ErrorKind::Network || e.kind == ErrorKind::Tls || e.kind == ErrorKind::Timeout;
}

// Finalize (if needed) and wait: the order must end valid; the CSR carries `key`.
Result<acme::Order> finishOrder(Flow& f, const acme::Order& order, const acme::PrivateKey& key) {
    acme::Order current = order;
    if (current.status == "ready") {
        auto csr = acme::makeCsrDer(key, identifierValues(f.spec.identifiers));
        if (!csr) {
            return csr.takeError();
        }
        auto finalized = f.session.client->finalize(current, *csr);
        if (!finalized) {
            return finalized.takeError();
        }
        current = std::move(*finalized);
        if (f.services.stepHook) {
            f.services.stepHook("finalized");
        }
    }
    auto done = f.session.client->waitOrder(current);
    if (!done) {
        return done.takeError();
    }
    if (done->status != "valid") {
        return fail(orderError(*done));
    }
    return done;
}

// Finalize (if needed), wait, download and check: the certificate of `key`, not stored yet.
Result<IssuedCertificate> completeOrder(Flow& f, const acme::Order& order,
                                        const acme::PrivateKey& key) {
    auto done = finishOrder(f, order, key);
    if (!done) {
        return done.takeError();
    }
    return downloadIssued(*f.session.client, *done, key, f.spec.identifiers, f.spec.preferredChain);
}

// A killed run's order: download what the CA issued for the stored key, or discard it.
Result<std::optional<IssuedCertificate>> resumePending(Flow& f, const store::PendingOrder& p) {
    removeLeftoverTokens(f, p);
    bool usable = !p.keyPem.empty() && !p.orderUrl.empty() &&
                  p.server == f.accountSpec.server.directoryUrl &&
                  p.accountUrl == f.session.account.url &&
                  p.identifiers == identifierKeys(f.spec.identifiers);
    if (!usable) {
        discardPending(f, "it was not finalized, or is for other names, server or account");
        return std::optional<IssuedCertificate>();
    }
    auto key = acme::PrivateKey::fromPem(p.keyPem);
    if (!key) {
        discardPending(f, "its key is unreadable: " + key.error().message);
        return std::optional<IssuedCertificate>();
    }
    auto order = f.session.client->fetchOrder(p.orderUrl);
    if (!order) {
        if (isTransient(order.error())) {
            return order.takeError(); // keep it for the next run
        }
        discardPending(f, order.error().message);
        return std::optional<IssuedCertificate>();
    }
    if (order->status != "valid" && order->status != "ready" && order->status != "processing") {
        discardPending(f, "the CA reports it " + order->status);
        return std::optional<IssuedCertificate>();
    }
    note(f, "note: resuming order " + displayUrl(p.orderUrl) +
                " that a previous run left pending: downloading what the CA issued");
    auto cert = completeOrder(f, *order, *key);
    if (!cert) {
        if (!isTransient(cert.error())) {
            discardPending(f, cert.error().message); // the next run orders afresh
        }
        return cert.takeError();
    }
    return std::optional<IssuedCertificate>(std::move(*cert));
}

// §7.4 newOrder; when the CA has forgotten our account, register the key again, once.
Result<acme::Order> newOrder(Flow& f) {
    acme::NewOrderRequest request{f.spec.identifiers, f.options.replaces, f.spec.profile};
    auto order = f.session.client->newOrder(request);
    if (!order && isAccountUnknown(order.error())) {
        if (auto st = recoverForgottenAccount(f.services, f.accountSpec, f.session); !st) {
            return st.takeError();
        }
        order = f.session.client->newOrder(request);
    }
    // RFC 9773 §5: a CA may refuse `replaces` (alreadyReplaced, another account): once without.
    if (!order && !request.replaces.empty() && acme::isReplacesRejected(order.error())) {
        note(f, "note: the CA refused to mark this order as replacing " + request.replaces + " (" +
                    order.error().message + "); ordering without it");
        request.replaces.clear();
        order = f.session.client->newOrder(request);
    }
    return order;
}

// Records webroot tokens in the pending order before they are written.
Status recordTokens(Flow& f, const std::vector<challenges::ChallengeTask>& tasks) {
    if (f.spec.challenge.webroot.empty()) {
        return {};
    }
    for (const auto& t : tasks) {
        f.pending.published.push_back({"webroot", f.spec.challenge.webroot, t.token});
    }
    return savePending(f);
}

Status authorize(Flow& f, const acme::Order& order) {
    AuthorizeRequest request;
    request.order = &order;
    request.requested = f.spec.identifiers;
    request.thumbprint = f.session.thumbprint;
    request.accountUrl = f.session.account.url;
    // --dns-resolver is asked for every DNS lookup of this certificate, the dns-persist-01
    // check's included.
    if (const auto& resolver = f.spec.challenge.dns.resolver;
        !resolver.empty() && f.services.persistAuthorized) {
        auto checker = PersistChecker::forResolver(resolver, f.services.clock);
        if (checker) {
            request.persistAuthorized = persistAuthorizedBy(std::move(*checker));
        }
    }
    request.solverFor = [&f](const acme::Authorization& authz) -> Result<challenges::Solver*> {
        if (authz.wildcard && f.solver->type() != "dns-01") {
            return fail(ErrorKind::Usage, "*." + authz.identifier.value +
                                              " needs the dns-01 challenge; HTTP-01 cannot "
                                              "validate wildcards");
        }
        return f.solver.get();
    };
    request.beforePresent = [&f](challenges::Solver&,
                                 const std::vector<challenges::ChallengeTask>& tasks) {
        return recordTokens(f, tasks);
    };
    return authorizeOrder(f.services, *f.session.client, request);
}

// renew --dry-run: the challenges were validated; give the authorizations back (§7.5.2)
// instead of finalizing, so nothing is issued and no valid authorization is left behind.
Result<IssuedCertificate> deactivateForDryRun(Flow& f, const acme::Order& order) {
    if (f.pendingSaved) {
        ShutdownGate::Section section(f.services.gate);
        (void)f.services.store.removePendingOrder(f.spec.name);
    }
    for (const auto& url : order.authorizations) {
        if (auto st = f.session.client->deactivateAuthorization(url); !st) {
            note(f, "warning: dry run: could not deactivate authorization " + displayUrl(url) +
                        ": " + st.error().message);
        }
    }
    f.dryRunDone = true;
    return IssuedCertificate{};
}

// Order, authorize, then the key and order URL go to the store before finalize.
Result<IssuedCertificate> orderNew(Flow& f) {
    auto order = newOrder(f);
    if (!order) {
        return order.takeError();
    }
    f.pending = {f.accountSpec.server.directoryUrl,
                 f.session.account.url,
                 order->url,
                 identifierKeys(f.spec.identifiers),
                 "",
                 {},
                 f.services.clock.wallNow()};
    if (order->status == "invalid") {
        return fail(orderError(*order));
    }
    if (order->status == "pending") {
        if (auto st = authorize(f, *order); !st) {
            if (f.pendingSaved) {
                ShutdownGate::Section section(f.services.gate);
                (void)f.services.store.removePendingOrder(f.spec.name);
            }
            return st.takeError();
        }
        order->status = "ready";
    }
    if (f.options.dryRun) {
        return deactivateForDryRun(f, *order);
    }
    auto key = f.options.reuseKeyPem.empty() ? acme::PrivateKey::generate(f.spec.keyType)
                                             : acme::PrivateKey::fromPem(f.options.reuseKeyPem);
    if (!key) {
        return key.takeError();
    }
    auto pem = key->toPem();
    if (!pem) {
        return pem.takeError();
    }
    f.pending.keyPem = *pem;
    f.pending.published.clear(); // cleaned up by now
    if (auto st = checkLock(f, "finalize"); !st) {
        return st.takeError();
    }
    if (auto st = savePending(f); !st) {
        return st.takeError();
    }
    auto done = finishOrder(f, *order, *key);
    if (!done) {
        if (!isTransient(done.error())) {
            ShutdownGate::Section section(f.services.gate);
            (void)f.services.store.removePendingOrder(f.spec.name); // nothing was issued
        }
        return done.takeError();
    }
    return downloadIssued(*f.session.client, *done, *key, f.spec.identifiers,
                          f.spec.preferredChain);
}

// The settings record, written only when it changed (a renewal usually repeats them: no fsync).
Status saveSettingsIfChanged(Flow& f) {
    store::CertSettings wanted =
        f.options.settings ? *f.options.settings : settingsOf(f.accountSpec, f.spec);
    auto stored = f.services.store.loadSettings(f.spec.name);
    if (stored && *stored && **stored == wanted) {
        return {};
    }
    return f.services.store.saveSettings(f.spec.name, wanted);
}

// The new version, its settings, and the pending order gone: in one uninterruptible section.
Result<IssueOutcome> storeIssued(Flow& f, const IssuedCertificate& cert, bool recovered) {
    store::CertVersion version{0,
                               cert.certPem,
                               cert.chainPem,
                               cert.fullchainPem,
                               cert.keyPem,
                               metaJson(f.accountSpec, f.spec, cert, f.services.clock.wallNow()),
                               f.options.settings ? f.options.settings->keyAccess
                                                  : store::KeyAccess{}};
    if (auto st = checkLock(f, "storing the certificate (the next run resumes the order)"); !st) {
        return st.takeError();
    }
    ShutdownGate::Section section(f.services.gate);
    auto saved = f.services.store.saveCertificate(f.spec.name, version);
    if (!saved) {
        return saved.takeError();
    }
    if (auto st = f.services.store.removePendingOrder(f.spec.name); !st) {
        note(f, "warning: " + st.error().message);
    }
    if (auto st = saveSettingsIfChanged(f); !st) {
        note(f,
             "warning: the certificate is stored, but its settings are not: " + st.error().message);
    }
    IssueOutcome out;
    out.name = f.spec.name;
    out.version = *saved;
    out.liveLocation = f.services.store.liveLocation(f.spec.name);
    out.info = cert.info;
    out.leafPem = cert.certPem;
    out.identifiers = identifierValues(f.spec.identifiers);
    out.recovered = recovered;
    return out;
}

// Changing the names of an existing certificate needs --replace-names: a typo in -d must not
// replace a live site's certificate.
Status checkNames(Flow& f) {
    auto stored = storedIdentifiers(f.services.store, f.spec.name);
    if (!stored) {
        return stored.takeError();
    }
    if (stored->empty() || f.spec.replaceNames) {
        return {};
    }
    auto want = identifierValues(f.spec.identifiers);
    auto have = *stored;
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    if (want == have) {
        return {};
    }
    return fail(ErrorKind::Usage, "certificate \"" + f.spec.name + "\" is for " +
                                      joinIdentifiers(*stored) + ", and this run asks for " +
                                      joinIdentifiers(identifierValues(f.spec.identifiers)) +
                                      ": add --replace-names to change its names, or choose "
                                      "another --name");
}

// Draft ACME profiles: a profile the CA does not offer is refused, naming the offered ones.
Status checkProfile(const Flow& f) {
    const auto& offered = f.session.client->directory().profiles;
    if (f.spec.profile.empty() || offered.count(f.spec.profile) != 0U) {
        return {};
    }
    std::string names;
    for (const auto& [name, description] : offered) {
        names += (names.empty() ? "" : ", ") + name;
    }
    return fail(ErrorKind::Usage,
                "the CA does not offer the profile \"" + f.spec.profile + "\"" +
                    (names.empty() ? " (it offers no profiles)" : "; it offers: " + names));
}

// What can be checked without the network, so no order or rate limit is wasted.
Status preflight(Flow& f) {
    if (auto st = f.services.store.checkWritable(f.spec.name); !st) {
        return st;
    }
    if (auto st = f.services.store.removeLeftovers(f.spec.name); !st) {
        return st;
    }
    return checkNames(f);
}

// The spec's solver: listening (or the webroot checked, the DNS provider ready) before any
// request.
Status startSolver(Flow& f) {
    auto solver = makeSolver(f.services.solvers, f.spec.challenge);
    if (!solver) {
        return solver.takeError();
    }
    f.solver = std::move(*solver);
    return {};
}

} // namespace

Result<std::vector<std::string>> storedIdentifiers(store::Store& store, const std::string& name) {
    auto settings = store.loadSettings(name);
    if (!settings) {
        return settings.takeError();
    }
    std::vector<std::string> out;
    if (*settings && !(*settings)->identifiers.empty()) {
        for (const auto& key : (*settings)->identifiers) {
            auto colon = key.find(':');
            out.push_back(colon == std::string::npos ? key : key.substr(colon + 1));
        }
        return out;
    }
    auto live = store.loadLive(name);
    if (!live) {
        return live.takeError();
    }
    if (!*live) {
        return out;
    }
    auto info = acme::inspectCertPem((*live)->certPem);
    if (!info) {
        return fail(ErrorKind::Config,
                    "the live certificate of " + name + " is unreadable: " + info.error().message);
    }
    out = info->dnsNames;
    out.insert(out.end(), info->ipAddresses.begin(), info->ipAddresses.end());
    return out;
}

Result<IssueOutcome> issueCertificate(Services& services, const AccountSpec& account,
                                      const CertificateSpec& spec, const IssueOptions& options) {
    Flow f{services, account, spec, options, {}, nullptr, {}, false, nullptr};
    // issue: the solver first, so a busy port or a bad webroot fails before the store is
    // touched. renew (stillNeeded): the lock and the re-check first, so a run that loses the
    // race for a certificate waits, finds it renewed, and never fights over the port.
    bool renewal = static_cast<bool>(options.stillNeeded);
    if (!renewal) {
        if (auto st = startSolver(f); !st) {
            return st.takeError();
        }
    }
    auto lock = services.store.lockCertificate(spec.name, services.flow.lockTimeout);
    if (!lock && renewal && lock.error().kind == ErrorKind::Local) {
        IssueOutcome out; // the run holding it is renewing it: leave it to that run
        out.name = spec.name;
        out.busy = true;
        out.busyReason = lock.error().message;
        return out;
    }
    if (!lock) {
        return lock.takeError();
    }
    f.lock = std::move(*lock);
    if (renewal) {
        auto needed = options.stillNeeded();
        if (!needed) {
            return needed.takeError();
        }
        if (!*needed) {
            IssueOutcome out;
            out.name = spec.name;
            out.notNeeded = true;
            return out;
        }
        if (auto st = startSolver(f); !st) {
            return st.takeError();
        }
    }
    if (auto st = preflight(f); !st) {
        return st.takeError();
    }
    auto session = openAccount(services, account, AccountMode::Create);
    if (!session) {
        return session.takeError();
    }
    f.session = std::move(*session);
    if (auto st = checkProfile(f); !st) {
        return st.takeError();
    }
    auto pending = services.store.loadPendingOrder(spec.name);
    if (!pending) {
        return pending.takeError();
    }
    if (*pending && !options.dryRun) {
        auto resumed = resumePending(f, **pending);
        if (!resumed) {
            return resumed.takeError();
        }
        if (*resumed) {
            return storeIssued(f, **resumed, true);
        }
    }
    auto cert = orderNew(f);
    if (!cert) {
        return cert.takeError();
    }
    if (f.dryRunDone) {
        IssueOutcome out;
        out.name = spec.name;
        out.identifiers = identifierValues(spec.identifiers);
        out.dryRun = true;
        return out;
    }
    return storeIssued(f, *cert, false);
}

} // namespace certkeep::lifecycle

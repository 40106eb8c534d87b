#include "acme/issuance.hpp"

#include "acme/problem.hpp"

#include <algorithm>

namespace certkeep::acme {

namespace {

// A presented challenge that must be withdrawn whatever happens.
struct Presented {
    std::string domain;
    std::string token;
};

class CleanupGuard {
  public:
    explicit CleanupGuard(challenges::Solver& solver) : solver_(solver) {}
    ~CleanupGuard() {
        for (const auto& p : presented_) {
            (void)solver_.cleanup(p.domain, p.token); // best effort; nothing left to report to
        }
    }
    CleanupGuard(const CleanupGuard&) = delete;
    CleanupGuard& operator=(const CleanupGuard&) = delete;
    void add(Presented p) { presented_.push_back(std::move(p)); }

  private:
    challenges::Solver& solver_;
    std::vector<Presented> presented_;
};

struct Pending {
    std::string authzUrl;
    std::string domain;
    std::string token;
};

// The words for a failed authorization: the domain first, then the CA's reason and a hint.
Error authzError(const Authorization& authz) {
    const std::string& domain = authz.identifier.value;
    for (const auto& c : authz.challenges) {
        if (c.error) {
            Error e = makeError(
                kindForProblem(*c.error, ProblemSource::Validation),
                describeProblem(*c.error, "validation of " + domain, ProblemSource::Validation));
            e.problem = c.error;
            return e;
        }
    }
    return makeError(ErrorKind::Validation, "validation of " + domain +
                                                " failed: the CA marked "
                                                "the authorization " +
                                                authz.status + " without giving a reason");
}

// Presents and answers the solver's challenge of one pending authorization.
Result<std::optional<std::string>> startAuthorization(Client& client, challenges::Solver& solver,
                                                      const Authorization& authz,
                                                      const std::string& thumbprint,
                                                      CleanupGuard& guard) {
    const std::string& domain = authz.identifier.value;
    if (authz.status == "valid") {
        return std::optional<std::string>(); // reused authorization: nothing to do
    }
    if (authz.status != "pending") {
        return fail(authzError(authz));
    }
    auto it = std::find_if(authz.challenges.begin(), authz.challenges.end(),
                           [&](const Challenge& c) { return c.type == solver.type(); });
    if (it == authz.challenges.end()) {
        return fail(
            ErrorKind::Usage,
            "the CA offers no " + solver.type() + " challenge for " + domain +
                (authz.wildcard ? " (wildcards need dns-01)" : "; choose another challenge type"));
    }
    if (!challenges::isValidToken(it->token)) {
        return fail(ErrorKind::Protocol, "the CA sent an invalid challenge token for " + domain +
                                             "; refusing to use it");
    }
    auto presented = solver.present(domain, it->token, keyAuthorization(it->token, thumbprint));
    if (!presented) {
        return presented.takeError();
    }
    guard.add({domain, it->token});
    auto answered = client.respondChallenge(*it);
    if (!answered) {
        return fail(std::move(answered).error().context(domain));
    }
    return std::optional<std::string>(it->token);
}

// RFC 8555 §7.5: fetch every authorization, answer all, then wait for each.
Status authorizeAll(Client& client, challenges::Solver& solver, const Order& order,
                    const std::string& thumbprint) {
    CleanupGuard guard(solver);
    std::vector<Pending> pending;
    for (const auto& url : order.authorizations) {
        auto authz = client.fetchAuthorization(url);
        if (!authz) {
            return authz.takeError();
        }
        auto started = startAuthorization(client, solver, *authz, thumbprint, guard);
        if (!started) {
            return started.takeError();
        }
        if (*started) {
            pending.push_back({url, authz->identifier.value, **started});
        }
    }
    for (const auto& p : pending) {
        // A solver that sees the CA's fetch saves polling requests; others just poll.
        (void)solver.awaitFetch(p.token, std::chrono::seconds(2));
        auto authz = client.waitAuthorization(p.authzUrl);
        if (!authz) {
            return authz.takeError();
        }
        if (authz->status != "valid") {
            return fail(authzError(*authz));
        }
    }
    return {};
}

// Leaf and intermediates of one PEM bundle.
struct SplitChain {
    std::string leaf;
    std::string intermediates;
};

Result<SplitChain> splitChain(const std::string& pem) {
    auto certs = splitPemChain(pem);
    if (!certs) {
        return certs.takeError();
    }
    SplitChain out;
    out.leaf = certs->front();
    for (std::size_t i = 1; i < certs->size(); ++i) {
        out.intermediates += (*certs)[i];
    }
    return out;
}

Result<std::string> topIssuerOf(const std::string& pem) {
    auto certs = splitPemChain(pem);
    if (!certs) {
        return certs.takeError();
    }
    auto info = inspectCertPem(certs->back());
    if (!info) {
        return info.takeError();
    }
    return info->issuerCn;
}

// Downloads the default chain and, when a preferred issuer is asked for, the alternates.
Result<std::string> downloadChosenChain(Client& client, const std::string& url,
                                        const std::string& preferred) {
    auto chain = client.downloadCertificate(url);
    if (!chain) {
        return chain.takeError();
    }
    std::vector<std::string> chains{chain->pem};
    if (!preferred.empty()) {
        auto top = topIssuerOf(chain->pem);
        if (top && *top != preferred) {
            for (const auto& alt : chain->alternates) {
                auto other = client.downloadCertificate(alt);
                if (!other) {
                    return other.takeError();
                }
                chains.push_back(other->pem);
            }
        }
    }
    auto index = choosePreferredChain(chains, preferred);
    if (!index) {
        return index.takeError();
    }
    return chains[*index];
}

Error orderError(const Order& order) {
    if (order.error) {
        Error e = makeError(kindForProblem(*order.error, ProblemSource::Validation),
                            describeProblem(*order.error, "the order", ProblemSource::Validation));
        e.problem = order.error;
        return e;
    }
    return makeError(ErrorKind::Acme, "the CA marked the order " + order.status +
                                          " without giving a reason (" + order.url + ")");
}

// Checks what the CA sent before anything is stored: our key, our names.
Result<IssuedCertificate> assembleIssued(const std::string& pem, const PrivateKey& key,
                                         const std::vector<std::string>& domains,
                                         const std::string& orderUrl) {
    auto parts = splitChain(pem);
    if (!parts) {
        return fail(std::move(parts).error().context("the downloaded certificate"));
    }
    auto matches = certMatchesKey(parts->leaf, key);
    if (!matches || !*matches) {
        return fail(ErrorKind::Protocol,
                    "the CA returned a certificate that does not match our key; not storing it");
    }
    auto info = inspectCertPem(parts->leaf);
    if (!info) {
        return info.takeError();
    }
    for (const auto& d : domains) {
        if (std::find(info->dnsNames.begin(), info->dnsNames.end(), d) == info->dnsNames.end()) {
            return fail(ErrorKind::Protocol,
                        "the CA returned a certificate without " + d + "; not storing it");
        }
    }
    auto keyPem = key.toPem();
    if (!keyPem) {
        return keyPem.takeError();
    }
    IssuedCertificate out;
    out.certPem = parts->leaf;
    out.chainPem = parts->intermediates;
    out.fullchainPem = parts->leaf + parts->intermediates;
    out.keyPem = std::move(*keyPem);
    out.info = std::move(*info);
    out.orderUrl = orderUrl;
    auto top = topIssuerOf(pem);
    out.topIssuer = top ? *top : std::string();
    return out;
}

} // namespace

Result<std::size_t> choosePreferredChain(const std::vector<std::string>& chains,
                                         const std::string& preferred) {
    if (chains.empty()) {
        return fail(ErrorKind::Protocol, "the CA sent no certificate chain");
    }
    if (!preferred.empty()) {
        for (std::size_t i = 0; i < chains.size(); ++i) {
            auto top = topIssuerOf(chains[i]);
            if (top && *top == preferred) {
                return i;
            }
        }
    }
    return std::size_t{0};
}

Result<IssuedCertificate> issueCertificate(Client& client, challenges::Solver& solver,
                                           const IssueRequest& request,
                                           const std::string& thumbprint) {
    auto order = client.newOrder(request.domains);
    if (!order) {
        return order.takeError();
    }
    if (order->status == "pending") {
        if (auto st = authorizeAll(client, solver, *order, thumbprint); !st) {
            return st.takeError();
        }
    } else if (order->status == "invalid") {
        return fail(orderError(*order));
    }
    auto key = PrivateKey::generate(request.keyType);
    if (!key) {
        return key.takeError();
    }
    auto csr = makeCsrDer(*key, request.domains);
    if (!csr) {
        return csr.takeError();
    }
    auto finalized = client.finalize(*order, *csr);
    if (!finalized) {
        return finalized.takeError();
    }
    auto done = client.waitOrder(*finalized);
    if (!done) {
        return done.takeError();
    }
    if (done->status != "valid" || !isPlausibleUrl(done->certificate)) {
        return fail(orderError(*done));
    }
    auto pem = downloadChosenChain(client, done->certificate, request.preferredChain);
    if (!pem) {
        return pem.takeError();
    }
    return assembleIssued(*pem, *key, request.domains, order->url);
}

} // namespace certkeep::acme

// Revocation of a stored certificate (RFC 8555 §7.6) under its lock, by the account key or
// by the certificate key, then the mark in the renewal state that makes `renew` replace it.
#include "lifecycle/revoke.hpp"

#include "acme/client.hpp"
#include "acme/crypto/csr.hpp"
#include "acme/problem.hpp"
#include "lifecycle/account.hpp"
#include "lifecycle/account_ops.hpp"

#include <algorithm>
#include <cctype>

namespace certkeep::lifecycle {

namespace {

struct ReasonName {
    const char* name;
    int code;
};

// RFC 5280 §5.3.1 CRLReason (7 is unused).
constexpr ReasonName kReasons[] = {{"unspecified", 0},        {"keyCompromise", 1},
                                   {"cACompromise", 2},       {"affiliationChanged", 3},
                                   {"superseded", 4},         {"cessationOfOperation", 5},
                                   {"certificateHold", 6},    {"removeFromCRL", 8},
                                   {"privilegeWithdrawn", 9}, {"aACompromise", 10}};

// Lower case without '-' and '_': "Key-Compromise" and "keyCompromise" are the same name.
std::string folded(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c != '-' && c != '_') {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

// The version to revoke and whether it is the live one; NotFound naming what is missing.
Result<std::pair<store::CertVersion, bool>> versionToRevoke(store::Store& store,
                                                            const RevokeRequest& request) {
    auto live = store.loadLive(request.name);
    if (!live) {
        return live.takeError();
    }
    if (!*live) {
        return fail(ErrorKind::NotFound, "no certificate named \"" + request.name +
                                             "\" in the store (see certkeep status)");
    }
    if (!request.version || *request.version == (*live)->number) {
        return std::pair{std::move(**live), true};
    }
    auto version = store.loadVersion(request.name, *request.version);
    if (!version) {
        return fail(std::move(version).error().context("revoking \"" + request.name + "\""));
    }
    return std::pair{std::move(*version), false};
}

// §7.6 signed by the account key (kid), after settling a half-done key rollover.
Status revokeByAccount(Services& services, const AccountSpec& spec, const std::string& der,
                       std::optional<int> reason) {
    if (auto st = settleStagedKey(services, spec); !st) {
        return st;
    }
    AccountSpec quiet = spec;
    quiet.emailGiven = false;
    quiet.keyAlgGiven = false;
    auto session = openAccount(services, quiet, AccountMode::Existing);
    if (!session) {
        return session.takeError();
    }
    return session->client->revokeCertificate(der, reason);
}

// §7.6 signed by the certificate key (jwk): no account is needed.
Status revokeByCertificateKey(Services& services, const AccountSpec& spec,
                              const store::CertVersion& version, const std::string& der,
                              std::optional<int> reason) {
    auto key = acme::PrivateKey::fromPem(version.keyPem);
    if (!key) {
        return fail(ErrorKind::Config, "the stored private key of version " +
                                           std::to_string(version.number) +
                                           " is unreadable: " + key.error().message);
    }
    acme::KeySigner signer(std::move(*key));
    acme::ClientOptions options = services.client;
    options.clock = &services.clock;
    options.log = services.log;
    acme::Client client(services.transport, signer, options);
    if (auto st = client.loadDirectory(spec.server.directoryUrl); !st) {
        return st;
    }
    acme::PostOptions post;
    post.useJwk = true;
    post.signer = &signer;
    return client.revokeCertificate(der, reason, post);
}

// The account cannot revoke it (not its certificate, no account stored, or the CA forgot
// the account): the certificate key can.
bool fallsBackToCertificateKey(const Error& error) {
    return error.kind == ErrorKind::NotFound || isAccountUnknown(error) ||
           (error.problem && error.problem->shortType() == "unauthorized");
}

// RenewalState of the live version: revoked, so the next renew replaces it.
Status markRevoked(Services& services, const std::string& name, int version,
                   std::optional<int> reason) {
    auto state = services.store.loadRenewalState(name);
    if (!state) {
        return state.takeError();
    }
    state->revokedAt = services.clock.wallNow();
    state->revokedVersion = version;
    state->revokedReason = revocationReasonName(reason.value_or(0));
    ShutdownGate::Section section(services.gate);
    return services.store.saveRenewalState(name, *state);
}

} // namespace

Result<int> parseRevocationReason(std::string_view name) {
    for (const auto& r : kReasons) {
        if (folded(r.name) == folded(name)) {
            return r.code;
        }
    }
    std::string names;
    for (const auto& r : kReasons) {
        names += (names.empty() ? "" : ", ") + std::string(r.name);
    }
    return fail(ErrorKind::Usage, "unknown revocation reason \"" + std::string(name).substr(0, 60) +
                                      "\": use one of " + names);
}

std::string revocationReasonName(int code) {
    auto it = std::find_if(std::begin(kReasons), std::end(kReasons),
                           [code](const ReasonName& r) { return r.code == code; });
    return it == std::end(kReasons) ? std::string() : it->name;
}

Result<RevokeOutcome> revokeCertificate(Services& services, const AccountSpec& account,
                                        const RevokeRequest& request) {
    // A look first: an unknown NAME is refused without taking (and creating) a lock for it.
    auto peek = services.store.loadLiveMeta(request.name);
    if (!peek || !*peek) {
        return peek ? fail(ErrorKind::NotFound, "no certificate named \"" + request.name +
                                                    "\" in the store (see certkeep status)")
                    : peek.takeError();
    }
    auto lock = services.store.lockCertificate(request.name, services.flow.lockTimeout);
    if (!lock) {
        return lock.takeError();
    }
    auto target = versionToRevoke(services.store, request);
    if (!target) {
        return target.takeError();
    }
    const store::CertVersion& version = target->first;
    auto der = acme::certPemToDer(version.certPem);
    auto info = acme::inspectCertPem(version.certPem);
    if (!der || !info) {
        return fail(ErrorKind::Config, "the stored certificate \"" + request.name + "\" version " +
                                           std::to_string(version.number) + " does not parse");
    }
    RevokeOutcome out{request.name, version.number, target->second, info->serialHex,
                      request.useCertificateKey};
    if (!out.byCertificateKey) {
        auto st = revokeByAccount(services, account, *der, request.reason);
        if (!st && !fallsBackToCertificateKey(st.error())) {
            return st.takeError();
        }
        if (!st && services.note) {
            services.note("note: the account cannot revoke \"" + request.name + "\" (" +
                          st.error().message + "); revoking it with the certificate's own key");
        }
        out.byCertificateKey = !st;
    }
    if (out.byCertificateKey) {
        if (auto st = revokeByCertificateKey(services, account, version, *der, request.reason);
            !st) {
            return st.takeError();
        }
    }
    if (out.live) {
        if (auto st = markRevoked(services, request.name, version.number, request.reason); !st) {
            return fail(std::move(st).error().context(
                "the certificate was revoked, but recording it failed (run certkeep renew --name " +
                request.name + " --force to replace it)"));
        }
    }
    return out;
}

} // namespace certkeep::lifecycle

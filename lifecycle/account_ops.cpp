// Account operations: key rollover with a staged key (RFC 8555 §7.3.5), the settling of a
// rollover a killed run left in flight, contact update (§7.3.2) and deactivation (§7.3.6).
#include "lifecycle/account_ops.hpp"

#include "acme/client.hpp"
#include "common/url.hpp"
#include "lifecycle/account.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

namespace certkeep::lifecycle {

namespace {

// A client signing with `key`, the directory of spec.server loaded.
struct KeyClient {
    std::unique_ptr<acme::KeySigner> signer;
    std::unique_ptr<acme::Client> client;
};

Result<KeyClient> clientFor(Services& services, const AccountSpec& spec, acme::PrivateKey key) {
    KeyClient c;
    c.signer = std::make_unique<acme::KeySigner>(std::move(key));
    acme::ClientOptions options = services.client;
    options.clock = &services.clock;
    options.log = services.log;
    c.client = std::make_unique<acme::Client>(services.transport, *c.signer, options);
    if (auto st = c.client->loadDirectory(spec.server.directoryUrl); !st) {
        return st.takeError();
    }
    return c;
}

Status save(Services& services, const std::string& server, const store::AccountData& account) {
    ShutdownGate::Section section(services.gate);
    return services.store.saveAccount(server, account);
}

void note(Services& services, const std::string& line) {
    if (services.note) {
        services.note(line);
    }
}

std::string thumbprintOf(const acme::Signer& signer) {
    auto t = acme::jwkThumbprint(signer.jwk());
    return t ? *t : std::string();
}

Error noStoredAccount(const std::string& server) {
    return makeError(ErrorKind::NotFound, "no account for " + displayUrl(server) +
                                              " in the store: run certkeep account register");
}

// The stored account, read under its lock (held as long as the result lives).
struct LockedAccount {
    store::LockPtr lock;
    store::AccountData account;
};

Result<LockedAccount> lockStored(Services& services, const std::string& server) {
    // A look first: a missing account must not create the state directory (a lock would).
    auto peek = services.store.loadAccount(server);
    if (!peek || !*peek) {
        return peek ? fail(noStoredAccount(server)) : peek.takeError();
    }
    auto lock = services.store.lockAccount(server, services.flow.accountLockTimeout);
    if (!lock) {
        return lock.takeError();
    }
    auto stored = services.store.loadAccount(server);
    if (!stored || !*stored) {
        return stored ? fail(noStoredAccount(server)) : stored.takeError();
    }
    LockedAccount out{std::move(*lock), std::move(**stored)};
    out.account.directoryUrl = server;
    return out;
}

// The staged key is forgotten and the account saved; `why` becomes the note.
Status dropStaged(Services& services, store::AccountData& account, const std::string& why) {
    account.stagedKeyPem.clear();
    if (auto st = save(services, account.directoryUrl, account); !st) {
        return st;
    }
    note(services, "note: " + why + "; keeping the current account key");
    return {};
}

// The key change failed: a lost answer (network, timeout) keeps the staged key, since the CA
// may have made the change; any other failure means it did not, so the staged key goes.
Error rolloverFailed(Services& services, store::AccountData& account, Error error) {
    if (error.kind == ErrorKind::Network || error.kind == ErrorKind::Timeout) {
        return std::move(error).context("the key change may or may not have reached the CA; "
                                        "the next certkeep run asks it and keeps the right key");
    }
    if (auto st = dropStaged(services, account, "the CA refused the new account key"); !st) {
        note(services, "warning: " + st.error().message);
    }
    return error;
}

// The algorithm of the account key in use ("ES256" -> es256).
acme::JwsAlg currentAlg(const acme::Signer& signer) {
    std::string name = signer.alg();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto alg = acme::parseJwsAlg(name);
    return alg ? *alg : acme::JwsAlg::ES256;
}

// The stored account key, or a Config error saying it is unreadable.
Result<acme::PrivateKey> currentKey(const store::AccountData& account) {
    auto key = acme::PrivateKey::fromPem(account.keyPem);
    if (!key) {
        return fail(ErrorKind::Config, "the stored account key for " +
                                           displayUrl(account.directoryUrl) +
                                           " is unreadable: " + key.error().message);
    }
    return key;
}

// openAccount for an operation whose own options are not account-creation options.
Result<AccountSession> openExisting(Services& services, const AccountSpec& spec) {
    if (auto st = settleStagedKey(services, spec); !st) {
        return st.takeError();
    }
    AccountSpec quiet = spec;
    quiet.emailGiven = false; // --email is what `account update` changes, not a creation option
    quiet.keyAlgGiven = false;
    return openAccount(services, quiet, AccountMode::Existing);
}

} // namespace

// §7.3.1 with the staged key: the CA tells whose account it opens, so whether §7.3.5 happened.
Status resolveStagedKey(Services& services, const AccountSpec& spec, store::AccountData& account) {
    if (account.stagedKeyPem.empty()) {
        return {};
    }
    account.directoryUrl = spec.server.directoryUrl;
    auto staged = acme::PrivateKey::fromPem(account.stagedKeyPem);
    if (!staged) {
        return dropStaged(services, account,
                          "the staged key of an interrupted key rollover is "
                          "unreadable");
    }
    auto c = clientFor(services, spec, std::move(*staged));
    if (!c) {
        return c.takeError();
    }
    auto found = c->client->findAccount();
    if (!found && found.error().kind != ErrorKind::NotFound) {
        return fail(std::move(found).error().context("settling an interrupted key rollover"));
    }
    if (!found || found->url != account.url) {
        return dropStaged(services, account,
                          "an interrupted key rollover of account " + displayUrl(account.url) +
                              " never reached the CA");
    }
    account.keyPem = account.stagedKeyPem;
    account.stagedKeyPem.clear();
    if (auto st = save(services, account.directoryUrl, account); !st) {
        return st;
    }
    note(services, "note: an interrupted key rollover of account " + displayUrl(account.url) +
                       " had reached the CA: the new account key is in use now");
    return {};
}

Status settleStagedKey(Services& services, const AccountSpec& spec) {
    auto peek = services.store.loadAccount(spec.server.directoryUrl);
    if (!peek || !*peek || (*peek)->stagedKeyPem.empty()) {
        return peek ? Status() : Status(peek.takeError());
    }
    auto locked = lockStored(services, spec.server.directoryUrl);
    if (!locked) {
        return locked.takeError();
    }
    return resolveStagedKey(services, spec, locked->account);
}

// Staged key saved -> keyChange -> key replaced, all under the account lock.
Result<RolloverOutcome> rolloverAccountKey(Services& services, const AccountSpec& spec,
                                           std::optional<acme::JwsAlg> alg) {
    const std::string& server = spec.server.directoryUrl;
    auto locked = lockStored(services, server);
    if (!locked) {
        return locked.takeError();
    }
    store::AccountData& account = locked->account;
    if (account.url.empty()) {
        return fail(ErrorKind::Usage, "the stored account for " + displayUrl(server) +
                                          " has no URL yet: run certkeep account register first");
    }
    if (auto st = resolveStagedKey(services, spec, account); !st) {
        return st.takeError();
    }
    auto key = currentKey(account);
    auto session = key ? clientFor(services, spec, std::move(*key)) : key.takeError();
    if (!session) {
        return session.takeError();
    }
    session->client->setAccountUrl(account.url);
    auto fresh =
        acme::PrivateKey::generate(acme::keyTypeForAlg(alg ? *alg : currentAlg(*session->signer)));
    auto pem = fresh ? fresh->toPem() : Result<std::string>(fresh.takeError());
    if (!pem) {
        return pem.takeError();
    }
    acme::KeySigner newSigner(std::move(*fresh));
    RolloverOutcome out{account.url, thumbprintOf(*session->signer), thumbprintOf(newSigner),
                        newSigner.alg()};
    account.stagedKeyPem = *pem; // written before the CA hears of it (§7.3.5 is not undone)
    if (auto st = save(services, server, account); !st) {
        return st.takeError();
    }
    if (services.stepHook) {
        services.stepHook("rollover-key-staged");
    }
    if (auto changed = session->client->changeKey(newSigner); !changed) {
        return fail(rolloverFailed(services, account, std::move(changed).error()));
    }
    if (services.stepHook) {
        services.stepHook("rollover-key-changed"); // the CA switched; the store not yet
    }
    account.keyPem = account.stagedKeyPem;
    account.stagedKeyPem.clear();
    if (auto st = save(services, server, account); !st) {
        return fail(std::move(st).error().context(
            "the CA switched to the new account key but storing it failed (the next run "
            "settles it)"));
    }
    return out;
}

Result<acme::Account> updateAccountContact(Services& services, const AccountSpec& spec,
                                           const std::vector<std::string>& emails) {
    auto session = openExisting(services, spec);
    if (!session) {
        return session.takeError();
    }
    std::vector<std::string> contact;
    std::string joined;
    for (const auto& email : emails) {
        contact.push_back("mailto:" + email);
        joined += (joined.empty() ? "" : ", ") + contact.back();
    }
    auto updated = session->client->updateAccount(contact);
    if (!updated) {
        return updated.takeError();
    }
    auto locked = lockStored(services, spec.server.directoryUrl);
    if (!locked) {
        return locked.takeError();
    }
    locked->account.contact = joined;
    if (auto st = save(services, spec.server.directoryUrl, locked->account); !st) {
        return st.takeError();
    }
    return updated;
}

Result<acme::Account> deactivateAccount(Services& services, const AccountSpec& spec) {
    auto session = openExisting(services, spec);
    if (!session) {
        return session.takeError();
    }
    return session->client->deactivateAccount();
}

} // namespace certkeep::lifecycle

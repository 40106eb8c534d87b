// The account flow: stored, found by its key (RFC 8555 §7.3.1) or registered (§7.3), always
// under the account lock, and the key always written before newAccount is sent.
#include "lifecycle/account.hpp"

#include "common/url.hpp"

namespace certkeep::lifecycle {

namespace {

// The stored key, or a Config error saying it is unreadable (never a throwaway key).
Result<acme::PrivateKey> storedKey(const store::AccountData& stored, const std::string& server) {
    auto key = acme::PrivateKey::fromPem(stored.keyPem);
    if (!key) {
        return fail(
            ErrorKind::Config,
            "the stored account key for " + displayUrl(server) +
                " is unreadable: " + key.error().message +
                " (restore it from a backup, or move the account away to create a new one)");
    }
    return key;
}

// RFC 8555 §7.3: terms and EAB are checked before anything is sent or written.
Status checkRegistrationInputs(const AccountSpec& spec, const acme::Directory& dir) {
    if (!dir.termsOfService.empty() && !spec.agreeTos) {
        return fail(ErrorKind::Usage, "the CA asks you to agree to its terms of service (" +
                                          displayUrl(dir.termsOfService) + "): add --agree-tos");
    }
    if (dir.externalAccountRequired && spec.eabKid.empty()) {
        return fail(ErrorKind::Usage, "this CA requires External Account Binding: give "
                                      "--eab-kid and the HMAC key (--eab-hmac-key or "
                                      "$CERTKEEP_EAB_HMAC_KEY) from your CA account");
    }
    return {};
}

std::string contactOf(const AccountSpec& spec) {
    return spec.email.empty() ? std::string() : "mailto:" + spec.email;
}

Status saveAccount(Services& services, const std::string& server,
                   const store::AccountData& account) {
    ShutdownGate::Section section(services.gate);
    return services.store.saveAccount(server, account);
}

// A client for `key` with the directory loaded.
Result<AccountSession> makeSession(Services& services, const AccountSpec& spec,
                                   acme::PrivateKey key) {
    AccountSession s;
    s.signer = std::make_unique<acme::KeySigner>(std::move(key));
    auto thumb = acme::jwkThumbprint(s.signer->jwk());
    if (!thumb) {
        return thumb.takeError();
    }
    s.thumbprint = *thumb;
    acme::ClientOptions options = services.client;
    options.clock = &services.clock;
    options.log = services.log;
    s.client = std::make_unique<acme::Client>(services.transport, *s.signer, options);
    if (auto st = s.client->loadDirectory(spec.server.directoryUrl); !st) {
        return st.takeError();
    }
    return s;
}

// §7.3 newAccount with the session's key, then the URL is stored beside that key.
Status registerKey(Services& services, const AccountSpec& spec, AccountSession& s) {
    if (auto st = checkRegistrationInputs(spec, s.client->directory()); !st) {
        return st;
    }
    acme::NewAccountRequest request;
    if (!spec.email.empty()) {
        request.contact.push_back(contactOf(spec));
    }
    request.agreeTos = spec.agreeTos;
    request.eabKid = spec.eabKid;
    request.eabHmacKey = spec.eabHmacKey;
    auto account = s.client->newAccount(request);
    if (!account) {
        return account.takeError();
    }
    s.account.url = account->url;
    s.account.contact = contactOf(spec);
    if (auto st = saveAccount(services, spec.server.directoryUrl, s.account); !st) {
        return st;
    }
    if (services.log) {
        services.log("account registered: " + account->url);
    }
    return {};
}

// A new key, stored (without URL) before newAccount is sent: a run that dies afterwards
// finds the key and recovers the URL with onlyReturnExisting.
Status createAccount(Services& services, const AccountSpec& spec, AccountSession& s) {
    if (auto st = checkRegistrationInputs(spec, s.client->directory()); !st) {
        return st;
    }
    auto pem = s.signer->key().toPem();
    if (!pem) {
        return pem.takeError();
    }
    s.account = {spec.server.directoryUrl, *pem, "", contactOf(spec), ""};
    if (auto st = saveAccount(services, spec.server.directoryUrl, s.account); !st) {
        return st;
    }
    if (services.stepHook) {
        services.stepHook("account-key-written");
    }
    s.origin = AccountOrigin::Registered;
    return registerKey(services, spec, s);
}

// A stored key without its URL: §7.3.1 finds the account by the key, else it is registered.
Status findOrRegister(Services& services, const AccountSpec& spec, AccountSession& s) {
    auto found = s.client->findAccount();
    if (found) {
        s.account.url = found->url;
        s.origin = AccountOrigin::Found;
        return saveAccount(services, spec.server.directoryUrl, s.account);
    }
    if (found.error().kind != ErrorKind::NotFound) {
        return found.takeError();
    }
    s.origin = AccountOrigin::Registered;
    return registerKey(services, spec, s);
}

// `account register` asks the CA whether it still knows the stored account.
Status confirmWithCa(Services& services, const AccountSpec& spec, AccountSession& s) {
    auto found = s.client->findAccount();
    if (found) {
        if (found->url != s.account.url) {
            s.account.url = found->url;
            s.origin = AccountOrigin::Found;
            return saveAccount(services, spec.server.directoryUrl, s.account);
        }
        return {};
    }
    if (found.error().kind != ErrorKind::NotFound) {
        return found.takeError();
    }
    if (!spec.agreeTos) {
        return fail(ErrorKind::Usage, "the CA at " + displayUrl(spec.server.directoryUrl) +
                                          " no longer knows the stored account: add --agree-tos "
                                          "to register the stored key again");
    }
    s.origin = AccountOrigin::Reregistered;
    return registerKey(services, spec, s);
}

// Options that only apply when an account is created are named, not silently dropped.
void noteIgnoredOptions(Services& services, const AccountSpec& spec, const AccountSession& s) {
    if (!services.note || s.origin == AccountOrigin::Registered ||
        s.origin == AccountOrigin::Reregistered) {
        return;
    }
    std::string ignored;
    if (spec.emailGiven && contactOf(spec) != s.account.contact) {
        ignored = "--email";
    }
    if (spec.keyAlgGiven && s.signer->alg() != acme::jwsAlgName(spec.keyAlg)) {
        ignored += std::string(ignored.empty() ? "" : " and ") + "--account-key-type";
    }
    if (!ignored.empty()) {
        services.note("warning: " + ignored + " not applied: the account for " +
                      displayUrl(spec.server.directoryUrl) +
                      " already exists (change it with `certkeep account update` or "
                      "`certkeep account rollover`)");
    }
}

// The account of `server` as stored, read under its lock (held as long as the result lives):
// whoever creates or replaces the account holds it, so key and URL are read as one.
struct LockedAccount {
    store::LockPtr lock;
    std::optional<store::AccountData> stored;
};

Result<LockedAccount> lockAndLoad(Services& services, const std::string& server) {
    auto lock = services.store.lockAccount(server, services.flow.accountLockTimeout);
    if (!lock) {
        return lock.takeError();
    }
    auto stored = services.store.loadAccount(server);
    if (!stored) {
        return stored.takeError();
    }
    return LockedAccount{std::move(*lock), std::move(*stored)};
}

Error noStoredAccount(const std::string& server) {
    return makeError(ErrorKind::NotFound, "no account for " + displayUrl(server) +
                                              " in the store: run certkeep account register");
}

} // namespace

bool isAccountUnknown(const Error& error) {
    return error.problem && error.problem->shortType() == "accountDoesNotExist";
}

Result<AccountSession> openAccount(Services& services, const AccountSpec& spec, AccountMode mode) {
    const std::string& server = spec.server.directoryUrl;
    if (mode == AccountMode::Existing) { // a look that must not create the state directory
        auto peek = services.store.loadAccount(server);
        if (!peek) {
            return peek.takeError();
        }
        if (!*peek) {
            return fail(noStoredAccount(server));
        }
    }
    auto locked = lockAndLoad(services, server);
    if (!locked) {
        return locked.takeError();
    }
    auto& stored = locked->stored;
    if (!stored && mode == AccountMode::Existing) {
        return fail(noStoredAccount(server));
    }
    auto key = stored ? storedKey(*stored, server)
                      : acme::PrivateKey::generate(acme::keyTypeForAlg(spec.keyAlg));
    if (!key) {
        return key.takeError();
    }
    auto session = makeSession(services, spec, std::move(*key));
    if (!session) {
        return session.takeError();
    }
    AccountSession& s = *session;
    Status st;
    if (!stored) {
        st = createAccount(services, spec, s);
    } else {
        s.account = *stored;
        s.account.directoryUrl = server;
        if (s.account.url.empty()) {
            st = findOrRegister(services, spec, s);
        } else {
            s.client->setAccountUrl(s.account.url); // §7.3.1 lookup skipped: we know our kid
            if (mode == AccountMode::Register) {
                st = confirmWithCa(services, spec, s);
            }
        }
    }
    if (!st) {
        return st.takeError();
    }
    s.client->setAccountUrl(s.account.url);
    noteIgnoredOptions(services, spec, s);
    return session;
}

Status recoverForgottenAccount(Services& services, const AccountSpec& spec,
                               AccountSession& session) {
    const std::string& server = spec.server.directoryUrl;
    if (!spec.agreeTos) {
        return fail(ErrorKind::Usage,
                    "the CA at " + displayUrl(server) +
                        " no longer knows the stored account (accountDoesNotExist: the CA was "
                        "reset or the account deleted); run again with --agree-tos to register "
                        "the stored key again");
    }
    auto locked = lockAndLoad(services, server);
    if (!locked) {
        return locked.takeError();
    }
    auto& stored = locked->stored;
    if (stored && !stored->url.empty() && stored->url != session.account.url &&
        stored->keyPem == session.account.keyPem) {
        session.account.url = stored->url; // another run registered it again meanwhile
        session.client->setAccountUrl(session.account.url);
        return {};
    }
    std::string oldUrl = session.account.url;
    if (auto st = registerKey(services, spec, session); !st) {
        return st;
    }
    session.origin = AccountOrigin::Reregistered;
    session.client->setAccountUrl(session.account.url);
    if (services.note) {
        services.note("note: the CA no longer knew account " + displayUrl(oldUrl) +
                      "; registered the stored key again as " + displayUrl(session.account.url));
    }
    return {};
}

} // namespace certkeep::lifecycle

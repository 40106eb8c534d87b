#include "cli/session.hpp"

#include "acme/curl_transport.hpp"
#include "store/fs_store.hpp"

namespace certkeep::cli {

namespace {

Result<acme::TransportPtr> makeTransport(const GlobalOptions& global) {
    acme::CurlOptions options;
    options.caBundle = global.caBundle;
    options.userAgent = std::string("certkeep/") + CERTKEEP_VERSION;
    return acme::makeCurlTransport(options);
}

// The stored account key, or a new one (kept in memory until the CA confirms the account).
Result<acme::PrivateKey> accountKey(const GlobalOptions& global,
                                    const std::optional<store::AccountData>& stored) {
    if (stored && !stored->keyPem.empty()) {
        auto key = acme::PrivateKey::fromPem(stored->keyPem);
        if (!key) {
            return fail(ErrorKind::Config, "the stored account key for " + global.server +
                                               " is unreadable: " + key.error().message);
        }
        return key;
    }
    auto alg = acme::parseJwsAlg(global.accountKeyType);
    if (!alg) {
        return alg.takeError();
    }
    return acme::PrivateKey::generate(acme::keyTypeForAlg(*alg));
}

// RFC 8555 §7.3: terms and EAB are checked before anything is sent or written.
Status checkRegistrationInputs(const GlobalOptions& global, const acme::Directory& dir) {
    if (!dir.termsOfService.empty() && !global.agreeTos) {
        return fail(ErrorKind::Usage, "the CA asks you to agree to its terms of service (" +
                                          dir.termsOfService + "): add --agree-tos");
    }
    if (dir.externalAccountRequired && global.eabKid.empty()) {
        return fail(ErrorKind::Usage, "this CA requires External Account Binding: pass "
                                      "--eab-kid and --eab-hmac-key from your CA account");
    }
    return {};
}

Status registerAccount(Session& s, const GlobalOptions& global, const Logger& log) {
    if (auto st = checkRegistrationInputs(global, s.client->directory()); !st) {
        return st;
    }
    acme::NewAccountRequest request;
    if (!global.email.empty()) {
        request.contact.push_back("mailto:" + global.email);
    }
    request.agreeTos = global.agreeTos;
    request.eabKid = global.eabKid;
    request.eabHmacKey = global.eabHmacKey;
    auto account = s.client->newAccount(request);
    if (!account) {
        return account.takeError();
    }
    auto pem = s.signer->key().toPem();
    if (!pem) {
        return pem.takeError();
    }
    s.account = {*pem, account->url, request.contact.empty() ? "" : request.contact.front()};
    if (auto st = s.store->saveAccount(global.server, s.account); !st) {
        return st;
    }
    s.accountCreated = true;
    if (log) {
        log("account registered: " + account->url);
    }
    return {};
}

} // namespace

std::string stateDirFor(const GlobalOptions& global) {
    return global.stateDir.empty() ? store::defaultStateDir().string() : global.stateDir;
}

Result<SessionPtr> openSession(const GlobalOptions& global, bool registerIfMissing,
                               const Logger& log) {
    auto s = std::make_unique<Session>();
    s->stateDir = stateDirFor(global);
    s->store = std::make_unique<store::FsStore>(s->stateDir);
    auto stored = s->store->loadAccount(global.server);
    if (!stored) {
        return stored.takeError();
    }
    if (!registerIfMissing && (!*stored || stored->value().url.empty())) {
        return fail(ErrorKind::NotFound, "no account for " + global.server + " in " + s->stateDir +
                                             ": run certkeep account register");
    }
    auto key = accountKey(global, *stored);
    if (!key) {
        return key.takeError();
    }
    s->signer = std::make_unique<acme::KeySigner>(std::move(*key));
    auto thumb = acme::jwkThumbprint(s->signer->jwk());
    if (!thumb) {
        return thumb.takeError();
    }
    s->thumbprint = *thumb;
    auto transport = makeTransport(global);
    if (!transport) {
        return transport.takeError();
    }
    s->transport = std::move(*transport);
    acme::ClientOptions options;
    options.log = log;
    s->client = std::make_unique<acme::Client>(*s->transport, *s->signer, options);
    if (auto st = s->client->loadDirectory(global.server); !st) {
        return st.takeError();
    }
    if (*stored && !stored->value().url.empty()) {
        s->account = stored->value();
        s->client->setAccountUrl(s->account.url); // §7.3.1 lookup skipped: we know our kid
        return s;
    }
    if (*stored && !stored->value().keyPem.empty()) {
        // A key without its URL (e.g. a crash between the two writes): RFC 8555 §7.3.1 finds
        // the account by its key, so no second account is created for it.
        auto found = s->client->findAccount();
        if (found) {
            s->account = stored->value();
            s->account.url = found->url;
            if (auto st = s->store->saveAccount(global.server, s->account); !st) {
                return st.takeError();
            }
            return s;
        }
        if (found.error().kind != ErrorKind::NotFound) {
            return found.takeError();
        }
    }
    if (auto st = registerAccount(*s, global, log); !st) {
        return st.takeError();
    }
    return s;
}

} // namespace certkeep::cli

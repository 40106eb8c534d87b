// The protocol client's session steps: directory, nonces, signed POSTs and accounts.
#include "acme/client.hpp"

#include "acme/problem.hpp"
#include "common/url.hpp"

#include <algorithm>

namespace certkeep::acme {

using nlohmann::json;

Client::Client(Transport& transport, const Signer& signer, ClientOptions options)
    : transport_(transport), signer_(&signer), options_(std::move(options)) {}

void Client::log(const std::string& line) const {
    if (options_.log) {
        options_.log(line);
    }
}

Clock& Client::clock() const {
    return options_.clock != nullptr ? *options_.clock : systemClock();
}

Result<HttpResponse> Client::exchange(Endpoint endpoint, const HttpRequest& request) {
    auto response = transport_.send(request);
    countExchange(options_.counters, endpoint, response);
    return response;
}

void Client::keepNonce(const HttpResponse& response) {
    std::string nonce = response.header("replay-nonce");
    if (!nonce.empty()) {
        nonces_.add(nonce);
    }
}

namespace {

// A directory request that did not answer 200: the CA's problem when it sent one, else a
// plain statement that this is not an ACME directory (a web page, a proxy error, ...).
Error directoryHttpError(const HttpResponse& response, const std::string& url) {
    if (parseProblem(response, url)) {
        return errorFromResponse(response, url, "fetching the ACME directory");
    }
    return makeError(ErrorKind::Protocol, "HTTP " + std::to_string(response.status) + " from " +
                                              displayUrl(url) +
                                              ": not an ACME directory (check the --server URL)");
}

} // namespace

// §7.1.1: the directory tells every other URL; all of them must be https.
Status Client::loadDirectory(const std::string& url) {
    if (auto st = requireHttps("the ACME directory URL", url); !st) {
        return st;
    }
    log("GET " + displayUrl(url));
    auto response = exchange(Endpoint::Directory, {"GET", url, "", "", "application/json"});
    if (!response) {
        return response.takeError();
    }
    keepNonce(*response);
    if (response->status != 200) {
        return fail(directoryHttpError(*response, url));
    }
    if (json::parse(response->body, nullptr, false).is_discarded()) {
        return fail(ErrorKind::Protocol,
                    displayUrl(url) + " is not an ACME directory: the response is not JSON");
    }
    auto dir = parseDirectory(response->body, url);
    if (!dir) {
        return dir.takeError();
    }
    directory_ = std::move(*dir);
    return {};
}

// §7.2: HEAD newNonce when the pool is empty.
Result<std::string> Client::nextNonce() {
    if (auto nonce = nonces_.take()) {
        return *nonce;
    }
    if (auto st = requireHttps("the directory's newNonce URL", directory_.newNonce); !st) {
        return st.takeError();
    }
    log("HEAD " + displayUrl(directory_.newNonce));
    auto response = exchange(Endpoint::NewNonce, {"HEAD", directory_.newNonce, "", "", ""});
    if (!response) {
        return response.takeError();
    }
    keepNonce(*response);
    if (auto nonce = nonces_.take()) {
        return *nonce;
    }
    return fail(ErrorKind::Protocol,
                "the server gave no Replay-Nonce from " + displayUrl(directory_.newNonce));
}

namespace {

// §6.5: the error after the last badNonce retry says how often the CA refused in a row.
Error badNonceExhausted(const HttpResponse& response, const std::string& url,
                        const std::string& what, int attempts) {
    Error e = errorFromResponse(response, url, what);
    e.message = what + " failed: the CA rejected " + std::to_string(attempts) +
                " nonces in a row (badNonce) at " + displayUrl(url);
    if (e.problem && !e.problem->detail.empty()) {
        e.message += ": " + e.problem->detail;
    }
    return e;
}

} // namespace

// §6.2: one signed request with a fresh nonce; kid of the account unless the options say jwk.
Result<HttpResponse> Client::postOnce(Endpoint endpoint, const std::string& url,
                                      const std::optional<json>& payload,
                                      const PostOptions& options) {
    auto nonce = nextNonce();
    if (!nonce) {
        return nonce.takeError();
    }
    JwsHeader header{url, *nonce, std::nullopt};
    if (!options.useJwk) {
        header.kid = accountUrl_;
    }
    const Signer& signer = options.signer != nullptr ? *options.signer : *signer_;
    auto jws = signJws(signer, header, payload);
    if (!jws) {
        return jws.takeError();
    }
    log("POST " + displayUrl(url) + (payload ? "" : " (POST-as-GET)"));
    auto response =
        exchange(endpoint, {"POST", url, jws->dump(), "application/jose+json", options.accept});
    if (!response) {
        return response.takeError();
    }
    keepNonce(*response);
    std::string retryAfter = response->header("retry-after");
    log("  -> HTTP " + std::to_string(response->status) +
        (retryAfter.empty() ? "" : " (Retry-After " + retryAfter + ")"));
    return response;
}

// §6.2, §6.5: sign with a fresh nonce; on badNonce retry with the nonce from the error.
Result<HttpResponse> Client::post(Endpoint endpoint, const std::string& url,
                                  const std::optional<json>& payload, const std::string& what,
                                  const PostOptions& options) {
    if (auto st = requireHttps("the URL to POST to (" + what + ")", url); !st) {
        return st.takeError();
    }
    if (!options.useJwk && accountUrl_.empty()) {
        return fail(ErrorKind::Internal, what + ": no account URL to sign with");
    }
    for (int attempt = 0;; ++attempt) {
        auto response = postOnce(endpoint, url, payload, options);
        if (!response || (response->status >= 200 && response->status < 300) ||
            std::count(options.passStatuses.begin(), options.passStatuses.end(),
                       response->status) != 0) {
            return response;
        }
        auto problem = parseProblem(*response, url);
        if (!problem || problem->shortType() != "badNonce") {
            return fail(errorFromResponse(*response, url, what));
        }
        if (attempt >= options_.maxBadNonceRetries) {
            return fail(badNonceExhausted(*response, url, what, attempt + 1));
        }
        log("badNonce from " + displayUrl(url) + ", retrying with a fresh nonce");
    }
}

namespace {

// §6.2: newAccount requests carry the account key's JWK instead of a kid.
PostOptions jwkPost() {
    PostOptions options;
    options.useJwk = true;
    return options;
}

// §7.3: the account URL comes in Location and is the kid of every later request.
Result<Account> accountFrom(const HttpResponse& response, const std::string& what) {
    std::string location = response.header("location");
    if (location.empty()) {
        return fail(ErrorKind::Protocol, what + ": the server gave no account URL (Location)");
    }
    if (auto st = requireHttps("the account URL (Location)", location); !st) {
        return fail(std::move(st).error().context(what));
    }
    return parseAccount(response.body.empty() ? "{}" : response.body, location);
}

} // namespace

// §7.3.1: onlyReturnExisting looks the account up by its key.
Result<Account> Client::findAccount() {
    json payload = {{"onlyReturnExisting", true}};
    auto response = post(Endpoint::NewAccount, directory_.newAccount, payload,
                         "looking up the account", jwkPost());
    if (!response) {
        const Error& e = response.error();
        if (e.problem && e.problem->shortType() == "accountDoesNotExist") {
            return fail(ErrorKind::NotFound,
                        "no account exists for this key on " + displayUrl(directory_.url));
        }
        return response.takeError();
    }
    auto account = accountFrom(*response, "looking up the account");
    if (account) {
        accountUrl_ = account->url;
    }
    return account;
}

// §7.3: create the account, agreeing to the terms; §7.3.4 binds it to an external account.
Result<Account> Client::newAccount(const NewAccountRequest& request) {
    json payload = json::object();
    if (!request.contact.empty()) {
        payload["contact"] = request.contact;
    }
    if (request.agreeTos) {
        payload["termsOfServiceAgreed"] = true;
    }
    if (!request.eabKid.empty()) {
        auto eab =
            signEab(signer_->jwk(), request.eabKid, request.eabHmacKey, directory_.newAccount);
        if (!eab) {
            return eab.takeError();
        }
        payload["externalAccountBinding"] = *eab;
    }
    auto response = post(Endpoint::NewAccount, directory_.newAccount, payload,
                         "creating the account", jwkPost());
    if (!response) {
        return response.takeError();
    }
    auto account = accountFrom(*response, "creating the account");
    if (account) {
        accountUrl_ = account->url;
    }
    return account;
}

// §7.3.2: POST-as-GET the account URL.
Result<Account> Client::fetchAccount() {
    auto response = post(Endpoint::Account, accountUrl_, std::nullopt, "fetching the account");
    if (!response) {
        return response.takeError();
    }
    return parseAccount(response->body, accountUrl_);
}

} // namespace certkeep::acme

#include "acme/client.hpp"

#include "acme/problem.hpp"

#include <thread>

namespace certkeep::acme {

using nlohmann::json;

Client::Client(Transport& transport, const Signer& signer, ClientOptions options)
    : transport_(transport), signer_(signer), options_(std::move(options)) {}

void Client::log(const std::string& line) const {
    if (options_.log) {
        options_.log(line);
    }
}

void Client::sleepFor(std::chrono::milliseconds ms) const {
    if (options_.sleep) {
        options_.sleep(ms);
    } else {
        std::this_thread::sleep_for(ms);
    }
}

void Client::keepNonce(const HttpResponse& response) {
    std::string nonce = response.header("replay-nonce");
    if (!nonce.empty()) {
        nonces_.add(nonce);
    }
}

// §7.1.1: the directory tells every other URL.
Status Client::loadDirectory(const std::string& url) {
    log("GET " + url);
    auto response = transport_.send({"GET", url, "", "", "application/json"});
    if (!response) {
        return response.takeError();
    }
    keepNonce(*response);
    if (response->status != 200) {
        return fail(errorFromResponse(*response, url, "fetching the ACME directory"));
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
    log("HEAD " + directory_.newNonce);
    auto response = transport_.send({"HEAD", directory_.newNonce, "", "", ""});
    if (!response) {
        return response.takeError();
    }
    keepNonce(*response);
    if (auto nonce = nonces_.take()) {
        return *nonce;
    }
    return fail(ErrorKind::Protocol, "the server gave no Replay-Nonce from " + directory_.newNonce);
}

// §6.2, §6.5: sign with a fresh nonce; on badNonce retry with the nonce from the error.
Result<HttpResponse> Client::post(const std::string& url, const std::optional<json>& payload,
                                  const std::string& what, bool useJwk, const std::string& accept) {
    if (!isPlausibleUrl(url)) {
        return fail(ErrorKind::Protocol, what + ": the server gave an invalid URL");
    }
    if (!useJwk && accountUrl_.empty()) {
        return fail(ErrorKind::Internal, what + ": no account URL to sign with");
    }
    for (int attempt = 0;; ++attempt) {
        auto nonce = nextNonce();
        if (!nonce) {
            return nonce.takeError();
        }
        JwsHeader header{url, *nonce, std::nullopt};
        if (!useJwk) {
            header.kid = accountUrl_;
        }
        auto jws = signJws(signer_, header, payload);
        if (!jws) {
            return jws.takeError();
        }
        log("POST " + url + (payload ? "" : " (POST-as-GET)"));
        auto response =
            transport_.send({"POST", url, jws->dump(), "application/jose+json", accept});
        if (!response) {
            return response.takeError();
        }
        keepNonce(*response);
        log("  -> HTTP " + std::to_string(response->status) +
            (response->header("retry-after").empty()
                 ? ""
                 : " (Retry-After " + response->header("retry-after") + ")"));
        if (response->status >= 200 && response->status < 300) {
            return response;
        }
        auto problem = parseProblem(*response, url);
        bool badNonce = problem && problem->shortType() == "badNonce";
        if (badNonce && attempt < options_.maxBadNonceRetries) {
            log("badNonce from " + url + ", retrying with a fresh nonce");
            continue;
        }
        return fail(errorFromResponse(*response, url, what));
    }
}

namespace {

Result<Account> accountFrom(const HttpResponse& response, const std::string& what) {
    std::string location = response.header("location");
    if (!isPlausibleUrl(location)) {
        return fail(ErrorKind::Protocol, what + ": the server gave no account URL (Location)");
    }
    return parseAccount(response.body.empty() ? "{}" : response.body, location);
}

} // namespace

// §7.3.1: onlyReturnExisting looks the account up by its key.
Result<Account> Client::findAccount() {
    json payload = {{"onlyReturnExisting", true}};
    auto response = post(directory_.newAccount, payload, "looking up the account", true);
    if (!response) {
        const Error& e = response.error();
        if (e.problem && e.problem->shortType() == "accountDoesNotExist") {
            return fail(ErrorKind::NotFound, "no account exists for this key on " + directory_.url);
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
            signEab(signer_.jwk(), request.eabKid, request.eabHmacKey, directory_.newAccount);
        if (!eab) {
            return eab.takeError();
        }
        payload["externalAccountBinding"] = *eab;
    }
    auto response = post(directory_.newAccount, payload, "creating the account", true);
    if (!response) {
        return response.takeError();
    }
    auto account = accountFrom(*response, "creating the account");
    if (account) {
        accountUrl_ = account->url;
    }
    return account;
}

Result<Account> Client::fetchAccount() {
    auto response = post(accountUrl_, std::nullopt, "fetching the account");
    if (!response) {
        return response.takeError();
    }
    return parseAccount(response->body, accountUrl_);
}

} // namespace certkeep::acme

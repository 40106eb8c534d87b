// The protocol client's account management: contact update (RFC 8555 §7.3.2), key rollover
// (§7.3.5) and deactivation (§7.3.6).
#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/url.hpp"

namespace certkeep::acme {

using nlohmann::json;

namespace {

// §7.3.5: the CA answers 409 with the URL of the account that already holds the new key.
Error keyTakenError(const HttpResponse& response, const std::string& url) {
    std::string holder = response.header("location");
    Error e = makeError(ErrorKind::Acme,
                        "changing the account key failed: the new key already belongs to " +
                            (holder.empty() ? std::string("another account")
                                            : "the account " + displayUrl(holder)) +
                            " at the CA (409 Conflict); roll over to a fresh key");
    e.problem = parseProblem(response, url);
    return e;
}

} // namespace

// §7.3.2: POST {contact} to the account URL; the CA answers with the updated account.
Result<Account> Client::updateAccount(const std::vector<std::string>& contact) {
    json payload{{"contact", contact}};
    auto response = post(Endpoint::Account, accountUrl_, payload, "updating the account");
    if (!response) {
        return response.takeError();
    }
    return parseAccount(response->body, accountUrl_);
}

// §7.3.6: POST {status: deactivated}; the answer must say the account is deactivated.
Result<Account> Client::deactivateAccount() {
    json payload{{"status", "deactivated"}};
    auto response = post(Endpoint::Account, accountUrl_, payload, "deactivating the account");
    if (!response) {
        return response.takeError();
    }
    auto account = parseAccount(response->body, accountUrl_);
    if (account && account->status != "deactivated") {
        return fail(ErrorKind::Protocol,
                    "deactivating the account: the CA answered with status \"" +
                        account->status.substr(0, 40) + "\" instead of \"deactivated\"");
    }
    return account;
}

// §7.3.5: the inner JWS (jwk of the new key, url = keyChange, no nonce, no kid) carries
// {account, oldKey} and is signed by the new key; the outer JWS is a normal kid request.
Status Client::changeKey(const Signer& newKey) {
    if (directory_.keyChange.empty()) {
        return fail(ErrorKind::Acme, "the CA at " + displayUrl(directory_.url) +
                                         " does not support key rollover (no keyChange URL)");
    }
    if (accountUrl_.empty()) {
        return fail(ErrorKind::Internal, "changing the account key: no account URL");
    }
    json oldKey = signer_->jwk();
    if (newKey.jwk() == oldKey) {
        return fail(ErrorKind::Usage, "changing the account key: the new key is the current one");
    }
    JwsHeader innerHeader{directory_.keyChange, "", std::nullopt};
    auto inner = signJws(newKey, innerHeader, json{{"account", accountUrl_}, {"oldKey", oldKey}});
    if (!inner) {
        return inner.takeError();
    }
    PostOptions options;
    options.passStatuses = {409};
    auto response = post(Endpoint::KeyChange, directory_.keyChange, *inner,
                         "changing the account key", options);
    if (!response) {
        return response.takeError();
    }
    if (response->status == 409) {
        return fail(keyTakenError(*response, directory_.keyChange));
    }
    signer_ = &newKey;
    log("account key changed; requests are now signed with the new key");
    return {};
}

} // namespace certkeep::acme

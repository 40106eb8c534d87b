#pragma once
// The RFC 8555 protocol client: one method per ACME step, each with its contract.
// It signs through a Signer and talks through a Transport; it knows no files and no solver.

#include "acme/crypto/jws.hpp"
#include "acme/nonce_pool.hpp"
#include "acme/renewal_info.hpp"
#include "acme/request_metrics.hpp"
#include "acme/transport.hpp"
#include "acme/types.hpp"
#include "common/clock.hpp"
#include "common/counters.hpp"
#include "common/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::acme {

struct ClientOptions {
    int maxBadNonceRetries = 10;                 // only badNonce is retried automatically
    std::chrono::milliseconds pollFirst{40};     // first wait before polling again
    std::chrono::milliseconds pollMax{8000};     // cap of the growing wait
    std::chrono::seconds pollDeadline{180};      // overall deadline of one wait
    Clock* clock = nullptr;                      // nullptr = systemClock(); a fake in tests
    std::function<void(const std::string&)> log; // -v output; never gets secrets
    // Every exchange and problem document counted here (request_metrics.hpp); nullptr = not
    // counted. Must outlive the client.
    Counters* counters = nullptr;
};

// RFC 8555 §7.4 newOrder, with RFC 9773 §5 `replaces` and the draft-ietf-acme-profiles profile.
struct NewOrderRequest {
    std::vector<Identifier> identifiers;
    std::string replaces; // ARI certificate ID of the certificate this one replaces; "" = none
    std::string profile;  // a name from Directory::profiles; "" = the CA's default
};

// How one signed POST is made (§6.2): kid of the account by default.
struct PostOptions {
    bool useJwk = false;            // embed the JWK instead of the kid (newAccount, revoke)
    const Signer* signer = nullptr; // sign with this key instead of the account key (with
                                    // useJwk: revocation by certificate key, §7.6)
    std::string accept;             // Accept header, e.g. application/pem-certificate-chain
    // Non-2xx statuses handed back as responses instead of errors (keyChange's 409, §7.3.5).
    std::vector<long> passStatuses;
};

struct NewAccountRequest {
    std::vector<std::string> contact; // "mailto:..."
    bool agreeTos = false;
    std::string eabKid;
    std::string eabHmacKey; // base64url; never logged
};

// The certificate chain as downloaded, and the URLs of alternate chains (RFC 8555 §7.4.2).
struct DownloadedChain {
    std::string pem;
    std::vector<std::string> alternates;
};

// RFC 5280 §5.3.1 CRLReason codes an ACME revocation may carry: 0-10 except 7 (unused).
bool isRevocationReason(int reason);

class Client {
  public:
    Client(Transport& transport, const Signer& signer, ClientOptions options = {});

    // GET the directory (§7.1.1). Must be called first (or useDirectory).
    Status loadDirectory(const std::string& url);
    // Takes a directory another client of the same run loaded, without a request.
    void useDirectory(Directory directory) { directory_ = std::move(directory); }
    [[nodiscard]] const Directory& directory() const { return directory_; }

    // Account URL used as "kid" for every request but newAccount (§6.2).
    void setAccountUrl(std::string url) { accountUrl_ = std::move(url); }
    [[nodiscard]] const std::string& accountUrl() const { return accountUrl_; }

    // §7.3.1: finds the account of this key; NotFound error when there is none.
    Result<Account> findAccount();
    // §7.3 (+ §7.3.4 EAB): creates (or returns the existing) account and sets accountUrl.
    Result<Account> newAccount(const NewAccountRequest& request);
    // POST-as-GET the account object.
    Result<Account> fetchAccount();
    // §7.3.2: replaces the account's contact URLs ("mailto:..."; empty = none).
    Result<Account> updateAccount(const std::vector<std::string>& contact);
    // §7.3.6: deactivates the account for good; the CA refuses every later request it signs.
    Result<Account> deactivateAccount();
    // §7.3.5: rolls the account over to `newKey` (inner JWS signed by it, outer by the current
    // key). On success this client signs with `newKey` from then on: it must outlive the
    // client. A 409 (the new key already has an account) is an Acme error naming that account.
    Status changeKey(const Signer& newKey);

    // §7.4: a new order. Location, finalize and authorization URLs are checked https.
    Result<Order> newOrder(const NewOrderRequest& request);
    // POST-as-GET an existing order (e.g. a pending order after a crash).
    Result<Order> fetchOrder(const std::string& url);
    Result<Authorization> fetchAuthorization(const std::string& url);
    // §7.5.1: tells the CA to validate a challenge (payload {}).
    Status respondChallenge(const Challenge& challenge);
    // Polls until the authorization leaves "pending" (or the deadline passes).
    Result<Authorization> waitAuthorization(const std::string& url);
    // §7.4: sends the CSR (DER) to the order's finalize URL.
    Result<Order> finalize(const Order& order, const std::string& csrDer);
    // Polls until the order is "valid" or "invalid" (or the deadline passes), sleeping
    // between polls whatever status the CA answers.
    Result<Order> waitOrder(const Order& order);
    // §7.4.2: downloads the PEM chain, with the alternate chains' URLs.
    Result<DownloadedChain> downloadCertificate(const std::string& url);
    // §7.5.2: deactivates an authorization (so a dry run leaves no valid authorization behind).
    Status deactivateAuthorization(const std::string& url);

    // §7.6: revokes a certificate (DER) with an RFC 5280 §5.3.1 reason code (0-10, not 7).
    // Signed by the account key (kid) by default; by the certificate key with
    // options.useJwk and options.signer. alreadyRevoked is an Acme error saying so.
    Status revokeCertificate(const std::string& certDer, std::optional<int> reason,
                             const PostOptions& options = {});

    // RFC 9773 §4.1: unauthenticated GET of the certificate's RenewalInfo. NotFound error when
    // the directory has no renewalInfo; Protocol error for an invalid document (§4.2).
    Result<RenewalInfo> fetchRenewalInfo(const std::string& certId);

    // Signed POST with badNonce retries (§6.5); payload nullopt = POST-as-GET (§6.3).
    // Refuses a URL that is not https. Non-2xx responses become errors described with `what`;
    // an exhausted badNonce retry says how many nonces the CA rejected in a row. Each exchange
    // (every retry too) is counted under `endpoint`, the role of `url`.
    Result<HttpResponse> post(Endpoint endpoint, const std::string& url,
                              const std::optional<nlohmann::json>& payload, const std::string& what,
                              const PostOptions& options = {});

  private:
    Result<std::string> nextNonce();
    // One signed POST, no retry: the response whatever its status.
    Result<HttpResponse> postOnce(Endpoint endpoint, const std::string& url,
                                  const std::optional<nlohmann::json>& payload,
                                  const PostOptions& options);
    // One HTTP exchange through the transport, counted under `endpoint`.
    Result<HttpResponse> exchange(Endpoint endpoint, const HttpRequest& request);
    void keepNonce(const HttpResponse& response);
    void log(const std::string& line) const;
    [[nodiscard]] Clock& clock() const;
    std::chrono::milliseconds pollDelay(int attempt, const HttpResponse& response) const;

    Transport& transport_;
    const Signer* signer_; // never null; changeKey switches it
    ClientOptions options_;
    Directory directory_;
    NoncePool nonces_;
    std::string accountUrl_;
};

} // namespace certkeep::acme

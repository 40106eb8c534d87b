#pragma once
// The RFC 8555 protocol client: one method per ACME step, each with its contract.
// It signs through a Signer and talks through a Transport; it knows no files and no solver.

#include "acme/crypto/jws.hpp"
#include "acme/nonce_pool.hpp"
#include "acme/transport.hpp"
#include "acme/types.hpp"
#include "common/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::acme {

struct ClientOptions {
    int maxBadNonceRetries = 10;                          // only badNonce is retried automatically
    std::chrono::milliseconds pollFirst{40};              // first wait before polling again
    std::chrono::milliseconds pollMax{8000};              // cap of the growing wait
    std::chrono::seconds pollDeadline{180};               // overall deadline of one wait
    std::function<void(std::chrono::milliseconds)> sleep; // injected in tests
    std::function<void(const std::string&)> log;          // -v output; never gets secrets
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

class Client {
  public:
    Client(Transport& transport, const Signer& signer, ClientOptions options = {});

    // GET the directory (§7.1.1). Must be called first.
    Status loadDirectory(const std::string& url);
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

    // §7.4: a new order for DNS identifiers.
    Result<Order> newOrder(const std::vector<std::string>& domains);
    Result<Authorization> fetchAuthorization(const std::string& url);
    // §7.5.1: tells the CA to validate a challenge (payload {}).
    Status respondChallenge(const Challenge& challenge);
    // Polls until the authorization leaves "pending" (or the deadline passes).
    Result<Authorization> waitAuthorization(const std::string& url);
    // §7.4: sends the CSR (DER) to the order's finalize URL.
    Result<Order> finalize(const Order& order, const std::string& csrDer);
    // Polls until the order is "valid" or "invalid" (or the deadline passes).
    Result<Order> waitOrder(const Order& order);
    // §7.4.2: downloads the PEM chain, with the alternate chains' URLs.
    Result<DownloadedChain> downloadCertificate(const std::string& url);

    // Signed POST with badNonce retries (§6.5); payload nullopt = POST-as-GET (§6.3).
    // Non-2xx responses become errors described with `what`.
    Result<HttpResponse> post(const std::string& url, const std::optional<nlohmann::json>& payload,
                              const std::string& what, bool useJwk = false,
                              const std::string& accept = "");

  private:
    Result<std::string> nextNonce();
    void keepNonce(const HttpResponse& response);
    void log(const std::string& line) const;
    void sleepFor(std::chrono::milliseconds ms) const;
    std::chrono::milliseconds pollDelay(int attempt, const HttpResponse& response) const;

    Transport& transport_;
    const Signer& signer_;
    ClientOptions options_;
    Directory directory_;
    NoncePool nonces_;
    std::string accountUrl_;
};

} // namespace certkeep::acme

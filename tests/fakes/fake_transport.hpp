#pragma once
// Test fakes for acme::Transport: a scripted transport (queue of expected requests or a
// handler) and FakeAcmeServer, a controlled and possibly hostile ACME server in memory that
// can run a whole issuance. Tests against a real server (Pebble) live in tests/integration.
//
// FakeAcmeServer at a glance (all knobs are public members; set them before the requests):
//   directory             the directory document; tests may edit it (served with the knobs below)
//   profiles              meta.profiles (name -> description); newOrder refuses other profiles
//   renewalWindows        ARI (RFC 9773): certID -> document served at renewalInfoUrl()/<certID>
//   renewalRetryAfter     the Retry-After of those documents ("" = none)
//   rejectReplaces        newOrder with `replaces` gets 409 alreadyReplaced (lastReplaces records
//                         the last `replaces` received, rejected or not)
//   rateLimitNewOrders    the next N newOrders get 429 rateLimited with rateLimitRetryAfter
//   strictAccounts        accounts are found by their key (newAccount with an unknown key
//                         creates one; onlyReturnExisting with it is accountDoesNotExist) and
//                         every kid request must verify with the account's key. Otherwise any
//                         key finds accountUrl(), as before (a key is only recorded).
//   accountRecord(url)    an account's key (JWK), status and contact; deactivated accounts are
//                         refused (401 unauthorized), as is newAccount with their key
//   keyChange             RFC 8555 §7.3.5, checked in full: inner JWS (jwk of the new key, url,
//                         no nonce, signature), account and oldKey; outer signature by the old
//                         key; 409 + Location when the new key has an account; then switches keys
//   revokeCert            §7.6 by kid (the ordering account only) or by the certificate's key
//                         (jwk); revocations() lists them; a second one is alreadyRevoked
//   authorization POST {status: deactivated} deactivates it (§7.5.2)
//   httpUrls              field names whose URLs are advertised as http:// instead of https://:
//                         directory members ("newNonce", "newOrder", "renewalInfo", ...),
//                         "account" and "order" (Location), "finalize", "certificate",
//                         "authorization", "challenge", "alternate". The http URLs still work,
//                         so a client that wrongly follows them succeeds and the test notices.
//   authzStatus           identifier value -> first status of its authorization ("valid" = reused)
//   failValidation        identifier value -> detail: answering its challenge makes it invalid
//   extraAuthorization    an identifier value the order gets an authorization for, unrequested
//   pendingPolls          authorization polls still "pending" after its challenge was answered
//   processingPolls       order polls still "processing" after finalize
//   brokenChain           the default chain's intermediate is from another CA (does not link)
//   offerAlternate        whether the certificate links an alternate chain (default true)
//   leafNames             names the leaf gets instead of the CSR's (empty = the CSR's)
//   leafForAnotherKey     the leaf certifies another key than the CSR's
//   forgottenAccounts     account URLs the CA forgot: their requests get accountDoesNotExist
//   seedOrder(...)        an order that already exists (pending/ready/processing/valid)
//   counts                how many newOrder, finalize, certificate, alternate, challenge POSTs
// Explicit route(url, handler) calls take precedence over the built-in issuance flow.

#include "acme/crypto/csr.hpp"
#include "fakes/acme_documents.hpp"
#include "fakes/fake_ca.hpp"

#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::fakes {

// Scripted transport: expected (method, url substring) -> response, in order; after the
// queue runs dry, the handler (when set) answers. Every request is recorded.
class FakeTransport : public acme::Transport {
  public:
    using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

    void expect(std::string method, std::string urlPart, HttpResponse response) {
        queue_.push_back({std::move(method), std::move(urlPart), std::move(response)});
    }
    void setHandler(Handler handler) { handler_ = std::move(handler); }

    Result<HttpResponse> send(const HttpRequest& request) override {
        requests_.push_back(request);
        if (!queue_.empty()) {
            Expected e = std::move(queue_.front());
            queue_.pop_front();
            if (e.method != request.method || request.url.find(e.urlPart) == std::string::npos) {
                std::string why = "expected " + e.method + " *" + e.urlPart + "*, got " +
                                  request.method + " " + request.url;
                mismatches_.push_back(why);
                return fail(ErrorKind::Internal, "fake transport: " + why);
            }
            return e.response;
        }
        if (handler_) {
            return handler_(request);
        }
        mismatches_.push_back("unexpected " + request.method + " " + request.url);
        return fail(ErrorKind::Internal, "fake transport: no response scripted for " + request.url);
    }

    [[nodiscard]] const std::vector<HttpRequest>& requests() const { return requests_; }
    [[nodiscard]] const std::vector<std::string>& mismatches() const { return mismatches_; }
    [[nodiscard]] std::size_t pending() const { return queue_.size(); }

  private:
    struct Expected {
        std::string method;
        std::string urlPart;
        HttpResponse response;
    };
    std::deque<Expected> queue_;
    Handler handler_;
    std::vector<HttpRequest> requests_;
    std::vector<std::string> mismatches_;
};

// A request as the fake server sees it: the HTTP exchange and the decoded JWS (POST only).
struct ServerRequest {
    HttpRequest http;
    DecodedJws jws;
    HttpResponse response; // what the server answered (filled in after the route ran)
};

// In-memory ACME server under the test's control (see the knobs above). Hands out
// "nonce-<n>" Replay-Nonces unless a route sets its own, and checks that each POST uses a
// nonce it issued exactly once (nonces come with newNonce and POST responses only). An unknown
// URL answers 404.
class FakeAcmeServer : public acme::Transport {
  public:
    using Route = std::function<HttpResponse(const ServerRequest&)>;

    // One authorization of the built-in flow.
    struct Authz {
        acme::Identifier identifier;
        std::string url;
        std::string challengeUrl; // http-01; dns-01 is challengeUrl + "/dns" (dns identifiers)
        std::string token;
        std::string status;
        int pendingPollsLeft = 0;
        bool answered = false;
    };
    // One order of the built-in flow.
    struct Order {
        std::string url;
        std::vector<acme::Identifier> identifiers;
        std::vector<std::size_t> authzs; // indexes into authorizations()
        std::string status;
        std::string profile;
        std::string replaces;
        std::string account; // kid of the newOrder request
        int processingPollsLeft = 0;
        acme::PkeyPtr certKey; // the CSR's key once finalized
        std::vector<std::string> csrNames;
    };
    struct Counts {
        int newOrder = 0;
        int finalize = 0;
        int certificate = 0; // downloads of the default chain
        int alternate = 0;   // downloads of the alternate chain
        int challenge = 0;   // challenge answers
        int keyChange = 0;   // successful key changes
        int deactivatedAuthorizations = 0;
    };
    // One account as the server knows it.
    struct AccountRec {
        json jwk; // null until the server saw the account's key
        std::string status = "valid";
        std::vector<std::string> contact;
    };
    // One revocation the server accepted (§7.6).
    struct Revocation {
        std::string serialHex; // lower-case hex, as acme::CertInfo::serialHex
        std::optional<int> reason;
        bool byCertificateKey = false;
        std::string account; // kid of the request; "" for the certificate key
    };

    static constexpr const char* kBase = "https://acme.test";
    [[nodiscard]] std::string url(const std::string& path) const {
        return std::string(kBase) + path;
    }
    [[nodiscard]] std::string directoryUrl() const { return url("/directory"); }
    [[nodiscard]] std::string newNonceUrl() const { return url("/new-nonce"); }
    [[nodiscard]] std::string newAccountUrl() const { return url("/new-account"); }
    [[nodiscard]] std::string newOrderUrl() const { return url("/new-order"); }
    [[nodiscard]] std::string accountUrl() const { return url("/account/1"); }
    [[nodiscard]] std::string revokeUrl() const { return url("/revoke"); }
    [[nodiscard]] std::string keyChangeUrl() const { return url("/key-change"); }
    [[nodiscard]] std::string renewalInfoUrl() const { return url("/renewal-info"); }
    // URLs of the built-in flow's order `n` (1-based, in creation order).
    [[nodiscard]] std::string orderUrl(int n) const { return url("/order/" + std::to_string(n)); }
    [[nodiscard]] std::string finalizeUrl(int n) const { return orderUrl(n) + "/finalize"; }
    [[nodiscard]] std::string certificateUrl(int n) const {
        return url("/cert/" + std::to_string(n));
    }
    [[nodiscard]] std::string alternateUrl(int n) const { return certificateUrl(n) + "/alt"; }

    FakeAcmeServer() {
        directory = {{"newNonce", newNonceUrl()},
                     {"newAccount", newAccountUrl()},
                     {"newOrder", newOrderUrl()},
                     {"revokeCert", revokeUrl()},
                     {"keyChange", keyChangeUrl()},
                     {"renewalInfo", renewalInfoUrl()},
                     // Pebble sends a data: URL; it is shown, never fetched.
                     {"meta", {{"termsOfService", "data:text/plain,Terms%20of%20service"}}}};
    }

    // --- knobs (see the header comment) ---
    json directory;
    std::map<std::string, std::string> profiles;
    std::map<std::string, json> renewalWindows;
    std::set<std::string> httpUrls;
    std::map<std::string, std::string> authzStatus;
    std::map<std::string, std::string> failValidation;
    std::string extraAuthorization;
    int pendingPolls = 1;
    int processingPolls = 0;
    bool brokenChain = false;
    bool offerAlternate = true;
    std::vector<std::string> leafNames;
    bool leafForAnotherKey = false;
    std::set<std::string> forgottenAccounts;
    bool withholdNonces = false; // when true, responses carry no Replay-Nonce
    std::string renewalRetryAfter = "21600";
    bool rejectReplaces = false;
    std::string lastReplaces;
    int rateLimitNewOrders = 0;
    std::string rateLimitRetryAfter = "3600";
    bool strictAccounts = false;
    Counts counts;

    // The CAs behind the chains: default = leaf + root.crossSign(issuing), alternate = leaf +
    // otherRoot.crossSign(issuing).
    [[nodiscard]] const FakeCa& issuingCa() const { return issuing_; }
    [[nodiscard]] const FakeCa& rootCa() const { return root_; }
    [[nodiscard]] const FakeCa& otherRootCa() const { return otherRoot_; }

    // An order of accountUrl() that already exists (e.g. left pending by a crash). Its
    // authorizations are "valid" unless `status` is "pending". "processing" and "valid" need the
    // certificate key (the certificate is issued for it); a seeded "processing" order answers
    // "processing" to the first processingPolls + 1 polls. Returns the order URL.
    std::string seedOrder(const std::vector<acme::Identifier>& ids, const std::string& status,
                          EVP_PKEY* certKey = nullptr) {
        std::size_t n = createOrder(ids, status == "pending" ? "pending" : "valid");
        Order& o = orders_[n];
        o.status = status;
        o.account = accountUrl(); // the account tests use
        o.processingPollsLeft = processingPolls + 1;
        if (certKey != nullptr) {
            EVP_PKEY_up_ref(certKey);
            o.certKey.reset(certKey);
            for (const auto& id : ids) {
                o.csrNames.push_back(id.value);
            }
        }
        return o.url;
    }

    void route(const std::string& fullUrl, Route handler) { routes_[fullUrl] = std::move(handler); }

    Result<HttpResponse> send(const HttpRequest& request) override {
        ServerRequest req{request, {}, {}};
        if (request.method == "POST") {
            req.jws = decodeJws(request.body);
            checkNonce(req.jws);
        }
        HttpResponse response = dispatch(req);
        // §6.5: nonces come with newNonce and with every POST response.
        bool wantsNonce = request.method == "POST" || routeKey(request.url) == newNonceUrl();
        if (wantsNonce && response.header("replay-nonce").empty() && !withholdNonces) {
            response.headers.emplace_back("replay-nonce", freshNonce());
        }
        req.response = response;
        log_.push_back(std::move(req));
        return response;
    }

    // A nonce this server will accept once (also usable in hand-made error responses).
    std::string freshNonce() {
        std::string n = "nonce-" + std::to_string(++nonceCounter_);
        issued_[n] = false;
        return n;
    }

    // Every request received, in order.
    [[nodiscard]] const std::vector<ServerRequest>& log() const { return log_; }
    // Requests to one URL, optionally only with `method`.
    [[nodiscard]] std::vector<ServerRequest> requestsTo(const std::string& fullUrl,
                                                        const std::string& method = "") const {
        std::vector<ServerRequest> out;
        for (const auto& r : log_) {
            if (r.http.url == fullUrl && (method.empty() || r.http.method == method)) {
                out.push_back(r);
            }
        }
        return out;
    }
    // Requests whose URL is not https (none, when the client keeps the https-only rule).
    [[nodiscard]] std::vector<std::string> httpRequests() const {
        std::vector<std::string> out;
        for (const auto& r : log_) {
            if (r.http.url.rfind("https://", 0) != 0) {
                out.push_back(r.http.method + " " + r.http.url);
            }
        }
        return out;
    }
    // POSTs whose nonce was never issued or was used twice.
    [[nodiscard]] const std::vector<std::string>& nonceViolations() const { return violations_; }
    // The built-in flow's state, for assertions.
    [[nodiscard]] const std::vector<Order>& orders() const { return orders_; }
    [[nodiscard]] const std::vector<Authz>& authorizations() const { return authzs_; }
    // The last CSR received at a finalize URL of the built-in flow, parsed.
    [[nodiscard]] const std::optional<ParsedCsr>& lastCsr() const { return lastCsr_; }
    // The account at `accountUrl` (created "valid", key unknown, on first use).
    AccountRec& accountRecord(const std::string& accountUrl) { return accountRecs_[accountUrl]; }
    // Revocations accepted, in order.
    [[nodiscard]] const std::vector<Revocation>& revocations() const { return revocations_; }

  private:
    // "http://acme.test/x" is served like "https://acme.test/x" (see httpUrls).
    static std::string routeKey(const std::string& u) {
        constexpr std::string_view kHttp = "http://acme.test";
        return u.rfind(kHttp, 0) == 0 ? std::string(kBase) + u.substr(kHttp.size()) : u;
    }

    // The URL as advertised for `field`: http:// when the test asked for it.
    [[nodiscard]] std::string advertise(const std::string& field, const std::string& u) const {
        if (httpUrls.count(field) == 0 || u.rfind("https://", 0) != 0) {
            return u;
        }
        return "http://" + u.substr(8);
    }

    // A member of the protected header; null when absent or the JWS did not decode.
    static json headerMember(const DecodedJws& jws, const char* name) {
        return jws.ok && jws.protectedHeader.is_object() ? jws.protectedHeader.value(name, json())
                                                         : json();
    }
    static std::string kidOf(const DecodedJws& jws) {
        json kid = headerMember(jws, "kid");
        return kid.is_string() ? kid.get<std::string>() : std::string();
    }

    // Refusals every kid request gets: a deactivated account (§7.3.6) and, with
    // strictAccounts, an unknown account or a signature that is not the account key's.
    std::optional<HttpResponse> refuseKid(const std::string& kid, const DecodedJws& jws) {
        auto it = accountRecs_.find(kid);
        if (it == accountRecs_.end()) {
            return strictAccounts ? std::optional(problemResponse(400, "accountDoesNotExist",
                                                                  "no such account: " + kid))
                                  : std::nullopt;
        }
        if (it->second.status == "deactivated") {
            return problemResponse(401, "unauthorized", "Account has been deactivated");
        }
        if (strictAccounts && !it->second.jwk.is_null() &&
            !verifiesJws(publicKeyFromJwk(it->second.jwk).get(), jws)) {
            return problemResponse(400, "malformed", "JWS verification error");
        }
        return std::nullopt;
    }

    HttpResponse dispatch(const ServerRequest& req) {
        std::string key = routeKey(req.http.url);
        std::string kid = kidOf(req.jws);
        if (!kid.empty() && forgottenAccounts.count(kid) != 0) {
            return problemResponse(400, "accountDoesNotExist", "no such account: " + kid);
        }
        if (auto refused = kid.empty() ? std::nullopt : refuseKid(kid, req.jws)) {
            return *refused;
        }
        if (auto it = routes_.find(key); it != routes_.end()) {
            return it->second(req);
        }
        if (key == directoryUrl()) {
            return jsonResponse(200, servedDirectory());
        }
        if (key == newNonceUrl()) {
            return makeResponse(200, "");
        }
        if (key == newAccountUrl()) {
            return newAccount(req);
        }
        if (key == newOrderUrl() && req.jws.ok) {
            return newOrder(req, kid);
        }
        if (key == keyChangeUrl() && req.jws.ok) {
            return keyChange(req, kid);
        }
        if (key == revokeUrl() && req.jws.ok) {
            return revoke(req, kid);
        }
        if (key.rfind(renewalInfoUrl() + "/", 0) == 0) {
            auto it = renewalWindows.find(key.substr(renewalInfoUrl().size() + 1));
            Headers headers;
            if (!renewalRetryAfter.empty()) {
                headers.emplace_back("retry-after", renewalRetryAfter);
            }
            return it == renewalWindows.end()
                       ? problemResponse(404, "malformed", "no renewal information")
                       : jsonResponse(200, it->second, headers);
        }
        if (accounts_.count(key) != 0 || accountRecs_.count(key) != 0 || key == accountUrl()) {
            return accountResource(key, req, kid);
        }
        return flowResource(key, req);
    }

    [[nodiscard]] json servedDirectory() const {
        json doc = directory;
        for (auto& [name, value] : doc.items()) {
            if (value.is_string()) {
                value = advertise(name, value.get<std::string>());
            }
        }
        if (!profiles.empty()) {
            doc["meta"]["profiles"] = profiles;
        }
        return doc;
    }

    [[nodiscard]] static json accountDoc(const AccountRec& rec) {
        json doc{{"status", rec.status}};
        if (!rec.contact.empty()) {
            doc["contact"] = rec.contact;
        }
        return doc;
    }

    // The account holding `jwk` (strictAccounts), "" when none (forgotten ones hold nothing).
    [[nodiscard]] std::string accountOfKey(const json& jwk) const {
        std::string thumb = thumbprintOf(jwk);
        for (const auto& [u, rec] : accountRecs_) {
            if (!thumb.empty() && thumbprintOf(rec.jwk) == thumb &&
                forgottenAccounts.count(u) == 0) {
                return u;
            }
        }
        return {};
    }

    // §7.3: onlyReturnExisting finds the account unless it was forgotten; a forgotten
    // account's key gets a new account. Without strictAccounts every key finds accountUrl().
    HttpResponse newAccount(const ServerRequest& req) {
        json payload = req.jws.payloadJson();
        bool onlyExisting = payload.is_object() && payload.value("onlyReturnExisting", false);
        json jwk = headerMember(req.jws, "jwk");
        std::string location = strictAccounts ? accountOfKey(jwk) : accountUrl();
        bool exists = !location.empty() && forgottenAccounts.count(location) == 0;
        if (!exists && onlyExisting) {
            return problemResponse(400, "accountDoesNotExist", "no account for this key");
        }
        bool fresh = !exists || accountRecs_.count(location) == 0;
        if (!exists) {
            bool firstFree =
                accountRecs_.count(accountUrl()) == 0 && forgottenAccounts.count(accountUrl()) == 0;
            location =
                firstFree ? accountUrl() : url("/account/" + std::to_string(accounts_.size() + 2));
            if (location != accountUrl()) {
                accounts_.insert(location);
            }
        }
        AccountRec& rec = accountRecs_[location];
        if (rec.status == "deactivated") {
            return problemResponse(401, "unauthorized",
                                   "An account with the provided public key exists but is "
                                   "deactivated");
        }
        if (rec.jwk.is_null()) {
            rec.jwk = jwk;
        }
        if (fresh && payload.is_object() && payload.contains("contact") &&
            payload["contact"].is_array()) {
            rec.contact = payload["contact"].get<std::vector<std::string>>();
        }
        int status = onlyExisting || (strictAccounts && exists) ? 200 : 201;
        return jsonResponse(status, accountDoc(rec),
                            {{"location", advertise("account", location)}});
    }

    // §7.3.2 update (contact), §7.3.6 deactivation, or POST-as-GET of the account.
    HttpResponse accountResource(const std::string& key, const ServerRequest& req,
                                 const std::string& kid) {
        if (!kid.empty() && kid != key) {
            return problemResponse(403, "unauthorized", "this is not the requester's account");
        }
        AccountRec& rec = accountRecs_[key];
        json payload = req.jws.payloadJson();
        if (payload.is_object() && payload.contains("status")) {
            if (payload["status"] != "deactivated") {
                return problemResponse(400, "malformed", "invalid account status");
            }
            rec.status = "deactivated";
        } else if (payload.is_object() && payload.contains("contact")) {
            std::vector<std::string> contact;
            for (const auto& c : payload["contact"]) {
                if (!c.is_string() || c.get<std::string>().rfind("mailto:", 0) != 0) {
                    return problemResponse(400, "unsupportedContact", "only mailto: contacts");
                }
                contact.push_back(c.get<std::string>());
            }
            rec.contact = std::move(contact);
        }
        return jsonResponse(200, accountDoc(rec));
    }

    // §7.3.5 inner JWS checks: jwk of the new key, same url as the outer one, no nonce or kid,
    // a signature by the new key, {account, oldKey} naming the requester and its current key.
    // Returns the problem, or nullopt with `newJwk` and `oldJwk` filled in.
    std::optional<HttpResponse> checkInnerJws(const ServerRequest& req, const std::string& kid,
                                              json& newJwk, json& oldJwk) {
        DecodedJws inner = decodeJws(req.jws.payload);
        newJwk = headerMember(inner, "jwk");
        if (!inner.ok || !newJwk.is_object() || !headerMember(inner, "nonce").is_null() ||
            !headerMember(inner, "kid").is_null() ||
            headerMember(inner, "url") != headerMember(req.jws, "url")) {
            return problemResponse(400, "malformed", "inner JWS: jwk and url, no nonce or kid");
        }
        if (!verifiesJws(publicKeyFromJwk(newJwk).get(), inner)) {
            return problemResponse(400, "malformed", "inner JWS: bad signature");
        }
        json payload = inner.payloadJson();
        if (!payload.is_object() || payload.value("account", std::string()) != kid ||
            !payload.contains("oldKey")) {
            return problemResponse(400, "malformed", "inner JWS: wrong or missing account");
        }
        oldJwk = payload["oldKey"];
        const json& current = accountRecs_[kid].jwk;
        if (thumbprintOf(oldJwk).empty() ||
            (!current.is_null() && thumbprintOf(current) != thumbprintOf(oldJwk))) {
            return problemResponse(400, "malformed", "inner JWS: oldKey is not the account key");
        }
        if (thumbprintOf(oldJwk) == thumbprintOf(newJwk)) {
            return problemResponse(400, "malformed", "New and old key are identical");
        }
        return std::nullopt;
    }

    // §7.3.5: the outer JWS must be signed by the old key; the new key must be free.
    HttpResponse keyChange(const ServerRequest& req, const std::string& kid) {
        if (kid.empty()) {
            return problemResponse(400, "malformed", "keyChange needs a kid");
        }
        json newJwk;
        json oldJwk;
        if (auto problem = checkInnerJws(req, kid, newJwk, oldJwk)) {
            return *problem;
        }
        if (!verifiesJws(publicKeyFromJwk(oldJwk).get(), req.jws)) {
            return problemResponse(400, "malformed", "outer JWS: not signed by the old key");
        }
        std::string thumb = thumbprintOf(newJwk);
        for (const auto& [u, rec] : accountRecs_) {
            if (thumbprintOf(rec.jwk) == thumb) {
                return makeResponse(409, "", {{"location", u}}); // as Pebble: no body
            }
        }
        accountRecs_[kid].jwk = newJwk;
        ++counts.keyChange;
        return jsonResponse(200, accountDoc(accountRecs_[kid]));
    }

    // Lower-case hex serial of a DER certificate; "" when it does not parse.
    static std::string serialOfDer(const std::string& der) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
        ossl::BnPtr bn(cert ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr)
                            : nullptr);
        ossl::OsslStringPtr hex(bn ? BN_bn2hex(bn.get()) : nullptr);
        std::string out = hex ? hex.get() : "";
        for (auto& c : out) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return out;
    }

    // Who may revoke (§7.6): the account that ordered it (kid), or its key (jwk).
    std::optional<HttpResponse> refuseRevoker(const ServerRequest& req, const std::string& kid,
                                              const std::pair<std::string, std::string>& owner) {
        if (!kid.empty()) {
            if (kid != owner.first) {
                return problemResponse(403, "unauthorized",
                                       "The certificate being revoked is not associated with "
                                       "account " +
                                           kid);
            }
            return std::nullopt;
        }
        json jwk = headerMember(req.jws, "jwk");
        if (thumbprintOf(jwk).empty() || thumbprintOf(jwk) != owner.second) {
            return problemResponse(403, "unauthorized",
                                   "JWK embedded in revocation request must be the same public "
                                   "key as the cert to be revoked");
        }
        if (!verifiesJws(publicKeyFromJwk(jwk).get(), req.jws)) {
            return problemResponse(400, "malformed", "JWS verification error");
        }
        return std::nullopt;
    }

    // §7.6, checked in Pebble's order: reason, certificate, already revoked, requester.
    HttpResponse revoke(const ServerRequest& req, const std::string& kid) {
        json payload = req.jws.payloadJson();
        if (!payload.is_object()) {
            return problemResponse(400, "malformed", "no revocation request");
        }
        std::optional<int> reason;
        if (payload.contains("reason")) {
            if (!payload["reason"].is_number_integer() ||
                !acme::isRevocationReason(payload["reason"].get<int>())) {
                return problemResponse(400, "badRevocationReason", "Invalid revocation reason");
            }
            reason = payload["reason"].get<int>();
        }
        auto der = base64urlDecode(payload.value("certificate", std::string()));
        std::string serial = der ? serialOfDer(*der) : std::string();
        auto issued = certsIssued_.find(serial);
        if (issued == certsIssued_.end()) {
            return problemResponse(400, "malformed", "Unable to find specified certificate.");
        }
        for (const auto& r : revocations_) {
            if (r.serialHex == serial) {
                return problemResponse(400, "alreadyRevoked",
                                       "Certificate has already been revoked.");
            }
        }
        if (auto refused = refuseRevoker(req, kid, issued->second)) {
            return *refused;
        }
        revocations_.push_back({serial, reason, kid.empty(), kid});
        return makeResponse(200, "");
    }

    // §7.4: an order with one authorization per identifier (plus extraAuthorization).
    HttpResponse newOrder(const ServerRequest& req, const std::string& kid) {
        ++counts.newOrder;
        if (rateLimitNewOrders > 0) {
            --rateLimitNewOrders;
            Headers headers;
            if (!rateLimitRetryAfter.empty()) {
                headers.emplace_back("retry-after", rateLimitRetryAfter);
            }
            return problemResponse(429, "rateLimited", "too many new orders recently", headers);
        }
        json payload = req.jws.payloadJson();
        std::vector<acme::Identifier> ids;
        if (payload.is_object() && payload.contains("identifiers") &&
            payload["identifiers"].is_array()) {
            for (const auto& id : payload["identifiers"]) {
                ids.push_back({id.value("type", std::string()), id.value("value", std::string())});
            }
        }
        if (ids.empty()) {
            return problemResponse(400, "malformed", "no identifiers");
        }
        std::string profile = payload.value("profile", std::string());
        if (!profile.empty() && profiles.count(profile) == 0) {
            return problemResponse(400, "invalidProfile", "unknown profile " + profile);
        }
        lastReplaces = payload.value("replaces", std::string());
        if (rejectReplaces && !lastReplaces.empty()) {
            return problemResponse(409, "alreadyReplaced",
                                   "certificate " + lastReplaces + " was already replaced");
        }
        std::size_t n = createOrder(ids, "");
        orders_[n].profile = profile;
        orders_[n].replaces = lastReplaces;
        orders_[n].account = kid;
        return jsonResponse(201, orderDoc(n), {{"location", advertise("order", orders_[n].url)}});
    }

    std::size_t createOrder(const std::vector<acme::Identifier>& ids, const std::string& status) {
        Order o;
        o.url = orderUrl(static_cast<int>(orders_.size()) + 1);
        o.identifiers = ids;
        o.status = "pending";
        o.processingPollsLeft = processingPolls;
        auto all = ids;
        if (!extraAuthorization.empty()) {
            all.push_back({"dns", extraAuthorization});
        }
        for (const auto& id : all) {
            Authz a;
            a.identifier = id;
            a.url = url("/authz/" + std::to_string(authzs_.size() + 1));
            a.challengeUrl = url("/chal/" + std::to_string(authzs_.size() + 1));
            a.token = tokenFor(id.value + std::to_string(authzs_.size() + 1));
            auto st = authzStatus.find(id.value);
            a.status =
                !status.empty() ? status : (st == authzStatus.end() ? "pending" : st->second);
            o.authzs.push_back(authzs_.size());
            authzs_.push_back(a);
        }
        orders_.push_back(std::move(o));
        return orders_.size() - 1;
    }

    // Order status from its authorizations (§7.1.6): pending -> ready or invalid.
    void refresh(Order& o) {
        if (o.status != "pending") {
            return;
        }
        bool allValid = true;
        for (auto i : o.authzs) {
            allValid = allValid && authzs_[i].status == "valid";
            if (authzs_[i].status == "invalid" || authzs_[i].status == "deactivated") {
                o.status = "invalid";
                return;
            }
        }
        if (allValid) {
            o.status = "ready";
        }
    }

    [[nodiscard]] json orderDoc(std::size_t n) const {
        const Order& o = orders_[n];
        json authz = json::array();
        for (auto i : o.authzs) {
            authz.push_back(advertise("authorization", authzs_[i].url));
        }
        json doc{{"status", o.status},
                 {"identifiers", identifiersJson(o.identifiers)},
                 {"authorizations", authz},
                 {"finalize", advertise("finalize", finalizeUrl(static_cast<int>(n) + 1))}};
        if (o.status == "valid") {
            doc["certificate"] = advertise("certificate", certificateUrl(static_cast<int>(n) + 1));
        }
        if (o.status == "invalid") {
            doc["error"] = {{"type", "urn:ietf:params:acme:error:unauthorized"},
                            {"detail", "an authorization failed"}};
        }
        return doc;
    }

    [[nodiscard]] json authzDoc(const Authz& a) const {
        json chal = challengeJson("http-01", advertise("challenge", a.challengeUrl), a.token,
                                  a.answered ? a.status : "pending");
        if (a.status == "invalid" && failValidation.count(a.identifier.value) != 0) {
            chal["error"] = {{"type", "urn:ietf:params:acme:error:unauthorized"},
                             {"detail", failValidation.at(a.identifier.value)},
                             {"status", 403}};
        }
        json chals = json::array({chal});
        if (a.identifier.type == "dns") { // RFC 8738 §7: no dns-01 for ip identifiers
            chals.push_back(challengeJson("dns-01", advertise("challenge", a.challengeUrl + "/dns"),
                                          a.token, "pending"));
        }
        return {{"identifier", {{"type", a.identifier.type}, {"value", a.identifier.value}}},
                {"status", a.status},
                {"challenges", chals}};
    }

    // The dynamic resources of the built-in flow: /order/N[/finalize], /cert/N[/alt],
    // /authz/M, /chal/M[/dns].
    HttpResponse flowResource(const std::string& key, const ServerRequest& req) {
        for (std::size_t n = 0; n < orders_.size(); ++n) {
            int id = static_cast<int>(n) + 1;
            if (key == orderUrl(id)) {
                return pollOrder(n);
            }
            if (key == finalizeUrl(id)) {
                return finalizeOrder(n, req);
            }
            if (key == certificateUrl(id) || key == alternateUrl(id)) {
                return certificate(n, key == alternateUrl(id));
            }
        }
        for (auto& a : authzs_) {
            if (key == a.url) {
                return pollAuthz(a, req);
            }
            if (key == a.challengeUrl || key == a.challengeUrl + "/dns") {
                return answerChallenge(a);
            }
        }
        return problemResponse(404, "malformed", "no such resource");
    }

    HttpResponse pollOrder(std::size_t n) {
        Order& o = orders_[n];
        refresh(o);
        if (o.status == "processing" && o.processingPollsLeft-- <= 0) {
            o.status = "valid";
        }
        return jsonResponse(200, orderDoc(n));
    }

    // §7.4: the CSR must name exactly the order's identifiers.
    HttpResponse finalizeOrder(std::size_t n, const ServerRequest& req) {
        ++counts.finalize;
        Order& o = orders_[n];
        refresh(o);
        if (o.status != "ready") {
            return problemResponse(403, "orderNotReady", "order is " + o.status);
        }
        json payload = req.jws.payloadJson();
        auto der = base64urlDecode(payload.is_object() ? payload.value("csr", std::string()) : "");
        lastCsr_ = der ? parseCsrDer(*der) : std::nullopt;
        if (!lastCsr_ || !lastCsr_->signatureOk) {
            return problemResponse(400, "badCSR", "the CSR does not parse or verify");
        }
        std::multiset<std::string> want;
        std::multiset<std::string> got;
        for (const auto& id : o.identifiers) {
            want.insert(id.value);
        }
        got.insert(lastCsr_->dnsNames.begin(), lastCsr_->dnsNames.end());
        got.insert(lastCsr_->ipAddresses.begin(), lastCsr_->ipAddresses.end());
        if (want != got) {
            return problemResponse(400, "badCSR", "the CSR names differ from the order's");
        }
        o.csrNames = lastCsr_->dnsNames;
        o.csrNames.insert(o.csrNames.end(), lastCsr_->ipAddresses.begin(),
                          lastCsr_->ipAddresses.end());
        EVP_PKEY_up_ref(lastCsr_->publicKey.get());
        o.certKey.reset(lastCsr_->publicKey.get());
        o.status = "processing";
        return jsonResponse(200, orderDoc(n), {{"location", advertise("order", o.url)}});
    }

    HttpResponse certificate(std::size_t n, bool alternate) {
        Order& o = orders_[n];
        if (o.status != "valid" || !o.certKey) {
            return problemResponse(404, "malformed", "no certificate yet");
        }
        (alternate ? counts.alternate : counts.certificate)++;
        auto otherKey = generateKey();
        EVP_PKEY* key = leafForAnotherKey ? otherKey.get() : o.certKey.get();
        std::string leaf = issuing_.issueLeaf(key, leafNames.empty() ? o.csrNames : leafNames);
        if (auto info = acme::inspectCertPem(leaf)) { // who may revoke it (§7.6)
            auto jwk = acme::publicJwk(key);
            certsIssued_[info->serialHex] = {o.account, jwk ? thumbprintOf(*jwk) : std::string()};
        }
        const FakeCa& signer = alternate ? otherRoot_ : root_;
        std::string chain =
            leaf + signer.crossSign(brokenChain && !alternate ? stranger_ : issuing_);
        Headers headers{{"content-type", "application/pem-certificate-chain"},
                        {"link", "<" + directoryUrl() + ">;rel=\"index\""}};
        if (offerAlternate && !alternate) {
            int id = static_cast<int>(n) + 1;
            headers.emplace_back("link", "<" + advertise("alternate", alternateUrl(id)) +
                                             ">;rel=\"alternate\"");
        }
        return makeResponse(200, chain, headers);
    }

    // POST-as-GET, or §7.5.2 deactivation (from pending or valid).
    HttpResponse pollAuthz(Authz& a, const ServerRequest& req) {
        json payload = req.jws.payloadJson();
        if (payload.is_object() && payload.value("status", std::string()) == "deactivated") {
            if (a.status != "pending" && a.status != "valid") {
                return problemResponse(400, "malformed", "authorization is " + a.status);
            }
            a.status = "deactivated";
            ++counts.deactivatedAuthorizations;
            return jsonResponse(200, authzDoc(a));
        }
        if (a.answered && a.status == "pending" && a.pendingPollsLeft-- <= 0) {
            a.status = failValidation.count(a.identifier.value) != 0 ? "invalid" : "valid";
        }
        return jsonResponse(200, authzDoc(a));
    }

    HttpResponse answerChallenge(Authz& a) {
        ++counts.challenge;
        if (!a.answered && a.status == "pending") {
            a.answered = true;
            a.pendingPollsLeft = pendingPolls;
        }
        return jsonResponse(200, challengeJson("http-01", a.challengeUrl, a.token, "processing"));
    }

    void checkNonce(const DecodedJws& jws) {
        std::string nonce = jws.ok && jws.protectedHeader.contains("nonce") &&
                                    jws.protectedHeader["nonce"].is_string()
                                ? jws.protectedHeader["nonce"].get<std::string>()
                                : std::string();
        auto it = issued_.find(nonce);
        if (it == issued_.end()) {
            violations_.push_back("unknown nonce \"" + nonce + "\"");
        } else if (it->second) {
            violations_.push_back("reused nonce \"" + nonce + "\"");
        } else {
            it->second = true;
        }
    }

    std::map<std::string, Route> routes_;
    std::vector<ServerRequest> log_;
    std::map<std::string, bool> issued_; // nonce -> used
    std::vector<std::string> violations_;
    int nonceCounter_ = 0;
    std::set<std::string> accounts_; // accounts created besides accountUrl()
    std::map<std::string, AccountRec> accountRecs_;
    // serial hex -> (ordering account, thumbprint of the certificate key)
    std::map<std::string, std::pair<std::string, std::string>> certsIssued_;
    std::vector<Revocation> revocations_;
    std::vector<Order> orders_;
    std::vector<Authz> authzs_;
    std::optional<ParsedCsr> lastCsr_;
    FakeCa issuing_{"Fake Issuing CA"};
    FakeCa root_{"Fake Root X1"};
    FakeCa otherRoot_{"Other Root X2"};
    FakeCa stranger_{"Fake Issuing CA"}; // same name, another key: brokenChain
};

} // namespace certkeep::fakes

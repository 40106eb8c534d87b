#pragma once
// RFC 8555 §7.1 resources as plain structs, parsed defensively from server JSON.

#include "common/result.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::acme {

// RFC 8555 §7.1.1
struct Directory {
    std::string url;
    std::string newNonce;
    std::string newAccount;
    std::string newOrder;
    std::string revokeCert;
    std::string keyChange;
    std::string renewalInfo;    // RFC 9773, optional
    std::string termsOfService; // shown, never fetched: not checked to be https
    bool externalAccountRequired = false;
    // meta.profiles (draft-ietf-acme-profiles): name -> description; empty when not offered.
    std::map<std::string, std::string> profiles;
    // meta.caaIdentities (§7.1.1): the CA's CAA issuer domain names, also its dns-persist-01
    // issuer domain; empty when not offered.
    std::vector<std::string> caaIdentities;
};

// RFC 8555 §9.7.7 "dns", RFC 8738 "ip".
struct Identifier {
    std::string type; // "dns" | "ip"
    std::string value;
    bool operator==(const Identifier&) const = default;
};

// RFC 8555 §7.1.5
struct Challenge {
    std::string type;
    std::string url;
    std::string status;
    std::string token; // "" for dns-persist-01, which has none
    std::optional<Problem> error;
    // dns-persist-01 (draft-ietf-acme-dns-persist-01 §3.1): the issuer domain names a record
    // may name, and the account URI it must carry ("" = the client's own account URL).
    std::vector<std::string> issuerDomainNames; // "issuer-domain-names"
    std::string accountUri;                     // "accounturi"
};

// The dns-persist-01 challenge type (draft-ietf-acme-dns-persist-01).
inline constexpr const char* kDnsPersist01 = "dns-persist-01";

// RFC 8555 §7.1.4
struct Authorization {
    std::string url;
    Identifier identifier;
    std::string status; // pending | valid | invalid | deactivated | expired | revoked
    bool wildcard = false;
    std::vector<Challenge> challenges;
};

// RFC 8555 §7.1.3
struct Order {
    std::string url;
    std::string status; // pending | ready | processing | valid | invalid
    std::vector<Identifier> identifiers;
    std::vector<std::string> authorizations;
    std::string finalize;
    std::string certificate;
    std::optional<Problem> error;
};

// RFC 8555 §7.1.2
struct Account {
    std::string url;
    std::string status;
    std::vector<std::string> contact;
    std::string orders;
};

// Each parser checks required members and types; Protocol error naming what is wrong.
// Every URL certkeep will request must be https (lego's CVE-2025-54799): a parser refuses an
// http (or other) URL with a Protocol error naming the field, e.g. "the directory's newOrder".
Result<Directory> parseDirectory(const std::string& body, const std::string& url);
Result<Order> parseOrder(const std::string& body, const std::string& url);
Result<Authorization> parseAuthorization(const std::string& body, const std::string& url);
// A challenge's token is not checked here (a dns-persist-01 challenge has none): whoever
// answers a challenge checks its token (challenges::isValidToken).
Result<Challenge> parseChallenge(const nlohmann::json& doc);
Result<Account> parseAccount(const std::string& body, const std::string& url);

// Success when `url` is https (certkeep::isHttpsUrl); otherwise a Protocol error
// "<field> is not https: <url>; certkeep only talks https to a CA", URL shown by displayUrl.
Status requireHttps(const std::string& field, const std::string& url);

} // namespace certkeep::acme

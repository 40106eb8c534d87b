#pragma once
// Test helper: builders for the ACME resources a FakeAcmeServer serves (RFC 8555 §7.1), HTTP
// response builders, a decoder for the flattened JWS bodies the client sends (§6.2), and
// what a server needs to check them: JWK -> public key, JWS signature checks, thumbprints.

#include "acme/client.hpp"
#include "acme/crypto/ossl.hpp"
#include "acme/transport.hpp"
#include "acme/types.hpp"
#include "common/base64url.hpp"

#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::fakes {

using acme::HttpRequest;
using acme::HttpResponse;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// A token that passes challenges::isValidToken (base64url, >= 22 characters).
inline std::string tokenFor(const std::string& seed) {
    std::string token = "tok_" + seed;
    for (auto& c : token) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
            c = '-'; // '.', ':' and the '*' of a wildcard are not base64url
        }
    }
    while (token.size() < 43) {
        token += 'A';
    }
    return token;
}

// True for an IPv4 or IPv6 literal.
inline bool isIpLiteral(const std::string& name) {
    std::array<unsigned char, 16> buf{};
    return inet_pton(AF_INET, name.c_str(), buf.data()) == 1 ||
           inet_pton(AF_INET6, name.c_str(), buf.data()) == 1;
}

// Names as identifiers: "ip" for IP literals (RFC 8738), "dns" for everything else.
inline std::vector<acme::Identifier> toIdentifiers(const std::vector<std::string>& names) {
    std::vector<acme::Identifier> out;
    for (const auto& n : names) {
        out.push_back({isIpLiteral(n) ? "ip" : "dns", n});
    }
    return out;
}

// A NewOrderRequest for `names` (dns or ip by their form).
inline acme::NewOrderRequest orderRequest(const std::vector<std::string>& names) {
    acme::NewOrderRequest request;
    request.identifiers = toIdentifiers(names);
    return request;
}

inline json identifiersJson(const std::vector<acme::Identifier>& ids) {
    json out = json::array();
    for (const auto& id : ids) {
        out.push_back({{"type", id.type}, {"value", id.value}});
    }
    return out;
}

// Plain names as identifiers (dns, or ip for IP literals).
inline json identifiersJson(const std::vector<std::string>& names) {
    return identifiersJson(toIdentifiers(names));
}

// §7.1.3 order.
inline json orderJson(const std::string& status, const std::vector<std::string>& domains,
                      const std::vector<std::string>& authzUrls, const std::string& finalizeUrl,
                      const std::string& certificateUrl = "") {
    json doc{{"status", status},
             {"identifiers", identifiersJson(domains)},
             {"authorizations", authzUrls},
             {"finalize", finalizeUrl}};
    if (!certificateUrl.empty()) {
        doc["certificate"] = certificateUrl;
    }
    return doc;
}

// §7.1.5 challenge.
inline json challengeJson(const std::string& type, const std::string& url, const std::string& token,
                          const std::string& status) {
    return {{"type", type}, {"url", url}, {"token", token}, {"status", status}};
}

// dns-persist-01 challenge (draft-ietf-acme-dns-persist-01 §3.1, as Boulder's WFE shows it): no
// token; "accounturi" only when `accountUri` is not empty.
inline json persistChallengeJson(const std::string& url, const std::string& status,
                                 const std::vector<std::string>& issuerDomains,
                                 const std::string& accountUri = "") {
    json doc{{"type", "dns-persist-01"},
             {"url", url},
             {"status", status},
             {"issuer-domain-names", issuerDomains}};
    if (!accountUri.empty()) {
        doc["accounturi"] = accountUri;
    }
    return doc;
}

// §7.1.4 authorization (identifier type dns, or ip for an IP literal). Pass challenges as
// json::array({...}): a one-element brace list would be copied as an object, not wrapped in
// an array.
inline json authzJson(const std::string& domain, const std::string& status,
                      const json& challenges) {
    return {{"identifier", {{"type", isIpLiteral(domain) ? "ip" : "dns"}, {"value", domain}}},
            {"status", status},
            {"challenges", challenges}};
}

// A transport in front of a fake ACME server that offers dns-persist-01 in every pending or
// answered authorization of a dns identifier, as Let's Encrypt does (Pebble 2.4.0 has none):
// {"type": "dns-persist-01", "url": <first challenge URL> + "/persist", no token}. Answering
// it answers the authorization's first challenge at the server underneath; persistAnswers
// records it. An identifier "*.NAME" is shown as RFC 8555 §7.1.4 wants: "NAME" with
// "wildcard": true.
class PersistOffering : public acme::Transport {
  public:
    static constexpr std::string_view kSuffix = "/persist";

    explicit PersistOffering(acme::Transport& inner) : inner_(inner) {}

    std::vector<std::string> issuerDomains{"ca.test"}; // "issuer-domain-names"
    std::string accountUri; // "accounturi"; "" = not sent (Boulder without AccountURIPrefix)
    bool offer = true;      // false: authorizations as the server sends them
    std::vector<std::string> persistAnswers; // dns-persist-01 challenge URLs POSTed to

    Result<HttpResponse> send(const HttpRequest& request) override {
        HttpRequest forwarded = request;
        const bool persist =
            request.method == "POST" && request.url.size() > kSuffix.size() &&
            request.url.compare(request.url.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
        if (persist) {
            forwarded.url.resize(request.url.size() - kSuffix.size());
            persistAnswers.push_back(request.url);
        }
        auto response = inner_.send(forwarded);
        if (!response || response->status / 100 != 2) {
            return response;
        }
        json doc = json::parse(response->body, nullptr, false);
        if (persist && doc.is_object()) {
            doc = persistChallengeJson(request.url, doc.value("status", "processing"),
                                       issuerDomains, accountUri);
        } else if (offer && doc.is_object() && doc.contains("identifier") &&
                   doc.contains("challenges")) {
            showAsPersistOffer(doc);
        } else {
            return response;
        }
        response->body = doc.dump();
        return response;
    }

  private:
    void showAsPersistOffer(json& authz) const {
        std::string value = authz["identifier"].value("value", std::string());
        if (value.rfind("*.", 0) == 0) {
            authz["identifier"]["value"] = value.substr(2);
            authz["wildcard"] = true;
        }
        json& chals = authz["challenges"];
        if (authz["identifier"].value("type", std::string()) != "dns" || !chals.is_array() ||
            chals.empty()) {
            return;
        }
        const json& first = chals.front();
        chals.push_back(
            persistChallengeJson(first.value("url", std::string()) + std::string(kSuffix),
                                 first.value("status", "pending"), issuerDomains, accountUri));
    }

    acme::Transport& inner_;
};

// A flattened JWS body taken apart. `payload` is the decoded payload text ("" for POST-as-GET).
struct DecodedJws {
    bool ok = false;
    json protectedHeader;
    std::string protectedB64;
    std::string payloadB64;
    std::string payload;
    std::string signature; // raw bytes

    // The payload as JSON; null when it is empty or not JSON.
    [[nodiscard]] json payloadJson() const {
        if (payload.empty()) {
            return nullptr;
        }
        return json::parse(payload, nullptr, false);
    }
};

// Decodes a flattened JWS from a request body; ok == false when it is not one.
inline DecodedJws decodeJws(const std::string& body) {
    DecodedJws out;
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("protected") ||
        !doc.contains("payload") || !doc.contains("signature")) {
        return out;
    }
    out.protectedB64 = doc["protected"].get<std::string>();
    out.payloadB64 = doc["payload"].get<std::string>();
    auto prot = base64urlDecode(out.protectedB64);
    auto sig = base64urlDecode(doc["signature"].get<std::string>());
    if (!prot || !sig) {
        return out;
    }
    if (!out.payloadB64.empty()) {
        auto payload = base64urlDecode(out.payloadB64);
        if (!payload) {
            return out;
        }
        out.payload = *payload;
    }
    out.protectedHeader = json::parse(*prot, nullptr, false);
    out.signature = *sig;
    out.ok = !out.protectedHeader.is_discarded();
    return out;
}

// Response builders.
inline HttpResponse makeResponse(long status, std::string body, Headers headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

inline HttpResponse jsonResponse(long status, const json& body, Headers headers = {}) {
    headers.emplace_back("content-type", "application/json");
    return makeResponse(status, body.dump(), std::move(headers));
}

// An RFC 8555 §6.7 problem document; `shortType` without the URN prefix.
inline HttpResponse problemResponse(long status, const std::string& shortType,
                                    const std::string& detail, Headers headers = {}) {
    headers.emplace_back("content-type", "application/problem+json");
    json doc{{"type", "urn:ietf:params:acme:error:" + shortType},
             {"detail", detail},
             {"status", status}};
    return makeResponse(status, doc.dump(), std::move(headers));
}

// The public key a JWK describes (EC P-256/P-384: crv, x, y; RSA: n, e); null otherwise.
inline acme::PkeyPtr publicKeyFromJwk(const json& jwk) {
    if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string()) {
        return nullptr;
    }
    auto member = [&jwk](const char* name) -> std::string {
        auto it = jwk.find(name);
        auto bytes = it != jwk.end() && it->is_string() ? base64urlDecode(it->get<std::string>())
                                                        : Result<std::string>(Error{});
        return bytes ? *bytes : std::string();
    };
    std::unique_ptr<OSSL_PARAM_BLD, acme::ossl::Deleter<OSSL_PARAM_BLD_free>> bld(
        OSSL_PARAM_BLD_new());
    acme::ossl::BnPtr n;
    acme::ossl::BnPtr e;
    // The builder keeps pointers until OSSL_PARAM_BLD_to_param: these must outlive it.
    std::string point;
    std::string crv;
    std::string type = jwk["kty"].get<std::string>();
    if (type == "EC") {
        crv = jwk.value("crv", std::string());
        point = "\x04" + member("x") + member("y");
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, crv.c_str(), 0);
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size());
    } else if (type == "RSA") {
        std::string nb = member("n");
        std::string eb = member("e");
        n.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()),
                          static_cast<int>(nb.size()), nullptr));
        e.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(eb.data()),
                          static_cast<int>(eb.size()), nullptr));
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    } else {
        return nullptr;
    }
    std::unique_ptr<OSSL_PARAM, acme::ossl::Deleter<OSSL_PARAM_free>> params(
        OSSL_PARAM_BLD_to_param(bld.get()));
    std::unique_ptr<EVP_PKEY_CTX, acme::ossl::Deleter<EVP_PKEY_CTX_free>> ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, type.c_str(), nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return acme::PkeyPtr(key);
}

// Verifies a JWS signed with ES256, ES384 (raw r||s, RFC 7518 §3.4) or RS256 by `key`; the
// algorithm is the protected header's "alg".
inline bool verifiesJws(EVP_PKEY* key, const DecodedJws& jws) {
    if (key == nullptr || !jws.ok || !jws.protectedHeader.is_object()) {
        return false;
    }
    std::string alg = jws.protectedHeader.value("alg", std::string());
    std::string sig = jws.signature;
    if (alg == "ES256" || alg == "ES384") {
        std::size_t half = alg == "ES256" ? 32 : 48;
        if (sig.size() != 2 * half) {
            return false;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
        acme::ossl::EcdsaSigPtr ecdsa(ECDSA_SIG_new());
        ECDSA_SIG_set0(ecdsa.get(), BN_bin2bn(p, static_cast<int>(half), nullptr),
                       BN_bin2bn(p + half, static_cast<int>(half), nullptr));
        int len = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
        sig.assign(static_cast<size_t>(len), '\0');
        auto* out = reinterpret_cast<unsigned char*>(sig.data());
        i2d_ECDSA_SIG(ecdsa.get(), &out);
    } else if (alg != "RS256") {
        return false;
    }
    std::string input = jws.protectedB64 + "." + jws.payloadB64;
    acme::ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    bool ok =
        EVP_DigestVerifyInit(ctx.get(), nullptr, alg == "ES384" ? EVP_sha384() : EVP_sha256(),
                             nullptr, key) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    ERR_clear_error();
    return ok;
}

// Verifies an ES256 JWS with `key`.
inline bool verifiesEs256(EVP_PKEY* key, const DecodedJws& jws) {
    return jws.protectedHeader.is_object() && jws.protectedHeader.value("alg", "") == "ES256" &&
           verifiesJws(key, jws);
}

// RFC 7638 thumbprint of a JWK, "" when it is not one (JWKs compare equal by it).
inline std::string thumbprintOf(const json& jwk) {
    auto t = jwk.is_object() ? acme::jwkThumbprint(jwk) : Result<std::string>(Error{});
    return t ? *t : std::string();
}

} // namespace certkeep::fakes

// Public JWKs (RFC 7517, RFC 7518 §6) and their thumbprints (RFC 7638).
#include "acme/crypto/jws.hpp"
#include "acme/crypto/ossl.hpp"
#include "common/base64url.hpp"

#include <array>
#include <openssl/core_names.h>
#include <openssl/sha.h>

namespace certkeep::acme {

namespace {

using nlohmann::json;

// A BIGNUM parameter of `key` (e.g. OSSL_PKEY_PARAM_RSA_N).
Result<ossl::BnPtr> bnParam(EVP_PKEY* key, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || bn == nullptr) {
        return ossl::cryptoFail(std::string("reading key parameter ") + name);
    }
    return ossl::BnPtr(bn);
}

// JWK "crv" and coordinate size in bytes for a named curve (RFC 7518 §6.2.1.1).
Result<std::pair<std::string, int>> curveOf(EVP_PKEY* key) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &len) != 1) {
        return ossl::cryptoFail("reading EC curve name");
    }
    std::string_view name(group.data(), len);
    if (name == "prime256v1" || name == "P-256" || name == "secp256r1") {
        return std::pair<std::string, int>{"P-256", 32};
    }
    if (name == "secp384r1" || name == "P-384") {
        return std::pair<std::string, int>{"P-384", 48};
    }
    if (name == "secp521r1" || name == "P-521") {
        return std::pair<std::string, int>{"P-521", 66};
    }
    return fail(ErrorKind::Crypto, "unsupported EC curve " + std::string(name) + " for a JWK");
}

// RFC 7518 §6.2.1: x and y are left-padded to the field size.
Result<json> ecJwk(EVP_PKEY* key) {
    auto curve = curveOf(key);
    if (!curve) {
        return curve.takeError();
    }
    auto x = bnParam(key, OSSL_PKEY_PARAM_EC_PUB_X);
    auto y = bnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    if (!x || !y) {
        return !x ? x.takeError() : y.takeError();
    }
    std::string xb = ossl::bnBytes(x->get(), curve->second);
    std::string yb = ossl::bnBytes(y->get(), curve->second);
    if (xb.empty() || yb.empty()) {
        return fail(ErrorKind::Crypto, "EC coordinate larger than the field size");
    }
    return json{{"crv", curve->first},
                {"kty", "EC"},
                {"x", base64urlEncode(xb)},
                {"y", base64urlEncode(yb)}};
}

// RFC 7518 §6.3.1: n and e big-endian without leading zeros.
Result<json> rsaJwk(EVP_PKEY* key) {
    auto n = bnParam(key, OSSL_PKEY_PARAM_RSA_N);
    auto e = bnParam(key, OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) {
        return !n ? n.takeError() : e.takeError();
    }
    return json{{"e", base64urlEncode(ossl::bnBytes(e->get()))},
                {"kty", "RSA"},
                {"n", base64urlEncode(ossl::bnBytes(n->get()))}};
}

// RFC 7638 §3.2: the required members for each key type.
Result<std::vector<std::string>> requiredMembers(const json& jwk) {
    auto kty = jwk.find("kty");
    if (kty == jwk.end() || !kty->is_string()) {
        return fail(ErrorKind::Protocol, "JWK has no \"kty\" string member");
    }
    const auto& type = kty->get_ref<const std::string&>();
    if (type == "EC") {
        return std::vector<std::string>{"crv", "kty", "x", "y"};
    }
    if (type == "RSA") {
        return std::vector<std::string>{"e", "kty", "n"};
    }
    if (type == "oct") {
        return std::vector<std::string>{"k", "kty"};
    }
    return fail(ErrorKind::Protocol, "JWK has unsupported kty \"" + type + "\"");
}

} // namespace

Result<json> publicJwk(EVP_PKEY* key) {
    if (key == nullptr) {
        return fail(ErrorKind::Internal, "publicJwk called without a key");
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        return ecJwk(key);
    }
    if (EVP_PKEY_is_a(key, "RSA")) {
        return rsaJwk(key);
    }
    return fail(ErrorKind::Crypto, "unsupported key algorithm for a JWK: use EC or RSA");
}

Result<std::string> jwkThumbprint(const json& jwk) {
    if (!jwk.is_object()) {
        return fail(ErrorKind::Protocol, "JWK is not a JSON object");
    }
    auto members = requiredMembers(jwk);
    if (!members) {
        return members.takeError();
    }
    // nlohmann::json objects are sorted by key and dump() adds no whitespace: RFC 7638 §3.3.
    json canonical = json::object();
    for (const auto& m : *members) {
        auto it = jwk.find(m);
        if (it == jwk.end() || !it->is_string()) {
            return fail(ErrorKind::Protocol, "JWK has no \"" + m + "\" string member");
        }
        canonical[m] = *it;
    }
    std::string text;
    try {
        text = canonical.dump();
    } catch (const json::exception& e) {
        return fail(ErrorKind::Protocol, std::string("JWK is not valid UTF-8: ") + e.what());
    }
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
        return ossl::cryptoFail("hashing JWK");
    }
    return base64urlEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

std::string keyAuthorization(std::string_view token, std::string_view thumbprint) {
    std::string out(token);
    out += '.';
    out += thumbprint;
    return out;
}

} // namespace certkeep::acme

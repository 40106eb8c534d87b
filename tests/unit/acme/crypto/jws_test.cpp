// JWK, RFC 7638 thumbprints, flattened JWS (RFC 8555 §6.2) and EAB (§7.3.4), verified with OpenSSL.
#include "acme/crypto/jws.hpp"
#include "common/base64url.hpp"
#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

using namespace certkeep;
using namespace certkeep::acme;
using nlohmann::json;

namespace {

// RFC 7638 §3.1 example key.
const std::string kRfcN =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
    "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
    "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
const std::string kRfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

std::string dec(const json& v) {
    return base64urlDecode(v.get<std::string>()).value();
}

// RSA public EVP_PKEY from big-endian n and e.
PkeyPtr rsaPublic(const std::string& n, const std::string& e) {
    ossl::BnPtr bn(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), int(n.size()), nullptr));
    ossl::BnPtr be(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), int(e.size()), nullptr));
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be.get());
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* key = nullptr;
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return PkeyPtr(key);
}

// Verifies a flattened JWS signed by `key` under `alg`.
bool verifyJws(const json& jws, const PrivateKey& key, const std::string& alg) {
    std::string input =
        jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
    std::string sig = dec(jws["signature"]);
    if (alg == "RS256") {
        return test::verifyDer(key.get(), EVP_sha256(), input, sig);
    }
    size_t width = alg == "ES256" ? 64 : 96;
    if (sig.size() != width) {
        return false;
    }
    const EVP_MD* md = alg == "ES256" ? EVP_sha256() : EVP_sha384();
    return test::verifyDer(key.get(), md, input, test::rawToDer(sig));
}

} // namespace

TEST_CASE("thumbprint of the RFC 7638 §3.1 example", "[jwk]") {
    json jwk{{"kty", "RSA"}, {"n", kRfcN}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
    CHECK(jwkThumbprint(jwk).value() == kRfcThumbprint);
}

TEST_CASE("publicJwk of the RFC 7638 key reproduces its n, e and thumbprint", "[jwk]") {
    PkeyPtr key = rsaPublic(base64urlDecode(kRfcN).value(), base64urlDecode("AQAB").value());
    REQUIRE(key);
    json jwk = publicJwk(key.get()).value();
    CHECK(jwk.dump() == json{{"e", "AQAB"}, {"kty", "RSA"}, {"n", kRfcN}}.dump());
    CHECK(jwkThumbprint(jwk).value() == kRfcThumbprint);
}

TEST_CASE("EC JWK coordinates are the public point, padded to the field size", "[jwk]") {
    auto [type, crv, width] = GENERATE(table<KeyType, std::string, size_t>(
        {{KeyType::EcP256, "P-256", 32}, {KeyType::EcP384, "P-384", 48}}));
    const PrivateKey& key = test::cachedKey(type);
    json jwk = publicJwk(key.get()).value();
    CHECK(jwk.size() == 4);
    CHECK(jwk["kty"] == "EC");
    CHECK(jwk["crv"] == crv);
    std::string x = dec(jwk["x"]);
    std::string y = dec(jwk["y"]);
    CHECK(x.size() == width);
    CHECK(y.size() == width);
    std::string point(1 + 2 * width, '\0');
    size_t len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                            reinterpret_cast<unsigned char*>(point.data()),
                                            point.size(), &len) == 1);
    CHECK(point == std::string("\x04") + x + y);
    CHECK(KeySigner(PrivateKey::fromPem(key.toPem().value()).value()).jwk() == jwk);
}

TEST_CASE("thumbprint ignores optional members and member order", "[jwk]") {
    json jwk = publicJwk(test::cachedKey(KeyType::EcP256).get()).value();
    std::string base = jwkThumbprint(jwk).value();
    json extended = jwk;
    extended["kid"] = "x";
    extended["use"] = "sig";
    CHECK(jwkThumbprint(extended).value() == base);
    json changed = jwk;
    changed["x"] = jwk["y"];
    CHECK(jwkThumbprint(changed).value() != base);
    CHECK(keyAuthorization("tok", base) == "tok." + base);
}

TEST_CASE("thumbprint rejects malformed JWKs without throwing", "[jwk]") {
    for (const json& bad :
         {json(), json::array(), json{{"kty", "EC"}, {"crv", "P-256"}},
          json{{"kty", "RSA"}, {"n", 1}, {"e", "AQAB"}}, json{{"kty", "OKP"}}, json{{"n", "a"}}}) {
        auto r = jwkThumbprint(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Protocol);
    }
}

TEST_CASE("signJws signs verifiably with each algorithm and embeds the JWK", "[jws]") {
    auto [type, alg] = GENERATE(table<KeyType, std::string>(
        {{KeyType::EcP256, "ES256"}, {KeyType::EcP384, "ES384"}, {KeyType::Rsa2048, "RS256"}}));
    const PrivateKey& key = test::cachedKey(type);
    KeySigner signer(PrivateKey::fromPem(key.toPem().value()).value());
    CHECK(signer.alg() == alg);
    json payload{{"termsOfServiceAgreed", true}, {"contact", {"mailto:a@example.com"}}};
    json jws = signJws(signer, {"https://ca/new-acct", "nonce-1", std::nullopt}, payload).value();
    CHECK(jws.size() == 3);
    json prot = json::parse(dec(jws["protected"]));
    CHECK(prot["alg"] == alg);
    CHECK(prot["nonce"] == "nonce-1");
    CHECK(prot["url"] == "https://ca/new-acct");
    CHECK(prot["jwk"] == publicJwk(key.get()).value());
    CHECK_FALSE(prot.contains("kid"));
    CHECK(json::parse(dec(jws["payload"])) == payload);
    CHECK(verifyJws(jws, key, alg));
    // A changed payload must not verify under the same signature.
    json tampered = jws;
    tampered["payload"] = base64urlEncode("{}");
    CHECK_FALSE(verifyJws(tampered, key, alg));
}

TEST_CASE("signJws uses kid instead of jwk when given, and POST-as-GET has payload \"\"", "[jws]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    KeySigner signer(PrivateKey::fromPem(key.toPem().value()).value());
    JwsHeader h{"https://ca/order/1", "n2", std::string("https://ca/acct/7")};
    json jws = signJws(signer, h, std::nullopt).value();
    CHECK(jws["payload"] == "");
    json prot = json::parse(dec(jws["protected"]));
    CHECK(prot["kid"] == "https://ca/acct/7");
    CHECK_FALSE(prot.contains("jwk"));
    CHECK(prot.size() == 4);
    CHECK(verifyJws(jws, key, "ES256"));
    // An empty JSON object is a real payload, not POST-as-GET.
    CHECK(signJws(signer, h, json::object()).value()["payload"] == base64urlEncode("{}"));
}

TEST_CASE("signJws reports unserializable payloads as errors", "[jws]") {
    KeySigner signer(PrivateKey::fromPem(test::cachedKey(KeyType::EcP256).toPem().value()).value());
    json bad{{"x", std::string("\xff\xfe")}};
    auto r = signJws(signer, {"u", "n", std::nullopt}, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Internal);
}

TEST_CASE("signEab produces an HS256 JWS over the account JWK", "[eab]") {
    std::string secret = "0123456789abcdef0123456789abcdef-secret";
    std::string keyB64 = base64urlEncode(secret);
    json accountJwk = publicJwk(test::cachedKey(KeyType::EcP256).get()).value();
    json eab = signEab(accountJwk, "kid-1", keyB64, "https://ca/new-acct").value();
    json prot = json::parse(dec(eab["protected"]));
    CHECK(prot == json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca/new-acct"}});
    CHECK(dec(eab["payload"]) == accountJwk.dump()); // compact JSON of the JWK
    std::string input =
        eab["protected"].get<std::string>() + "." + eab["payload"].get<std::string>();
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                      sizeof mac, &len) != nullptr);
    CHECK(len == 32);
    CHECK(dec(eab["signature"]) == std::string(reinterpret_cast<char*>(mac), len));
    // A different key gives a different MAC.
    json other =
        signEab(accountJwk, "kid-1", base64urlEncode("other"), "https://ca/new-acct").value();
    CHECK(other["signature"] != eab["signature"]);
}

TEST_CASE("signEab refuses a key that is not base64url and never echoes it", "[eab]") {
    json jwk = publicJwk(test::cachedKey(KeyType::EcP256).get()).value();
    for (const char* bad : {"c2VjcmV0LWtleQ==", "sec ret+key", "", "secret/key"}) {
        auto r = signEab(jwk, "kid", bad, "https://ca/new-acct");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Usage);
        CHECK(r.error().message == "EAB HMAC key is not valid base64url");
    }
}

TEST_CASE("signJws with an empty nonce has no nonce member (key change inner JWS, §7.3.5)",
          "[jws]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    KeySigner signer(PrivateKey::fromPem(key.toPem().value()).value());

    json inner = signJws(signer, JwsHeader{"https://ca/key-change", "", std::nullopt},
                         json{{"account", "https://ca/acct/7"}})
                     .value();
    json outer =
        signJws(signer, JwsHeader{"https://ca/key-change", "n3", std::nullopt}, json::object())
            .value();

    json innerProt = json::parse(dec(inner["protected"]));
    CHECK_FALSE(innerProt.contains("nonce"));
    CHECK(innerProt["url"] == "https://ca/key-change");
    CHECK(innerProt["jwk"] == signer.jwk());
    CHECK(verifyJws(inner, key, "ES256"));
    CHECK(json::parse(dec(outer["protected"]))["nonce"] == "n3");
}

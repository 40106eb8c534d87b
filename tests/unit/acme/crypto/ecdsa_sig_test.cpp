// DER -> r||s conversion (RFC 7518 §3.4) and coordinate padding, on inputs chosen to need it.
#include "acme/crypto/ecdsa_sig.hpp"
#include "acme/crypto/jws.hpp"
#include "common/base64url.hpp"
#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>

using namespace certkeep;
using namespace certkeep::acme;

TEST_CASE("ecdsaDerToRaw left-pads short r and s to the field size", "[ecdsa]") {
    // SEQUENCE { INTEGER 1, INTEGER 0x0080 } (the 0x00 keeps 0x80 positive in DER).
    const std::string der("\x30\x07\x02\x01\x01\x02\x02\x00\x80", 9);
    std::string raw32 = ecdsaDerToRaw(der, 32).value();
    CHECK(raw32 == std::string(31, '\0') + "\x01" + std::string(31, '\0') + "\x80");
    std::string raw48 = ecdsaDerToRaw(der, 48).value();
    CHECK(raw48.size() == 96);
    CHECK(raw48[47] == '\x01');
    CHECK(raw48[95] == '\x80');
    CHECK(test::rawToDer(raw32) == der);
}

TEST_CASE("ecdsaDerToRaw rejects garbage and oversize values", "[ecdsa]") {
    CHECK(ecdsaDerToRaw("", 32).error().kind == ErrorKind::Crypto);
    CHECK(ecdsaDerToRaw("\x30\x03\x02\x01", 32).error().kind == ErrorKind::Crypto);
    // r is 2 bytes, the "field" 1 byte.
    const std::string der("\x30\x07\x02\x02\x01\x01\x02\x01\x01", 9);
    CHECK(ecdsaDerToRaw(der, 1).error().kind == ErrorKind::Crypto);
}

TEST_CASE("ES256 signatures are always 64 bytes and verify, including short r or s", "[ecdsa]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    KeySigner signer(PrivateKey::fromPem(key.toPem().value()).value());
    int shortSeen = 0;
    // About 1 in 128 signatures has r or s below 2^248, so 2000 tries make one near certain.
    for (int i = 0; i < 2000 && shortSeen < 2; ++i) {
        std::string input = "message " + std::to_string(i);
        std::string raw = signer.sign(input).value();
        REQUIRE(raw.size() == 64);
        if (raw[0] == '\0' || raw[32] == '\0') {
            ++shortSeen;
            CHECK(test::verifyDer(key.get(), EVP_sha256(), input, test::rawToDer(raw)));
        }
    }
    CHECK(shortSeen > 0);
}

TEST_CASE("EC JWK pads a coordinate that has a leading zero byte", "[jwk]") {
    // About 1 in 128 keys has x or y below 2^248; search for one.
    for (int i = 0; i < 5000; ++i) {
        auto key = PrivateKey::generate(KeyType::EcP256).value();
        BIGNUM* x = nullptr;
        BIGNUM* y = nullptr;
        REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1);
        REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1);
        ossl::BnPtr xp(x);
        ossl::BnPtr yp(y);
        if (BN_num_bytes(x) == 32 && BN_num_bytes(y) == 32) {
            continue;
        }
        auto jwk = publicJwk(key.get()).value();
        CHECK(base64urlDecode(jwk["x"].get<std::string>()).value().size() == 32);
        CHECK(base64urlDecode(jwk["y"].get<std::string>()).value().size() == 32);
        return;
    }
    FAIL("no key with a short coordinate found");
}

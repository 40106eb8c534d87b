// PrivateKey: key type parsing, generation, PEM round trips and type detection.
#include "acme/crypto/key.hpp"
#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <openssl/err.h>

using namespace certkeep;
using namespace certkeep::acme;

TEST_CASE("parseKeyType accepts the five names, case-insensitively", "[key]") {
    CHECK(parseKeyType("ec-p256").value() == KeyType::EcP256);
    CHECK(parseKeyType("EC-P384").value() == KeyType::EcP384);
    CHECK(parseKeyType("rsa2048").value() == KeyType::Rsa2048);
    CHECK(parseKeyType("rsa3072").value() == KeyType::Rsa3072);
    CHECK(parseKeyType("RSA4096").value() == KeyType::Rsa4096);
    for (auto t :
         {KeyType::EcP256, KeyType::EcP384, KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096}) {
        CHECK(parseKeyType(keyTypeName(t)).value() == t);
    }
}

TEST_CASE("parseKeyType rejects other names with a one-line usage error", "[key]") {
    auto r = parseKeyType("dsa");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message ==
          "unknown key type \"dsa\": use ec-p256, ec-p384, rsa2048, rsa3072 or rsa4096");
    CHECK_FALSE(parseKeyType("").ok());
    CHECK_FALSE(parseKeyType("rsa1024").ok());
}

TEST_CASE("parseJwsAlg accepts es256, es384 and rs256 in any case", "[key]") {
    CHECK(parseJwsAlg("es256").value() == JwsAlg::ES256);
    CHECK(parseJwsAlg("ES384").value() == JwsAlg::ES384);
    CHECK(parseJwsAlg("Rs256").value() == JwsAlg::RS256);
    CHECK(jwsAlgName(JwsAlg::ES256) == "ES256");
    CHECK(jwsAlgName(JwsAlg::ES384) == "ES384");
    CHECK(jwsAlgName(JwsAlg::RS256) == "RS256");
    CHECK(keyTypeForAlg(JwsAlg::ES256) == KeyType::EcP256);
    CHECK(keyTypeForAlg(JwsAlg::ES384) == KeyType::EcP384);
    CHECK(keyTypeForAlg(JwsAlg::RS256) == KeyType::Rsa2048);
    auto r = parseJwsAlg("hs256");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message.find("use es256, es384 or rs256") != std::string::npos);
    CHECK(r.error().message.find('\n') == std::string::npos);
}

TEST_CASE("generated keys have the requested type and survive a PEM round trip", "[key]") {
    auto type = GENERATE(KeyType::EcP256, KeyType::EcP384, KeyType::Rsa2048, KeyType::Rsa3072,
                         KeyType::Rsa4096);
    const PrivateKey& key = test::cachedKey(type);
    CHECK(key.type() == type);
    CHECK(key.isEc() == (type == KeyType::EcP256 || type == KeyType::EcP384));
    if (!key.isEc()) {
        int bits = type == KeyType::Rsa2048 ? 2048 : type == KeyType::Rsa3072 ? 3072 : 4096;
        CHECK(EVP_PKEY_get_bits(key.get()) == bits);
    }
    auto pem = key.toPem();
    REQUIRE(pem.ok());
    CHECK(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    auto back = PrivateKey::fromPem(*pem);
    REQUIRE(back.ok());
    CHECK(back->type() == type);
    CHECK(EVP_PKEY_eq(back->get(), key.get()) == 1);
    CHECK(back->toPem().value() == *pem);
}

TEST_CASE("fromPem reads traditional (SEC1) EC PEM too", "[key]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP384);
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    REQUIRE(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr) == 1);
    std::string pem = ossl::bioContents(bio.get());
    REQUIRE(pem.find("BEGIN EC PRIVATE KEY") != std::string::npos);
    auto back = PrivateKey::fromPem(pem);
    REQUIRE(back.ok());
    CHECK(back->type() == KeyType::EcP384);
}

TEST_CASE("fromPem fails cleanly on garbage with an OpenSSL reason", "[key]") {
    for (const std::string& bad :
         {std::string(), std::string("not a key"),
          std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
                      "KEY-----\n"),
          std::string("\0\0\0", 3)}) {
        auto r = PrivateKey::fromPem(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Crypto);
        CHECK(r.error().message.rfind("parsing private key PEM", 0) == 0);
    }
    CHECK(ERR_peek_error() == 0); // the error queue was drained into the message
}

TEST_CASE("fromPem refuses unsupported key algorithms", "[key]") {
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    REQUIRE(raw != nullptr);
    PkeyPtr ed(raw);
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), ed.get(), nullptr, nullptr, 0, nullptr,
                                          nullptr) == 1);
    auto r = PrivateKey::fromPem(ossl::bioContents(bio.get()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Crypto);
    CHECK(r.error().message.find("ED25519") != std::string::npos);
}

TEST_CASE("fromPem refuses encrypted keys without prompting", "[key]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    char pass[] = "secret";
    REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), pass, 6, nullptr,
                                          nullptr) == 1);
    auto r = PrivateKey::fromPem(ossl::bioContents(bio.get()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Crypto);
}

TEST_CASE("opensslErrors joins and drains the queue", "[key]") {
    CHECK(opensslErrors().empty());
    ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
    ERR_raise(ERR_LIB_PEM, PEM_R_NO_START_LINE);
    std::string msg = opensslErrors();
    CHECK(msg.find("; ") != std::string::npos);
    CHECK(msg.find("no start line") != std::string::npos);
    CHECK(opensslErrors().empty());
}

TEST_CASE("fromPem refuses RSA keys under 2048 bits, saying why", "[key]") {
    auto bits = GENERATE(size_t{1024}, size_t{2047});
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits);
    REQUIRE(raw != nullptr);
    PkeyPtr weak(raw);
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), weak.get(), nullptr, nullptr, 0, nullptr,
                                          nullptr) == 1);

    auto r = PrivateKey::fromPem(ossl::bioContents(bio.get()));

    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Crypto);
    CHECK(r.error().message == "RSA key of " + std::to_string(bits) +
                                   " bits is too weak: at least 2048 bits are required");
}

TEST_CASE("fromPem maps RSA 2048 to Rsa2048", "[key]") {
    auto pem = test::cachedKey(KeyType::Rsa2048).toPem().value();
    CHECK(PrivateKey::fromPem(pem).value().type() == KeyType::Rsa2048);
}

TEST_CASE("fromPem says when the PEM is empty or truncated", "[key]") {
    auto pem = test::cachedKey(KeyType::EcP256).toPem().value();

    auto empty = PrivateKey::fromPem("");
    auto blank = PrivateKey::fromPem(" \n\n");
    auto half = PrivateKey::fromPem(pem.substr(0, pem.size() / 2));

    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().kind == ErrorKind::Crypto);
    CHECK(empty.error().message == "parsing private key PEM: the PEM text is empty");
    REQUIRE_FALSE(blank.ok());
    CHECK(blank.error().message == "parsing private key PEM: the PEM text is empty");
    REQUIRE_FALSE(half.ok());
    CHECK(half.error().kind == ErrorKind::Crypto);
    CHECK(half.error().message ==
          "parsing private key PEM: the PEM text is truncated (it has no END line)");
    CHECK(ERR_peek_error() == 0);
}

// RFC 9773 §4.1 ARI certificate IDs: the RFC's own example certificate (Appendix A), serials
// with and without the leading zero byte, and certificates without an Authority Key Identifier.
#include "acme/crypto/csr.hpp"
#include "common/base64url.hpp"
#include "test_util.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::acme;

namespace {

// RFC 9773 Appendix A: AKI keyIdentifier 69:88:5B:...:D4, serial 0x87654321.
constexpr const char* kRfcExample = R"(-----BEGIN CERTIFICATE-----
MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
-----END CERTIFICATE-----
)";

// A self-signed certificate with serial `serialBytes` (big-endian, unsigned) and, when
// `keyId` is not empty, an AKI extension holding it.
std::string certWith(const std::string& serialBytes, const std::string& keyId) {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    std::string pem = test::selfSignedPem(key, {"a.example.com"}, "Test CA", 1, 0, 86400);
    ossl::BioPtr bio = ossl::readBio(pem);
    ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ossl::BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serialBytes.data()),
                             static_cast<int>(serialBytes.size()), nullptr));
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
    if (!keyId.empty()) {
        AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
        aki->keyid = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(aki->keyid, reinterpret_cast<const unsigned char*>(keyId.data()),
                              static_cast<int>(keyId.size()));
        X509_add1_ext_i2d(cert.get(), NID_authority_key_identifier, aki, 0, X509V3_ADD_DEFAULT);
        AUTHORITY_KEYID_free(aki);
    }
    X509_sign(cert.get(), key.get(), EVP_sha256());
    ossl::BioPtr out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(out.get(), cert.get());
    return ossl::bioContents(out.get());
}

} // namespace

TEST_CASE("the ARI certificate ID of RFC 9773's example certificate", "[crypto][ari]") {
    auto id = ariCertId(kRfcExample);
    REQUIRE(id.ok());
    CHECK(*id == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    auto info = inspectCertPem(kRfcExample);
    REQUIRE(info.ok());
    CHECK(info->ariCertId == *id);
}

TEST_CASE("the serial keeps its leading zero byte only when DER needs one", "[crypto][ari]") {
    std::string keyId("\x01\x02\x03\x04", 4);
    auto high = ariCertId(certWith(std::string("\x87\x65\x43\x21", 4), keyId));
    auto low = ariCertId(certWith(std::string("\x12\x34", 2), keyId));
    REQUIRE(high.ok());
    REQUIRE(low.ok());
    CHECK(*high ==
          base64urlEncode(keyId) + "." + base64urlEncode(std::string("\0\x87\x65\x43\x21", 5)));
    CHECK(*low == base64urlEncode(keyId) + "." + base64urlEncode(std::string("\x12\x34", 2)));
    CHECK(high->find('=') == std::string::npos);
}

TEST_CASE("a certificate without an Authority Key Identifier has no ARI certificate ID",
          "[crypto][ari]") {
    std::string pem = certWith(std::string("\x05", 1), "");
    auto id = ariCertId(pem);
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().kind == ErrorKind::Protocol);
    CHECK(id.error().message.find("Authority Key Identifier") != std::string::npos);
    auto info = inspectCertPem(pem);
    REQUIRE(info.ok());
    CHECK(info->ariCertId.empty());
    CHECK_FALSE(ariCertId("not a certificate").ok());
}

TEST_CASE("certPemToDer gives the DER the PEM carries", "[crypto][ari]") {
    auto der = certPemToDer(kRfcExample);
    REQUIRE(der.ok());
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
    REQUIRE(cert != nullptr);
    CHECK(p == reinterpret_cast<const unsigned char*>(der->data()) + der->size());
    CHECK_FALSE(
        certPemToDer("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
}

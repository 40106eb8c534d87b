// CSR contents (RFC 8555 §7.4) and certificate inspection, checked by parsing back with OpenSSL.
#include "acme/crypto/csr.hpp"
#include "test_util.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::acme;
using std::chrono::system_clock;

namespace {

ossl::X509ReqPtr parseCsr(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    return ossl::X509ReqPtr(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
}

// dNSName SANs from the CSR's extensionRequest attribute.
std::vector<std::string> csrSans(X509_REQ* req) {
    std::vector<std::string> out;
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
    auto* names =
        static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        int type = 0;
        auto* v = static_cast<ASN1_STRING*>(
            GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names, i), &type));
        CHECK(type == GEN_DNS);
        out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                         ASN1_STRING_length(v));
    }
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return out;
}

// Every SAN as "DNS:<name>" or "IP:<canonical address>", in order.
std::vector<std::string> csrSanTexts(X509_REQ* req) {
    std::vector<std::string> out;
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
    auto* names =
        static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        int type = 0;
        auto* v = static_cast<ASN1_STRING*>(
            GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names, i), &type));
        std::array<char, INET6_ADDRSTRLEN> buf{};
        const unsigned char* data = ASN1_STRING_get0_data(v);
        int len = ASN1_STRING_length(v);
        if (type == GEN_IPADD && (len == 4 || len == 16)) {
            inet_ntop(len == 4 ? AF_INET : AF_INET6, data, buf.data(), buf.size());
            out.push_back("IP:" + std::string(buf.data()));
        } else if (type == GEN_DNS) {
            out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(data), len));
        } else {
            out.push_back("other");
        }
    }
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return out;
}

std::string csrCn(X509_REQ* req) {
    X509_NAME* name = X509_REQ_get_subject_name(req);
    std::array<char, 256> buf{};
    int len = X509_NAME_get_text_by_NID(name, NID_commonName, buf.data(), buf.size());
    return len < 0 ? std::string() : std::string(buf.data(), len);
}

const time_t kNotBefore = 1700000000; // 2023-11-14T22:13:20Z
const time_t kNotAfter = 1707776000;  // 2024-02-12T22:13:20Z

} // namespace

TEST_CASE("CSR carries all SANs, CN = first name, and a valid SHA-256 signature", "[csr]") {
    auto type = GENERATE(KeyType::EcP256, KeyType::EcP384, KeyType::Rsa2048);
    const PrivateKey& key = test::cachedKey(type);
    std::vector<std::string> domains{"example.com", "www.example.com", "*.api.example.com"};
    auto der = makeCsrDer(key, domains);
    REQUIRE(der.ok());
    auto req = parseCsr(*der);
    REQUIRE(req);
    CHECK(csrSans(req.get()) == domains);
    CHECK(csrCn(req.get()) == "example.com");
    CHECK(X509_REQ_get_version(req.get()) == X509_REQ_VERSION_1);
    CHECK(X509_REQ_verify(req.get(), key.get()) == 1);
    CHECK(EVP_PKEY_eq(X509_REQ_get0_pubkey(req.get()), key.get()) == 1);
    int mdNid = 0;
    int pkNid = 0;
    REQUIRE(OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req.get()), &mdNid, &pkNid) == 1);
    CHECK(mdNid == NID_sha256);
    // A different key must not verify it.
    CHECK(X509_REQ_verify(req.get(), test::cachedKey(KeyType::Rsa3072).get()) != 1);
}

TEST_CASE("CSR omits the CN when the first name is longer than 64 characters", "[csr]") {
    std::string longName = std::string(60, 'a') + ".example.com";
    auto der = makeCsrDer(test::cachedKey(KeyType::EcP256), {longName, "b.example.com"});
    REQUIRE(der.ok());
    auto req = parseCsr(*der);
    REQUIRE(req);
    CHECK(csrCn(req.get()).empty());
    CHECK(X509_NAME_entry_count(X509_REQ_get_subject_name(req.get())) == 0);
    CHECK(csrSans(req.get()) == std::vector<std::string>{longName, "b.example.com"});
}

TEST_CASE("CSR refuses empty domain lists and empty names", "[csr]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    CHECK(makeCsrDer(key, {}).error().kind == ErrorKind::Usage);
    CHECK(makeCsrDer(key, {"a.example", ""}).error().kind == ErrorKind::Usage);
    CHECK(makeCsrDer(key, {std::string("a\0b", 3)}).error().kind == ErrorKind::Usage);
}

TEST_CASE("inspectCertPem reads names, serial and validity", "[cert]") {
    const PrivateKey& key = test::cachedKey(KeyType::EcP256);
    std::string pem = test::selfSignedPem(key, {"leaf.example", "alt.example"}, "Test Issuer R3",
                                          0x1234abcd, kNotBefore, kNotAfter);
    auto info = inspectCertPem(pem);
    REQUIRE(info.ok());
    CHECK(info->dnsNames == std::vector<std::string>{"leaf.example", "alt.example"});
    CHECK(info->subjectCn == "leaf.example");
    CHECK(info->issuerCn == "Test Issuer R3");
    CHECK(info->serialHex == "1234abcd");
    CHECK(info->notBefore == system_clock::from_time_t(kNotBefore));
    CHECK(info->notAfter == system_clock::from_time_t(kNotAfter));
}

TEST_CASE("inspectCertPem handles GeneralizedTime dates after 2049", "[cert]") {
    const time_t in2060 = 2871763200; // 2061-01-01T00:00:00Z
    std::string pem = test::selfSignedPem(test::cachedKey(KeyType::EcP256), {"x.example"}, "CA", 1,
                                          kNotBefore, in2060);
    CHECK(inspectCertPem(pem).value().notAfter == system_clock::from_time_t(in2060));
}

TEST_CASE("certMatchesKey compares the certificate key with the private key", "[cert]") {
    const PrivateKey& ec = test::cachedKey(KeyType::EcP256);
    std::string pem = test::selfSignedPem(ec, {"m.example"}, "CA", 2, kNotBefore, kNotAfter);
    CHECK(certMatchesKey(pem, ec).value());
    CHECK_FALSE(certMatchesKey(pem, test::cachedKey(KeyType::EcP384)).value());
    CHECK_FALSE(certMatchesKey(pem, test::cachedKey(KeyType::Rsa2048)).value());
    auto other = PrivateKey::generate(KeyType::EcP256).value();
    CHECK_FALSE(certMatchesKey(pem, other).value());
    CHECK(certMatchesKey("garbage", ec).error().kind == ErrorKind::Protocol);
}

TEST_CASE("splitPemChain splits a leaf and an issuer", "[cert]") {
    std::string leaf = test::selfSignedPem(test::cachedKey(KeyType::EcP256), {"leaf.example"},
                                           "Issuer", 10, kNotBefore, kNotAfter);
    std::string issuer = test::selfSignedPem(test::cachedKey(KeyType::Rsa2048), {"issuer.example"},
                                             "Root", 11, kNotBefore, kNotAfter);
    // CA chains may have CRLF line ends, text between blocks and no final newline.
    std::string crlfIssuer;
    for (char c : issuer) {
        crlfIssuer += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    crlfIssuer.resize(crlfIssuer.size() - 2);
    auto parts = splitPemChain(leaf + "\nsome comment\n" + crlfIssuer);
    REQUIRE(parts.ok());
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0] == leaf);
    CHECK((*parts)[1] == issuer);
    CHECK(inspectCertPem((*parts)[1]).value().subjectCn == "issuer.example");
}

TEST_CASE("splitPemChain and inspectCertPem fail cleanly on bad input", "[cert]") {
    std::string leaf = test::selfSignedPem(test::cachedKey(KeyType::EcP256), {"leaf.example"},
                                           "Issuer", 10, kNotBefore, kNotAfter);
    CHECK(splitPemChain("").error().kind == ErrorKind::Protocol);
    CHECK(splitPemChain("no pem here").error().kind == ErrorKind::Protocol);
    CHECK(splitPemChain(leaf.substr(0, leaf.size() / 2)).error().kind == ErrorKind::Protocol);
    std::string corrupt = leaf;
    corrupt[40] = corrupt[40] == 'A' ? 'B' : 'A';
    CHECK(splitPemChain(leaf + corrupt).error().kind == ErrorKind::Protocol);
    auto bad = splitPemChain("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.rfind("certificate 1 in the chain does not parse", 0) == 0);
    CHECK(inspectCertPem("").error().kind == ErrorKind::Protocol);
    CHECK(inspectCertPem(std::string(1 << 16, 'x')).error().kind == ErrorKind::Protocol);
}

TEST_CASE("CSR puts IP literals into iPAddress SANs and DNS names into dNSName SANs (RFC 8738)",
          "[csr]") {
    std::vector<std::string> names{"192.0.2.1", "www.example.com", "2001:db8::1", "::1",
                                   "127.0.0.1"};

    auto der = makeCsrDer(test::cachedKey(KeyType::EcP256), names);

    REQUIRE(der.ok());
    auto req = parseCsr(*der);
    REQUIRE(req);
    CHECK(csrSanTexts(req.get()) == std::vector<std::string>{"IP:192.0.2.1", "DNS:www.example.com",
                                                             "IP:2001:db8::1", "IP:::1",
                                                             "IP:127.0.0.1"});
    // The CN is the first DNS name, never an IP address.
    CHECK(csrCn(req.get()) == "www.example.com");
}

TEST_CASE("an IP-only CSR has no CN", "[csr]") {
    auto der = makeCsrDer(test::cachedKey(KeyType::EcP256), {"192.0.2.1", "2001:db8::1"});

    REQUIRE(der.ok());
    auto req = parseCsr(*der);
    REQUIRE(req);
    CHECK(X509_NAME_entry_count(X509_REQ_get_subject_name(req.get())) == 0);
    CHECK(csrSanTexts(req.get()) == std::vector<std::string>{"IP:192.0.2.1", "IP:2001:db8::1"});
}

TEST_CASE("things that only look like IP literals stay DNS names", "[csr]") {
    auto der = makeCsrDer(test::cachedKey(KeyType::EcP256), {"1.2.3", "999.1.1.1"});

    REQUIRE(der.ok());
    auto req = parseCsr(*der);
    REQUIRE(req);
    CHECK(csrSanTexts(req.get()) == std::vector<std::string>{"DNS:1.2.3", "DNS:999.1.1.1"});
}

// verifyChainLinks: each certificate of a downloaded chain must be issued by the next one, and
// inspectCertPem's iPAddress SANs.
#include "acme/crypto/csr.hpp"
#include "fakes/fake_ca.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::acme;
using certkeep::fakes::FakeCa;

namespace {

// issuing is signed by root; stranger has the same name as issuing but another key, other a
// different name and key.
struct Pki {
    FakeCa root{"Fake Root X1"};
    FakeCa issuing{"Fake Issuing CA"};
    FakeCa stranger{"Fake Issuing CA"};
    FakeCa other{"Other Issuing CA"};
    PrivateKey leafKey = fakes::generateKey();
    std::string leaf = issuing.issueLeaf(leafKey.get(), {"a.example.com", "192.0.2.1"});
    std::string intermediate = root.crossSign(issuing);
};

} // namespace

TEST_CASE("a leaf, its intermediate and the root link", "[chain]") {
    Pki p;

    CHECK(verifyChainLinks({p.leaf, p.intermediate, p.root.certPem()}).ok());
    CHECK(verifyChainLinks({p.leaf, p.intermediate}).ok());
}

TEST_CASE("a leaf alone has nothing to link", "[chain]") {
    Pki p;

    CHECK(verifyChainLinks({p.leaf}).ok());
    CHECK_FALSE(verifyChainLinks({}).ok());
}

TEST_CASE("an intermediate from another CA does not link, naming the pair", "[chain]") {
    Pki p;
    auto [intermediate, issuerCn] = GENERATE_REF(table<std::string, std::string>({
        {p.root.crossSign(p.stranger), "Fake Issuing CA"}, // same name, wrong signature
        {p.root.crossSign(p.other), "Other Issuing CA"},   // wrong name
    }));

    auto st = verifyChainLinks({p.leaf, intermediate, p.root.certPem()});

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK_THAT(st.error().message,
               Catch::StartsWith("certificate 1 (CN=a.example.com) is not issued by certificate "
                                 "2 (CN=" +
                                 issuerCn + ")"));
}

TEST_CASE("an intermediate signed by another root does not link to that root", "[chain]") {
    Pki p;
    FakeCa otherRoot("Other Root X2");

    auto st = verifyChainLinks({p.leaf, otherRoot.crossSign(p.issuing), p.root.certPem()});

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message,
               Catch::Contains("certificate 2 (CN=Fake Issuing CA) is not issued by certificate "
                               "3 (CN=Fake Root X1)"));
}

TEST_CASE("a chain in the wrong order does not link", "[chain]") {
    Pki p;

    auto st = verifyChainLinks({p.intermediate, p.leaf, p.root.certPem()});

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::StartsWith("certificate 1 (CN=Fake Issuing CA) is not "
                                                     "issued by certificate 2 (CN=a.example.com)"));
}

TEST_CASE("a chain element that does not parse is a Protocol error", "[chain]") {
    Pki p;

    auto st = verifyChainLinks({p.leaf, "-----BEGIN CERTIFICATE-----\nAAAA\n"});

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK_THAT(st.error().message, Catch::StartsWith("certificate 2 in the chain does not parse"));
}

TEST_CASE("inspectCertPem reads iPAddress SANs as canonical text", "[cert]") {
    FakeCa ca("Fake Issuing CA");
    auto key = fakes::generateKey();
    std::string pem = ca.issueLeaf(key.get(), {"192.0.2.1", "a.example.com", "2001:0db8:0::1"});

    auto info = inspectCertPem(pem);

    REQUIRE(info.ok());
    CHECK(info->ipAddresses == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    CHECK(info->dnsNames == std::vector<std::string>{"a.example.com"});
}

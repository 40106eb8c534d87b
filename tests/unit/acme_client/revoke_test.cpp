// RFC 8555 §7.6 revocation: by the account (kid) and by the certificate key (jwk), the
// reason code, and the refusals a caller must be able to tell apart.
#include "acme/crypto/csr.hpp"
#include "acme/problem.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

// A certificate of the fixture's account for `key`, downloaded (so the server knows it).
struct Issued {
    std::string pem;
    std::string der;
    std::string serialHex;
};

Issued issuedFor(ClientFixture& f, const acme::PrivateKey& key) {
    std::string url =
        f.server.seedOrder(fakes::toIdentifiers({"a.example.com"}), "valid", key.get());
    auto order = f.client->fetchOrder(url);
    REQUIRE(order.ok());
    auto chain = f.client->downloadCertificate(order->certificate);
    REQUIRE(chain.ok());
    auto der = acme::certPemToDer(chain->pem);
    auto info = acme::inspectCertPem(chain->pem);
    REQUIRE(der.ok());
    REQUIRE(info.ok());
    return {chain->pem, *der, info->serialHex};
}

} // namespace

TEST_CASE("revoking by the account key sends the certificate and the reason with the kid",
          "[acme][revoke]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    Issued cert = issuedFor(f, key);

    REQUIRE(f.client->revokeCertificate(cert.der, 1).ok());

    REQUIRE(f.server.revocations().size() == 1);
    const auto& r = f.server.revocations()[0];
    CHECK(r.serialHex == cert.serialHex);
    CHECK(r.reason == 1);
    CHECK_FALSE(r.byCertificateKey);
    auto posts = f.server.requestsTo(f.server.revokeUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.protectedHeader["kid"] == f.server.accountUrl());
    CHECK(posts[0].jws.payloadJson() ==
          json{{"certificate", base64urlEncode(cert.der)}, {"reason", 1}});
}

TEST_CASE("revoking by the certificate key embeds its jwk and signs with it", "[acme][revoke]") {
    auto type = GENERATE(acme::KeyType::EcP256, acme::KeyType::EcP384);
    ClientFixture f;
    f.ready();
    acme::KeySigner certKey(fakes::generateKey(type));
    Issued cert = issuedFor(f, certKey.key());
    acme::PostOptions options;
    options.useJwk = true;
    options.signer = &certKey;

    REQUIRE(f.client->revokeCertificate(cert.der, std::nullopt, options).ok());

    REQUIRE(f.server.revocations().size() == 1);
    CHECK(f.server.revocations()[0].byCertificateKey);
    CHECK_FALSE(f.server.revocations()[0].reason.has_value());
    auto posts = f.server.requestsTo(f.server.revokeUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.protectedHeader["jwk"] == certKey.jwk());
    CHECK_FALSE(posts[0].jws.payloadJson().contains("reason"));
}

TEST_CASE("revoking twice is a clear alreadyRevoked error", "[acme][revoke]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    Issued cert = issuedFor(f, key);
    REQUIRE(f.client->revokeCertificate(cert.der, std::nullopt).ok());

    auto again = f.client->revokeCertificate(cert.der, 4);

    REQUIRE_FALSE(again.ok());
    CHECK(acme::isAlreadyRevoked(again.error()));
    CHECK(again.error().kind == ErrorKind::Acme);
    CHECK(again.error().message.find("already revoked") != std::string::npos);
    CHECK(f.server.revocations().size() == 1);
}

TEST_CASE("another account, or a key that is not the certificate's, may not revoke",
          "[acme][revoke]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    Issued cert = issuedFor(f, key);

    f.client->setAccountUrl(f.server.url("/account/7"));
    auto byStranger = f.client->revokeCertificate(cert.der, std::nullopt);
    REQUIRE_FALSE(byStranger.ok());
    REQUIRE(byStranger.error().problem.has_value());
    CHECK(byStranger.error().problem->shortType() == "unauthorized");
    CHECK(byStranger.error().message.find("certificate's own key") != std::string::npos);
    CHECK(byStranger.error().message.find("EAB") == std::string::npos);

    acme::KeySigner wrongKey(fakes::generateKey());
    acme::PostOptions options;
    options.useJwk = true;
    options.signer = &wrongKey;
    auto byWrongKey = f.client->revokeCertificate(cert.der, std::nullopt, options);
    REQUIRE_FALSE(byWrongKey.ok());
    CHECK(byWrongKey.error().problem->shortType() == "unauthorized");
    CHECK(f.server.revocations().empty());
}

TEST_CASE("a reason outside RFC 5280's codes is refused before anything is sent",
          "[acme][revoke]") {
    auto reason = GENERATE(-1, 7, 11);
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    Issued cert = issuedFor(f, key);

    auto refused = f.client->revokeCertificate(cert.der, reason);

    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::Usage);
    CHECK(f.server.requestsTo(f.server.revokeUrl()).empty());
    CHECK(acme::isRevocationReason(0));
    CHECK(acme::isRevocationReason(10));
}

TEST_CASE("a directory without revokeCert is an error naming it", "[acme][revoke]") {
    ClientFixture f;
    f.server.directory.erase("revokeCert");
    f.ready();
    auto refused = f.client->revokeCertificate("DER", std::nullopt);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("revocation") != std::string::npos);
}

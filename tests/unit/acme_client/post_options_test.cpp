// RFC 8555 §6.2 signed POSTs: jwk or kid, and signing with another key (revocation by the
// certificate key, §7.6).
#include "acme/crypto/ossl.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::ServerRequest;
using nlohmann::json;

namespace {} // namespace

TEST_CASE("a POST signed with another key embeds that key's jwk and verifies with it",
          "[acme][post]") {
    ClientFixture f;
    f.ready();
    acme::KeySigner certKey(fakes::generateKey());
    f.server.route(f.server.revokeUrl(),
                   [](const ServerRequest&) { return fakes::makeResponse(200, ""); });
    acme::PostOptions options;
    options.useJwk = true;
    options.signer = &certKey;

    auto response =
        f.client->post(acme::Endpoint::RevokeCert, f.server.revokeUrl(),
                       json{{"certificate", "AAAA"}}, "revoking the certificate", options);

    REQUIRE(response.ok());
    auto posts = f.server.requestsTo(f.server.revokeUrl(), "POST");
    REQUIRE(posts.size() == 1);
    const auto& jws = posts[0].jws;
    CHECK(jws.protectedHeader["jwk"] == certKey.jwk());
    CHECK(jws.protectedHeader["jwk"] != f.signer.jwk());
    CHECK_FALSE(jws.protectedHeader.contains("kid"));
    CHECK(verifiesEs256(certKey.key().get(), jws));
    CHECK_FALSE(verifiesEs256(f.signer.key().get(), jws));
    CHECK(f.server.nonceViolations().empty());
}

TEST_CASE("useJwk without another signer embeds the account key's jwk", "[acme][post]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok()); // no account URL needed
    f.server.route(f.server.revokeUrl(),
                   [](const ServerRequest&) { return fakes::makeResponse(200, ""); });
    acme::PostOptions options;
    options.useJwk = true;

    REQUIRE(f.client
                ->post(acme::Endpoint::RevokeCert, f.server.revokeUrl(), json::object(), "revoking",
                       options)
                .ok());

    auto posts = f.server.requestsTo(f.server.revokeUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.protectedHeader["jwk"] == f.signer.jwk());
    CHECK(verifiesEs256(f.signer.key().get(), posts[0].jws));
}

TEST_CASE("a kid POST signed by another key keeps the account kid", "[acme][post]") {
    ClientFixture f;
    f.ready();
    acme::KeySigner other(fakes::generateKey());
    acme::PostOptions options;
    options.signer = &other;

    REQUIRE(f.client
                ->post(acme::Endpoint::Account, f.server.accountUrl(), std::nullopt, "fetching",
                       options)
                .ok());

    auto posts = f.server.requestsTo(f.server.accountUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.protectedHeader["kid"] == f.server.accountUrl());
    CHECK(verifiesEs256(other.key().get(), posts[0].jws));
}

TEST_CASE("the Accept header of the options is sent", "[acme][post]") {
    ClientFixture f;
    f.ready();
    acme::PostOptions options;
    options.accept = "application/pkix-cert";

    REQUIRE(f.client
                ->post(acme::Endpoint::Account, f.server.accountUrl(), std::nullopt, "fetching",
                       options)
                .ok());

    CHECK(f.server.requestsTo(f.server.accountUrl(), "POST").at(0).http.accept ==
          "application/pkix-cert");
}

// RFC 8555 §6.2, §6.3, §6.5: what the client puts into each signed request.
#include "acme/crypto/ossl.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::problemResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;

namespace {} // namespace

TEST_CASE("newAccount is signed with the jwk, later requests with the kid", "[acme][jws]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());
    acme::NewAccountRequest request;
    request.contact = {"mailto:ops@example.com"};
    request.agreeTos = true;

    auto account = f.client->newAccount(request);
    REQUIRE(account.ok());
    CHECK(f.client->accountUrl() == f.server.accountUrl());
    REQUIRE(f.client->fetchAccount().ok());

    auto created = f.server.requestsTo(f.server.newAccountUrl(), "POST");
    REQUIRE(created.size() == 1);
    const auto& jws = created[0].jws;
    REQUIRE(jws.ok);
    CHECK(jws.protectedHeader["alg"] == "ES256");
    CHECK(jws.protectedHeader["jwk"] == f.signer.jwk());
    CHECK_FALSE(jws.protectedHeader.contains("kid"));
    CHECK(jws.protectedHeader["url"] == f.server.newAccountUrl());
    CHECK(jws.payloadJson()["termsOfServiceAgreed"] == true);
    CHECK(jws.payloadJson()["contact"] == json::array({"mailto:ops@example.com"}));
    CHECK(created[0].http.contentType == "application/jose+json");
    CHECK(verifiesEs256(f.signer.key().get(), jws));

    auto fetched = f.server.requestsTo(f.server.accountUrl(), "POST");
    REQUIRE(fetched.size() == 1);
    CHECK(fetched[0].jws.protectedHeader["kid"] == f.server.accountUrl());
    CHECK_FALSE(fetched[0].jws.protectedHeader.contains("jwk"));
    CHECK(verifiesEs256(f.signer.key().get(), fetched[0].jws));
}

TEST_CASE("POST-as-GET has an empty payload and the url of the request", "[acme][jws]") {
    ClientFixture f;
    f.ready();
    std::string authzUrl = f.server.url("/authz/7");
    f.server.route(authzUrl, [](const ServerRequest&) {
        return jsonResponse(200, {{"status", "valid"},
                                  {"identifier", {{"type", "dns"}, {"value", "a.example.com"}}},
                                  {"challenges", json::array()}});
    });

    auto authz = f.client->fetchAuthorization(authzUrl);

    REQUIRE(authz.ok());
    auto posts = f.server.requestsTo(authzUrl, "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.payloadB64.empty());
    CHECK(posts[0].jws.protectedHeader["url"] == authzUrl);
    CHECK(posts[0].jws.protectedHeader["kid"] == f.server.accountUrl());
}

TEST_CASE("every POST carries its own URL and the nonce of the previous response",
          "[acme][jws][nonce]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.newOrderUrl(), [&f](const ServerRequest&) {
        return jsonResponse(201,
                            {{"status", "pending"},
                             {"identifiers", {{{"type", "dns"}, {"value", "a.example.com"}}}},
                             {"authorizations", {f.server.url("/authz/1")}},
                             {"finalize", f.server.url("/order/1/finalize")}},
                            {{"location", f.server.url("/order/1")}});
    });

    REQUIRE(f.client->fetchAccount().ok());
    REQUIRE(f.client->newOrder(fakes::orderRequest({"a.example.com"})).ok());
    REQUIRE(f.client->fetchAccount().ok());

    // Exactly one HEAD newNonce, for the first POST; then each response's nonce is used.
    CHECK(f.server.requestsTo(f.server.newNonceUrl()).size() == 1);
    CHECK(f.server.nonceViolations().empty());
    const auto& log = f.server.log();
    std::string previousNonce;
    int posts = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (log[i].http.method == "POST") {
            ++posts;
            INFO("request " << i << " " << log[i].http.url);
            CHECK(log[i].jws.protectedHeader["url"] == log[i].http.url);
            CHECK(log[i].jws.protectedHeader["nonce"] == previousNonce);
        }
        std::string given = log[i].response.header("replay-nonce");
        if (!given.empty()) {
            previousNonce = given;
        }
    }
    CHECK(posts == 3);
}

TEST_CASE("findAccount uses onlyReturnExisting and maps accountDoesNotExist to NotFound",
          "[acme][jws]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());
    f.server.route(f.server.newAccountUrl(), [](const ServerRequest&) {
        return problemResponse(400, "accountDoesNotExist", "no account for this key");
    });

    auto account = f.client->findAccount();

    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == ErrorKind::NotFound);
    auto posts = f.server.requestsTo(f.server.newAccountUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.payloadJson() == json{{"onlyReturnExisting", true}});
    CHECK(posts[0].jws.protectedHeader.contains("jwk"));
    CHECK(f.client->accountUrl().empty());
}

TEST_CASE("the certificate is downloaded with Accept application/pem-certificate-chain",
          "[acme][jws]") {
    ClientFixture f;
    f.ready();
    std::string certUrl = f.server.url("/cert/1");
    f.server.route(certUrl, [&f](const ServerRequest&) {
        return fakes::makeResponse(
            200, "PEM", {{"link", "<" + f.server.url("/cert/1/alt") + ">;rel=\"alternate\""}});
    });

    auto chain = f.client->downloadCertificate(certUrl);

    REQUIRE(chain.ok());
    CHECK(chain->pem == "PEM");
    CHECK(chain->alternates == std::vector<std::string>{f.server.url("/cert/1/alt")});
    auto posts = f.server.requestsTo(certUrl, "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].http.accept == "application/pem-certificate-chain");
    CHECK(posts[0].jws.payloadB64.empty());
}

// RFC 8555 §7.3.4 External Account Binding as sent in newAccount.
#include "fakes/client_fixture.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <openssl/evp.h>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

std::string hmacSha256(const std::string& key, const std::string& data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    size_t len = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                  mac.size(), &len) == nullptr) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

} // namespace

TEST_CASE("newAccount with EAB sends an HS256 binding over the account JWK", "[acme][eab]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());
    const std::string secret = "a 32 byte secret for the binding";
    acme::NewAccountRequest request;
    request.agreeTos = true;
    request.eabKid = "kid-1234";
    request.eabHmacKey = base64urlEncode(secret);

    auto account = f.client->newAccount(request);

    REQUIRE(account.ok());
    auto posts = f.server.requestsTo(f.server.newAccountUrl(), "POST");
    REQUIRE(posts.size() == 1);
    json payload = posts[0].jws.payloadJson();
    REQUIRE(payload.contains("externalAccountBinding"));
    fakes::DecodedJws eab = fakes::decodeJws(payload["externalAccountBinding"].dump());
    REQUIRE(eab.ok);
    CHECK(eab.protectedHeader["alg"] == "HS256");
    CHECK(eab.protectedHeader["kid"] == "kid-1234");
    CHECK(eab.protectedHeader["url"] == f.server.newAccountUrl());
    CHECK_FALSE(eab.protectedHeader.contains("nonce")); // §7.3.4: no nonce in the binding
    CHECK(eab.payloadJson() == f.signer.jwk());
    CHECK(eab.signature == hmacSha256(secret, eab.protectedB64 + "." + eab.payloadB64));
    CHECK(eab.signature != hmacSha256("another secret", eab.protectedB64 + "." + eab.payloadB64));
    // The outer JWS is still signed with the account key and carries the jwk.
    CHECK(posts[0].jws.protectedHeader["jwk"] == f.signer.jwk());
    // The secret itself never goes over the wire.
    CHECK(posts[0].http.body.find(request.eabHmacKey) == std::string::npos);
}

TEST_CASE("newAccount without EAB sends no binding", "[acme][eab]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());

    REQUIRE(f.client->newAccount({}).ok());

    auto posts = f.server.requestsTo(f.server.newAccountUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK_FALSE(posts[0].jws.payloadJson().contains("externalAccountBinding"));
}

TEST_CASE("an EAB key that is not base64url is a Usage error and nothing is sent", "[acme][eab]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());
    acme::NewAccountRequest request;
    request.eabKid = "kid-1234";
    request.eabHmacKey = "not base64url!";

    auto account = f.client->newAccount(request);

    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == ErrorKind::Usage);
    CHECK(f.server.requestsTo(f.server.newAccountUrl()).empty());
    CHECK_THAT(account.error().message, !Catch::Contains("not base64url!"));
}

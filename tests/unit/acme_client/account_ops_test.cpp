// RFC 8555 account management: key rollover (§7.3.5) checked by a server that verifies both
// JWS, contact update (§7.3.2), deactivation (§7.3.6), and authorization deactivation (§7.5.2).
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

// A fixture whose server finds accounts by key and verifies every kid request's signature,
// with the client's account registered.
struct StrictFixture : ClientFixture {
    StrictFixture() {
        server.strictAccounts = true;
        REQUIRE(client->loadDirectory(server.directoryUrl()).ok());
        acme::NewAccountRequest request;
        request.agreeTos = true;
        request.contact = {"mailto:old@example.com"};
        REQUIRE(client->newAccount(request).ok());
    }
};

} // namespace

TEST_CASE("changeKey rolls the account over and the client signs with the new key afterwards",
          "[acme][account]") {
    StrictFixture f;
    acme::KeySigner newKey(fakes::generateKey(acme::KeyType::EcP384));

    auto changed = f.client->changeKey(newKey);

    REQUIRE(changed.ok());
    CHECK(f.server.counts.keyChange == 1);
    CHECK(fakes::thumbprintOf(f.server.accountRecord(f.server.accountUrl()).jwk) ==
          fakes::thumbprintOf(newKey.jwk()));
    auto posts = f.server.requestsTo(f.server.keyChangeUrl(), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.protectedHeader["kid"] == f.server.accountUrl());
    CHECK(verifiesEs256(f.signer.key().get(), posts[0].jws));
    auto inner = fakes::decodeJws(posts[0].jws.payload);
    REQUIRE(inner.ok);
    CHECK(inner.protectedHeader["alg"] == "ES384");
    CHECK(inner.protectedHeader["url"] == f.server.keyChangeUrl());
    CHECK(inner.protectedHeader["jwk"] == newKey.jwk());
    CHECK_FALSE(inner.protectedHeader.contains("nonce"));
    CHECK_FALSE(inner.protectedHeader.contains("kid"));
    CHECK(inner.payloadJson() ==
          json{{"account", f.server.accountUrl()}, {"oldKey", f.signer.jwk()}});
    // The strict server refuses the old key from now on: this only works with the new one.
    auto account = f.client->fetchAccount();
    REQUIRE(account.ok());
    CHECK(account->status == "valid");
    CHECK(fakes::verifiesJws(newKey.key().get(), f.server.log().back().jws));
    acme::Client stale(f.server, f.signer); // the old key, which the server no longer accepts
    REQUIRE(stale.loadDirectory(f.server.directoryUrl()).ok());
    stale.setAccountUrl(f.server.accountUrl());
    CHECK_FALSE(stale.fetchAccount().ok());
    CHECK(f.server.nonceViolations().empty());
}

TEST_CASE("changeKey to a key that already has an account names that account and changes nothing",
          "[acme][account]") {
    StrictFixture f;
    acme::KeySigner taken(fakes::generateKey());
    acme::Client other(f.server, taken);
    REQUIRE(other.loadDirectory(f.server.directoryUrl()).ok());
    auto second = other.newAccount({});
    REQUIRE(second.ok());
    REQUIRE(second->url != f.server.accountUrl());

    auto changed = f.client->changeKey(taken);

    REQUIRE_FALSE(changed.ok());
    CHECK(changed.error().kind == ErrorKind::Acme);
    CHECK(changed.error().message.find("already belongs") != std::string::npos);
    CHECK(changed.error().message.find(second->url) != std::string::npos);
    CHECK(f.server.counts.keyChange == 0);
    CHECK(f.client->fetchAccount().ok()); // still signed with, and accepted for, the old key
}

TEST_CASE("changeKey needs the directory's keyChange and a key other than the current one",
          "[acme][account]") {
    ClientFixture f;
    f.server.directory.erase("keyChange");
    f.ready();
    acme::KeySigner newKey(fakes::generateKey());
    auto missing = f.client->changeKey(newKey);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("key rollover") != std::string::npos);

    ClientFixture g;
    g.ready();
    auto same = g.client->changeKey(g.signer);
    REQUIRE_FALSE(same.ok());
    CHECK(same.error().kind == ErrorKind::Usage);
    CHECK(g.server.requestsTo(g.server.keyChangeUrl()).empty());
}

TEST_CASE("updateAccount replaces the contact; an empty list removes it", "[acme][account]") {
    StrictFixture f;

    auto updated = f.client->updateAccount({"mailto:new@example.com"});

    REQUIRE(updated.ok());
    CHECK(updated->contact == std::vector<std::string>{"mailto:new@example.com"});
    CHECK(f.server.accountRecord(f.server.accountUrl()).contact == updated->contact);
    auto posts = f.server.requestsTo(f.server.accountUrl(), "POST");
    REQUIRE(!posts.empty());
    CHECK(posts.back().jws.payloadJson() == json{{"contact", {"mailto:new@example.com"}}});

    auto cleared = f.client->updateAccount({});
    REQUIRE(cleared.ok());
    CHECK(cleared->contact.empty());
    CHECK(f.server.accountRecord(f.server.accountUrl()).contact.empty());
}

TEST_CASE("a deactivated account is refused afterwards", "[acme][account]") {
    StrictFixture f;

    auto gone = f.client->deactivateAccount();

    REQUIRE(gone.ok());
    CHECK(gone->status == "deactivated");
    CHECK(f.server.accountRecord(f.server.accountUrl()).status == "deactivated");
    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));
    REQUIRE_FALSE(order.ok());
    REQUIRE(order.error().problem.has_value());
    CHECK(order.error().problem->shortType() == "unauthorized");
    CHECK(f.server.counts.newOrder == 0);
}

TEST_CASE("deactivateAccount refuses an answer that is not deactivated", "[acme][account]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.accountUrl(), [](const fakes::ServerRequest&) {
        return fakes::jsonResponse(200, {{"status", "valid"}});
    });
    auto gone = f.client->deactivateAccount();
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().kind == ErrorKind::Protocol);
}

TEST_CASE("deactivateAuthorization deactivates it and its order can no longer be finalized",
          "[acme][account]") {
    ClientFixture f;
    f.ready();
    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));
    REQUIRE(order.ok());

    REQUIRE(f.client->deactivateAuthorization(order->authorizations.at(0)).ok());

    CHECK(f.server.counts.deactivatedAuthorizations == 1);
    CHECK(f.server.authorizations().at(0).status == "deactivated");
    auto posts = f.server.requestsTo(order->authorizations.at(0), "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.payloadJson() == json{{"status", "deactivated"}});
    auto after = f.client->fetchOrder(order->url);
    REQUIRE(after.ok());
    CHECK(after->status == "invalid");
    // Deactivating it again: the server refuses, and so does the client.
    CHECK_FALSE(f.client->deactivateAuthorization(order->authorizations.at(0)).ok());
}

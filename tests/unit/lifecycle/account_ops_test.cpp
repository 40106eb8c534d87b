// Account operations through lifecycle/ against a fake ACME server that finds accounts by key
// and checks every signature: key rollover with the key staged in the store first, the
// settling of a rollover a killed run left in flight, contact update and deactivation.
#include "fakes/lifecycle_world.hpp"
#include "lifecycle/account.hpp"
#include "lifecycle/account_ops.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace certkeep;

namespace {

// The fakes wired into lifecycle::Services, with a registered account on a strict server.
struct Harness : fakes::LifecycleWorld {
    lifecycle::AccountSpec account;

    Harness() {
        server.strictAccounts = true;
        account.server = {server.directoryUrl(), ""};
        account.agreeTos = true;
        account.email = "ops@example.com";
        auto session = lifecycle::openAccount(services, account, lifecycle::AccountMode::Create);
        REQUIRE(session.ok());
    }

    store::AccountData stored() {
        auto a = store.loadAccount(server.directoryUrl());
        REQUIRE(a.ok());
        REQUIRE(a->has_value());
        return **a;
    }

    // The thumbprint of the key the server holds for our account.
    std::string serverThumbprint() {
        return fakes::thumbprintOf(server.accountRecord(server.accountUrl()).jwk);
    }

    static std::string thumbprintOfPem(const std::string& pem) {
        auto key = acme::PrivateKey::fromPem(pem);
        REQUIRE(key.ok());
        acme::KeySigner signer(std::move(*key));
        return fakes::thumbprintOf(signer.jwk());
    }
};

} // namespace

TEST_CASE("rollover: same account URL, new key stored and used by the CA", "[lifecycle][account]") {
    Harness h;
    std::string oldPem = h.stored().keyPem;

    auto out = lifecycle::rolloverAccountKey(h.services, h.account, acme::JwsAlg::ES384);

    REQUIRE(out.ok());
    CHECK(out->accountUrl == h.server.accountUrl());
    CHECK(out->newAlg == "ES384");
    CHECK(out->oldThumbprint == Harness::thumbprintOfPem(oldPem));
    auto after = h.stored();
    CHECK(after.url == h.server.accountUrl());
    CHECK(after.keyPem != oldPem);
    CHECK(after.stagedKeyPem.empty());
    CHECK(Harness::thumbprintOfPem(after.keyPem) == out->newThumbprint);
    CHECK(h.serverThumbprint() == out->newThumbprint);
    // The next use of the account signs with the new key, which the strict server requires.
    auto session = lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Existing);
    REQUIRE(session.ok());
    CHECK(session->client->fetchAccount().ok());
}

TEST_CASE("rollover keeps the key type by default", "[lifecycle][account]") {
    Harness h;
    auto out = lifecycle::rolloverAccountKey(h.services, h.account, std::nullopt);
    REQUIRE(out.ok());
    CHECK(out->newAlg == "ES256");
    CHECK(out->newThumbprint != out->oldThumbprint);
}

TEST_CASE("the new key is in the store before the CA hears of it", "[lifecycle][account]") {
    Harness h;
    std::string stagedAtKeyChange;
    h.server.route(h.server.keyChangeUrl(), [&](const fakes::ServerRequest&) {
        auto a = h.store.loadAccount(h.server.directoryUrl());
        stagedAtKeyChange = a.ok() && a->has_value() ? (*a)->stagedKeyPem : "";
        return fakes::problemResponse(400, "malformed", "no");
    });

    auto out = lifecycle::rolloverAccountKey(h.services, h.account, std::nullopt);

    REQUIRE_FALSE(out.ok());
    CHECK_FALSE(stagedAtKeyChange.empty());
    // A refusal means the change did not happen: the staged key is dropped, the old one stays.
    CHECK(h.stored().stagedKeyPem.empty());
    CHECK(h.notesContain("refused"));
}

TEST_CASE("a lost answer to keyChange keeps the staged key; the next use settles it",
          "[lifecycle][account]") {
    auto applied = GENERATE(true, false);
    Harness h;
    std::string oldPem = h.stored().keyPem;
    // The CA may or may not have made the change; the answer never arrives.
    fakes::FakeTransport lossy;
    lossy.setHandler([&](const acme::HttpRequest& request) -> Result<acme::HttpResponse> {
        if (request.url == h.server.keyChangeUrl()) {
            if (applied) {
                (void)h.server.send(request);
            }
            return fail(ErrorKind::Network, "connection reset");
        }
        return h.server.send(request);
    });
    lifecycle::Services lossyServices = h.servicesOver(lossy);

    auto out = lifecycle::rolloverAccountKey(lossyServices, h.account, std::nullopt);

    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Network);
    std::string staged = h.stored().stagedKeyPem;
    REQUIRE_FALSE(staged.empty());
    CHECK(h.stored().keyPem == oldPem);

    REQUIRE(lifecycle::settleStagedKey(h.services, h.account).ok());

    auto after = h.stored();
    CHECK(after.stagedKeyPem.empty());
    CHECK(after.keyPem == (applied ? staged : oldPem));
    CHECK(after.url == h.server.accountUrl());
    CHECK(h.notesContain(applied ? "had reached the CA" : "never reached the CA"));
    auto session = lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Existing);
    REQUIRE(session.ok());
    CHECK(session->client->fetchAccount().ok()); // the stored key is the one the CA has
}

TEST_CASE("rollover needs a stored account with a URL", "[lifecycle][account]") {
    fakes::LifecycleWorld world;
    auto& server = world.server;
    auto& store = world.store;
    auto& services = world.services;
    lifecycle::AccountSpec spec;
    spec.server = {server.directoryUrl(), ""};

    auto none = lifecycle::rolloverAccountKey(services, spec, std::nullopt);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::NotFound);
    CHECK(none.error().message.find("account register") != std::string::npos);
    CHECK(store.lockAccountCalls == 0);

    auto key = acme::PrivateKey::generate(acme::KeyType::EcP256);
    REQUIRE(key.ok());
    REQUIRE(store.saveAccount(server.directoryUrl(), {"", *key->toPem(), "", "", ""}).ok());
    auto noUrl = lifecycle::rolloverAccountKey(services, spec, std::nullopt);
    REQUIRE_FALSE(noUrl.ok());
    CHECK(noUrl.error().kind == ErrorKind::Usage);
    CHECK(server.requestsTo(server.keyChangeUrl()).empty());
}

TEST_CASE("update sets the contact at the CA and in the store", "[lifecycle][account]") {
    Harness h;

    auto updated = lifecycle::updateAccountContact(h.services, h.account, {"new@example.com"});

    REQUIRE(updated.ok());
    CHECK(updated->contact == std::vector<std::string>{"mailto:new@example.com"});
    CHECK(h.server.accountRecord(h.server.accountUrl()).contact == updated->contact);
    CHECK(h.stored().contact == "mailto:new@example.com");
    CHECK_FALSE(h.notesContain("--email"));
}

TEST_CASE("a deactivated account cannot order afterwards", "[lifecycle][account]") {
    Harness h;

    auto gone = lifecycle::deactivateAccount(h.services, h.account);

    REQUIRE(gone.ok());
    CHECK(gone->status == "deactivated");
    CHECK(h.stored().url == h.server.accountUrl()); // kept: it must not be silently replaced
    auto session = lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Existing);
    REQUIRE(session.ok());
    auto order = session->client->newOrder(fakes::orderRequest({"a.example.com"}));
    REQUIRE_FALSE(order.ok());
    CHECK(order.error().message.find("deactivated") != std::string::npos);
}

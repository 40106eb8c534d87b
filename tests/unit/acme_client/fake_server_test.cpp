// The client step by step through a whole issuance against FakeAcmeServer's built-in flow,
// and the server's knobs that lifecycle tests rely on.
#include "acme/crypto/csr.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

// Validates every pending authorization of `order` through its http-01 challenge.
void validateAll(ClientFixture& f, const acme::Order& order) {
    for (const auto& url : order.authorizations) {
        auto authz = f.client->fetchAuthorization(url);
        REQUIRE(authz.ok());
        if (authz->status != "pending") {
            continue;
        }
        auto chal = std::find_if(authz->challenges.begin(), authz->challenges.end(),
                                 [](const acme::Challenge& c) { return c.type == "http-01"; });
        REQUIRE(chal != authz->challenges.end());
        REQUIRE(f.client->respondChallenge(*chal).ok());
        auto done = f.client->waitAuthorization(url);
        REQUIRE(done.ok());
    }
}

// Issues for `names` step by step; returns the downloaded default chain.
acme::DownloadedChain issue(ClientFixture& f, const std::vector<std::string>& names,
                            const acme::PrivateKey& key) {
    auto order = f.client->newOrder(fakes::orderRequest(names));
    REQUIRE(order.ok());
    validateAll(f, *order);
    auto ready = f.client->fetchOrder(order->url);
    REQUIRE(ready.ok());
    REQUIRE(ready->status == "ready");
    auto csr = acme::makeCsrDer(key, names);
    REQUIRE(csr.ok());
    auto finalized = f.client->finalize(*ready, *csr);
    REQUIRE(finalized.ok());
    auto valid = f.client->waitOrder(*finalized);
    REQUIRE(valid.ok());
    REQUIRE(valid->status == "valid");
    auto chain = f.client->downloadCertificate(valid->certificate);
    REQUIRE(chain.ok());
    return *chain;
}

} // namespace

TEST_CASE("a whole issuance with dns and ip identifiers against the built-in flow",
          "[acme][fakeserver]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();

    auto chain = issue(f, {"a.example.com", "192.0.2.1", "2001:db8::1"}, key);

    auto pems = acme::splitPemChain(chain.pem);
    REQUIRE(pems.ok());
    REQUIRE(pems->size() == 2);
    CHECK(acme::verifyChainLinks(*pems).ok());
    auto leaf = acme::inspectCertPem(pems->front());
    REQUIRE(leaf.ok());
    CHECK(leaf->dnsNames == std::vector<std::string>{"a.example.com"});
    CHECK(leaf->ipAddresses == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    CHECK(acme::certMatchesKey(pems->front(), key).value());
    REQUIRE(f.server.lastCsr().has_value());
    CHECK(f.server.lastCsr()->subjectCn == "a.example.com");
    // The ip authorizations offer no dns-01 (RFC 8738 §7).
    CHECK(f.server.authorizations().size() == 3);
    CHECK(f.server.counts.newOrder == 1);
    CHECK(f.server.counts.finalize == 1);
    CHECK(f.server.counts.certificate == 1);
    CHECK(f.server.counts.challenge == 3);
    CHECK(f.server.nonceViolations().empty());
    CHECK(f.server.httpRequests().empty());

    REQUIRE(chain.alternates.size() == 1);
    auto alt = f.client->downloadCertificate(chain.alternates[0]);
    REQUIRE(alt.ok());
    auto altPems = acme::splitPemChain(alt->pem);
    REQUIRE(altPems.ok());
    CHECK(acme::inspectCertPem(altPems->back()).value().issuerCn == "Other Root X2");
    CHECK(f.server.counts.alternate == 1);
}

TEST_CASE("brokenChain serves a default chain that does not link", "[acme][fakeserver]") {
    ClientFixture f;
    f.server.brokenChain = true;
    f.ready();
    auto key = fakes::generateKey();

    auto chain = issue(f, {"a.example.com"}, key);

    auto pems = acme::splitPemChain(chain.pem);
    REQUIRE(pems.ok());
    auto st = acme::verifyChainLinks(*pems);
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::Contains("certificate 1 (CN=a.example.com) is not "
                                                   "issued by certificate 2 (CN=Fake Issuing CA)"));
}

TEST_CASE("extraAuthorization adds an authorization nobody asked for", "[acme][fakeserver]") {
    ClientFixture f;
    f.server.extraAuthorization = "evil.example";
    f.ready();

    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));

    REQUIRE(order.ok());
    REQUIRE(order->authorizations.size() == 2);
    auto extra = f.client->fetchAuthorization(order->authorizations[1]);
    REQUIRE(extra.ok());
    CHECK(extra->identifier == acme::Identifier{"dns", "evil.example"});
}

TEST_CASE("failValidation and authzStatus shape the authorizations", "[acme][fakeserver]") {
    ClientFixture f;
    f.server.failValidation = {{"b.example.com", "Invalid response from b.example.com: 404"}};
    f.server.authzStatus = {{"a.example.com", "valid"}};
    f.ready();
    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com", "b.example.com"}));
    REQUIRE(order.ok());

    validateAll(f, *order);

    auto b = f.client->fetchAuthorization(order->authorizations[1]);
    REQUIRE(b.ok());
    CHECK(b->status == "invalid");
    REQUIRE(b->challenges.at(0).error.has_value());
    CHECK_THAT(b->challenges[0].error->detail, Catch::Contains("404"));
    CHECK(f.server.counts.challenge == 1); // a.example.com was already valid
    CHECK(f.client->fetchOrder(order->url).value().status == "invalid");
}

TEST_CASE("forgottenAccounts makes the CA answer accountDoesNotExist", "[acme][fakeserver]") {
    ClientFixture f;
    f.ready();
    f.server.forgottenAccounts = {f.server.accountUrl()};

    auto fetched = f.client->fetchAccount();
    REQUIRE_FALSE(fetched.ok());
    REQUIRE(fetched.error().problem.has_value());
    CHECK(fetched.error().problem->shortType() == "accountDoesNotExist");

    auto found = f.client->findAccount();
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().kind == ErrorKind::NotFound);

    auto created = f.client->newAccount({});
    REQUIRE(created.ok());
    CHECK(created->url != f.server.accountUrl());
    CHECK(f.client->fetchAccount().ok());
}

TEST_CASE("seeded orders, profiles and renewal windows", "[acme][fakeserver]") {
    ClientFixture f;
    f.server.profiles = {{"classic", "the usual"}};
    f.server.renewalWindows["abc.def"] = {
        {"suggestedWindow", {{"start", "2026-01-01T00:00:00Z"}, {"end", "2026-01-02T00:00:00Z"}}}};
    f.ready();
    auto key = fakes::generateKey();
    std::string url =
        f.server.seedOrder(fakes::toIdentifiers({"a.example.com"}), "processing", key.get());

    auto order = f.client->fetchOrder(url);
    REQUIRE(order.ok());
    CHECK(order->status == "processing");
    auto valid = f.client->waitOrder(*order);
    REQUIRE(valid.ok());
    CHECK(valid->status == "valid");
    CHECK(f.client->downloadCertificate(valid->certificate).ok());
    CHECK(f.server.counts.newOrder == 0);
    CHECK(f.server.counts.finalize == 0);
    CHECK(f.server.counts.certificate == 1);

    CHECK(f.client->directory().profiles.count("classic") == 1);
    auto unknown = fakes::orderRequest({"a.example.com"});
    unknown.profile = "nope";
    auto refused = f.client->newOrder(unknown);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().problem->shortType() == "invalidProfile");

    auto ari = f.server.send({"GET", f.server.renewalInfoUrl() + "/abc.def", "", "", ""});
    REQUIRE(ari.ok());
    CHECK(ari->status == 200);
    CHECK(json::parse(ari->body)["suggestedWindow"]["start"] == "2026-01-01T00:00:00Z");
}

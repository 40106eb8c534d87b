// dns-persist-01 challenge objects (draft-ietf-acme-dns-persist-01 §3.1, as Let's Encrypt's
// Boulder sends them: no token, issuer-domain-names, accounturi) and the directory's
// caaIdentities (RFC 8555 §7.1.1), parsed from server JSON.
#include "acme/types.hpp"
#include "fakes/acme_documents.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using nlohmann::json;

namespace {

const std::string kAuthzUrl = "https://ca.test/authz/1";

json boulderPersist() {
    return fakes::persistChallengeJson("https://ca.test/chal/1/persist", "pending",
                                       {"letsencrypt.org"},
                                       "https://acme-staging-v02.api.letsencrypt.org/acme/acct/7");
}

} // namespace

TEST_CASE("a dns-persist-01 challenge parses without a token, with its issuers and account",
          "[acme][persist]") {
    auto c = acme::parseChallenge(boulderPersist());
    REQUIRE(c.ok());
    CHECK(c->type == acme::kDnsPersist01);
    CHECK(c->token.empty());
    CHECK(c->issuerDomainNames == std::vector<std::string>{"letsencrypt.org"});
    CHECK(c->accountUri == "https://acme-staging-v02.api.letsencrypt.org/acme/acct/7");
    CHECK(c->url == "https://ca.test/chal/1/persist");
}

TEST_CASE("a dns-persist-01 challenge without accounturi leaves it empty (draft-00 servers)",
          "[acme][persist]") {
    auto c = acme::parseChallenge(
        fakes::persistChallengeJson("https://ca.test/c", "pending", {"a.example", "b.example"}));
    REQUIRE(c.ok());
    CHECK(c->accountUri.empty());
    CHECK(c->issuerDomainNames == std::vector<std::string>{"a.example", "b.example"});
}

TEST_CASE("issuer-domain-names and accounturi of the wrong type make the challenge invalid",
          "[acme][persist]") {
    json notArray = boulderPersist();
    notArray["issuer-domain-names"] = "letsencrypt.org";
    json notStrings = boulderPersist();
    notStrings["issuer-domain-names"] = json::array({"letsencrypt.org", 7});
    json accountNumber = boulderPersist();
    accountNumber["accounturi"] = 7;
    for (const auto& doc : {notArray, notStrings, accountNumber}) {
        INFO(doc.dump());
        auto c = acme::parseChallenge(doc);
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().kind == ErrorKind::Protocol);
    }
}

TEST_CASE("an authorization offering http-01, dns-01 and dns-persist-01 keeps all three",
          "[acme][persist]") {
    json doc =
        fakes::authzJson("example.com", "pending",
                         json::array({fakes::challengeJson("http-01", "https://ca.test/chal/1",
                                                           fakes::tokenFor("a"), "pending"),
                                      fakes::challengeJson("dns-01", "https://ca.test/chal/1/dns",
                                                           fakes::tokenFor("a"), "pending"),
                                      boulderPersist()}));
    doc["wildcard"] = true;
    auto a = acme::parseAuthorization(doc.dump(), kAuthzUrl);
    REQUIRE(a.ok());
    CHECK(a->wildcard);
    REQUIRE(a->challenges.size() == 3);
    CHECK(a->challenges[0].token == fakes::tokenFor("a"));
    CHECK(a->challenges[0].issuerDomainNames.empty());
    CHECK(a->challenges[2].type == "dns-persist-01");
    CHECK(a->challenges[2].token.empty());
    CHECK(a->challenges[2].issuerDomainNames == std::vector<std::string>{"letsencrypt.org"});
}

TEST_CASE("a dns-persist-01 challenge URL must be https like every other", "[acme][persist]") {
    json persist = boulderPersist();
    persist["url"] = "http://ca.test/chal/1/persist";
    auto a = acme::parseAuthorization(
        fakes::authzJson("example.com", "pending", json::array({persist})).dump(), kAuthzUrl);
    REQUIRE_FALSE(a.ok());
    CHECK_THAT(a.error().message, Catch::Contains("dns-persist-01 challenge URL"));
}

TEST_CASE("the directory's caaIdentities are read; absent or malformed ones are empty",
          "[acme][persist]") {
    json dir{{"newNonce", "https://ca.test/nonce"},
             {"newAccount", "https://ca.test/acct"},
             {"newOrder", "https://ca.test/order"}};
    SECTION("present") {
        dir["meta"] = {{"caaIdentities", {"letsencrypt.org", "other.example"}}};
        auto d = acme::parseDirectory(dir.dump(), "https://ca.test/dir");
        REQUIRE(d.ok());
        CHECK(d->caaIdentities == std::vector<std::string>{"letsencrypt.org", "other.example"});
    }
    SECTION("absent (Pebble)") {
        auto d = acme::parseDirectory(dir.dump(), "https://ca.test/dir");
        REQUIRE(d.ok());
        CHECK(d->caaIdentities.empty());
    }
    SECTION("malformed: ignored, the directory still works") {
        dir["meta"] = {{"caaIdentities", {"letsencrypt.org", 3}}};
        auto d = acme::parseDirectory(dir.dump(), "https://ca.test/dir");
        REQUIRE(d.ok());
        CHECK(d->caaIdentities.empty());
    }
}

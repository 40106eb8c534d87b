// What `certkeep dns persist-record` puts in a record: the stored account URL (nothing is
// registered) and the CA's issuer domain, given or read from the directory's caaIdentities.
#include "fakes/lifecycle_world.hpp"
#include "lifecycle/persist_check.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;

namespace {

struct World : fakes::LifecycleWorld {
    void storeAccount(const std::string& url) {
        REQUIRE(store.saveAccount(server.directoryUrl(), {"", "key", url, "", ""}).ok());
    }
    Result<lifecycle::PersistIdentity> identity(const std::string& issuer = "") {
        return lifecycle::persistIdentity(services, server.directoryUrl(), issuer);
    }
    [[nodiscard]] std::size_t directoryGets() const {
        return server.requestsTo(server.directoryUrl()).size();
    }
};

} // namespace

TEST_CASE("persist identity: no stored account names account register and registers nothing",
          "[lifecycle][persist]") {
    World w;
    auto id = w.identity("ca.test");
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().kind == ErrorKind::NotFound);
    CHECK_THAT(id.error().message, Catch::Contains("certkeep account register"));
    CHECK(w.server.log().empty());
    CHECK(w.store.saveAccountCalls == 0);
}

TEST_CASE("persist identity: a given issuer domain needs no request", "[lifecycle][persist]") {
    World w;
    w.storeAccount("https://acme.test/account/1");
    auto id = w.identity("ca.test");
    REQUIRE(id.ok());
    CHECK(id->accountUri == "https://acme.test/account/1");
    CHECK(id->issuerDomain == "ca.test");
    CHECK(w.server.log().empty());
}

TEST_CASE("persist identity: the issuer domain is the directory's first caaIdentities entry",
          "[lifecycle][persist]") {
    World w;
    w.storeAccount("https://acme.test/account/1");
    SECTION("offered") {
        w.server.directory["meta"]["caaIdentities"] = {"letsencrypt.org", "other.example"};
        auto id = w.identity();
        REQUIRE(id.ok());
        CHECK(id->issuerDomain == "letsencrypt.org");
        CHECK(w.directoryGets() == 1);
        CHECK(w.server.log().size() == 1); // one GET, nothing signed
    }
    SECTION("absent: a Usage error asking for --issuer-domain") {
        auto id = w.identity();
        REQUIRE_FALSE(id.ok());
        CHECK(id.error().kind == ErrorKind::Usage);
        CHECK_THAT(id.error().message, Catch::Contains("--issuer-domain"));
    }
}

// dns-persist-01 records checked read-only on every authoritative server against a scripted
// resolver: all servers agree, one lacks the record (or cannot be reached), a CNAME, a wildcard,
// and the warning before persistUntil.
#include "fakes/fake_resolver.hpp"
#include "lifecycle/persist_check.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using challenges::dns::LookupContext;
using challenges::dns::RecordType;
using challenges::dns::ServerAddress;
using fakes::FakeResolver;
using std::chrono::system_clock;

namespace {

const ServerAddress kResolver{"127.0.0.53", 5353};
const ServerAddress kNs1{"127.0.0.2", 53};
const ServerAddress kNs2{"127.0.0.3", 53};
const ServerAddress kNs2v6{"fd00::3", 53};
const std::string kName = "_validation-persist.example.test";
const std::string kAccount = "https://ca.test/acct/7";

// A fixed "now": 2026-05-01T00:00:00Z.
const system_clock::time_point kNow = system_clock::from_time_t(1777593600);

// example.test, served by ns1 (127.0.0.2) and ns2 (127.0.0.3 and fd00::3).
void scriptZone(FakeResolver& dns) {
    dns.answer(kResolver, kName, RecordType::SOA, FakeResolver::nxdomain("example.test"));
    dns.answer(kResolver, "example.test", RecordType::SOA,
               FakeResolver::soa("example.test", "ns1.example.test"));
    dns.answer(kResolver, "example.test", RecordType::NS,
               FakeResolver::ns({"ns1.example.test", "ns2.example.test"}));
    dns.answer(kResolver, "ns1.example.test", RecordType::A, FakeResolver::addresses({kNs1.ip}));
    dns.answer(kResolver, "ns1.example.test", RecordType::AAAA, FakeResolver::noData());
    dns.answer(kResolver, "ns2.example.test", RecordType::A, FakeResolver::addresses({kNs2.ip}));
    dns.answer(kResolver, "ns2.example.test", RecordType::AAAA,
               FakeResolver::addresses({kNs2v6.ip}));
}

// Every address of both servers answers `values` for the record.
void scriptEverywhere(FakeResolver& dns, const std::vector<std::string>& values,
                      const std::string& name = kName) {
    for (const auto& server : {kNs1, kNs2, kNs2v6}) {
        dns.answer(server, name, RecordType::TXT, FakeResolver::txt(values));
    }
}

std::string record(const std::string& extra = "") {
    return "ca.test; accounturi=" + kAccount + extra;
}

lifecycle::PersistQuery query(const std::string& name = "example.test") {
    return {name, false, {"ca.test"}, kAccount};
}

struct Checked {
    FakeResolver dns;
    Result<lifecycle::PersistReport> run(const lifecycle::PersistQuery& q,
                                         system_clock::time_point now = kNow) {
        LookupContext ctx{dns, kResolver, std::chrono::seconds(1)};
        return lifecycle::checkPersistRecord(ctx, q, now);
    }
};

} // namespace

TEST_CASE("persist check: every address of every server authorizes", "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    scriptEverywhere(c.dns, {"v=spf1 -all", record()});
    auto report = c.run(query());
    REQUIRE(report.ok());
    CHECK(report->authorized);
    CHECK(report->zone == "example.test");
    CHECK(report->chain == std::vector<std::string>{kName});
    REQUIRE(report->servers.size() == 3);
    for (const auto& row : report->servers) {
        CHECK(row.reached);
        CHECK(row.authorizes);
        CHECK(row.detail == "authorizes");
    }
    CHECK(report->servers[2].address == "[fd00::3]:53");
    CHECK(report->warning.empty());
    auto verdict = lifecycle::persistVerdict(*report);
    REQUIRE(verdict.ok());
    CHECK(*verdict);
    // Authoritative servers are asked without recursion; the resolver only for SOA/NS/A/CNAME.
    for (const auto& q : c.dns.asked()) {
        if (q.type == RecordType::TXT) {
            CHECK_FALSE(q.recursionDesired);
            CHECK(q.server != std::optional<ServerAddress>(kResolver));
        }
    }
}

TEST_CASE("persist check: one server without the record spoils the verdict and is named",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    scriptEverywhere(c.dns, {record()});
    c.dns.answer(kNs2, kName, RecordType::TXT, FakeResolver::nxdomain("example.test"));
    auto report = c.run(query());
    REQUIRE(report.ok());
    CHECK_FALSE(report->authorized);
    CHECK(report->servers[0].authorizes);
    CHECK_FALSE(report->servers[1].authorizes);
    CHECK(report->servers[1].detail == "no TXT record (NXDOMAIN)");
    auto verdict = lifecycle::persistVerdict(*report);
    REQUIRE_FALSE(verdict.ok()); // a record on some servers only: the operator hears why
    CHECK(verdict.error().kind == ErrorKind::Validation);
    CHECK_THAT(verdict.error().message,
               Catch::Contains("ns2.example.test (127.0.0.3:53): no TXT record (NXDOMAIN)"));
}

TEST_CASE("persist check: no record anywhere is a plain false, not an error",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    scriptEverywhere(c.dns, {"other-ca.example; accounturi=" + kAccount});
    auto report = c.run(query());
    REQUIRE(report.ok());
    CHECK_FALSE(report->authorized);
    CHECK_THAT(report->servers[0].detail, Catch::Contains("records name only other-ca.example"));
    auto verdict = lifecycle::persistVerdict(*report);
    REQUIRE(verdict.ok());
    CHECK_FALSE(*verdict);
}

TEST_CASE("persist check: a record for another account or without policy=wildcard says why",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    SECTION("another account") {
        scriptEverywhere(c.dns, {"ca.test; accounturi=https://ca.test/acct/8"});
        auto report = c.run(query());
        REQUIRE(report.ok());
        CHECK_FALSE(report->authorized);
        CHECK_THAT(report->servers[0].detail, Catch::Contains("another account"));
    }
    SECTION("a wildcard needs policy=wildcard") {
        scriptEverywhere(c.dns, {record()});
        auto report = c.run(query("*.example.test"));
        REQUIRE(report.ok());
        CHECK_FALSE(report->authorized);
        CHECK_THAT(report->servers[0].detail, Catch::Contains("policy=wildcard"));
        REQUIRE_FALSE(lifecycle::persistVerdict(*report).ok());
    }
    SECTION("policy=wildcard authorizes the wildcard") {
        scriptEverywhere(c.dns, {record("; policy=wildcard")});
        auto report = c.run(query("*.example.test"));
        REQUIRE(report.ok());
        CHECK(report->authorized);
        CHECK(report->servers[0].detail == "authorizes (policy=wildcard)");
    }
}

TEST_CASE("persist check: an unreachable address is reported; its server's other address counts",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    scriptEverywhere(c.dns, {record()});
    c.dns.unreachable(kNs2v6, "Network is unreachable");
    auto report = c.run(query());
    REQUIRE(report.ok());
    CHECK(report->authorized); // ns2 answered on 127.0.0.3
    CHECK_FALSE(report->servers[2].reached);
    CHECK(report->servers[2].detail == "Network is unreachable");

    c.dns.unreachable(kNs2); // now ns2 answers on no address
    auto again = c.run(query());
    REQUIRE(again.ok());
    CHECK_FALSE(again->authorized);
    REQUIRE_FALSE(lifecycle::persistVerdict(*again).ok());
}

TEST_CASE("persist check: a CNAME is followed and the target's zone servers are asked",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    const std::string target = "example-test.persist.example.test";
    c.dns.answer(kResolver, kName, RecordType::CNAME, FakeResolver::cname(kName, target));
    c.dns.answer(kResolver, target, RecordType::SOA, FakeResolver::nxdomain("example.test"));
    scriptEverywhere(c.dns, {record()}, target);
    auto report = c.run(query());
    REQUIRE(report.ok());
    CHECK(report->chain == std::vector<std::string>{kName, target});
    CHECK(report->authorized);
}

TEST_CASE("persist check: persistUntil within 30 days warns; passed, it no longer authorizes",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    const auto at = [](system_clock::time_point t) {
        return "; persistUntil=" + std::to_string(system_clock::to_time_t(t));
    };
    SECTION("far away: no warning") {
        scriptEverywhere(c.dns, {record(at(kNow + std::chrono::hours(24 * 90)))});
        auto report = c.run(query());
        REQUIRE(report.ok());
        CHECK(report->authorized);
        CHECK(report->warning.empty());
    }
    SECTION("in 12 days: authorizes, with a warning") {
        scriptEverywhere(c.dns, {record(at(kNow + std::chrono::hours(24 * 12 + 1)))});
        auto report = c.run(query());
        REQUIRE(report.ok());
        CHECK(report->authorized);
        CHECK_THAT(report->warning, Catch::Contains("12 day(s) away"));
        CHECK_THAT(report->servers[0].detail, Catch::Contains("persistUntil 2026-05-13"));
    }
    SECTION("passed: refused, and the warning says so") {
        scriptEverywhere(c.dns, {record(at(kNow - std::chrono::hours(1)))});
        auto report = c.run(query());
        REQUIRE(report.ok());
        CHECK_FALSE(report->authorized);
        CHECK_THAT(report->warning, Catch::Contains("has passed"));
        CHECK_THAT(report->servers[0].detail, Catch::Contains("has passed"));
    }
}

TEST_CASE("persist check: a zone that cannot be found is an error naming the name",
          "[lifecycle][persist]") {
    Checked c; // nothing scripted: NXDOMAIN without SOA everywhere
    auto report = c.run(query());
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().kind == ErrorKind::NotFound);
    CHECK_THAT(report.error().message, Catch::Contains(kName));
}

TEST_CASE("persist authorized: no record at the resolver is false after one query",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    c.dns.answer(kResolver, kName, RecordType::TXT, FakeResolver::nxdomain("example.test"));
    LookupContext ctx{c.dns, kResolver, std::chrono::seconds(1)};
    auto verdict = lifecycle::persistAuthorized(ctx, query(), kNow);
    REQUIRE(verdict.ok());
    CHECK_FALSE(*verdict);
    REQUIRE(c.dns.asked().size() == 1); // no zone lookup, no authoritative server asked
    CHECK(c.dns.asked()[0].recursionDesired);
}

TEST_CASE("persist authorized: a record at the resolver is checked on every server",
          "[lifecycle][persist]") {
    Checked c;
    scriptZone(c.dns);
    c.dns.answer(kResolver, kName, RecordType::TXT, FakeResolver::txt({record()}));
    scriptEverywhere(c.dns, {record()});
    LookupContext ctx{c.dns, kResolver, std::chrono::seconds(1)};
    auto verdict = lifecycle::persistAuthorized(ctx, query(), kNow);
    REQUIRE(verdict.ok());
    CHECK(*verdict);
    CHECK(c.dns.count(kNs2v6, kName, RecordType::TXT) == 1);

    c.dns.answer(kNs1, kName, RecordType::TXT, FakeResolver::noData("example.test"));
    auto partial = lifecycle::persistAuthorized(ctx, query(), kNow);
    REQUIRE_FALSE(partial.ok()); // on the resolver, not on ns1: the operator is told
    CHECK(partial.error().kind == ErrorKind::Validation);
    CHECK_THAT(partial.error().message, Catch::Contains("ns1.example.test (127.0.0.2:53)"));
}

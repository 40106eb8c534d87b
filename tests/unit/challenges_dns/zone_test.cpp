// CNAME chains and zone discovery against a scripted resolver: the zone comes from the SOA's
// owner (sub-zones included), never from guessing at labels, and every lookup goes to the
// configured resolver.
#include "challenges/dns/zone.hpp"
#include "fakes/fake_resolver.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::challenges::dns::findZone;
using certkeep::challenges::dns::followCnames;
using certkeep::challenges::dns::LookupContext;
using certkeep::challenges::dns::RecordType;
using certkeep::challenges::dns::ServerAddress;
using certkeep::fakes::FakeResolver;
using Strings = std::vector<std::string>;

namespace {

const ServerAddress resolver{"127.0.0.53", 5353};

// example.test with the sub-zone sub.example.test, both served by ns1 and ns2.example.test.
void scriptZones(FakeResolver& dns) {
    dns.answer(resolver, "_acme-challenge.example.test", RecordType::SOA,
               FakeResolver::nxdomain("example.test"));
    dns.answer(resolver, "_acme-challenge.sub.example.test", RecordType::SOA,
               FakeResolver::nxdomain("sub.example.test"));
    for (const std::string zone : {"example.test", "sub.example.test"}) {
        dns.answer(resolver, zone, RecordType::SOA, FakeResolver::soa(zone, "ns1.example.test"));
        dns.answer(resolver, zone, RecordType::NS,
                   FakeResolver::ns({"ns2.example.test", "ns1.example.test"}));
    }
    dns.answer(resolver, "ns1.example.test", RecordType::A,
               FakeResolver::addresses({"127.0.0.3", "127.0.0.2"}));
    dns.answer(resolver, "ns1.example.test", RecordType::AAAA,
               FakeResolver::addresses({"fd00::2"}));
    dns.answer(resolver, "ns2.example.test", RecordType::A, FakeResolver::addresses({"127.0.0.4"}));
    dns.answer(resolver, "ns2.example.test", RecordType::AAAA, FakeResolver::noData());
}

} // namespace

TEST_CASE("findZone takes the zone from the SOA in the authority section, sub-zones included",
          "[dns][zone]") {
    FakeResolver dns;
    scriptZones(dns);
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};

    auto sub = findZone(ctx, "_acme-challenge.sub.example.test");
    REQUIRE(sub.ok());
    CHECK(sub->zone == "sub.example.test");
    CHECK(sub->primary == "ns1.example.test");
    REQUIRE(sub->nameservers.size() == 2);
    CHECK(sub->nameservers[0].name == "ns1.example.test"); // sorted
    CHECK(sub->nameservers[1].name == "ns2.example.test");
    CHECK(sub->nameservers[0].addresses ==
          std::vector<ServerAddress>{{"127.0.0.2", 53}, {"127.0.0.3", 53}, {"fd00::2", 53}});
    CHECK(sub->nameservers[1].addresses == std::vector<ServerAddress>{{"127.0.0.4", 53}});

    auto parent = findZone(ctx, "_acme-challenge.example.test");
    REQUIRE(parent.ok());
    CHECK(parent->zone == "example.test");
}

TEST_CASE("findZone asks only the configured resolver, with recursion, addresses in one batch",
          "[dns][zone]") {
    FakeResolver dns;
    scriptZones(dns);
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    REQUIRE(findZone(ctx, "_acme-challenge.sub.example.test").ok());
    for (const auto& q : dns.asked()) {
        CHECK(q.server == std::optional<ServerAddress>(resolver));
        CHECK(q.recursionDesired);
    }
    auto batches = dns.batches();
    REQUIRE_FALSE(batches.empty());
    CHECK(batches.back().size() == 4); // A and AAAA of ns1 and ns2 at once
}

TEST_CASE("findZone walks up one label only while the resolver names no zone", "[dns][zone]") {
    FakeResolver dns;
    dns.fallback(FakeResolver::noData()); // a resolver that strips the authority section
    dns.answer(resolver, "example.test", RecordType::SOA,
               FakeResolver::soa("example.test", "ns1.example.test"));
    dns.answer(resolver, "example.test", RecordType::NS, FakeResolver::ns({"ns1.example.test"}));
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    auto zone = findZone(ctx, "_acme-challenge.www.example.test");
    REQUIRE(zone.ok());
    CHECK(zone->zone == "example.test");
    CHECK(dns.count(resolver, "www.example.test", RecordType::SOA) == 1);
    CHECK(dns.count(resolver, "test", RecordType::SOA) == 0);
}

TEST_CASE("findZone does not take the zone of a CNAME's target for the name itself",
          "[dns][zone]") {
    FakeResolver dns;
    auto viaCname = FakeResolver::cname("_acme-challenge.a.test", "a.challenges.test");
    viaCname.soaOwner = "challenges.test";
    dns.answer(resolver, "_acme-challenge.a.test", RecordType::SOA, viaCname);
    dns.answer(resolver, "a.test", RecordType::SOA, FakeResolver::soa("a.test", "ns.a.test"));
    dns.answer(resolver, "a.test", RecordType::NS, FakeResolver::ns({"ns.a.test"}));
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    auto zone = findZone(ctx, "_acme-challenge.a.test");
    REQUIRE(zone.ok());
    CHECK(zone->zone == "a.test");
}

TEST_CASE("findZone reports a missing zone, a zone without NS and a silent resolver",
          "[dns][zone]") {
    FakeResolver dns;
    dns.fallback(FakeResolver::noData());
    LookupContext ctx{dns, resolver, std::chrono::seconds(2)};
    auto none = findZone(ctx, "_acme-challenge.nowhere.test");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::NotFound);
    CHECK_THAT(none.error().message, Catch::Contains("_acme-challenge.nowhere.test"));

    dns.answer(resolver, "bare.test", RecordType::SOA, FakeResolver::soa("bare.test", "ns"));
    auto bare = findZone(ctx, "bare.test");
    REQUIRE_FALSE(bare.ok());
    CHECK(bare.error().kind == ErrorKind::NotFound);
    CHECK_THAT(bare.error().message, Catch::Contains("no NS records"));

    dns.answer(resolver, "broken.test", RecordType::SOA, FakeResolver::rcode(2));
    auto servfail = findZone(ctx, "broken.test");
    REQUIRE_FALSE(servfail.ok());
    CHECK(servfail.error().kind == ErrorKind::Network);
    CHECK_THAT(servfail.error().message, Catch::Contains("SERVFAIL"));

    dns.unreachable(resolver);
    auto silent = findZone(ctx, "example.test");
    REQUIRE_FALSE(silent.ok());
    CHECK(silent.error().kind == ErrorKind::Network);
    CHECK_THAT(silent.error().message, Catch::Contains("no answer from 127.0.0.53:5353 within 2s"));
}

TEST_CASE("followCnames returns the chain from the name to the one that holds records",
          "[dns][cname]") {
    FakeResolver dns;
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    CHECK(*followCnames(ctx, "_acme-challenge.plain.test") ==
          Strings{"_acme-challenge.plain.test"});

    dns.answer(resolver, "_acme-challenge.a.test", RecordType::CNAME,
               FakeResolver::cname("_acme-challenge.a.test", "a.challenges.test"));
    dns.answer(resolver, "a.challenges.test", RecordType::CNAME,
               FakeResolver::cname("a.challenges.test", "final.challenges.test"));
    auto chain = followCnames(ctx, "_acme-challenge.a.test");
    REQUIRE(chain.ok());
    CHECK(*chain ==
          Strings{"_acme-challenge.a.test", "a.challenges.test", "final.challenges.test"});
}

TEST_CASE("followCnames refuses loops and chains longer than 8 links", "[dns][cname]") {
    FakeResolver dns;
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    dns.answer(resolver, "a.test", RecordType::CNAME, FakeResolver::cname("a.test", "b.test"));
    dns.answer(resolver, "b.test", RecordType::CNAME, FakeResolver::cname("b.test", "a.test"));
    auto loop = followCnames(ctx, "a.test");
    REQUIRE_FALSE(loop.ok());
    CHECK(loop.error().kind == ErrorKind::NotFound);
    CHECK_THAT(loop.error().message,
               Catch::Contains("loop") && Catch::Contains("b.test -> a.test"));

    for (int i = 0; i < 9; ++i) { // l0 -> l1 -> ... -> l9: nine links
        std::string from = "l" + std::to_string(i) + ".test";
        std::string to = "l" + std::to_string(i + 1) + ".test";
        dns.answer(resolver, from, RecordType::CNAME, FakeResolver::cname(from, to));
    }
    auto eight = followCnames(ctx, "l1.test");
    REQUIRE(eight.ok());
    CHECK(eight->size() == 9);
    auto nine = followCnames(ctx, "l0.test");
    REQUIRE_FALSE(nine.ok());
    CHECK_THAT(nine.error().message, Catch::Contains("more than 8"));
}

TEST_CASE("followCnames names the link where the resolver failed", "[dns][cname]") {
    FakeResolver dns;
    LookupContext ctx{dns, resolver, std::chrono::seconds(1)};
    dns.answer(resolver, "a.test", RecordType::CNAME, FakeResolver::cname("a.test", "b.test"));
    dns.answer(resolver, "b.test", RecordType::CNAME, FakeResolver::rcode(5));
    auto chain = followCnames(ctx, "a.test");
    REQUIRE_FALSE(chain.ok());
    CHECK(chain.error().kind == ErrorKind::Network);
    CHECK_THAT(chain.error().message, Catch::Contains("REFUSED") && Catch::Contains("b.test"));
}

// Manual checks of the c-ares resolver, zone discovery and propagation against a real BIND 9,
// hidden from the default run ([.manual]). They need, in a private network namespace
// (unshare -n -m, lo up, 127.0.0.2/8 added, a resolv.conf naming 127.0.0.1 bind-mounted over
// /etc/resolv.conf), two named instances:
//   127.0.0.1:53  primary of example.test (NS ns1 = 127.0.0.1 and 2001:db8::1, ns2 = 127.0.0.2;
//                 _acme-challenge.alias CNAME alias.challenges.sub.example.test), of the
//                 delegated sub.example.test, and of solo.test (NS ns1/ns2.solo.test)
//   127.0.0.2:53  secondary of example.test and sub.example.test (NOTIFY from the primary) and
//                 its own, never updated, copy of solo.test
// then TXT "$CERTKEEP_DNS_MANUAL_VALUE" added with nsupdate at _acme-challenge.sub.example.test
// and _acme-challenge.solo.test on the primary, and: unit_dns "[.manual]~[bind-stopped]", then
// unit_dns "[bind-stopped]" after `kill -STOP` of the second named.
#include "challenges/dns/propagation.hpp"
#include "challenges/dns/zone.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using certkeep::ErrorKind;
using certkeep::systemClock;
using namespace certkeep::challenges::dns;
using std::chrono::milliseconds;

namespace {

const ServerAddress primary{"127.0.0.1", 53};

ResolverPtr cares() {
    auto made = makeCaresResolver();
    REQUIRE(made.ok());
    return std::move(*made);
}

std::string manualValue() {
    const char* value = std::getenv("CERTKEEP_DNS_MANUAL_VALUE");
    REQUIRE(value != nullptr);
    return value;
}

} // namespace

TEST_CASE("manual: BIND zone discovery finds sub-zones, servers and CNAME chains",
          "[.manual][bind]") {
    auto dns = cares();
    LookupContext ctx{*dns, primary, milliseconds(2000)};
    auto sub = findZone(ctx, "_acme-challenge.sub.example.test");
    REQUIRE(sub.ok());
    CHECK(sub->zone == "sub.example.test");
    CHECK(sub->primary == "ns1.example.test");
    REQUIRE(sub->nameservers.size() == 2);
    CHECK(sub->nameservers[0].addresses ==
          std::vector<ServerAddress>{{"127.0.0.1", 53}, {"2001:db8::1", 53}});
    CHECK(sub->nameservers[1].addresses == std::vector<ServerAddress>{{"127.0.0.2", 53}});
    CHECK(findZone(ctx, "_acme-challenge.example.test")->zone == "example.test");
    CHECK(*followCnames(ctx, "_acme-challenge.alias.example.test") ==
          std::vector<std::string>{"_acme-challenge.alias.example.test",
                                   "alias.challenges.sub.example.test"});
    auto direct =
        dns->ask({Question{ServerAddress{"127.0.0.2", 53}, "example.test", RecordType::TXT, false}},
                 milliseconds(2000));
    REQUIRE(direct.front().ok());
    CHECK(direct.front()->authoritative);
    CHECK(direct.front()->txt == std::vector<std::string>{"v=spf1 -all"});
}

TEST_CASE("manual: the system resolver from /etc/resolv.conf", "[.manual][bind]") {
    auto dns = cares();
    auto answers = dns->ask({Question{std::nullopt, "example.test", RecordType::SOA, true}},
                            milliseconds(2000));
    REQUIRE(answers.front().ok());
    CHECK(answers.front()->soaOwner == "example.test");
    CHECK(answers.front()->targets == std::vector<std::string>{"ns1.example.test"});
}

TEST_CASE("manual: BIND propagation to the secondary, IPv6 unreachable noted", "[.manual][bind]") {
    auto dns = cares();
    LookupContext ctx{*dns, primary, milliseconds(2000)};
    auto zone = findZone(ctx, "_acme-challenge.sub.example.test");
    REQUIRE(zone.ok());
    std::vector<std::string> notes;
    PropagationOptions options;
    options.note = [&](const std::string& text) { notes.push_back(text); };
    auto start = std::chrono::steady_clock::now();
    auto status = waitForPropagation(
        ctx, {Expectation{"_acme-challenge.sub.example.test", {manualValue()}, *zone}}, options,
        systemClock(), start + std::chrono::seconds(10));
    auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    WARN("propagation seen on every server after " << took.count() << " ms");
    REQUIRE(status.ok());
    REQUIRE(notes.size() == 1);
    CHECK(notes.front() == "ns1.example.test at [2001:db8::1]:53 is unreachable (Network is "
                           "unreachable); checking its other addresses");
}

TEST_CASE("manual: BIND record that never reaches one server", "[.manual][bind]") {
    auto dns = cares();
    LookupContext ctx{*dns, primary, milliseconds(2000)};
    auto zone = findZone(ctx, "_acme-challenge.solo.test");
    REQUIRE(zone.ok());
    auto status =
        waitForPropagation(ctx, {Expectation{"_acme-challenge.solo.test", {manualValue()}, *zone}},
                           PropagationOptions{}, systemClock(),
                           std::chrono::steady_clock::now() + std::chrono::seconds(2));
    REQUIRE_FALSE(status.ok());
    WARN(status.error().message);
    CHECK(status.error().kind == ErrorKind::Timeout);
    CHECK_THAT(status.error().message,
               Catch::StartsWith("_acme-challenge.solo.test not yet visible on ns2.solo.test "
                                 "(127.0.0.2:53): it answers NXDOMAIN (gave up after 2."));
}

TEST_CASE("manual: BIND secondary stopped (run after kill -STOP)", "[.manual][bind-stopped]") {
    auto dns = cares();
    LookupContext ctx{*dns, primary, milliseconds(2000)};
    auto zone = findZone(ctx, "_acme-challenge.example.test");
    REQUIRE(zone.ok());
    PropagationOptions options;
    options.queryTimeout = milliseconds(1000);
    auto status = waitForPropagation(
        ctx, {Expectation{"_acme-challenge.example.test", {"never"}, *zone}}, options,
        systemClock(), std::chrono::steady_clock::now() + std::chrono::seconds(3));
    REQUIRE_FALSE(status.ok());
    WARN(status.error().message);
    CHECK(status.error().kind == ErrorKind::Network);
    CHECK_THAT(status.error().message,
               Catch::Contains("ns2.example.test: unreachable at 127.0.0.2:53 (no answer within "
                               "1s)"));
}

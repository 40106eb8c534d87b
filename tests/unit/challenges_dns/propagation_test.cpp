// Waiting for TXT records on every authoritative server (or the resolver), against a scripted
// resolver and a fake clock: success when the last server catches up, a timeout that names the
// laggard and what it answers, unreachable address families, interval growth, cancellation.
#include "challenges/dns/propagation.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_resolver.hpp"

#include <catch2/catch.hpp>
#include <numeric>

using certkeep::ErrorKind;
using certkeep::challenges::dns::Expectation;
using certkeep::challenges::dns::LookupContext;
using certkeep::challenges::dns::PropagationMode;
using certkeep::challenges::dns::PropagationOptions;
using certkeep::challenges::dns::RecordType;
using certkeep::challenges::dns::ServerAddress;
using certkeep::challenges::dns::waitForPropagation;
using certkeep::challenges::dns::ZoneInfo;
using certkeep::fakes::FakeClock;
using certkeep::fakes::FakeResolver;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const ServerAddress ns1v4{"127.0.0.2", 53};
const ServerAddress ns1v6{"fd00::2", 53};
const ServerAddress ns2v4{"127.0.0.3", 53};
const std::string name = "_acme-challenge.example.test";

// example.test served by ns1 (IPv4 and IPv6) and ns2 (IPv4).
ZoneInfo exampleZone() {
    return ZoneInfo{"example.test",
                    "ns1.example.test",
                    {{"ns1.example.test", {ns1v4, ns1v6}}, {"ns2.example.test", {ns2v4}}}};
}

Expectation expect(std::vector<std::string> values, const std::string& at = name) {
    return Expectation{at, std::move(values), exampleZone()};
}

// Every address of ns1 shows `values` from the first round.
void primaryHas(FakeResolver& dns, const std::vector<std::string>& values,
                const std::string& at = name) {
    dns.answer(ns1v4, at, RecordType::TXT, FakeResolver::txt(values));
    dns.answer(ns1v6, at, RecordType::TXT, FakeResolver::txt(values));
}

milliseconds total(const std::vector<milliseconds>& sleeps) {
    return std::accumulate(sleeps.begin(), sleeps.end(), milliseconds(0));
}

} // namespace

TEST_CASE("propagation succeeds once the secondary catches up, asking authoritatively",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    primaryHas(dns, {"token-a", "token-b"});
    dns.answer(ns2v4, name, RecordType::TXT, FakeResolver::nxdomain("example.test"));
    dns.answerAfter(ns2v4, name, RecordType::TXT, 3, FakeResolver::txt({"token-b"}));
    dns.answerAfter(ns2v4, name, RecordType::TXT, 5,
                    FakeResolver::txt({"unrelated", "token-b", "token-a"}));

    auto status = waitForPropagation(ctx, {expect({"token-a", "token-b"})}, PropagationOptions{},
                                     clock, clock.now() + seconds(60));
    REQUIRE(status.ok());
    CHECK(dns.count(ns2v4, name, RecordType::TXT) == 6);
    CHECK(dns.count(ns1v4, name, RecordType::TXT) == 1); // done servers are not asked again
    CHECK(dns.count(ns1v6, name, RecordType::TXT) == 1);
    CHECK(clock.sleeps == std::vector<milliseconds>{milliseconds(200), milliseconds(300),
                                                    milliseconds(450), milliseconds(675),
                                                    milliseconds(1012)});
    for (const auto& q : dns.asked()) {
        CHECK_FALSE(q.recursionDesired); // RFC 1035 §4.1.1: RD off for authoritative answers
        CHECK(q.server.has_value());
    }
}

TEST_CASE("propagation timeout names each lagging server address and what it answers",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    dns.answer(ns1v4, name, RecordType::TXT, FakeResolver::txt({"token"}));
    dns.answer(ns1v6, name, RecordType::TXT, FakeResolver::nxdomain());
    dns.answer(ns2v4, name, RecordType::TXT, FakeResolver::txt({"old", "line\nbreak"}));
    auto deadline = clock.now() + seconds(10);

    auto status =
        waitForPropagation(ctx, {expect({"token"})}, PropagationOptions{}, clock, deadline);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().kind == ErrorKind::Timeout);
    const std::string& text = status.error().message;
    CHECK(text == "_acme-challenge.example.test not yet visible on ns1.example.test "
                  "([fd00::2]:53): it answers NXDOMAIN; on ns2.example.test (127.0.0.3:53): it "
                  "answers TXT \"old\", \"line\\x0abreak\" (gave up after 10s)");
    CHECK(clock.now() == deadline); // the last round ran at the deadline, not past it
}

TEST_CASE("propagation timeout describes SERVFAIL, REFUSED and an empty answer",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    dns.answer(ns1v4, name, RecordType::TXT, FakeResolver::rcode(2));
    dns.answer(ns1v6, name, RecordType::TXT, FakeResolver::rcode(5));
    dns.answer(ns2v4, name, RecordType::TXT, FakeResolver::noData("example.test"));
    auto status = waitForPropagation(ctx, {expect({"token"})}, PropagationOptions{}, clock,
                                     clock.now() + seconds(1));
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message,
               Catch::Contains("ns1.example.test (127.0.0.2:53): it answers SERVFAIL; on "
                               "ns1.example.test ([fd00::2]:53): it answers REFUSED; on "
                               "ns2.example.test (127.0.0.3:53): it answers no TXT"));
}

TEST_CASE("an address family the host cannot reach is a note when another address answers",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    dns.unreachable(ns1v6, "Network is unreachable");
    dns.answer(ns1v4, name, RecordType::TXT, FakeResolver::txt({"a", "b"}));
    dns.answer(ns2v4, name, RecordType::TXT, FakeResolver::nxdomain());
    dns.answerAfter(ns2v4, name, RecordType::TXT, 2, FakeResolver::txt({"a", "b"}));
    std::vector<std::string> notes;
    PropagationOptions options;
    options.note = [&](const std::string& text) { notes.push_back(text); };

    // Apex and wildcard: two values at one name, checked as two expectations.
    auto status = waitForPropagation(ctx, {expect({"a"}), expect({"b"})}, options, clock,
                                     clock.now() + seconds(60));
    REQUIRE(status.ok());
    CHECK(notes == std::vector<std::string>{"ns1.example.test at [fd00::2]:53 is unreachable "
                                            "(Network is unreachable); checking its other "
                                            "addresses"});
    // The same name at the same address is asked once per round, not once per expectation.
    CHECK(dns.batches().front().size() == 3);
}

TEST_CASE("a server unreachable at every address is polled until the deadline, then an error",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    primaryHas(dns, {"token"});
    dns.unreachable(ns2v4);
    std::vector<std::string> notes;
    PropagationOptions options;
    options.note = [&](const std::string& text) { notes.push_back(text); };
    auto deadline = clock.now() + seconds(5);

    auto status = waitForPropagation(ctx, {expect({"token"})}, options, clock, deadline);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().kind == ErrorKind::Network);
    CHECK(status.error().message ==
          "_acme-challenge.example.test not yet visible on ns2.example.test: unreachable at "
          "127.0.0.3:53 (no answer within 2s) (gave up after 5s)");
    CHECK(dns.count(ns2v4, name, RecordType::TXT) > 3);
    CHECK(clock.now() == deadline);
    CHECK(notes.empty()); // no other address of ns2 answered
}

TEST_CASE("resolver mode asks only the resolver, with recursion", "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    const ServerAddress resolver{"127.0.0.53", 5353};
    LookupContext ctx{dns, resolver};
    dns.answer(resolver, name, RecordType::TXT, FakeResolver::nxdomain());
    dns.answerAfter(resolver, name, RecordType::TXT, 2, FakeResolver::txt({"token"}));
    PropagationOptions options;
    options.mode = PropagationMode::Resolver;

    REQUIRE(waitForPropagation(ctx, {expect({"token"})}, options, clock, clock.now() + seconds(60))
                .ok());
    auto asked = dns.asked();
    CHECK(asked.size() == 3);
    for (const auto& q : asked) {
        CHECK(q.server == std::optional<ServerAddress>(resolver));
        CHECK(q.recursionDesired);
    }

    dns.answer(resolver, "_acme-challenge.never.test", RecordType::TXT, FakeResolver::nxdomain());
    auto status = waitForPropagation(ctx, {expect({"token"}, "_acme-challenge.never.test")},
                                     options, clock, clock.now() + seconds(1));
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message,
               Catch::Contains("not yet visible on resolver 127.0.0.53:5353: it answers NXDOMAIN"));
}

TEST_CASE("the poll interval grows by half each round, never past the maximum or the deadline",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    PropagationOptions options;
    options.firstInterval = milliseconds(1000);
    options.maxInterval = milliseconds(2500);
    auto deadline = clock.now() + seconds(12);

    auto status = waitForPropagation(ctx, {expect({"never"})}, options, clock, deadline);
    REQUIRE_FALSE(status.ok());
    CHECK(clock.sleeps == std::vector<milliseconds>{milliseconds(1000), milliseconds(1500),
                                                    milliseconds(2250), milliseconds(2500),
                                                    milliseconds(2500), milliseconds(2250)});
    CHECK(total(clock.sleeps) == seconds(12));
    CHECK(dns.batches().size() == clock.sleeps.size() + 1); // a round after every sleep
}

TEST_CASE("cancellation stops the wait between rounds", "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    int polls = 0;
    PropagationOptions options;
    options.cancelled = [&] { return ++polls > 2; };

    auto status =
        waitForPropagation(ctx, {expect({"never"})}, options, clock, clock.now() + seconds(60));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().kind == ErrorKind::Local);
    CHECK_THAT(status.error().message, Catch::Contains("interrupted"));
    CHECK(dns.batches().size() == 2);
    CHECK(total(clock.sleeps) < seconds(1));
}

TEST_CASE("propagation off returns at once without asking anything", "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    PropagationOptions options;
    options.mode = PropagationMode::Off;
    REQUIRE(waitForPropagation(ctx, {expect({"never"})}, options, clock, clock.now()).ok());
    CHECK(dns.asked().empty());
    CHECK(clock.sleeps.empty());
}

TEST_CASE("propagation follows a CNAME the server answers without its target's TXT",
          "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    for (const auto& server : {ns1v4, ns1v6, ns2v4}) {
        dns.answer(server, name, RecordType::TXT,
                   FakeResolver::cname(name, "example.test.challenges.example.test"));
        dns.answer(server, "example.test.challenges.example.test", RecordType::TXT,
                   FakeResolver::txt({"token"}));
    }
    REQUIRE(waitForPropagation(ctx, {expect({"token"})}, PropagationOptions{}, clock,
                               clock.now() + seconds(60))
                .ok());
    CHECK(dns.count(ns2v4, "example.test.challenges.example.test", RecordType::TXT) == 1);
    CHECK(clock.sleeps.empty());
}

TEST_CASE("all expectations are asked in one batch per round", "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    const std::string other = "_acme-challenge.www.example.test";
    primaryHas(dns, {"a"});
    primaryHas(dns, {"b"}, other);
    dns.answer(ns2v4, name, RecordType::TXT, FakeResolver::txt({"a"}));
    dns.answer(ns2v4, other, RecordType::TXT, FakeResolver::txt({"b"}));
    REQUIRE(waitForPropagation(ctx, {expect({"a"}), expect({"b"}, other)}, PropagationOptions{},
                               clock, clock.now() + seconds(60))
                .ok());
    REQUIRE(dns.batches().size() == 1);
    CHECK(dns.batches().front().size() == 6);
}

TEST_CASE("propagation refuses a zone it cannot check", "[dns][propagation]") {
    FakeResolver dns;
    FakeClock clock;
    LookupContext ctx{dns, std::nullopt};
    Expectation noServers{name, {"token"}, ZoneInfo{"example.test", "", {}}};
    auto none = waitForPropagation(ctx, {noServers}, PropagationOptions{}, clock, clock.now());
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::NotFound);

    Expectation noAddress{
        name, {"token"}, ZoneInfo{"example.test", "", {{"ns9.example.test", {}}}}};
    auto bare = waitForPropagation(ctx, {noAddress}, PropagationOptions{}, clock, clock.now());
    REQUIRE_FALSE(bare.ok());
    CHECK_THAT(bare.error().message, Catch::Contains("ns9.example.test"));
    CHECK(dns.asked().empty());
}

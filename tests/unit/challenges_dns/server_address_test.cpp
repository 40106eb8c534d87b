// DNS server addresses as given on the command line (--dns-resolver, --dns-server), record type
// names and propagation mode names.
#include "challenges/dns/propagation.hpp"
#include "challenges/dns/resolver.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::challenges::dns::formatServerAddress;
using certkeep::challenges::dns::parsePropagationMode;
using certkeep::challenges::dns::parseServerAddress;
using certkeep::challenges::dns::PropagationMode;
using certkeep::challenges::dns::propagationModeName;
using certkeep::challenges::dns::RecordType;
using certkeep::challenges::dns::recordTypeName;
using certkeep::challenges::dns::ServerAddress;

TEST_CASE("parseServerAddress accepts IPv4 and IPv6 with or without a port", "[dns][address]") {
    CHECK(*parseServerAddress("127.0.0.1:5353") == ServerAddress{"127.0.0.1", 5353});
    CHECK(*parseServerAddress("192.0.2.1") == ServerAddress{"192.0.2.1", 53});
    CHECK(*parseServerAddress("[::1]:5353") == ServerAddress{"::1", 5353});
    CHECK(*parseServerAddress("[2001:DB8::1]") == ServerAddress{"2001:db8::1", 53});
    CHECK(*parseServerAddress("2001:db8:0::53") == ServerAddress{"2001:db8::53", 53});
}

TEST_CASE("parseServerAddress refuses host names, bad ports and malformed brackets",
          "[dns][address]") {
    for (const char* bad : {"", "ns1.example.com", "ns1.example.com:53", "127.0.0.1:0",
                            "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:x", "[::1", "[::1]x",
                            "[127.0.0.1]:53", "::1:53:x", "1.2.3:53", "[::1]:-1"}) {
        auto addr = parseServerAddress(bad);
        INFO(bad);
        REQUIRE_FALSE(addr.ok());
        CHECK(addr.error().kind == ErrorKind::Usage);
        CHECK_THAT(addr.error().message, Catch::Contains("ADDR") || Catch::Contains("IP address"));
    }
}

TEST_CASE("formatServerAddress brackets IPv6 and round-trips through the parser",
          "[dns][address]") {
    CHECK(formatServerAddress({"127.0.0.2", 53}) == "127.0.0.2:53");
    CHECK(formatServerAddress({"::1", 5353}) == "[::1]:5353");
    for (const char* text : {"127.0.0.2:53", "[::1]:5353", "[fd00::2]:53"}) {
        CHECK(formatServerAddress(*parseServerAddress(text)) == text);
    }
}

TEST_CASE("record types and propagation modes have their usual names", "[dns][address]") {
    CHECK(recordTypeName(RecordType::TXT) == "TXT");
    CHECK(recordTypeName(RecordType::AAAA) == "AAAA");
    CHECK(recordTypeName(RecordType::SOA) == "SOA");
    for (auto mode :
         {PropagationMode::Authoritative, PropagationMode::Resolver, PropagationMode::Off}) {
        CHECK(*parsePropagationMode(propagationModeName(mode)) == mode);
    }
    auto bad = parsePropagationMode("sometimes");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
    CHECK_THAT(bad.error().message,
               Catch::Contains("sometimes") && Catch::Contains("authoritative, resolver or off"));
}

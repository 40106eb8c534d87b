// The DNS reply parser: what it reads out of well-formed replies, and that malformed ones (the
// network is untrusted) give a Protocol error instead of a crash or a wrong answer.
#include "challenges/dns/dns_message.hpp"
#include "dns_wire.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::Result;
using certkeep::challenges::dns::Answer;
using certkeep::challenges::dns::parseReply;
using certkeep::challenges::dns::RecordType;
using certkeep::testing::addressRdata;
using certkeep::testing::soaRdata;
using certkeep::testing::txtRdata;
using certkeep::testing::wireName;
using certkeep::testing::WireRecord;
using certkeep::testing::WireReply;
namespace rr = certkeep::testing::rr;

namespace {

Result<Answer> parse(const std::string& bytes, const std::string& name, RecordType type) {
    return parseReply(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), name,
                      type);
}

} // namespace

TEST_CASE("parseReply reads rcode, the AA bit and TXT records with their strings joined",
          "[dns][wire]") {
    WireReply reply{.qname = "_acme-challenge.example.test"};
    reply.answers = {{"_acme-challenge.example.test", rr::TXT, txtRdata({"abc", "def"})},
                     {"_acme-challenge.example.test", rr::TXT, txtRdata({"second"})}};
    auto answer = parse(reply.bytes(), "_acme-challenge.example.test", RecordType::TXT);
    REQUIRE(answer.ok());
    CHECK(answer->rcode == 0);
    CHECK(answer->authoritative);
    CHECK(answer->txt == std::vector<std::string>{"abcdef", "second"});
    CHECK(answer->cnames.empty());

    reply.flags = 0x8180; // QR + RD + RA, not authoritative
    reply.answers.clear();
    reply.rcode(2);
    answer = parse(reply.bytes(), "_acme-challenge.example.test", RecordType::TXT);
    REQUIRE(answer.ok());
    CHECK(answer->rcode == 2);
    CHECK_FALSE(answer->authoritative);
    CHECK(answer->txt.empty());
}

TEST_CASE("parseReply orders CNAMEs into the chain and keeps only records at its end",
          "[dns][wire]") {
    WireReply reply{.qname = "_acme-challenge.a.test"};
    // Out of order on purpose, with a TXT at an unrelated owner that must be ignored.
    reply.answers = {{"b.challenges.test", rr::CNAME, wireName("c.challenges.test")},
                     {"elsewhere.test", rr::TXT, txtRdata({"not ours"})},
                     {"_acme-challenge.a.test", rr::CNAME, wireName("b.challenges.test")},
                     {"c.challenges.test", rr::TXT, txtRdata({"token"})}};
    auto answer = parse(reply.bytes(), "_acme-challenge.A.test.", RecordType::TXT);
    REQUIRE(answer.ok());
    using Link = std::pair<std::string, std::string>;
    CHECK(answer->cnames == std::vector<Link>{{"_acme-challenge.a.test", "b.challenges.test"},
                                              {"b.challenges.test", "c.challenges.test"}});
    CHECK(answer->txt == std::vector<std::string>{"token"});
}

TEST_CASE("parseReply stops a CNAME loop inside one reply", "[dns][wire]") {
    WireReply reply{.qname = "a.test"};
    reply.answers = {{"a.test", rr::CNAME, wireName("b.test")},
                     {"b.test", rr::CNAME, wireName("a.test")}};
    auto answer = parse(reply.bytes(), "a.test", RecordType::TXT);
    REQUIRE(answer.ok());
    REQUIRE(answer->cnames.size() == 2);
    CHECK(answer->cnames.back().second == "a.test");
}

TEST_CASE("parseReply reads A, AAAA, NS targets and the SOA in either section", "[dns][wire]") {
    WireReply a{.qname = "ns1.example.test", .qtype = rr::A};
    a.answers = {{"ns1.example.test", rr::A, addressRdata("127.0.0.2")}};
    CHECK(parse(a.bytes(), "ns1.example.test", RecordType::A)->addresses ==
          std::vector<std::string>{"127.0.0.2"});

    WireReply aaaa{.qname = "ns1.example.test", .qtype = rr::AAAA};
    aaaa.answers = {{"ns1.example.test", rr::AAAA, addressRdata("2001:db8::53")}};
    CHECK(parse(aaaa.bytes(), "ns1.example.test", RecordType::AAAA)->addresses ==
          std::vector<std::string>{"2001:db8::53"});

    WireReply ns{.qname = "example.test", .qtype = rr::NS};
    ns.answers = {{"example.test", rr::NS, wireName("NS1.Example.Test")},
                  {"example.test", rr::NS, wireName("ns2.example.test")}};
    CHECK(parse(ns.bytes(), "example.test", RecordType::NS)->targets ==
          std::vector<std::string>{"ns1.example.test", "ns2.example.test"});

    WireReply apex{.qname = "example.test", .qtype = rr::SOA};
    apex.answers = {{"example.test", rr::SOA, soaRdata("ns1.example.test", "admin.example.test")}};
    auto soa = parse(apex.bytes(), "example.test", RecordType::SOA);
    CHECK(soa->soaOwner == "example.test");
    CHECK(soa->targets == std::vector<std::string>{"ns1.example.test"});

    WireReply below{.qname = "_acme-challenge.sub.example.test", .qtype = rr::SOA};
    below.rcode(3);
    below.authority = {
        {"sub.example.test", rr::SOA, soaRdata("ns1.example.test", "admin.example.test")}};
    auto nx = parse(below.bytes(), "_acme-challenge.sub.example.test", RecordType::SOA);
    CHECK(nx->rcode == 3);
    CHECK(nx->soaOwner == "sub.example.test");
    CHECK(nx->targets.empty()); // the authority SOA is not an answer
}

TEST_CASE("parseReply follows compression pointers", "[dns][wire]") {
    WireReply reply{.qname = "example.test", .qtype = rr::NS};
    // Owner: pointer to the question name at offset 12; target: "ns1" + pointer to it.
    std::string target = std::string("\x03ns1\xc0\x0c", 6);
    reply.answers = {{std::string("\xc0\x0c", 2), rr::NS, target, true}};
    auto answer = parse(reply.bytes(), "example.test", RecordType::NS);
    REQUIRE(answer.ok());
    CHECK(answer->targets == std::vector<std::string>{"ns1.example.test"});
}

TEST_CASE("parseReply refuses malformed replies with a Protocol error", "[dns][wire]") {
    WireReply good{.qname = "x.test"};
    good.answers = {{"x.test", rr::TXT, txtRdata({"value"})}};
    std::string bytes = good.bytes();

    auto expectMalformed = [](const std::string& msg, const std::string& why) {
        auto answer = parse(msg, "x.test", RecordType::TXT);
        REQUIRE_FALSE(answer.ok());
        CHECK(answer.error().kind == ErrorKind::Protocol);
        CHECK_THAT(answer.error().message, Catch::Contains(why));
    };
    expectMalformed(bytes.substr(0, 11), "header");
    expectMalformed(bytes.substr(0, bytes.size() - 1), "answer section");

    std::string query = bytes;
    query[2] = 0; // QR clear: a query, not a reply
    expectMalformed(query, "not a response");

    WireReply loop{.qname = "x.test"};
    loop.answers = {{std::string("\xc0\x18", 2), rr::TXT, txtRdata({"v"}),
                     true}}; // points at itself (offset 24)
    expectMalformed(loop.bytes(), "answer section");

    WireReply outside{.qname = "x.test"};
    outside.answers = {{std::string("\xcf\xff", 2), rr::TXT, txtRdata({"v"}), true}};
    expectMalformed(outside.bytes(), "answer section");

    WireReply badTxt{.qname = "x.test"};
    badTxt.answers = {{"x.test", rr::TXT, std::string("\x09short", 6)}};
    expectMalformed(badTxt.bytes(), "TXT record");

    WireReply badA{.qname = "x.test", .qtype = rr::A};
    badA.answers = {{"x.test", rr::A, std::string(5, '\x01')}};
    auto a = parse(badA.bytes(), "x.test", RecordType::A);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().kind == ErrorKind::Protocol);
}

TEST_CASE("parseReply survives every truncation and corruption of a reply", "[dns][wire]") {
    WireReply reply{.qname = "_acme-challenge.example.test"};
    reply.answers = {{"_acme-challenge.example.test", rr::CNAME, wireName("t.example.test")},
                     {"t.example.test", rr::TXT, txtRdata({"token", "more"})}};
    reply.authority = {{"example.test", rr::SOA, soaRdata("ns1.example.test", "a.example.test")}};
    std::string bytes = reply.bytes();
    REQUIRE(parse(bytes, "_acme-challenge.example.test", RecordType::TXT).ok());
    for (std::size_t len = 0; len < bytes.size(); ++len) {
        auto answer = parse(bytes.substr(0, len), "_acme-challenge.example.test", RecordType::TXT);
        CHECK_FALSE(answer.ok()); // every prefix lacks part of a record the header announces
    }
    for (std::size_t i = 12; i < bytes.size(); ++i) {
        for (unsigned char v : {0x00, 0x3f, 0xc0, 0xff}) {
            std::string bad = bytes;
            bad[i] = static_cast<char>(v);
            auto answer = parse(bad, "_acme-challenge.example.test", RecordType::TXT);
            CHECK((answer.ok() || answer.error().kind == ErrorKind::Protocol));
        }
    }
}

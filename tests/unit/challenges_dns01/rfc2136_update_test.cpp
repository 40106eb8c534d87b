// The UPDATE messages the rfc2136 provider sends, as a fake DNS server reads them with ldns.
#include "fake_dns_server.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::challenges::dns01;
using namespace certkeep::challenges::dns01::test;
using namespace std::chrono_literals;

TEST_CASE("present sends one signed UPDATE adding fqdn TTL IN TXT value in the zone",
          "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, &sha256Key); });
    Rfc2136Provider provider(optionsFor(server, sha256Key));

    auto st = provider.present(record);

    REQUIRE(st.ok());
    auto queries = server.queries();
    REQUIRE(queries.size() == 1);
    LdnsPktPtr pkt = parse(queries[0]);
    REQUIRE(pkt);
    ldns_rr* rr = updateRr(pkt.get());
    CHECK(text(ldns_rr_owner(rr)) == "_acme-challenge.example.test.");
    CHECK(ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT);
    CHECK(ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN);
    CHECK(ldns_rr_ttl(rr) == 60);
    REQUIRE(ldns_rr_rd_count(rr) == 1);
    CHECK(text(ldns_rr_rdf(rr, 0)) == "\"" + record.value + "\"");
    // RFC 8945: signed with the key, as the server verifies it
    ldns_rr* tsig = ldns_pkt_tsig(pkt.get());
    REQUIRE(tsig != nullptr);
    CHECK(text(ldns_rr_owner(tsig)) == "certkeep-key.");
    CHECK(text(ldns_rr_rdf(tsig, 0)) == "hmac-sha256.");
    CHECK(ldns_pkt_tsig_verify(pkt.get(), queries[0].data(), queries[0].size(),
                               sha256Key.name.c_str(), sha256Key.secret.c_str(), nullptr));
    CHECK_FALSE(ldns_pkt_tsig_verify(pkt.get(), queries[0].data(), queries[0].size(),
                                     sha256Key.name.c_str(), sha512Key.secret.c_str(), nullptr));
}

TEST_CASE("cleanup deletes exactly that RR: class NONE, TTL 0, the same value",
          "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, &sha256Key); });
    Rfc2136Provider provider(optionsFor(server, sha256Key));

    auto st = provider.cleanup(record);

    REQUIRE(st.ok());
    auto queries = server.queries();
    REQUIRE(queries.size() == 1);
    LdnsPktPtr pkt = parse(queries[0]);
    REQUIRE(pkt);
    ldns_rr* rr = updateRr(pkt.get());
    CHECK(text(ldns_rr_owner(rr)) == "_acme-challenge.example.test.");
    CHECK(ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT);
    CHECK(ldns_rr_get_class(rr) == LDNS_RR_CLASS_NONE); // RFC 2136 §2.5.4, not ANY (§2.5.2)
    CHECK(ldns_rr_ttl(rr) == 0);
    CHECK(text(ldns_rr_rdf(rr, 0)) == "\"" + record.value + "\"");
}

TEST_CASE("hmac-sha512 keys sign and verify", "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, &sha512Key); });
    Rfc2136Provider provider(optionsFor(server, sha512Key));

    REQUIRE(provider.present(record).ok());

    auto queries = server.queries();
    REQUIRE(queries.size() == 1);
    LdnsPktPtr pkt = parse(queries[0]);
    REQUIRE(pkt);
    CHECK(text(ldns_rr_rdf(ldns_pkt_tsig(pkt.get()), 0)) == "hmac-sha512.");
    CHECK(ldns_pkt_tsig_verify(pkt.get(), queries[0].data(), queries[0].size(),
                               sha512Key.name.c_str(), sha512Key.secret.c_str(), nullptr));
}

TEST_CASE("without a key the update goes unsigned", "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, nullptr); });
    Rfc2136Provider provider(optionsFor(server, TsigKey{}));

    REQUIRE(provider.present(record).ok());

    auto queries = server.queries();
    REQUIRE(queries.size() == 1);
    LdnsPktPtr pkt = parse(queries[0]);
    REQUIRE(pkt);
    CHECK(ldns_pkt_tsig(pkt.get()) == nullptr);
}

TEST_CASE("a name outside the zone or an unknown zone is refused before anything is sent",
          "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, &sha256Key); });
    Rfc2136Provider provider(optionsFor(server, sha256Key));
    TxtRecord outside = record;
    outside.zone = "other.test";
    TxtRecord noZone = record;
    noZone.zone.clear();
    TxtRecord badName = record;
    badName.fqdn = "_acme-challenge.exa mple.test";
    TxtRecord lookalike = record;
    lookalike.fqdn = "_acme-challenge.notexample.test";

    auto a = provider.present(outside);
    auto b = provider.present(noZone);
    auto c = provider.present(badName);
    auto d = provider.present(lookalike);

    REQUIRE_FALSE(a.ok());
    CHECK(a.error().kind == ErrorKind::Usage);
    CHECK_THAT(a.error().message, Catch::Contains("is not in the zone other.test"));
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().kind == ErrorKind::Internal);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::Usage);
    REQUIRE_FALSE(d.ok());
    CHECK(server.queries().empty());
}

TEST_CASE("a sub-zone is updated as its own zone", "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, &sha256Key); });
    Rfc2136Provider provider(optionsFor(server, sha256Key));
    TxtRecord sub{"_acme-challenge.www.sub.example.test", "v", "sub.example.test"};

    REQUIRE(provider.present(sub).ok());

    auto queries = server.queries();
    REQUIRE(queries.size() == 1);
    LdnsPktPtr pkt = parse(queries[0]);
    REQUIRE(pkt);
    CHECK(text(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt.get()), 0))) ==
          "sub.example.test.");
}

// What the rfc2136 provider says when the server refuses, lies or is not there.
#include "fake_dns_server.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::challenges::dns01;
using namespace certkeep::challenges::dns01::test;
using namespace std::chrono_literals;

TEST_CASE("a wrong secret (NOTAUTH, BADSIG) names the key and the zone, never the secret",
          "[dns01][rfc2136]") {
    for (uint16_t tsigError : {16, 17}) {
        FakeDnsServer server([tsigError](const Wire& q) {
            return reply(q, LDNS_RCODE_NOTAUTH, &sha512Key, tsigError);
        });
        Rfc2136Provider provider(optionsFor(server, sha256Key));

        auto st = provider.present(record);

        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorKind::Config);
        std::string port = std::to_string(server.address().port);
        CHECK_THAT(st.error().message,
                   Catch::StartsWith("rfc2136: 127.0.0.1:" + port +
                                     " refused the TSIG key "
                                     "certkeep-key (wrong secret or key not allowed to update "
                                     "example.test)") &&
                       Catch::Contains(tsigError == 16 ? "BADSIG" : "BADKEY"));
        CHECK_THAT(st.error().message, !Catch::Contains(sha256Key.secret));
    }
}

TEST_CASE("rcodes name the cause", "[dns01][rfc2136]") {
    struct Case {
        int rcode;
        const TsigKey* signer;
        const char* says;
    };
    for (Case c :
         {Case{LDNS_RCODE_REFUSED, &sha256Key,
               "REFUSED (key certkeep-key is not allowed to update"},
          Case{LDNS_RCODE_NOTZONE, &sha256Key, "NOTZONE (_acme-challenge.example.test is not in"},
          // signed by our key: the key is right, the server does not hold the zone
          Case{LDNS_RCODE_NOTAUTH, &sha256Key, "is not authoritative for example.test (NOTAUTH)"},
          Case{LDNS_RCODE_NOTAUTH, nullptr, "refused the TSIG key certkeep-key (wrong secret"},
          Case{LDNS_RCODE_SERVFAIL, &sha256Key, "SERVFAIL"},
          Case{LDNS_RCODE_NOTIMPL, &sha256Key, "takes no dynamic updates"}}) {
        FakeDnsServer server([&c](const Wire& q) { return reply(q, c.rcode, c.signer); });
        Rfc2136Provider provider(optionsFor(server, sha256Key));

        auto st = provider.present(record);

        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error().message, Catch::Contains(c.says) && Catch::Contains("example.test") &&
                                           !Catch::Contains(sha256Key.secret));
    }
}

TEST_CASE("a success that is not signed by our key is not believed", "[dns01][rfc2136]") {
    TsigKey otherSecret = sha256Key;
    otherSecret.secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    for (const TsigKey* signer :
         {static_cast<const TsigKey*>(nullptr), static_cast<const TsigKey*>(&otherSecret)}) {
        FakeDnsServer server(
            [signer](const Wire& q) { return reply(q, LDNS_RCODE_NOERROR, signer); });
        Rfc2136Provider provider(optionsFor(server, sha256Key));

        auto st = provider.present(record);

        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorKind::Protocol);
        CHECK_THAT(st.error().message, Catch::Contains("without a valid signature by TSIG key "
                                                       "certkeep-key"));
    }
}

TEST_CASE("a closed port is a Network error naming the server", "[dns01][rfc2136]") {
    Rfc2136Options options;
    options.server = {"127.0.0.1", closedPort()};
    options.key = sha256Key;
    Rfc2136Provider provider(options);

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Network);
    CHECK_THAT(st.error().message,
               Catch::Contains("127.0.0.1:" + std::to_string(options.server.port) +
                               " refused the connection") &&
                   Catch::Contains("_acme-challenge.example.test"));
}

TEST_CASE("a server that never answers is a Network error within the timeout", "[dns01][rfc2136]") {
    FakeDnsServer server([](const Wire&) { return Wire{}; });
    Rfc2136Options options = optionsFor(server, sha256Key);
    options.timeout = 300ms;
    Rfc2136Provider provider(options);
    auto start = std::chrono::steady_clock::now();

    auto st = provider.cleanup(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Network);
    CHECK_THAT(st.error().message,
               Catch::Contains("no answer from 127.0.0.1:" + std::to_string(server.address().port) +
                               " within 300ms"));
    CHECK(std::chrono::steady_clock::now() - start < 2s);
}

// isValidToken (RFC 8555 §8.1) and parseListenAddress.

#include "challenges/http01.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::challenges;

TEST_CASE("isValidToken accepts base64url tokens of 22..256 chars", "[challenges][token]") {
    CHECK(isValidToken("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"));
    CHECK(isValidToken(std::string(22, 'a')));
    CHECK(isValidToken(std::string(256, '_')));
    CHECK(isValidToken("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
}

TEST_CASE("isValidToken refuses anything else", "[challenges][token]") {
    const std::string pad(22, 'a');
    CHECK_FALSE(isValidToken(""));
    CHECK_FALSE(isValidToken(std::string(21, 'a')));
    CHECK_FALSE(isValidToken(std::string(257, 'a')));
    CHECK_FALSE(isValidToken(pad + "/x"));
    CHECK_FALSE(isValidToken(pad + "."));
    CHECK_FALSE(isValidToken(".."));
    CHECK_FALSE(isValidToken("../../" + pad));
    CHECK_FALSE(isValidToken("../../etc/passwd"));
    CHECK_FALSE(isValidToken(pad + "+"));
    CHECK_FALSE(isValidToken(pad + "="));
    CHECK_FALSE(isValidToken(pad + " "));
    CHECK_FALSE(isValidToken(" " + pad));
    CHECK_FALSE(isValidToken(pad + "\n"));
    CHECK_FALSE(isValidToken(pad + std::string(1, '\0')));
    CHECK_FALSE(isValidToken(pad + "\xc3\xa9"));     // é
    CHECK_FALSE(isValidToken(pad + "\xe2\x80\x8b")); // zero-width space
}

TEST_CASE("parseListenAddress accepts ADDR:PORT forms", "[challenges][listen]") {
    struct Case {
        std::string text;
        std::string host;
        int port;
    };
    for (const auto& c : std::vector<Case>{{":80", "", 80},
                                           {"0.0.0.0:80", "0.0.0.0", 80},
                                           {"127.0.0.1:5002", "127.0.0.1", 5002},
                                           {"[::1]:80", "::1", 80},
                                           {"[::]:443", "::", 443},
                                           {"localhost:8080", "localhost", 8080},
                                           {"127.0.0.1:0", "127.0.0.1", 0},
                                           {":65535", "", 65535}}) {
        INFO(c.text);
        auto r = parseListenAddress(c.text);
        REQUIRE(r.ok());
        CHECK(r->host == c.host);
        CHECK(r->port == c.port);
    }
}

TEST_CASE("parseListenAddress refuses malformed values with a usage error",
          "[challenges][listen]") {
    for (const std::string text :
         {"", "80", "127.0.0.1", "127.0.0.1:", ":65536", ":-1", ":8o", ":123456", "::1:80",
          "[::1]80", "[::1]", "[::1:80", "host name:80", "a/b:80", "[not v6]:80", ": 80"}) {
        INFO(text);
        auto r = parseListenAddress(text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Usage);
        CHECK_THAT(r.error().message, Catch::Contains("ADDR:PORT"));
        CHECK_THAT(r.error().message, Catch::Contains("\"" + text + "\""));
    }
}

TEST_CASE("formatListenAddress brackets IPv6 and names all-addresses", "[challenges][listen]") {
    CHECK(formatListenAddress({"127.0.0.1", 80}) == "127.0.0.1:80");
    CHECK(formatListenAddress({"::1", 80}) == "[::1]:80");
    CHECK(formatListenAddress({"", 8080}) == "[::]:8080 (IPv6 and IPv4)");
    CHECK(formatListenAddress({"0.0.0.0", 8080}) == "0.0.0.0:8080");
    CHECK(formatListenAddress({"::", 443}) == "[::]:443");
}

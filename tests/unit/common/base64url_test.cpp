// base64url without padding: RFC 4648 §10 vectors, round trips and strict rejection.
#include "common/base64url.hpp"

#include <catch2/catch.hpp>
#include <string>

using certkeep::base64urlDecode;
using certkeep::base64urlEncode;
using certkeep::ErrorKind;
using certkeep::isBase64url;

TEST_CASE("base64url encodes the RFC 4648 test vectors without padding", "[base64url]") {
    CHECK(base64urlEncode("") == "");
    CHECK(base64urlEncode("f") == "Zg");
    CHECK(base64urlEncode("fo") == "Zm8");
    CHECK(base64urlEncode("foo") == "Zm9v");
    CHECK(base64urlEncode("foob") == "Zm9vYg");
    CHECK(base64urlEncode("fooba") == "Zm9vYmE");
    CHECK(base64urlEncode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url decodes the RFC 4648 test vectors", "[base64url]") {
    CHECK(base64urlDecode("").value() == "");
    CHECK(base64urlDecode("Zg").value() == "f");
    CHECK(base64urlDecode("Zm8").value() == "fo");
    CHECK(base64urlDecode("Zm9v").value() == "foo");
    CHECK(base64urlDecode("Zm9vYg").value() == "foob");
    CHECK(base64urlDecode("Zm9vYmE").value() == "fooba");
    CHECK(base64urlDecode("Zm9vYmFy").value() == "foobar");
}

TEST_CASE("base64url uses - and _ instead of + and /", "[base64url]") {
    std::string bytes = "\xfb\xff\xbf";
    CHECK(base64urlEncode(bytes) == "-_-_");
    CHECK(base64urlDecode("-_-_").value() == bytes);
    // RFC 7515 Appendix C example.
    std::string c = {3, char(236), char(255), char(224), char(193)};
    CHECK(base64urlEncode(c) == "A-z_4ME");
    CHECK(base64urlDecode("A-z_4ME").value() == c);
}

TEST_CASE("base64url round-trips every byte value and length", "[base64url]") {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    for (size_t len = 0; len <= all.size(); ++len) {
        std::string in = all.substr(all.size() - len);
        std::string enc = base64urlEncode(in);
        CHECK(enc.find('=') == std::string::npos);
        auto dec = base64urlDecode(enc);
        REQUIRE(dec.ok());
        CHECK(*dec == in);
    }
}

TEST_CASE("base64url decode refuses padding, whitespace and foreign characters", "[base64url]") {
    for (const char* bad : {"Zg==", "Zm8=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\t", "Zm+v", "Zm/v",
                            "Zm9v!", "Zm\x01v", "Zm9v\xc3\xa9"}) {
        auto r = base64urlDecode(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Protocol);
    }
    CHECK(base64urlDecode("Zg==").error().message.find("padding") != std::string::npos);
    CHECK(base64urlDecode("Zm 9v").error().message.find("whitespace") != std::string::npos);
}

TEST_CASE("base64url decode refuses impossible lengths", "[base64url]") {
    CHECK_FALSE(base64urlDecode("Z").ok());
    CHECK_FALSE(base64urlDecode("Zm9vY").ok());
    CHECK(base64urlDecode("Zm9vYg").ok());
}

TEST_CASE("isBase64url accepts only non-empty alphabet strings", "[base64url]") {
    CHECK(isBase64url("abcXYZ019-_"));
    CHECK_FALSE(isBase64url(""));
    CHECK_FALSE(isBase64url("abc="));
    CHECK_FALSE(isBase64url("a.b"));
    CHECK_FALSE(isBase64url("../x"));
    CHECK_FALSE(isBase64url("a b"));
}

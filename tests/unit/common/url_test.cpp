// isHttpsUrl (the https-only rule, lego's CVE-2025-54799) and displayUrl (URLs fit for messages).
#include "common/url.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;

TEST_CASE("isHttpsUrl accepts absolute https URLs", "[url]") {
    auto url = GENERATE(as<std::string>{}, "https://acme.test/directory", "https://a",
                        "https://acme-v02.api.letsencrypt.org/acme/new-order",
                        "https://[2001:db8::1]:14000/dir", "https://user:pass@acme.test/x?y=1#z");
    INFO(url);
    CHECK(isHttpsUrl(url));
}

TEST_CASE("isHttpsUrl refuses other schemes, bare schemes, spaces, controls and huge URLs",
          "[url]") {
    auto url = GENERATE(
        as<std::string>{}, "", "https://", "http://acme.test/directory", "HTTP://acme.test/",
        "ftp://acme.test/x", "file:///etc/passwd", "data:text/plain,hi", "javascript:alert(1)",
        "//acme.test/x", "acme.test/directory", " https://acme.test/", "https://acme.test/a b",
        "https://acme.test/\r\nInjected: 1", "https://acme.test/\x7f",
        std::string("https://acme.test/\0x", 19), "https://acme.test/" + std::string(2040, 'a'));
    INFO(url.substr(0, 60));
    CHECK_FALSE(isHttpsUrl(url));
}

TEST_CASE("isHttpsUrl takes URLs up to 2048 characters", "[url]") {
    std::string base = "https://acme.test/";
    CHECK(isHttpsUrl(base + std::string(2048 - base.size(), 'a')));
    CHECK_FALSE(isHttpsUrl(base + std::string(2049 - base.size(), 'a')));
}

TEST_CASE("displayUrl strips user:pass@ from the authority", "[url]") {
    auto [url, shown] = GENERATE(table<std::string, std::string>({
        {"https://user:pass@acme.test/dir", "https://acme.test/dir"},
        {"http://token@acme.test", "http://acme.test"},
        {"https://u:p@acme.test:8443/a?b=c", "https://acme.test:8443/a?b=c"},
        {"https://a:b@c@acme.test/x", "https://acme.test/x"},
        {"https://acme.test/path@with-at", "https://acme.test/path@with-at"},
        {"https://acme.test/?q=a@b", "https://acme.test/?q=a@b"},
        {"https://acme.test/dir", "https://acme.test/dir"},
        {"not a url", "not a url"},
        {"", ""},
    }));
    INFO(url);
    CHECK(displayUrl(url) == shown);
}

TEST_CASE("displayUrl replaces control characters and shortens long URLs", "[url]") {
    CHECK(displayUrl("https://acme.test/\r\nX-Evil: 1\x1b[31m") ==
          "https://acme.test/??X-Evil: 1?[31m");
    std::string longUrl = "https://acme.test/" + std::string(500, 'a');
    std::string shown = displayUrl(longUrl);
    CHECK(shown.size() == 203);
    CHECK(shown.substr(0, 200) == longUrl.substr(0, 200));
    CHECK(shown.substr(200) == "...");
}

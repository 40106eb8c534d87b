// --metrics-allow: which clients the serve daemon lets in.
#include "cli/serve/status_server.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <string>

using namespace certkeep::cli;

namespace {

sockaddr_storage v4(const char* text) {
    sockaddr_storage ss{};
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, text, &sin->sin_addr) == 1);
    return ss;
}

sockaddr_storage v6(const char* text) {
    sockaddr_storage ss{};
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    REQUIRE(inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1);
    return ss;
}

bool allowed(const std::vector<AllowedNetwork>& nets, const sockaddr_storage& ss) {
    return isAllowed(nets, reinterpret_cast<const sockaddr*>(&ss));
}

std::vector<AllowedNetwork> nets(std::initializer_list<const char*> texts) {
    std::vector<AllowedNetwork> out;
    for (const char* t : texts) {
        auto n = parseAllowedNetwork(t);
        REQUIRE(n.ok());
        out.push_back(*n);
    }
    return out;
}

} // namespace

TEST_CASE("metrics-allow: networks and single addresses, IPv4 and IPv6", "[cli][serve]") {
    auto list = nets({"10.0.0.0/8", "192.0.2.7", "fd00::/8"});
    CHECK(allowed(list, v4("10.1.2.3")));
    CHECK_FALSE(allowed(list, v4("11.0.0.1")));
    CHECK(allowed(list, v4("192.0.2.7")));
    CHECK_FALSE(allowed(list, v4("192.0.2.8")));
    CHECK(allowed(list, v6("fd12::1")));
    CHECK_FALSE(allowed(list, v6("fe80::1")));
    // IPv4 through a dual-stack socket arrives mapped: it is judged as IPv4.
    CHECK(allowed(list, v6("::ffff:10.9.9.9")));
    CHECK_FALSE(allowed(list, v6("::ffff:11.9.9.9")));
    // A prefix that is not a multiple of 8.
    auto odd = nets({"192.0.2.128/25"});
    CHECK(allowed(odd, v4("192.0.2.200")));
    CHECK_FALSE(allowed(odd, v4("192.0.2.127")));
    // No list: anyone who can reach the listen address.
    CHECK(allowed({}, v4("203.0.113.1")));
}

TEST_CASE("metrics-allow: malformed values are usage errors naming them", "[cli][serve]") {
    for (const char* bad : {"", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0/8", "example.com",
                            "10.0.0.0/-1", "10.0.0.0/8x"}) {
        auto n = parseAllowedNetwork(bad);
        INFO(bad);
        REQUIRE_FALSE(n.ok());
        CHECK(n.error().kind == certkeep::ErrorKind::Usage);
        CHECK(n.error().message.find("--metrics-allow") != std::string::npos);
    }
}

// Listening on IPv6 and IPv4: ":PORT" is one dual-stack socket, "0.0.0.0:PORT" IPv4 only,
// "[::]:PORT" IPv6 only; without IPv6 on the host ":PORT" falls back to IPv4.

#include "challenges/http01.hpp"
#include "challenges/listen_socket.hpp"
#include "http_probe.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <netinet/in.h>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;

namespace {

const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const std::string kKeyAuth = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

std::unique_ptr<Http01Standalone> startOn(const std::string& text) {
    initCurl();
    auto addr = parseListenAddress(text);
    REQUIRE(addr.ok());
    auto solver = Http01Standalone::start(*addr);
    REQUIRE(solver.ok());
    REQUIRE((*solver)->present({"example.com", false, kToken, kKeyAuth}).ok());
    return std::move(*solver);
}

// socket(2) as on a host whose kernel has no IPv6.
int socketWithoutIpv6(int domain, int type, int protocol) {
    if (domain == AF_INET6) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    return ::socket(domain, type, protocol);
}

} // namespace

TEST_CASE("standalone on \":0\" serves IPv6 and IPv4", "[challenges][standalone][ipv6]") {
    if (!haveIpv6Loopback()) {
        WARN("no IPv6 on loopback here: skipping the dual-stack test");
        return;
    }
    auto solver = startOn(":0");
    int port = solver->port();
    CHECK(solver->address() == "[::]:" + std::to_string(port) + " (IPv6 and IPv4)");
    auto v4 = request("127.0.0.1", port, challengePath(kToken));
    CHECK(v4.code == CURLE_OK);
    CHECK(v4.body == kKeyAuth);
    auto v6 = request("[::1]", port, challengePath(kToken));
    CHECK(v6.code == CURLE_OK);
    CHECK(v6.body == kKeyAuth);
}

TEST_CASE("standalone on \"0.0.0.0:0\" is IPv4 only", "[challenges][standalone][ipv6]") {
    if (!haveIpv6Loopback()) {
        WARN("no IPv6 on loopback here: skipping the IPv4-only test");
        return;
    }
    auto solver = startOn("0.0.0.0:0");
    int port = solver->port();
    CHECK(solver->address() == "0.0.0.0:" + std::to_string(port));
    CHECK(request("127.0.0.1", port, challengePath(kToken)).body == kKeyAuth);
    CHECK(connectErrno(true, port) == ECONNREFUSED);
}

TEST_CASE("standalone on \"[::]:0\" is IPv6 only", "[challenges][standalone][ipv6]") {
    if (!haveIpv6Loopback()) {
        WARN("no IPv6 on loopback here: skipping the IPv6-only test");
        return;
    }
    auto solver = startOn("[::]:0");
    int port = solver->port();
    CHECK(solver->address() == "[::]:" + std::to_string(port));
    CHECK(request("[::1]", port, challengePath(kToken)).body == kKeyAuth);
    CHECK(connectErrno(false, port) == ECONNREFUSED);
}

TEST_CASE("listen socket for \"\" is one dual-stack AF_INET6 socket", "[challenges][listen]") {
    if (!haveIpv6Loopback()) {
        WARN("no IPv6 on loopback here: skipping the dual-stack socket test");
        return;
    }
    auto sock = openListenSocket({"", 0});
    REQUIRE(sock.ok());
    CHECK(sock->family == AF_INET6);
    CHECK(sock->dualStack);
    int v6only = -1;
    socklen_t len = sizeof v6only;
    REQUIRE(::getsockopt(sock->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0);
    CHECK(v6only == 0);
    CHECK(connectErrno(false, sock->port) == 0);
    CHECK(connectErrno(true, sock->port) == 0);
    ::close(sock->fd);
}

TEST_CASE("listen socket for \"\" falls back to IPv4 on a host without IPv6",
          "[challenges][listen]") {
    auto sock = openListenSocket({"", 0}, &socketWithoutIpv6);
    REQUIRE(sock.ok());
    CHECK(sock->family == AF_INET);
    CHECK_FALSE(sock->dualStack);
    CHECK(sock->shown ==
          "0.0.0.0:" + std::to_string(sock->port) + " (IPv4 only: no IPv6 on this host)");
    CHECK(connectErrno(false, sock->port) == 0);
    ::close(sock->fd);

    auto literal = openListenSocket({"::", 0}, &socketWithoutIpv6);
    REQUIRE_FALSE(literal.ok()); // "[::]" asked for IPv6 explicitly: no silent fallback
    CHECK(literal.error().kind == ErrorKind::Local);
    CHECK_THAT(literal.error().message, Catch::Contains("[::]:0"));
}

#pragma once
// A bound, listening TCP socket for the HTTP-01 responder, with errors an operator can act on.

#include "challenges/listen_address.hpp"
#include "common/result.hpp"

#include <string>
#include <sys/socket.h>

namespace certkeep::challenges {

struct ListenSocket {
    int fd = -1;
    int family = 0;         // AF_INET or AF_INET6
    int port = 0;           // the bound port (the kernel's choice when asked for 0)
    bool dualStack = false; // AF_INET6 with IPV6_V6ONLY=0: IPv4 arrives as ::ffff:a.b.c.d
    std::string shown;      // what is bound, for people: "[::]:80 (IPv6 and IPv4)"
};

// What the socket is for, in error messages: "cannot listen on ... for HTTP-01: ... (stop the
// other server, or use --webroot)".
struct ListenPurpose {
    std::string what = "HTTP-01";
    std::string alternative = "use --webroot"; // "" = no alternative to suggest
};

// socket(2), replaceable so tests can simulate a host without IPv6.
using SocketFn = int (*)(int domain, int type, int protocol);

// Binds addr (SO_REUSEADDR, never SO_REUSEPORT: two responders must not share a port) and
// listens. Host "" is one dual-stack socket on [::], or 0.0.0.0 when the host has no IPv6;
// "0.0.0.0" is IPv4 only and "::" IPv6 only. Local error like "cannot listen on
// 127.0.0.1:80 for HTTP-01: Address already in use (stop the other server, or use
// --webroot)". The caller owns the descriptor.
Result<ListenSocket> openListenSocket(const ListenAddress& addr, SocketFn makeSocket = &::socket,
                                      const ListenPurpose& purpose = {});

} // namespace certkeep::challenges

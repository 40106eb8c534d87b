#pragma once
// A bound, listening TCP socket for the HTTP-01 responder, with errors an operator can act on.

#include "challenges/listen_address.hpp"
#include "common/result.hpp"

namespace certkeep::challenges {

struct ListenSocket {
    int fd = -1;
    int family = 0; // AF_INET or AF_INET6
    int port = 0;   // the bound port (the kernel's choice when asked for 0)
};

// Binds addr (SO_REUSEADDR, never SO_REUSEPORT: two responders must not share a port) and
// listens. Local error like "cannot listen on 127.0.0.1:80 for HTTP-01: Address already in
// use (stop the other server, or use --webroot)". The caller owns the descriptor.
Result<ListenSocket> openListenSocket(const ListenAddress& addr);

} // namespace certkeep::challenges

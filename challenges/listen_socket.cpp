// The standalone responder's listening socket: dual-stack for "all addresses", exact errno
// in errors.

#include "challenges/listen_socket.hpp"

#include <cerrno>
#include <netdb.h>
#include <netinet/in.h>
#include <system_error>
#include <unistd.h>

namespace certkeep::challenges {

namespace {

constexpr int kBacklog = 64;

// What the operator can do about a bind errno.
std::string hintFor(int err, const ListenPurpose& purpose) {
    std::string orElse = purpose.alternative.empty() ? "" : ", or " + purpose.alternative;
    switch (err) {
    case EADDRINUSE:
        return " (stop the other server" + orElse + ")";
    case EACCES:
    case EPERM:
        return " (ports below 1024 need root or CAP_NET_BIND_SERVICE" + orElse + ")";
    case EADDRNOTAVAIL:
        return " (no local interface has this address)";
    default:
        return "";
    }
}

// Binds and listens on one address; the socket or a negated errno. For AF_INET6, v6only
// says whether IPv4 is refused (true) or accepted as IPv4-mapped addresses (false).
int bindOne(SocketFn makeSocket, const sockaddr* sa, socklen_t len, bool v6only) {
    int fd = makeSocket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    int yes = 1;
    int v6 = v6only ? 1 : 0;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    bool ok = sa->sa_family != AF_INET6 ||
              ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6)) == 0;
    if (!ok || ::bind(fd, sa, len) != 0 || ::listen(fd, kBacklog) != 0) {
        int err = errno;
        (void)::close(fd);
        return -err;
    }
    return fd;
}

int boundPort(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        return 0;
    }
    if (ss.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

Unexpected cannotListen(const ListenAddress& addr, int err, const ListenPurpose& purpose) {
    return fail(ErrorKind::Local, "cannot listen on " + formatListenAddress(addr) + " for " +
                                      purpose.what + ": " +
                                      std::error_code(err, std::generic_category()).message() +
                                      hintFor(err, purpose));
}

// Host "": one AF_INET6 socket on in6addr_any with IPV6_V6ONLY=0 serves IPv6 and IPv4; on a
// host without IPv6 (no AF_INET6 sockets, or :: not bindable) 0.0.0.0 serves IPv4 alone.
Result<ListenSocket> openAllAddresses(const ListenAddress& addr, SocketFn makeSocket,
                                      const ListenPurpose& purpose) {
    sockaddr_in6 any6{};
    any6.sin6_family = AF_INET6;
    any6.sin6_addr = in6addr_any;
    any6.sin6_port = htons(static_cast<uint16_t>(addr.port));
    int fd = bindOne(makeSocket, reinterpret_cast<sockaddr*>(&any6), sizeof any6, false);
    if (fd >= 0) {
        int bound = boundPort(fd);
        return ListenSocket{fd, AF_INET6, bound, true, formatListenAddress({"", bound})};
    }
    if (-fd != EAFNOSUPPORT && -fd != EADDRNOTAVAIL) {
        return cannotListen(addr, -fd, purpose);
    }
    sockaddr_in any4{};
    any4.sin_family = AF_INET;
    any4.sin_addr.s_addr = htonl(INADDR_ANY);
    any4.sin_port = htons(static_cast<uint16_t>(addr.port));
    fd = bindOne(makeSocket, reinterpret_cast<sockaddr*>(&any4), sizeof any4, true);
    if (fd < 0) {
        return cannotListen(addr, -fd, purpose);
    }
    int bound = boundPort(fd);
    return ListenSocket{fd, AF_INET, bound, false,
                        "0.0.0.0:" + std::to_string(bound) + " (IPv4 only: no IPv6 on this host)"};
}

// A named host or literal: the first of its addresses that binds; IPv6 stays IPv6-only.
Result<ListenSocket> openNamedAddress(const ListenAddress& addr, SocketFn makeSocket,
                                      const ListenPurpose& purpose) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* list = nullptr;
    int gai = ::getaddrinfo(addr.host.c_str(), std::to_string(addr.port).c_str(), &hints, &list);
    if (gai != 0) {
        return fail(ErrorKind::Local, "cannot listen on " + formatListenAddress(addr) + " for " +
                                          purpose.what + ": cannot resolve " + addr.host + ": " +
                                          ::gai_strerror(gai));
    }
    int err = EADDRNOTAVAIL;
    ListenSocket out;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        int fd = bindOne(makeSocket, ai->ai_addr, ai->ai_addrlen, true);
        if (fd >= 0) {
            out = {fd, ai->ai_family, boundPort(fd), false, ""};
            break;
        }
        err = -fd;
    }
    ::freeaddrinfo(list);
    if (out.fd < 0) {
        return cannotListen(addr, err, purpose);
    }
    out.shown = formatListenAddress({addr.host, out.port});
    return out;
}

} // namespace

Result<ListenSocket> openListenSocket(const ListenAddress& addr, SocketFn makeSocket,
                                      const ListenPurpose& purpose) {
    if (addr.host.empty()) {
        return openAllAddresses(addr, makeSocket, purpose);
    }
    return openNamedAddress(addr, makeSocket, purpose);
}

} // namespace certkeep::challenges

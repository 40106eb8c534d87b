#include "challenges/listen_socket.hpp"

#include <cerrno>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace certkeep::challenges {

namespace {

// What the operator can do about a bind errno.
std::string hintFor(int err) {
    switch (err) {
    case EADDRINUSE:
        return " (stop the other server, or use --webroot)";
    case EACCES:
    case EPERM:
        return " (ports below 1024 need root or CAP_NET_BIND_SERVICE, or use --webroot)";
    case EADDRNOTAVAIL:
        return " (no local interface has this address)";
    default:
        return "";
    }
}

// Binds and listens on one resolved address; the socket or an errno (negated).
int bindOne(const addrinfo& ai) {
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) {
        return -errno;
    }
    int yes = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (ai.ai_family == AF_INET6) {
        (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    }
    if (::bind(fd, ai.ai_addr, ai.ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
        int err = errno;
        ::close(fd);
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

} // namespace

Result<ListenSocket> openListenSocket(const ListenAddress& addr) {
    const std::string where = "cannot listen on " + formatListenAddress(addr) + " for HTTP-01: ";
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    std::string host = addr.host.empty() ? "0.0.0.0" : addr.host;
    addrinfo* list = nullptr;
    int gai = ::getaddrinfo(host.c_str(), std::to_string(addr.port).c_str(), &hints, &list);
    if (gai != 0) {
        return fail(ErrorKind::Local,
                    where + "cannot resolve " + host + ": " + ::gai_strerror(gai));
    }
    int err = 0;
    ListenSocket out;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        int fd = bindOne(*ai);
        if (fd >= 0) {
            out = {fd, ai->ai_family, boundPort(fd)};
            break;
        }
        err = -fd;
    }
    ::freeaddrinfo(list);
    if (out.fd < 0) {
        return fail(ErrorKind::Local,
                    where + std::error_code(err, std::generic_category()).message() + hintFor(err));
    }
    return out;
}

} // namespace certkeep::challenges

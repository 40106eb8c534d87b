// Probe-binding a listen address with plain sockets to recover the errno of a failed bind.

#include "challenges/bind_probe.hpp"

#include <cerrno>
#include <netdb.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace certkeep::challenges {

namespace {

// Tries one resolved address the way the server binds it (SO_REUSEADDR); 0 or an errno.
int tryBind(const addrinfo& ai) {
    int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) {
        return errno;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    int err = ::bind(fd, ai.ai_addr, ai.ai_addrlen) == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

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

} // namespace

std::string describeBindFailure(const ListenAddress& addr, int fallbackErrno) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    std::string host = addr.host.empty() ? "0.0.0.0" : addr.host;
    addrinfo* list = nullptr;
    int gai = ::getaddrinfo(host.c_str(), std::to_string(addr.port).c_str(), &hints, &list);
    if (gai != 0) {
        return std::string("cannot resolve ") + host + ": " + ::gai_strerror(gai);
    }
    int err = 0;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        err = tryBind(*ai);
        if (err == 0) {
            break;
        }
    }
    ::freeaddrinfo(list);
    if (err == 0) {
        err = fallbackErrno;
    }
    if (err == 0) {
        return "bind failed for an unknown reason";
    }
    return std::error_code(err, std::generic_category()).message() + hintFor(err);
}

} // namespace certkeep::challenges

#include "cli/serve/systemd_notify.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace certkeep::cli {

bool notifySystemd(const std::string& state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0') {
        return true;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::size_t len = std::strlen(path);
    if (len >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) {
        return false;
    }
    std::memcpy(addr.sun_path, path, len);
    if (path[0] == '@') { // an abstract socket
        addr.sun_path[0] = '\0';
    }
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    bool sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                         reinterpret_cast<const sockaddr*>(&addr),
                         size) == static_cast<ssize_t>(state.size());
    ::close(fd);
    return sent;
}

} // namespace certkeep::cli

// c-ares channels: one server each, replies passed through whatever their rcode, and the route
// check that tells an unreachable address family apart from a silent server.

#include "challenges/dns/cares_channel.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certkeep::challenges::dns {

namespace {

constexpr int triesPerQuestion = 2; // c-ares doubles the wait per try: t/3 + 2t/3 = t
constexpr int minTryMs = 50;

// The first server of a system channel, for messages: "system resolver 127.0.0.53:53".
std::string systemLabel(ares_channel channel) {
    ares_addr_port_node* servers = nullptr;
    std::string label = "system resolver";
    if (ares_get_servers_ports(channel, &servers) == ARES_SUCCESS && servers != nullptr) {
        char text[INET6_ADDRSTRLEN] = "";
        const void* addr = servers->family == AF_INET
                               ? static_cast<const void*>(&servers->addr.addr4)
                               : static_cast<const void*>(&servers->addr.addr6);
        if (inet_ntop(servers->family, addr, text, sizeof text) != nullptr) {
            int port = servers->udp_port != 0 ? servers->udp_port : 53;
            label += " " + formatServerAddress({text, static_cast<uint16_t>(port)});
        }
    }
    ares_free_data(servers);
    return label;
}

// Points `channel` at `server` only.
Status setServer(ares_channel channel, const ServerAddress& server) {
    ares_addr_port_node node{};
    node.family = server.ip.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    void* addr = node.family == AF_INET ? static_cast<void*>(&node.addr.addr4)
                                        : static_cast<void*>(&node.addr.addr6);
    if (inet_pton(node.family, server.ip.c_str(), addr) != 1) {
        return fail(ErrorKind::Usage, "\"" + server.ip + "\" is not an IP address");
    }
    node.udp_port = server.port;
    node.tcp_port = server.port;
    int status = ares_set_servers_ports(channel, &node);
    if (status != ARES_SUCCESS) {
        return fail(ErrorKind::Local, "cannot set DNS server " + formatServerAddress(server) +
                                          " in c-ares: " + ares_strerror(status));
    }
    return {};
}

} // namespace

Result<CaresChannel> openChannel(const std::optional<ServerAddress>& server,
                                 std::chrono::milliseconds timeout) {
    ares_options options{};
    // Every reply comes back to us (SERVFAIL and REFUSED are answers worth reporting), and
    // the RD bit is whatever the query we build says.
    options.flags = ARES_FLAG_NOCHECKRESP;
    options.timeout = std::max(static_cast<int>(timeout.count() / 3), minTryMs);
    options.tries = triesPerQuestion;
    ares_channel raw = nullptr;
    int status =
        ares_init_options(&raw, &options, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (status != ARES_SUCCESS) {
        if (raw != nullptr) {
            ares_destroy(raw);
        }
        return fail(ErrorKind::Local, std::string("cannot start the DNS client (c-ares): ") +
                                          ares_strerror(status) + "; check /etc/resolv.conf");
    }
    CaresChannel channel{ChannelHandle(raw), {}, {}};
    if (!server) {
        channel.label = systemLabel(raw);
        return channel;
    }
    if (auto set = setServer(raw, *server); !set) {
        return set.takeError();
    }
    channel.label = formatServerAddress(*server);
    return channel;
}

std::optional<std::string> routeProblem(const ServerAddress& server) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    bool v6 = server.ip.find(':') != std::string::npos;
    if (v6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(server.port);
        length = sizeof *sa;
        if (inet_pton(AF_INET6, server.ip.c_str(), &sa->sin6_addr) != 1) {
            return "not an IPv6 address";
        }
    } else {
        auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(server.port);
        length = sizeof *sa;
        if (inet_pton(AF_INET, server.ip.c_str(), &sa->sin_addr) != 1) {
            return "not an IPv4 address";
        }
    }
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return std::string(std::strerror(errno));
    }
    std::optional<std::string> problem;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        problem = std::strerror(errno);
    }
    ::close(fd);
    return problem;
}

uint16_t freshQueryId(CaresChannel& channel, std::mt19937& random) {
    std::uniform_int_distribution<unsigned> pick(0, 0xFFFF);
    if (channel.ids.size() > 0xFFFF) {
        return static_cast<uint16_t>(pick(random)); // c-ares also matches the question
    }
    for (;;) {
        auto id = static_cast<uint16_t>(pick(random));
        if (channel.ids.insert(id).second) {
            return id;
        }
    }
}

} // namespace certkeep::challenges::dns

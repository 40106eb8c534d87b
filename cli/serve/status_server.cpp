#include "cli/serve/status_server.hpp"

#include "challenges/listen_socket.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string_view>
#include <unistd.h>

namespace certkeep::cli {

struct StatusServer::Impl {
    MHD_Daemon* daemon = nullptr;
    std::string shown;
    std::vector<AllowedNetwork> allowed;
    HttpHandler handler;
};

namespace {

constexpr unsigned kIoTimeoutSeconds = 10;
constexpr unsigned kMaxConnections = 64;

MHD_Result respond(MHD_Connection* connection, const HttpReply& reply) {
    MHD_Response* response = MHD_create_response_from_buffer(
        reply.body.size(), const_cast<char*>(reply.body.data()), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) {
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.contentType.c_str());
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
    MHD_Result queued = MHD_queue_response(connection, reply.status, response);
    MHD_destroy_response(response);
    return queued;
}

// GET and HEAD only; request bodies are never read.
MHD_Result onRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* /*uploadData*/, size_t* uploadSize,
                     void** /*state*/) {
    auto* impl = static_cast<StatusServer::Impl*>(cls);
    std::string_view m(method);
    if ((m != MHD_HTTP_METHOD_GET && m != MHD_HTTP_METHOD_HEAD) || *uploadSize != 0) {
        *uploadSize = 0;
        return respond(connection,
                       {MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n"});
    }
    return respond(connection, impl->handler(url));
}

MHD_Result onAccept(void* cls, const sockaddr* addr, socklen_t /*len*/) {
    auto* impl = static_cast<StatusServer::Impl*>(cls);
    return isAllowed(impl->allowed, addr) ? MHD_YES : MHD_NO;
}

bool prefixMatches(const std::uint8_t* a, const std::uint8_t* b, int bits) {
    int whole = bits / 8;
    if (std::memcmp(a, b, static_cast<std::size_t>(whole)) != 0) {
        return false;
    }
    int rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

} // namespace

Result<AllowedNetwork> parseAllowedNetwork(const std::string& text) {
    auto bad = [&text] {
        return fail(ErrorKind::Usage, "--metrics-allow " + text +
                                          ": give an address or network such as 192.0.2.7, "
                                          "10.0.0.0/8 or fd00::/8");
    };
    auto slash = text.find('/');
    std::string host = text.substr(0, slash);
    AllowedNetwork n;
    if (::inet_pton(AF_INET, host.c_str(), n.address.data()) == 1) {
        n.family = AF_INET;
        n.prefix = 32;
    } else if (::inet_pton(AF_INET6, host.c_str(), n.address.data()) == 1) {
        n.family = AF_INET6;
        n.prefix = 128;
    } else {
        return bad();
    }
    if (slash != std::string::npos) {
        std::string bits = text.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 ||
            bits.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(bits) > n.prefix) {
            return bad();
        }
        n.prefix = std::stoi(bits);
    }
    return n;
}

bool isAllowed(const std::vector<AllowedNetwork>& networks, const sockaddr* client) {
    if (networks.empty()) {
        return true;
    }
    int family = client->sa_family;
    const std::uint8_t* bytes = nullptr;
    if (family == AF_INET) {
        bytes = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(client)->sin_addr);
    } else if (family == AF_INET6) {
        const auto* a6 = &reinterpret_cast<const sockaddr_in6*>(client)->sin6_addr;
        bytes = reinterpret_cast<const std::uint8_t*>(a6);
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            family = AF_INET;
            bytes += 12;
        }
    } else {
        return false;
    }
    for (const auto& n : networks) {
        if (n.family == family && prefixMatches(bytes, n.address.data(), n.prefix)) {
            return true;
        }
    }
    return false;
}

Result<std::unique_ptr<StatusServer>> StatusServer::start(const std::string& listen,
                                                          std::vector<AllowedNetwork> allowed,
                                                          HttpHandler handler) {
    auto addr = challenges::parseListenAddress(listen);
    if (!addr) {
        return fail(ErrorKind::Usage, "--metrics-listen " + listen + ": " + addr.error().message);
    }
    auto sock = challenges::openListenSocket(*addr, &::socket, {"--metrics-listen", ""});
    if (!sock) {
        return sock.takeError();
    }
    auto impl = std::make_unique<Impl>();
    impl->shown = sock->shown;
    impl->allowed = std::move(allowed);
    impl->handler = std::move(handler);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (sock->family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    impl->daemon = MHD_start_daemon(flags, 0, &onAccept, impl.get(), &onRequest, impl.get(),
                                    MHD_OPTION_LISTEN_SOCKET, sock->fd,
                                    MHD_OPTION_CONNECTION_TIMEOUT, kIoTimeoutSeconds,
                                    MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, MHD_OPTION_END);
    if (impl->daemon == nullptr) {
        (void)::close(sock->fd);
        return fail(ErrorKind::Local,
                    "cannot serve on " + sock->shown + " (libmicrohttpd refused to start)");
    }
    return std::unique_ptr<StatusServer>(new StatusServer(std::move(impl)));
}

StatusServer::StatusServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusServer::~StatusServer() {
    if (impl_ && impl_->daemon != nullptr) {
        MHD_socket fd = MHD_quiesce_daemon(impl_->daemon);
        MHD_stop_daemon(impl_->daemon);
        if (fd != MHD_INVALID_SOCKET) {
            (void)::close(fd);
        }
    }
}

const std::string& StatusServer::shown() const {
    return impl_->shown;
}

} // namespace certkeep::cli

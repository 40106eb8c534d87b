#pragma once
// The HTTP side of `certkeep serve`: a small read-only server (libmicrohttpd, like the HTTP-01
// responder) answering GET and HEAD with what a handler renders; everything else is refused.
// Optional access control by client network (--metrics-allow).

#include "common/result.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct sockaddr;

namespace certkeep::cli {

struct HttpReply {
    unsigned status = 200;
    std::string contentType;
    std::string body;
};

// Renders the reply for a GET of `path` (no query string). Called from the server's thread.
using HttpHandler = std::function<HttpReply(const std::string& path)>;

// "10.0.0.0/8", "192.0.2.7", "::1", "fd00::/8": a client network that may connect.
struct AllowedNetwork {
    int family = 0; // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> address{};
    int prefix = 0;
};

// Usage error naming the text and the accepted forms.
Result<AllowedNetwork> parseAllowedNetwork(const std::string& text);

// True when `client` is inside one of `networks` (an IPv4 client arriving as ::ffff:a.b.c.d on
// a dual-stack socket counts as IPv4); true for every client when `networks` is empty.
bool isAllowed(const std::vector<AllowedNetwork>& networks, const sockaddr* client);

class StatusServer {
  public:
    // Listens on `listen` ("127.0.0.1:9469", "[::1]:9469", ":9469" for every address) and
    // serves `handler`'s replies from its own thread. Local error naming the address when it
    // cannot listen; Usage error for a malformed address.
    static Result<std::unique_ptr<StatusServer>>
    start(const std::string& listen, std::vector<AllowedNetwork> allowed, HttpHandler handler);
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;
    // What is bound, for people: "127.0.0.1:9469".
    [[nodiscard]] const std::string& shown() const;

    struct Impl;

  private:
    explicit StatusServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace certkeep::cli

#pragma once
// One c-ares channel aimed at one server (or the system's resolvers), set up so that every
// reply reaches us as it came (any rcode) and retries fit in the caller's timeout.

#include "challenges/dns/resolver.hpp"

#include <ares.h>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace certkeep::challenges::dns {

struct ChannelDeleter {
    void operator()(ares_channel channel) const { ares_destroy(channel); }
};
using ChannelHandle = std::unique_ptr<std::remove_pointer_t<ares_channel>, ChannelDeleter>;

// A channel with the server it asks, as named in messages, and the query IDs in use on it.
struct CaresChannel {
    ChannelHandle handle;
    std::string label; // "127.0.0.2:53", "[::1]:53", "system resolver 127.0.0.53:53"
    std::set<uint16_t> ids;
};

// Opens a channel to `server` (nullopt: /etc/resolv.conf) whose retries end by `timeout`.
// Local error when c-ares cannot start.
Result<CaresChannel> openChannel(const std::optional<ServerAddress>& server,
                                 std::chrono::milliseconds timeout);

// Why `server` cannot be reached from this host at all ("Network is unreachable" for IPv6 on a
// host without IPv6), found by connecting a UDP socket, which sends nothing; nullopt when a
// route exists.
std::optional<std::string> routeProblem(const ServerAddress& server);

// A query ID not yet used on `channel` (RFC 5452 §4.3: random, so replies cannot be guessed).
uint16_t freshQueryId(CaresChannel& channel, std::mt19937& random);

} // namespace certkeep::challenges::dns

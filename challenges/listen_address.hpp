#pragma once
// The --http-listen address of the standalone HTTP-01 responder.

#include "common/result.hpp"

#include <string>

namespace certkeep::challenges {

// Parsed --http-listen value: ":80", "0.0.0.0:80", "127.0.0.1:5002", "[::1]:80".
struct ListenAddress {
    std::string host; // "" means all addresses, IPv6 and IPv4 ("0.0.0.0": IPv4 only)
    int port = 80;
};
// Usage error naming the value and the expected "ADDR:PORT" form; port 0 means ephemeral.
Result<ListenAddress> parseListenAddress(const std::string& text);

// The address as shown to people: "127.0.0.1:80", "[::1]:80", "[::]:80 (IPv6 and IPv4)" for "".
std::string formatListenAddress(const ListenAddress& addr);

} // namespace certkeep::challenges

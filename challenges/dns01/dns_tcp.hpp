#pragma once
// One DNS message exchange over TCP (RFC 1035 §4.2.2: a two-byte length before each message),
// with a deadline for the whole exchange. The messages themselves are built and read by ldns.

#include "challenges/dns/resolver.hpp"

#include <chrono>
#include <cstdint>
#include <vector>

namespace certkeep::challenges::dns01 {

// Connects to `server`, sends `query` and returns the first reply message. Network error naming
// the server and the cause: "127.0.0.1:53 refused the connection", "no answer from
// 127.0.0.1:53 within 10s", "127.0.0.1:53 closed the connection before answering".
Result<std::vector<uint8_t>> exchangeTcp(const dns::ServerAddress& server,
                                         const std::vector<uint8_t>& query,
                                         std::chrono::milliseconds timeout);

} // namespace certkeep::challenges::dns01

#pragma once
// DNS questions asked directly of one server (a resolver or an authoritative server), in
// batches, so that every name on every server can be asked at once. The real implementation
// uses c-ares; tests use tests/fakes/fake_resolver.hpp.

#include "common/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns {

// One server address: an IPv4 or IPv6 literal and a port ("127.0.0.1", 53; "::1", 5353).
struct ServerAddress {
    std::string ip;
    uint16_t port = 53;
    bool operator==(const ServerAddress&) const = default;
};

// Parses "ADDR:PORT", "ADDR" (port 53), "[V6]:PORT" or "V6"; Usage error naming the text and
// the expected form when it is not an IP literal with an optional port.
Result<ServerAddress> parseServerAddress(const std::string& text);
// "127.0.0.1:53", "[::1]:53".
std::string formatServerAddress(const ServerAddress& addr);

enum class RecordType { A, AAAA, TXT, NS, SOA, CNAME };
std::string recordTypeName(RecordType type); // "TXT"

struct Question {
    std::optional<ServerAddress> server; // nullopt = the system's resolvers (/etc/resolv.conf)
    std::string name; // fully qualified, no trailing dot: "_acme-challenge.example.com"
    RecordType type = RecordType::TXT;
    bool recursionDesired = true; // false when asking an authoritative server
};

// What a server answered. Names are lower case without the trailing dot.
struct Answer {
    int rcode = 0;              // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED...
    bool authoritative = false; // the AA bit
    // CNAME records in the answer section, in chain order: {owner, target}.
    std::vector<std::pair<std::string, std::string>> cnames;
    // Records of the asked type at the end of the CNAME chain:
    std::vector<std::string> txt;       // TXT: each record's strings joined, unquoted
    std::vector<std::string> addresses; // A/AAAA: address literals
    std::vector<std::string> targets;   // NS: server names; SOA: the primary server (MNAME)
    // The zone the server named: owner of an SOA in the answer or authority section ("" = none).
    std::string soaOwner;
};

class Resolver {
  public:
    virtual ~Resolver() = default;
    // Asks every question at once and returns one result per question, in order. A result is
    // an Answer whenever the server replied (any rcode); Network error naming the server when
    // it could not be reached (unreachable family, refused, no reply by `timeout`: "no answer
    // from 127.0.0.2:53 within 2s"). Thread-safe.
    virtual std::vector<Result<Answer>> ask(const std::vector<Question>& questions,
                                            std::chrono::milliseconds timeout) = 0;
};
using ResolverPtr = std::unique_ptr<Resolver>;

// The c-ares resolver (UDP, TCP when truncated). Local error when c-ares cannot start.
Result<ResolverPtr> makeCaresResolver();

} // namespace certkeep::challenges::dns

#pragma once
// Finding where a TXT record must be written and who serves it: the CNAME chain of a name, the
// zone it lies in (from the SOA, never guessed from the labels), and the zone's authoritative
// servers with their addresses. Every lookup goes to the configured resolver.

#include "challenges/dns/resolver.hpp"

#include <string>
#include <vector>

namespace certkeep::challenges::dns {

// One authoritative server of a zone and the addresses it has (IPv4 and IPv6).
struct Nameserver {
    std::string name; // "ns1.example.com"
    std::vector<ServerAddress> addresses;
};

struct ZoneInfo {
    std::string zone;                    // "example.com", the SOA's owner
    std::string primary;                 // the SOA's MNAME
    std::vector<Nameserver> nameservers; // from the zone's NS records, sorted by name
};

// Where lookups go: `resolver` nullopt = the system's resolvers.
struct LookupContext {
    Resolver& dns;
    std::optional<ServerAddress> resolver;
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

// Follows CNAMEs from `name` (at most 8 links; a loop is an error) and returns the chain,
// starting with `name` and ending with the name that holds records: {"_acme-challenge.a.com",
// "a.challenges.net"}. A name without a CNAME gives {name}. Network/NotFound error naming the
// link that failed.
Result<std::vector<std::string>> followCnames(LookupContext& ctx, const std::string& name);

// The zone `name` lies in: asks for the SOA of `name` and takes the owner of the SOA in the
// answer or authority section (walking up one label at a time only when a server answers with
// neither), then the zone's NS records and each server's A and AAAA records. NotFound error
// when no zone is found, Network error naming the resolver when it does not answer.
Result<ZoneInfo> findZone(LookupContext& ctx, const std::string& name);

} // namespace certkeep::challenges::dns

#pragma once
// The JSON side of the PowerDNS provider, pure functions: read the TXT RRset at a name out of a
// zone document, and build the PATCH that adds or removes one value while keeping the others.
// PowerDNS keeps one RRset per name and type, so records of other types are never touched.

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns01 {

struct PdnsRecord {
    std::string content; // presentation format: "\"value\"" for TXT
    bool disabled = false;
};
struct PdnsTxtRrset {
    uint32_t ttl = 0;
    std::vector<PdnsRecord> records;
};

// `name` lower case with the trailing dot PowerDNS uses: "_acme-challenge.example.test.".
std::string pdnsName(const std::string& fqdn);

// The TXT RRset at `name` in a zone document (GET /api/v1/servers/{id}/zones/{zone}); nullopt
// when the zone has none. Protocol error when the text is not such a document (it is
// untrusted input).
Result<std::optional<PdnsTxtRrset>> findTxtRrset(const std::string& zoneJson,
                                                 const std::string& name);

// TXT content as PowerDNS wants it: the value in double quotes, '"' and '\' escaped.
std::string quoteTxt(const std::string& value);
// The value of TXT content: its quoted strings joined, escapes (\" \\ \DDD) undone.
std::string unquoteTxt(const std::string& content);

// The PATCH body for the zone: the RRset at `name` with `value` added (add) or removed, the
// other records and the RRset's TTL kept (`ttl` for a new RRset); "changetype":"DELETE" when
// nothing is left. nullopt when nothing must change (present twice, cleanup of a gone value).
std::optional<std::string> txtPatchBody(const std::optional<PdnsTxtRrset>& current,
                                        const std::string& name, const std::string& value, bool add,
                                        uint32_t ttl);

// The "error" field of an API error document, made fit for a one-line message; "" when none.
std::string pdnsErrorText(const std::string& body);

} // namespace certkeep::challenges::dns01

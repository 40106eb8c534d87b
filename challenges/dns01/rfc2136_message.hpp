#pragma once
// The RFC 2136 messages of the rfc2136 provider, built and read with ldns: an UPDATE that adds
// or deletes one TXT RR, signed with TSIG (RFC 8945), and the verdict on the server's reply.

#include "challenges/dns01/provider.hpp"
#include "challenges/dns01/rfc2136.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace certkeep::challenges::dns01 {

enum class UpdateAction { Add, Delete };

// A signed UPDATE as it goes on the wire, and what its reply must match.
struct UpdateMessage {
    std::vector<uint8_t> wire;
    uint16_t id = 0;
    std::vector<uint8_t> mac; // the request's TSIG MAC (RFC 8945 §5.3: the reply's MAC covers
                              // it); empty when unsigned
};

// Zone section: `record.zone` IN SOA; update section: `fqdn TTL IN TXT "value"` (Add) or the
// same RR with class NONE and TTL 0 (Delete, RFC 2136 §2.5.4). Signed when key.name is set.
// Usage error when the names are not DNS names or fqdn is outside the zone; Internal error
// when record.zone is empty.
Result<UpdateMessage> buildUpdate(const TxtRecord& record, UpdateAction action, uint32_t ttl,
                                  const TsigKey& key);

// Judges the server's reply to `request`: success only for NOERROR with a valid TSIG by `key`
// (when signed). Errors name `server`, the zone and the cause (TSIG key refused, not allowed,
// not authoritative, ...), never the secret.
Status checkUpdateReply(const std::vector<uint8_t>& reply, const UpdateMessage& request,
                        const TxtRecord& record, const TsigKey& key, const std::string& server);

} // namespace certkeep::challenges::dns01

#pragma once
// Reading a DNS reply off the wire (RFC 1035 §4.1) into an Answer. The reply comes from the
// network, so every length and compression pointer is checked against the buffer.

#include "challenges/dns/resolver.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace certkeep::challenges::dns {

// The RR type code of `type` (RFC 1035 §3.2.2, RFC 3596 for AAAA).
uint16_t recordTypeCode(RecordType type);

// "NOERROR", "SERVFAIL", "NXDOMAIN", "REFUSED"...; "rcode N" for the rest (RFC 1035 §4.1.1).
std::string rcodeName(int rcode);

// "Example.COM." -> "example.com": the form names take in Questions and Answers.
std::string normalizeName(const std::string& name);

// Parses a reply to the question (`name`, `type`): rcode, AA bit, the answer section's CNAME
// chain starting at `name`, the records of `type` at the chain's end, and the owner of an SOA
// in the answer or authority section. Protocol error naming the defect when the message is
// malformed (truncated, bad compression pointer, not a response).
Result<Answer> parseReply(const unsigned char* data, std::size_t size, const std::string& name,
                          RecordType type);

} // namespace certkeep::challenges::dns

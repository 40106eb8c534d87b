#pragma once
// IP address literals (RFC 8738 identifiers, iPAddress SANs), one parser for every layer.

#include <string>

namespace certkeep {

// Canonical text of an IPv4 or IPv6 literal ("2001:DB8:0::1" -> "2001:db8::1"), or "" when
// `text` is not one. inet_pton is strict: no brackets, zones or leading zeros in IPv4.
std::string canonicalIp(const std::string& text);
inline bool isIpLiteral(const std::string& text) {
    return !canonicalIp(text).empty();
}

} // namespace certkeep

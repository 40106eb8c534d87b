#pragma once
// Which challenge a certificate's settings select, checked once: exactly one of http-listen /
// webroot (HTTP-01), tls-alpn-listen (TLS-ALPN-01) and dns (DNS-01), and for DNS-01 the
// provider's own settings. Errors name both the option and the config key.

#include "lifecycle/spec.hpp"
#include "store/records.hpp"

namespace certkeep::lifecycle {

// "dns-01" when a DNS provider is set, "tls-alpn-01" when a TLS-ALPN address is, else "http-01".
std::string challengeTypeOf(const store::CertSettings& settings);

// The checked ChallengeSpec of `settings`: addresses parse, the provider is known and has what
// it needs (rfc2136: a server; exec: a program; pdns: a URL), propagation is one of the three
// modes, the timeout a duration. Usage error otherwise, e.g. "dns-01 through rfc2136 needs the
// server taking updates: give --dns-server ADDR:PORT (config: dns-server)".
Result<ChallengeSpec> challengeSpecOf(const store::CertSettings& settings);

// Wildcard identifiers need DNS-01: Usage error naming the first wildcard otherwise.
Status checkWildcards(const std::vector<acme::Identifier>& ids, const ChallengeSpec& challenge);

} // namespace certkeep::lifecycle

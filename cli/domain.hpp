#pragma once
// Domain names given on the command line: checked and normalised before anything happens.

#include "acme/types.hpp"
#include "common/result.hpp"

#include <string>
#include <vector>

namespace certkeep::cli {

// Lower-cases, drops one trailing dot, checks RFC 1035 label rules (letters, digits, '-',
// labels of 1..63, total <= 253, at least two labels); "*." allowed only as the first label.
// Usage error naming the domain and the rule it breaks.
Result<std::string> normalizeDomain(const std::string& input);
// One -d value as an ACME identifier: an IPv4 or IPv6 literal becomes an "ip" identifier in
// canonical form (RFC 8738), anything else a normalised "dns" name.
Result<acme::Identifier> parseIdentifier(const std::string& input);
// All -d values: duplicates dropped keeping order; Usage error when empty or > 100.
Result<std::vector<acme::Identifier>> parseIdentifiers(const std::vector<std::string>& inputs);

} // namespace certkeep::cli

#pragma once
// ECDSA signature encodings: DER ECDSA-Sig-Value <-> JWS fixed-size r||s (RFC 7518 §3.4).

#include "common/result.hpp"

#include <string>
#include <string_view>

namespace certkeep::acme {

// DER ECDSA-Sig-Value -> big-endian r || s, each left-padded to `fieldBytes`.
Result<std::string> ecdsaDerToRaw(std::string_view der, int fieldBytes);

} // namespace certkeep::acme

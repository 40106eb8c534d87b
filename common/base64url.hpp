#pragma once
// Base64url without padding (RFC 7515 §2, RFC 4648 §5).

#include "common/result.hpp"

#include <string>
#include <string_view>

namespace certkeep {

std::string base64urlEncode(std::string_view bytes);
// Refuses padding, whitespace and characters outside the base64url alphabet.
Result<std::string> base64urlDecode(std::string_view text);
// True when `text` is non-empty and only uses [A-Za-z0-9_-] (no padding).
bool isBase64url(std::string_view text);

} // namespace certkeep

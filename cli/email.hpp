#pragma once
// The --email contact, checked before any request (RFC 8555 §7.3: mailto contacts).

#include <string>

namespace certkeep::cli {

// "" when `email` is a plausible single address, else why not (for the error message).
std::string emailProblem(const std::string& email);

} // namespace certkeep::cli

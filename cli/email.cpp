#include "cli/email.hpp"

#include "cli/domain.hpp"

#include <algorithm>

namespace certkeep::cli {

std::string emailProblem(const std::string& email) {
    if (email.rfind("mailto:", 0) == 0) {
        return "give the address without \"mailto:\"";
    }
    auto at = email.find('@');
    if (at == std::string::npos || email.find('@', at + 1) != std::string::npos) {
        return "an address needs exactly one '@', like ops@example.com";
    }
    std::string local = email.substr(0, at);
    if (local.empty() || local.size() > 64) {
        return "the part before '@' must have 1 to 64 characters";
    }
    bool plain = std::all_of(local.begin(), local.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f &&
               std::string_view("<>()[],;:\\\"").find(c) == std::string::npos;
    });
    if (!plain) {
        return "the part before '@' has a space, comma or other character that is not allowed "
               "(one address only)";
    }
    auto domain = normalizeDomain(email.substr(at + 1));
    if (!domain) {
        return "the part after '@' is not a domain name";
    }
    return {};
}

} // namespace certkeep::cli

// Token checks shared by every solver (RFC 8555 §8.1).

#include "challenges/solver.hpp"

namespace certkeep::challenges {

namespace {

// RFC 4648 §5 base64url alphabet, without padding.
bool isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

} // namespace

// RFC 8555 §8.1: >= 128 bits of entropy means >= 22 base64url chars; cap at 256.
bool isValidToken(const std::string& token) {
    if (token.size() < 22 || token.size() > 256) {
        return false;
    }
    for (char c : token) {
        if (!isBase64UrlChar(c)) {
            return false;
        }
    }
    return true;
}

} // namespace certkeep::challenges

// Base64url without padding (RFC 4648 §5, RFC 7515 §2).
#include "common/base64url.hpp"

#include <cstdint>

namespace certkeep {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Value of one base64url character, or -1 when it is outside the alphabet.
int decodeChar(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

// Describes a character for an error message without echoing control bytes.
std::string describeChar(char c) {
    if (c == '=') {
        return "padding '='";
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        return "whitespace";
    }
    return "character outside the base64url alphabet";
}

} // namespace

std::string base64urlEncode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                     uint32_t(uint8_t(bytes[i + 2]));
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    size_t rest = bytes.size() - i;
    if (rest == 1) {
        uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (rest == 2) {
        uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

Result<std::string> base64urlDecode(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (decodeChar(text[i]) < 0) {
            return fail(ErrorKind::Protocol, "invalid base64url: " + describeChar(text[i]) +
                                                 " at offset " + std::to_string(i));
        }
    }
    // Without padding, a length of 4n+1 cannot come from any input.
    if (text.size() % 4 == 1) {
        return fail(ErrorKind::Protocol,
                    "invalid base64url: length " + std::to_string(text.size()) + " is impossible");
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        acc = (acc << 6) | uint32_t(decodeChar(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xFF);
        }
    }
    return out;
}

bool isBase64url(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (decodeChar(c) < 0) {
            return false;
        }
    }
    return true;
}

} // namespace certkeep

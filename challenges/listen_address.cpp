// Parsing and printing of the standalone responder's listen address.

#include "challenges/listen_address.hpp"

#include <cctype>

namespace certkeep::challenges {

namespace {

Unexpected badAddress(const std::string& text, const std::string& why) {
    return fail(ErrorKind::Usage, "invalid listen address \"" + text + "\": " + why +
                                      " (expected ADDR:PORT, e.g. \":80\", \"127.0.0.1:5002\" "
                                      "or \"[::1]:80\")");
}

// Decimal 0..65535, digits only; -1 when not a port.
int parsePort(const std::string& text) {
    if (text.empty() || text.size() > 5) {
        return -1;
    }
    int port = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return -1;
        }
        port = port * 10 + (c - '0');
    }
    return port <= 65535 ? port : -1;
}

// A host name or IPv4 literal: letters, digits, '.', '-'.
bool isPlainHost(const std::string& host) {
    for (unsigned char c : host) {
        if (!std::isalnum(c) && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

// An IPv6 literal as written between brackets (hex, ':', '.', and a %zone).
bool isIpv6Literal(const std::string& host) {
    if (host.find(':') == std::string::npos) {
        return false;
    }
    for (unsigned char c : host) {
        if (!std::isalnum(c) && c != ':' && c != '.' && c != '%') {
            return false;
        }
    }
    return true;
}

} // namespace

Result<ListenAddress> parseListenAddress(const std::string& text) {
    ListenAddress addr;
    std::string portText;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return badAddress(text, "an IPv6 address must be written as [ADDR]:PORT");
        }
        addr.host = text.substr(1, close - 1);
        portText = text.substr(close + 2);
        if (!isIpv6Literal(addr.host)) {
            return badAddress(text, "\"" + addr.host + "\" is not an IPv6 address");
        }
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            return badAddress(text, "missing port");
        }
        addr.host = text.substr(0, colon);
        portText = text.substr(colon + 1);
        if (!isPlainHost(addr.host)) {
            return badAddress(text, "\"" + addr.host + "\" is not a host name or IPv4 address");
        }
    }
    addr.port = parsePort(portText);
    if (addr.port < 0) {
        return badAddress(text, "port must be a number from 0 to 65535");
    }
    return addr;
}

std::string formatListenAddress(const ListenAddress& addr) {
    std::string port = std::to_string(addr.port);
    if (addr.host.empty()) {
        return "[::]:" + port + " (IPv6 and IPv4)"; // one dual-stack socket, see listen_socket
    }
    if (addr.host.find(':') != std::string::npos) {
        return "[" + addr.host + "]:" + port;
    }
    return addr.host + ":" + port;
}

} // namespace certkeep::challenges

// Parsing and printing of DNS server addresses (--dns-resolver, --dns-server) and record type
// names.

#include "challenges/dns/resolver.hpp"
#include "common/ip.hpp"

namespace certkeep::challenges::dns {

namespace {

Unexpected badServer(const std::string& text, const std::string& why) {
    return fail(ErrorKind::Usage,
                "invalid DNS server address \"" + text + "\": " + why +
                    " (expected an IP address with an optional port, e.g. "
                    "\"127.0.0.1:53\", \"192.0.2.1\", \"[::1]:5353\" or \"::1\")");
}

// Decimal 1..65535, digits only; 0 when not a usable server port.
uint16_t parsePort(const std::string& text) {
    if (text.empty() || text.size() > 5) {
        return 0;
    }
    unsigned port = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return 0;
        }
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    return port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

// Splits "[V6]:PORT" / "[V6]" into host and port text; false when the brackets are malformed.
bool splitBracketed(const std::string& text, std::string& host, std::string& port) {
    auto close = text.find(']');
    if (close == std::string::npos) {
        return false;
    }
    host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (rest.empty()) {
        port = "53";
        return true;
    }
    if (rest.front() != ':') {
        return false;
    }
    port = rest.substr(1);
    return true;
}

} // namespace

Result<ServerAddress> parseServerAddress(const std::string& text) {
    std::string host;
    std::string portText = "53";
    if (!text.empty() && text.front() == '[') {
        if (!splitBracketed(text, host, portText)) {
            return badServer(text, "an IPv6 address with a port must be written as [ADDR]:PORT");
        }
        if (host.find(':') == std::string::npos) {
            return badServer(text, "only IPv6 addresses go between brackets");
        }
    } else {
        auto first = text.find(':');
        bool oneColon =
            first != std::string::npos && text.find(':', first + 1) == std::string::npos;
        host = oneColon ? text.substr(0, first) : text; // two or more colons: a bare IPv6 literal
        if (oneColon) {
            portText = text.substr(first + 1);
        }
    }
    std::string ip = canonicalIp(host);
    if (ip.empty()) {
        return badServer(text, "\"" + host +
                                   "\" is not an IP address (host names are not "
                                   "accepted: they would need a resolver themselves)");
    }
    uint16_t port = parsePort(portText);
    if (port == 0) {
        return badServer(text, "port must be a number from 1 to 65535");
    }
    return ServerAddress{ip, port};
}

std::string formatServerAddress(const ServerAddress& addr) {
    std::string port = std::to_string(addr.port);
    if (addr.ip.find(':') != std::string::npos) {
        return "[" + addr.ip + "]:" + port;
    }
    return addr.ip + ":" + port;
}

std::string recordTypeName(RecordType type) {
    switch (type) {
    case RecordType::A:
        return "A";
    case RecordType::AAAA:
        return "AAAA";
    case RecordType::TXT:
        return "TXT";
    case RecordType::NS:
        return "NS";
    case RecordType::SOA:
        return "SOA";
    case RecordType::CNAME:
        return "CNAME";
    }
    return "TYPE?";
}

} // namespace certkeep::challenges::dns

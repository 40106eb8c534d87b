#pragma once
// Test helpers that write DNS messages byte by byte (RFC 1035 §4.1), so the reply parser and
// the c-ares resolver can be fed exactly what a server would send, defects included.

#include <arpa/inet.h>
#include <cstdint>
#include <string>
#include <vector>

namespace certkeep::testing {

inline std::string u16(uint16_t v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
}

// "a.example.test" -> 1a 7example 4test 0 (no compression).
inline std::string wireName(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
        auto dot = name.find('.', start);
        std::string label = name.substr(start, dot == std::string::npos ? dot : dot - start);
        out += static_cast<char>(label.size());
        out += label;
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return out + '\0';
}

namespace rr {
constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, TXT = 16, AAAA = 28;
}

inline std::string txtRdata(const std::vector<std::string>& strings) {
    std::string out;
    for (const auto& s : strings) {
        out += static_cast<char>(s.size());
        out += s;
    }
    return out;
}

inline std::string addressRdata(const std::string& ip) {
    unsigned char buf[16];
    bool v6 = ip.find(':') != std::string::npos;
    inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), buf);
    return std::string(reinterpret_cast<char*>(buf), v6 ? 16 : 4);
}

inline std::string soaRdata(const std::string& mname, const std::string& rname) {
    return wireName(mname) + wireName(rname) + std::string(20, '\x01');
}

struct WireRecord {
    std::string owner; // a name, or raw wire bytes when ownerRaw is set
    uint16_t type = rr::TXT;
    std::string rdata;
    bool ownerRaw = false;
    uint16_t rclass = 1;

    [[nodiscard]] std::string bytes() const {
        return (ownerRaw ? owner : wireName(owner)) + u16(type) + u16(rclass) +
               std::string("\0\0\0\x3c", 4) + u16(static_cast<uint16_t>(rdata.size())) + rdata;
    }
};

// A reply: header, one question, answer and authority sections.
struct WireReply {
    uint16_t id = 0x1234;
    uint16_t flags = 0x8400; // QR + AA, NOERROR
    std::string qname{};
    uint16_t qtype = rr::TXT;
    std::vector<WireRecord> answers{};
    std::vector<WireRecord> authority{};

    WireReply& rcode(int code) {
        flags = static_cast<uint16_t>((flags & 0xFFF0) | code);
        return *this;
    }

    [[nodiscard]] std::string bytes() const {
        std::string out = u16(id) + u16(flags) + u16(1) +
                          u16(static_cast<uint16_t>(answers.size())) +
                          u16(static_cast<uint16_t>(authority.size())) + u16(0);
        out += wireName(qname) + u16(qtype) + u16(1);
        for (const auto& r : answers) {
            out += r.bytes();
        }
        for (const auto& r : authority) {
            out += r.bytes();
        }
        return out;
    }
};

// What a test server reads out of a query.
struct WireQuery {
    uint16_t id = 0;
    bool recursionDesired = false;
    std::string name;
    uint16_t type = 0;
};

// Parses a query as c-ares sends it (one question, no compression); false when it is not one.
inline bool parseQuery(const std::string& msg, WireQuery& q) {
    if (msg.size() < 17) {
        return false;
    }
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(msg[i]); };
    q.id = static_cast<uint16_t>(byte(0) << 8 | byte(1));
    q.recursionDesired = (byte(2) & 0x01) != 0;
    q.name.clear();
    std::size_t pos = 12;
    while (pos < msg.size() && byte(pos) != 0) {
        std::size_t len = byte(pos);
        if (pos + 1 + len >= msg.size()) {
            return false;
        }
        q.name += (q.name.empty() ? "" : ".") + msg.substr(pos + 1, len);
        pos += 1 + len;
    }
    if (pos + 5 > msg.size()) {
        return false;
    }
    q.type = static_cast<uint16_t>(byte(pos + 1) << 8 | byte(pos + 2));
    return true;
}

} // namespace certkeep::testing

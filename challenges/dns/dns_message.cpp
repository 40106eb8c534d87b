// A small, bounds-checked reader for DNS replies (RFC 1035 §4.1): header, question skipping,
// answer and authority records, compressed names (§4.1.4) and the rdata of the types we ask.

#include "challenges/dns/dns_message.hpp"

#include <arpa/inet.h>
#include <set>
#include <sys/socket.h>

namespace certkeep::challenges::dns {

namespace {

constexpr std::size_t headerSize = 12;
constexpr uint16_t classIn = 1;
constexpr uint16_t typeCname = 5;
constexpr uint16_t typeSoa = 6;
constexpr int maxPointerJumps = 64;       // more than any honest message needs
constexpr std::size_t maxNameText = 1024; // 255 octets, escaped
constexpr int maxChainLinks = 16;

// One resource record: owner, type, class and where its rdata lies in the message.
struct Record {
    std::string owner;
    uint16_t type = 0;
    uint16_t rclass = 0;
    std::size_t rdata = 0;
    std::size_t rdlength = 0;
};

class Reader {
  public:
    Reader(const unsigned char* data, std::size_t size) : data_(data), size_(size) {}

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] uint16_t u16(std::size_t pos) const {
        return static_cast<uint16_t>((data_[pos] << 8) | data_[pos + 1]);
    }
    [[nodiscard]] unsigned char byte(std::size_t pos) const { return data_[pos]; }
    [[nodiscard]] const unsigned char* at(std::size_t pos) const { return data_ + pos; }

    // Reads the (possibly compressed) name at `pos` into `out` in normalized presentation form
    // and sets `next` to the byte after it where it starts. False when malformed.
    bool name(std::size_t pos, std::string& out, std::size_t& next) const {
        out.clear();
        bool jumped = false;
        for (int jumps = 0;;) {
            if (pos >= size_) {
                return false;
            }
            unsigned len = data_[pos];
            if ((len & 0xC0U) == 0xC0U) { // §4.1.4 pointer
                if (pos + 1 >= size_ || ++jumps > maxPointerJumps) {
                    return false;
                }
                if (!jumped) {
                    next = pos + 2;
                }
                jumped = true;
                pos = ((len & 0x3FU) << 8) | data_[pos + 1];
                continue;
            }
            if ((len & 0xC0U) != 0 || pos + 1 + len > size_) {
                return false; // extended label types are obsolete (RFC 6891 §5)
            }
            if (len == 0) {
                if (!jumped) {
                    next = pos + 1;
                }
                break;
            }
            appendLabel(out, data_ + pos + 1, len);
            if (out.size() > maxNameText) {
                return false;
            }
            pos += 1 + len;
        }
        if (!out.empty()) {
            out.pop_back(); // the trailing dot
        }
        return true;
    }

  private:
    // Lower-case label text, escaping the dot and unprintable bytes as in RFC 1035 §5.1.
    static void appendLabel(std::string& out, const unsigned char* label, unsigned len) {
        for (unsigned i = 0; i < len; ++i) {
            unsigned char c = label[i];
            if (c >= 'A' && c <= 'Z') {
                out += static_cast<char>(c - 'A' + 'a');
            } else if (c == '.' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c <= 0x20 || c >= 0x7f) {
                out += '\\'; // \DDD, three decimal digits
                out += static_cast<char>('0' + c / 100);
                out += static_cast<char>('0' + c / 10 % 10);
                out += static_cast<char>('0' + c % 10);
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '.';
    }

    const unsigned char* data_;
    std::size_t size_;
};

Unexpected malformed(const std::string& what) {
    return fail(ErrorKind::Protocol, "malformed DNS reply: " + what);
}

// Reads one resource record at `pos` and moves `pos` past it.
bool readRecord(const Reader& msg, std::size_t& pos, Record& rr) {
    std::size_t next = 0;
    if (!msg.name(pos, rr.owner, next) || next + 10 > msg.size()) {
        return false;
    }
    rr.type = msg.u16(next);
    rr.rclass = msg.u16(next + 2);
    rr.rdlength = msg.u16(next + 8);
    rr.rdata = next + 10;
    if (rr.rdata + rr.rdlength > msg.size()) {
        return false;
    }
    pos = rr.rdata + rr.rdlength;
    return true;
}

// TXT rdata (RFC 1035 §3.3.14): one or more <character-string>s, joined.
bool readTxt(const Reader& msg, const Record& rr, std::string& out) {
    std::size_t end = rr.rdata + rr.rdlength;
    for (std::size_t pos = rr.rdata; pos < end;) {
        std::size_t len = msg.byte(pos);
        if (pos + 1 + len > end) {
            return false;
        }
        out.append(reinterpret_cast<const char*>(msg.at(pos + 1)), len);
        pos += 1 + len;
    }
    return true;
}

// A/AAAA rdata as an address literal.
bool readAddress(const Reader& msg, const Record& rr, int family, std::string& out) {
    std::size_t want = family == AF_INET ? 4 : 16;
    char text[INET6_ADDRSTRLEN];
    if (rr.rdlength != want || inet_ntop(family, msg.at(rr.rdata), text, sizeof text) == nullptr) {
        return false;
    }
    out = text;
    return true;
}

// NS target or SOA MNAME: the name at the start of the rdata, which must lie inside it.
bool readRdataName(const Reader& msg, const Record& rr, std::string& out) {
    std::size_t next = 0;
    return msg.name(rr.rdata, out, next) && next <= rr.rdata + rr.rdlength;
}

// Adds the value of one record of the asked type to the answer.
bool takeRecord(const Reader& msg, const Record& rr, RecordType type, Answer& answer) {
    std::string value;
    switch (type) {
    case RecordType::TXT:
        return readTxt(msg, rr, answer.txt.emplace_back());
    case RecordType::A:
    case RecordType::AAAA:
        if (!readAddress(msg, rr, type == RecordType::A ? AF_INET : AF_INET6, value)) {
            return false;
        }
        answer.addresses.push_back(value);
        return true;
    case RecordType::NS:
    case RecordType::SOA:
        if (!readRdataName(msg, rr, value)) {
            return false;
        }
        answer.targets.push_back(value);
        return true;
    case RecordType::CNAME:
        return true; // CNAMEs are reported in the chain
    }
    return true;
}

// Orders the answer section's CNAMEs into the chain that starts at `name` (loops cut).
std::string buildChain(const std::vector<Record>& records, const Reader& msg,
                       const std::string& name, Answer& answer) {
    std::string current = name;
    std::set<std::string> seen{current};
    for (int links = 0; links < maxChainLinks; ++links) {
        const Record* link = nullptr;
        for (const auto& rr : records) {
            if (rr.type == typeCname && rr.rclass == classIn && rr.owner == current) {
                link = &rr;
                break;
            }
        }
        std::string target;
        if (link == nullptr || !readRdataName(msg, *link, target)) {
            break;
        }
        answer.cnames.emplace_back(current, target);
        if (!seen.insert(target).second) {
            break; // a loop: reported as it is, the caller sees the repeated name
        }
        current = target;
    }
    return current;
}

// Reads `count` records starting at `pos` into `out`.
bool readSection(const Reader& msg, std::size_t& pos, unsigned count, std::vector<Record>& out) {
    for (unsigned i = 0; i < count; ++i) {
        if (!readRecord(msg, pos, out.emplace_back())) {
            return false;
        }
    }
    return true;
}

} // namespace

uint16_t recordTypeCode(RecordType type) {
    switch (type) {
    case RecordType::A:
        return 1;
    case RecordType::NS:
        return 2;
    case RecordType::CNAME:
        return typeCname;
    case RecordType::SOA:
        return typeSoa;
    case RecordType::TXT:
        return 16;
    case RecordType::AAAA:
        return 28;
    }
    return 0;
}

std::string rcodeName(int rcode) {
    switch (rcode) {
    case 0:
        return "NOERROR";
    case 1:
        return "FORMERR";
    case 2:
        return "SERVFAIL";
    case 3:
        return "NXDOMAIN";
    case 4:
        return "NOTIMP";
    case 5:
        return "REFUSED";
    default:
        return "rcode " + std::to_string(rcode);
    }
}

std::string normalizeName(const std::string& name) {
    std::string out = name;
    if (!out.empty() && out.back() == '.') {
        out.pop_back();
    }
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

Result<Answer> parseReply(const unsigned char* data, std::size_t size, const std::string& name,
                          RecordType type) {
    Reader msg(data, size);
    if (size < headerSize) {
        return malformed("shorter than its header");
    }
    uint16_t flags = msg.u16(2);
    if ((flags & 0x8000U) == 0) {
        return malformed("not a response (QR bit clear)");
    }
    Answer answer;
    answer.rcode = static_cast<int>(flags & 0x000FU);
    answer.authoritative = (flags & 0x0400U) != 0;
    std::size_t pos = headerSize;
    std::string qname;
    for (unsigned i = 0, n = msg.u16(4); i < n; ++i) { // the echoed question(s)
        if (!msg.name(pos, qname, pos) || pos + 4 > size) {
            return malformed("question section cut short");
        }
        pos += 4;
    }
    std::vector<Record> answers;
    std::vector<Record> authority;
    if (!readSection(msg, pos, msg.u16(6), answers)) {
        return malformed("answer section cut short");
    }
    if (!readSection(msg, pos, msg.u16(8), authority)) {
        return malformed("authority section cut short");
    }
    std::string end = buildChain(answers, msg, normalizeName(name), answer);
    uint16_t code = recordTypeCode(type);
    for (const auto& rr : answers) {
        if (rr.rclass == classIn && rr.type == code && rr.owner == end &&
            !takeRecord(msg, rr, type, answer)) {
            return malformed(recordTypeName(type) + " record of " + end + " is invalid");
        }
    }
    for (const auto* section : {&answers, &authority}) {
        for (const auto& rr : *section) {
            if (answer.soaOwner.empty() && rr.type == typeSoa && rr.rclass == classIn) {
                answer.soaOwner = rr.owner;
            }
        }
    }
    return answer;
}

} // namespace certkeep::challenges::dns

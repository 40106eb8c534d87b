// dns-persist-01 records (draft-ietf-acme-dns-persist-01 §3.2, RFC 8659 §4 issue-value),
// parsed the way Boulder's va/dns_persist.go does. TXT values come from the network: every read
// is bounds-checked through string_view, and text quoted in messages is escaped and truncated.
#include "challenges/dns01/persist_record.hpp"

#include "common/rfc3339.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace certkeep::challenges::dns01 {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kLabel = "_validation-persist";
constexpr std::size_t kMaxDomain = 253;     // octets, without the trailing dot (RFC 1035 §2.3.4)
constexpr std::size_t kMaxLabel = 63;       // octets per label
constexpr std::size_t kMaxCharString = 255; // octets per TXT <character-string>
constexpr std::size_t kMaxReasons = 4;      // per error message, so it stays one readable line

// RFC 5234 WSP, the only whitespace RFC 8659 allows between the parts.
bool isWsp(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trimWsp(std::string_view s) {
    while (!s.empty() && isWsp(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isWsp(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// RFC 8659 §4 value = *(%x21-3A / %x3C-7E): no whitespace, ';', control or non-ASCII bytes.
bool isValueChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x21 && u <= 0x3A) || (u >= 0x3C && u <= 0x7E);
}

std::string lowerAscii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

// Network text for a one-line message: quoted, non-printable bytes as \xNN, cut at 80 bytes.
std::string quoted(std::string_view s) {
    constexpr std::size_t max = 80;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u < 0x20 || u >= 0x7F || u == '"' || u == '\\') {
            out += "\\x";
            out += hex[u >> 4U];
            out += hex[u & 0x0FU];
        } else {
            out += static_cast<char>(u);
        }
    }
    out += s.size() > max ? "\"..." : "\"";
    return out;
}

// LDH label rules (RFC 1123 §2.1): letters, digits, inner hyphens, 1-63 octets.
bool isLdhLabel(std::string_view label) {
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') {
        return false;
    }
    return std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// Draft §9.2 normalization for A-labels: lowercase, no trailing dot, at most 253 octets. A
// U-label is refused (Boulder converts it to an A-label; write the record with the A-label).
Result<std::string> normalizeIssuer(std::string_view raw) {
    std::string name = lowerAscii(raw);
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    if (name.empty()) {
        return fail(ErrorKind::Protocol, "empty issuer-domain-name");
    }
    if (name.size() > kMaxDomain) {
        return fail(ErrorKind::Protocol, "issuer-domain-name longer than 253 octets");
    }
    std::string_view rest = name;
    while (true) {
        const auto dot = rest.find('.');
        if (!isLdhLabel(rest.substr(0, dot))) {
            return fail(ErrorKind::Protocol, "issuer-domain-name " + quoted(raw) +
                                                 " is not a domain name in A-label form");
        }
        if (dot == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(dot + 1);
    }
    return name;
}

// A base-10 integer as Go's strconv.ParseInt reads it (optional sign, int64 range).
std::optional<std::int64_t> parseSeconds(std::string_view s) {
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
        if (!s.empty() && s.front() == '-') {
            return std::nullopt;
        }
    }
    std::int64_t value = 0;
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value, 10);
    if (s.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

// UNIX seconds as a time point, saturating where the nanosecond clock ends (years 1677, 2262;
// two days inside the low end, so calendar arithmetic on the result cannot overflow).
system_clock::time_point fromUnixSeconds(std::int64_t seconds) {
    using std::chrono::duration_cast;
    const auto maxSeconds = duration_cast<std::chrono::seconds>(system_clock::duration::max());
    const auto minSeconds =
        duration_cast<std::chrono::seconds>(system_clock::duration::min()) + std::chrono::hours(48);
    if (seconds >= maxSeconds.count()) {
        return system_clock::time_point::max();
    }
    return system_clock::time_point(std::chrono::seconds(std::max(seconds, minSeconds.count())));
}

std::int64_t toUnixSeconds(system_clock::time_point t) {
    return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

// Which known tags were seen: each may appear once (draft §3.2, "duplicate parameters").
struct SeenTags {
    bool accountUri = false;
    bool policy = false;
    bool persistUntil = false;
};

Status duplicate(bool& seen, std::string_view tag) {
    if (seen) {
        return fail(ErrorKind::Protocol, "duplicate parameter " + quoted(tag));
    }
    seen = true;
    return {};
}

// One `tag=value` parameter into `out`; unknown tags are ignored (draft §3.2 item 1).
Status applyParameter(std::string_view param, PersistRecord& out, SeenTags& seen) {
    param = trimWsp(param);
    if (param.empty()) {
        return fail(ErrorKind::Protocol, "empty parameter or trailing ';'");
    }
    const auto eq = param.find('=');
    if (eq == std::string_view::npos) {
        return fail(ErrorKind::Protocol, "parameter " + quoted(param) + " is not tag=value");
    }
    const std::string_view tag = trimWsp(param.substr(0, eq));
    const std::string_view value = trimWsp(param.substr(eq + 1));
    if (tag.empty()) {
        return fail(ErrorKind::Protocol, "parameter " + quoted(param) + " has an empty tag");
    }
    if (!std::all_of(value.begin(), value.end(), isValueChar)) {
        return fail(ErrorKind::Protocol, "value " + quoted(value) + " of " + quoted(tag) +
                                             " holds whitespace or control characters");
    }
    const std::string key = lowerAscii(tag); // tags are case-insensitive (RFC 8659 §4.2)
    if (key == "accounturi") {
        if (auto st = duplicate(seen.accountUri, tag); !st) {
            return st;
        }
        if (value.empty()) {
            return fail(ErrorKind::Protocol, "empty accounturi");
        }
        out.accountUri = std::string(value);
    } else if (key == "policy") {
        if (auto st = duplicate(seen.policy, tag); !st) {
            return st;
        }
        out.wildcard = lowerAscii(value) == "wildcard"; // other values: as if absent (§3.2)
    } else if (key == "persistuntil") {
        if (auto st = duplicate(seen.persistUntil, tag); !st) {
            return st;
        }
        const auto seconds = parseSeconds(value);
        if (!seconds) {
            return fail(ErrorKind::Protocol,
                        "persistUntil " + quoted(value) + " is not a UNIX time in seconds");
        }
        out.persistUntil = fromUnixSeconds(*seconds);
    }
    return {};
}

// Parses `txt` into `out`; out.issuerDomain is set as soon as the issuer part is valid, so a
// caller can tell which CA a malformed record was meant for.
Status parseInto(std::string_view txt, PersistRecord& out) {
    auto semi = txt.find(';');
    auto issuer = normalizeIssuer(trimWsp(txt.substr(0, semi)));
    if (!issuer) {
        return issuer.takeError();
    }
    out.issuerDomain = std::move(*issuer);
    SeenTags seen;
    while (semi != std::string_view::npos) {
        txt.remove_prefix(semi + 1);
        semi = txt.find(';');
        if (auto st = applyParameter(txt.substr(0, semi), out, seen); !st) {
            return st;
        }
    }
    if (!seen.accountUri) {
        return fail(ErrorKind::Protocol, "no accounturi parameter");
    }
    return {};
}

// Why `record` (for our issuer) does not authorize the request; ok when it does (Boulder's
// checkDNSPersistRecord: exact account, policy for wildcards, persistUntil not passed).
Status checkRecord(const PersistRecord& record, const std::string& accountUri, bool wildcard,
                   system_clock::time_point now) {
    if (record.accountUri != accountUri) {
        return fail(ErrorKind::Validation,
                    "accounturi is " + quoted(record.accountUri) + ", another account");
    }
    if (wildcard && !record.wildcard) {
        return fail(ErrorKind::Validation, "no policy=wildcard, needed for a wildcard name");
    }
    if (record.persistUntil && now > *record.persistUntil) {
        return fail(ErrorKind::Validation,
                    "persistUntil " + std::to_string(toUnixSeconds(*record.persistUntil)) + " (" +
                        formatRfc3339(*record.persistUntil) + ") has passed");
    }
    return {};
}

std::string joinCapped(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < kMaxReasons; ++i) {
        out += (i == 0 ? "" : separator) + items[i];
    }
    if (items.size() > kMaxReasons) {
        out += separator + std::to_string(items.size() - kMaxReasons) + " more";
    }
    return out;
}

// The error when no value authorizes: NotFound when none is for our issuers, else Validation.
Error noneAuthorizes(const std::vector<std::string>& wanted, std::size_t valueCount,
                     const std::vector<std::string>& otherIssuers,
                     const std::vector<std::string>& reasons, const std::string& accountUri) {
    const std::string issuers = joinCapped(wanted, ", ");
    if (!reasons.empty()) {
        return makeError(ErrorKind::Validation, "no dns-persist-01 record for " + issuers +
                                                    " authorizes account " + quoted(accountUri) +
                                                    ": " + joinCapped(reasons, "; "));
    }
    std::string seen = "no TXT value at the name";
    if (!otherIssuers.empty()) {
        seen = "records name only " + joinCapped(otherIssuers, ", ");
    } else if (valueCount > 0) {
        seen = std::to_string(valueCount) + " TXT value(s), none names an issuer";
    }
    return makeError(ErrorKind::NotFound, "no dns-persist-01 record for " + issuers + " (" + seen +
                                              "); add the record that `certkeep dns "
                                              "persist-record` prints");
}

} // namespace

std::string persistRecordName(const std::string& identifier) {
    std::string_view base = identifier;
    if (base.substr(0, 2) == "*.") {
        base.remove_prefix(2);
    }
    if (!base.empty() && base.back() == '.') {
        base.remove_suffix(1);
    }
    return base.empty() ? std::string(kLabel) : std::string(kLabel) + "." + lowerAscii(base);
}

Status validatePersistRecord(const PersistRecord& record) {
    if (auto issuer = normalizeIssuer(record.issuerDomain); !issuer) {
        return issuer.takeError();
    }
    if (record.accountUri.empty()) {
        return fail(ErrorKind::Protocol, "no account URI for the dns-persist-01 record");
    }
    if (!std::all_of(record.accountUri.begin(), record.accountUri.end(), isValueChar)) {
        return fail(ErrorKind::Protocol, "account URI " + quoted(record.accountUri) +
                                             " holds whitespace, ';' or control characters");
    }
    return {};
}

std::string formatPersistRecord(const PersistRecord& record) {
    auto issuer = normalizeIssuer(record.issuerDomain);
    std::string out = issuer ? *issuer : record.issuerDomain;
    out += "; accounturi=" + record.accountUri;
    if (record.wildcard) {
        out += "; policy=wildcard";
    }
    if (record.persistUntil) {
        out += "; persistUntil=" + std::to_string(toUnixSeconds(*record.persistUntil));
    }
    return out;
}

std::vector<std::string> splitTxtValue(const std::string& value) {
    std::vector<std::string> parts;
    for (std::size_t pos = 0; pos < value.size(); pos += kMaxCharString) {
        parts.push_back(value.substr(pos, kMaxCharString));
    }
    if (parts.empty()) {
        parts.emplace_back();
    }
    return parts;
}

std::string persistZoneEntry(const std::string& identifier, const std::string& value) {
    std::string line = persistRecordName(identifier) + ". IN TXT";
    for (const auto& part : splitTxtValue(value)) {
        line += " \"";
        for (char c : part) {
            if (c == '"' || c == '\\') {
                line += '\\';
            }
            line += c;
        }
        line += '"';
    }
    return line;
}

Result<PersistRecord> parsePersistRecord(const std::string& txt) {
    PersistRecord record;
    if (auto st = parseInto(txt, record); !st) {
        return std::move(st).error().context("dns-persist-01 TXT value " + quoted(txt));
    }
    return record;
}

Result<PersistRecord> findAuthorizingRecord(const std::vector<std::string>& txtValues,
                                            const std::vector<std::string>& issuerDomains,
                                            const std::string& accountUri, bool wildcard,
                                            std::chrono::system_clock::time_point now) {
    std::vector<std::string> wanted;
    for (const auto& domain : issuerDomains) {
        if (auto issuer = normalizeIssuer(domain)) {
            wanted.push_back(std::move(*issuer));
        }
    }
    if (wanted.empty()) {
        return fail(ErrorKind::Protocol, "the CA named no valid issuer domain name for "
                                         "dns-persist-01");
    }
    std::vector<std::string> otherIssuers;
    std::vector<std::string> reasons;
    for (const auto& txt : txtValues) {
        PersistRecord record;
        const Status parsed = parseInto(txt, record);
        if (record.issuerDomain.empty()) {
            continue; // no issuer at all: not a record for any CA
        }
        if (std::find(wanted.begin(), wanted.end(), record.issuerDomain) == wanted.end()) {
            if (std::find(otherIssuers.begin(), otherIssuers.end(), record.issuerDomain) ==
                otherIssuers.end()) {
                otherIssuers.push_back(record.issuerDomain);
            }
            continue;
        }
        const Status verdict = parsed ? checkRecord(record, accountUri, wildcard, now) : parsed;
        if (verdict) {
            return record;
        }
        reasons.push_back(quoted(txt) + ": " + verdict.error().message);
    }
    return noneAuthorizes(wanted, txtValues.size(), otherIssuers, reasons, accountUri);
}

} // namespace certkeep::challenges::dns01

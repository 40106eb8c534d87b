// `certkeep status`: the aligned table for people and the JSON document for scripts.
#include "report/status_text.hpp"

#include "report/format.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace certkeep::report {

namespace {

constexpr std::size_t kColumns = 10;
using Row = std::array<std::string, kColumns>;

const Row kHeader{"NAME",         "IDENTIFIERS",  "ISSUER", "NOT AFTER", "LEFT",
                  "NEXT RENEWAL", "LAST ATTEMPT", "RESULT", "FAILURES",  "DEPLOY"};

// Columns are as wide as their text is in characters (UTF-8 continuation bytes take no room).
std::size_t displayWidth(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// NEXT RENEWAL: when and why, or why nothing is planned.
std::string nextCell(const CertificateStatus& c) {
    if (!c.managed) {
        return "unmanaged (not in the config)";
    }
    if (!c.nextRenewal) {
        return c.nextReason.empty() ? "-" : c.nextReason;
    }
    std::string out = timeText(*c.nextRenewal);
    return c.nextReason.empty() ? out : out + " (" + c.nextReason + ")";
}

// One table row; every cell is a single line.
Row rowOf(const CertificateStatus& c, TimePoint now) {
    Row row{c.name,
            joined(c.identifiers, ","),
            c.issuer.empty() ? "-" : c.issuer,
            c.issued ? timeText(c.notAfter) : "-",
            c.issued ? humanDuration(timeLeft(c, now)) : "never issued",
            nextCell(c),
            timeOrDash(c.lastAttempt),
            c.lastResult.empty() ? "-" : c.lastResult,
            std::to_string(c.consecutiveFailures),
            c.deployPending ? "pending" : "-"};
    for (auto& cell : row) {
        cell = oneLine(cell);
    }
    return row;
}

// The indented lines under a row: the chain expiring first, the last errors.
std::string notesOf(const CertificateStatus& c) {
    std::string out;
    if (c.issued && expiryOf(c) < c.notAfter) {
        std::string who = c.chainEarliest.empty() ? "a chain certificate" : c.chainEarliest;
        out += "  chain: " + oneLine(who) + " expires " + timeText(expiryOf(c)) + "\n";
    }
    if (!c.lastError.empty()) {
        out += "  last error: " + oneLine(c.lastError) + "\n";
    }
    if (!c.deployError.empty()) {
        out += "  deploy error: " + oneLine(c.deployError) + "\n";
    }
    return out;
}

// The row padded to the column widths, two spaces apart, the last column unpadded.
std::string formatRow(const Row& row, const std::array<std::size_t, kColumns>& widths) {
    std::string line;
    for (std::size_t i = 0; i < kColumns; ++i) {
        line += row[i];
        if (i + 1 < kColumns) {
            line.append(widths[i] - displayWidth(row[i]) + 2, ' ');
        }
    }
    return line + "\n";
}

// An RFC 3339 string, or null.
nlohmann::ordered_json timeJson(const std::optional<TimePoint>& t) {
    return t ? nlohmann::ordered_json(timeText(*t)) : nlohmann::ordered_json(nullptr);
}

// One certificate as an object with the documented keys, in the documented order.
nlohmann::ordered_json objectOf(const CertificateStatus& c, TimePoint now) {
    auto issuedTime = [&](TimePoint t) {
        return timeJson(c.issued ? std::optional(t) : std::nullopt);
    };
    nlohmann::ordered_json o;
    o["name"] = c.name;
    o["identifiers"] = c.identifiers;
    o["managed"] = c.managed;
    o["issued"] = c.issued;
    o["version"] = c.version;
    o["issuer"] = c.issuer;
    o["serial"] = c.serial;
    o["not_before"] = issuedTime(c.notBefore);
    o["not_after"] = issuedTime(c.notAfter);
    o["chain_not_after"] = issuedTime(expiryOf(c));
    o["time_left_seconds"] = c.issued ? nlohmann::ordered_json(timeLeft(c, now).count()) : nullptr;
    o["health"] = healthName(healthOf(c, now));
    o["next_renewal"] = timeJson(c.nextRenewal);
    o["next_renewal_reason"] = c.nextReason;
    o["next_renewal_why"] = c.why;
    o["last_attempt"] = timeJson(c.lastAttempt);
    o["last_result"] = c.lastResult;
    o["last_success"] = timeJson(c.lastSuccess);
    o["consecutive_failures"] = c.consecutiveFailures;
    o["last_error"] = c.lastError;
    o["deploy_pending"] = c.deployPending;
    o["deploy_error"] = c.deployError;
    o["warn_before_seconds"] = c.warnBefore.count();
    o["crit_before_seconds"] = c.critBefore.count();
    return o;
}

} // namespace

std::string statusTable(const std::vector<CertificateStatus>& certificates, TimePoint now) {
    if (certificates.empty()) {
        return "no certificates\n";
    }
    std::vector<Row> rows;
    rows.reserve(certificates.size());
    std::array<std::size_t, kColumns> widths{};
    for (std::size_t i = 0; i < kColumns; ++i) {
        widths[i] = displayWidth(kHeader[i]);
    }
    for (const auto& c : certificates) {
        rows.push_back(rowOf(c, now));
        for (std::size_t i = 0; i < kColumns; ++i) {
            widths[i] = std::max(widths[i], displayWidth(rows.back()[i]));
        }
    }
    std::string out = formatRow(kHeader, widths);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += formatRow(rows[i], widths);
        out += notesOf(certificates[i]);
    }
    return out;
}

std::string statusJson(const std::vector<CertificateStatus>& certificates, TimePoint now) {
    auto doc = nlohmann::ordered_json::array();
    for (const auto& c : certificates) {
        doc.push_back(objectOf(c, now));
    }
    // Store and server text may hold invalid UTF-8: replaced (U+FFFD), never a throw.
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

} // namespace certkeep::report

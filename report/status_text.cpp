// `certkeep status`: the aligned table for people and the JSON document for scripts.
#include "report/status_text.hpp"

#include "report/format.hpp"
#include "report/json_writer.hpp"

#include <algorithm>
#include <array>

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
void timeValue(JsonWriter& w, const std::optional<TimePoint>& t) {
    if (t) {
        w.string(timeText(*t));
    } else {
        w.null();
    }
}

// One certificate as an object with the documented keys, in the documented order.
void writeObject(JsonWriter& w, const CertificateStatus& c, TimePoint now) {
    auto issuedTime = [&](TimePoint t) {
        timeValue(w, c.issued ? std::optional(t) : std::nullopt);
    };
    w.beginObject();
    w.key("name");
    w.string(c.name);
    w.key("identifiers");
    w.strings(c.identifiers);
    w.key("managed");
    w.boolean(c.managed);
    w.key("issued");
    w.boolean(c.issued);
    w.key("version");
    w.number(c.version);
    w.key("issuer");
    w.string(c.issuer);
    w.key("serial");
    w.string(c.serial);
    w.key("not_before");
    issuedTime(c.notBefore);
    w.key("not_after");
    issuedTime(c.notAfter);
    w.key("chain_not_after");
    issuedTime(expiryOf(c));
    w.key("time_left_seconds");
    if (c.issued) {
        w.number(timeLeft(c, now).count());
    } else {
        w.null();
    }
    w.key("health");
    w.string(healthName(healthOf(c, now)));
    w.key("next_renewal");
    timeValue(w, c.nextRenewal);
    w.key("next_renewal_reason");
    w.string(c.nextReason);
    w.key("next_renewal_why");
    w.string(c.why);
    w.key("last_attempt");
    timeValue(w, c.lastAttempt);
    w.key("last_result");
    w.string(c.lastResult);
    w.key("last_success");
    timeValue(w, c.lastSuccess);
    w.key("consecutive_failures");
    w.number(c.consecutiveFailures);
    w.key("last_error");
    w.string(c.lastError);
    w.key("deploy_pending");
    w.boolean(c.deployPending);
    w.key("deploy_error");
    w.string(c.deployError);
    w.key("warn_before_seconds");
    w.number(c.warnBefore.count());
    w.key("crit_before_seconds");
    w.number(c.critBefore.count());
    w.endObject();
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
    // Written as it goes (no DOM: 10,000 certificates are a few megabytes); invalid UTF-8 from
    // the store or a server becomes U+FFFD.
    std::string out;
    out.reserve(certificates.size() * 1200 + 4);
    JsonWriter w(out);
    w.beginArray();
    for (const auto& c : certificates) {
        writeObject(w, c, now);
    }
    w.endArray();
    out += '\n';
    return out;
}

} // namespace certkeep::report

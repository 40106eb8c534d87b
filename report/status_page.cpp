// The status page: one self-contained HTML5 document (inline CSS, no script, no external
// asset), a summary of the health counts, then one table row per certificate.
#include "report/status_page.hpp"

#include "report/format.hpp"
#include "report/html.hpp"

#include <algorithm>
#include <array>

namespace certkeep::report {

namespace {

namespace chr = std::chrono;

// Colours: ok green, warning amber, critical red, unknown grey.
constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}time{white-space:nowrap}"
    ".bar{width:8em;height:.7em;margin-bottom:.2em;background:#eee;border-radius:.35em;overflow:"
    "hidden}"
    ".fill{height:100%}"
    ".fill.ok{background:#2e7d32}.fill.warning{background:#f9a825}"
    ".fill.critical{background:#c62828}.fill.unknown{background:#9e9e9e}"
    ".state{font-weight:bold}tr.warning .state{color:#a66f00}tr.critical .state{color:#c62828}"
    "tr.ok .state{color:#2e7d32}tr.unknown .state{color:#666}"
    ".why,.generated{color:#666;font-size:.9em}.error{color:#c62828}"
    "td{overflow-wrap:anywhere}td.error,td.next{max-width:22em;font-size:.9em}";

// Appends a data cell with its class around already-escaped HTML.
void cell(std::string& out, const char* cls, const std::string& html) {
    out += "<td class=\"";
    out += cls;
    out += "\">";
    out += html;
    out += "</td>";
}

// A <time> element, or "-".
std::string timeHtml(const std::optional<TimePoint>& t) {
    if (!t) {
        return "-";
    }
    std::string text = timeText(*t);
    return "<time datetime=\"" + text + "\">" + text + "</time>";
}

// The share of the leaf's lifetime left, 0-100.
long long percentLeft(const CertificateStatus& c, TimePoint now) {
    long long lifetime = chr::floor<chr::seconds>(c.notAfter - c.notBefore).count();
    if (!c.issued || lifetime <= 0) {
        return 0;
    }
    long long left = timeLeft(c, now).count();
    return std::clamp(left * 100 / lifetime, 0LL, 100LL);
}

// Time left: the bar coloured by health, the duration and the state in words.
void leftCell(std::string& out, const CertificateStatus& c, TimePoint now,
              const std::string& health) {
    std::string html = "<div class=\"bar\" aria-hidden=\"true\"><div class=\"fill " + health;
    html += "\" style=\"width:" + std::to_string(percentLeft(c, now)) + "%\"></div></div>";
    html += c.issued ? escapeHtml(humanDuration(timeLeft(c, now))) : "never issued";
    html += " <span class=\"state\">" + health + "</span>";
    cell(out, "left", html);
}

// Next renewal: when, the reason and the sentence for people.
void nextCell(std::string& out, const CertificateStatus& c) {
    if (!c.managed) {
        cell(out, "next", "unmanaged (not in the config)");
        return;
    }
    std::string html = timeHtml(c.nextRenewal);
    if (!c.nextReason.empty()) {
        html += " (" + escapeHtml(c.nextReason) + ")";
    }
    if (!c.why.empty()) {
        html += "<div class=\"why\">" + escapeHtml(c.why) + "</div>";
    }
    cell(out, "next", html);
}

// Appends one <tr id="cert-NAME" class="HEALTH">.
void appendRow(std::string& out, const CertificateStatus& c, TimePoint now) {
    std::string health = healthName(healthOf(c, now));
    out += "<tr id=\"cert-" + escapeHtml(c.name) + "\" class=\"" + health + "\">";
    cell(out, "name", escapeHtml(c.name));
    cell(out, "identifiers", escapeHtml(joined(c.identifiers, ", ")));
    cell(out, "issuer", c.issuer.empty() ? "-" : escapeHtml(c.issuer));
    cell(out, "not-after", timeHtml(c.issued ? std::optional(c.notAfter) : std::nullopt));
    leftCell(out, c, now, health);
    nextCell(out, c);
    cell(out, "attempt", timeHtml(c.lastAttempt));
    cell(out, "result", c.lastResult.empty() ? "-" : escapeHtml(c.lastResult));
    cell(out, "failures", std::to_string(c.consecutiveFailures));
    cell(out, "error", escapeHtml(c.lastError));
    std::string deploy = c.deployPending ? "pending" : "-";
    if (!c.deployError.empty()) {
        deploy += "<div class=\"error\">" + escapeHtml(c.deployError) + "</div>";
    }
    cell(out, "deploy", deploy);
    out += "</tr>\n";
}

// "<n> critical, <n> warning, <n> unknown, <n> ok", each count with its health as class.
std::string summary(const std::vector<CertificateStatus>& certificates, TimePoint now) {
    std::array<int, 4> counts{};
    for (const auto& c : certificates) {
        ++counts[static_cast<std::size_t>(healthOf(c, now))];
    }
    std::string html =
        "<p class=\"summary\">" + std::to_string(certificates.size()) + " certificates: ";
    const std::array order{Health::Critical, Health::Warning, Health::Unknown, Health::Ok};
    for (std::size_t i = 0; i < order.size(); ++i) {
        std::string name = healthName(order[i]);
        html += i == 0 ? "" : ", ";
        html += "<span class=\"count " + name + "\">";
        html += std::to_string(counts[static_cast<std::size_t>(order[i])]) + " " + name;
        html += "</span>";
    }
    return html + "</p>\n";
}

constexpr const char* kTableHead =
    "<table>\n<thead><tr><th>Name</th><th>Identifiers</th><th>Issuer</th><th>Not after</th>"
    "<th>Time left</th><th>Next renewal</th><th>Last attempt</th><th>Result</th>"
    "<th>Failures</th><th>Last error</th><th>Deploy</th></tr></thead>\n<tbody>\n";

} // namespace

std::string statusPage(const std::vector<CertificateStatus>& certificates, TimePoint now,
                       const std::string& title) {
    std::string t = escapeHtml(title);
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>certkeep: " +
        t + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>certkeep: " + t +
        "</h1>\n<p class=\"generated\">Generated at " + timeHtml(std::optional(now)) + "</p>\n";
    if (certificates.empty()) {
        return out + "<p class=\"empty\">No certificates are managed yet.</p>\n</body>\n</html>\n";
    }
    out += summary(certificates, now);
    out += kTableHead;
    for (const auto& c : certificates) {
        appendRow(out, c, now);
    }
    return out + "</tbody>\n</table>\n</body>\n</html>\n";
}

} // namespace certkeep::report

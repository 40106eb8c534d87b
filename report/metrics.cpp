// The Prometheus text exposition format 0.0.4: families sorted by name, each with one # HELP
// and one # TYPE, no series twice, so that `promtool check metrics` accepts it.
#include "report/metrics.hpp"

#include "common/counters.hpp"
#include "report/format.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace certkeep::report {

namespace {

struct Family {
    std::string type; // "gauge" or "counter"
    std::string help;
    std::map<std::string, std::string> series; // series key -> value text
};
using Families = std::map<std::string, Family>;

struct Help {
    std::string_view name;
    std::string_view text;
};

// HELP of the counter and gauge families other parts of certkeep persist.
constexpr Help kKnownHelp[] = {
    {"certkeep_renewals_total", "Renewal attempts by certificate and result"},
    {"certkeep_acme_requests_total", "ACME requests by endpoint and HTTP status"},
    {"certkeep_acme_problems_total", "ACME problem documents received by type"},
    {"certkeep_hook_runs_total", "Hook runs by hook and result"},
    {"certkeep_renew_runs_total", "Renew runs by result"},
    {"certkeep_renew_check_last_success_timestamp_seconds",
     "Time of the last renew check that completed, in seconds since the epoch"},
};

std::string helpOf(const std::string& name, std::string_view generic) {
    for (const auto& known : kKnownHelp) {
        if (known.name == name) {
            return std::string(known.text);
        }
    }
    return std::string(generic);
}

// Adds one series to its family (created on first use). The first value of a series wins, and
// a series whose family already has another type is dropped: no duplicates, one TYPE each.
void addSeries(Families& families, const std::string& name, const char* type,
               const std::string& help, std::string key, const std::string& value) {
    auto it = families.find(name);
    if (it == families.end()) {
        it = families.emplace(name, Family{type, help, {}}).first;
    }
    if (it->second.type == type) {
        it->second.series.try_emplace(std::move(key), value);
    }
}

// A series key from the store is exported only when well formed: a valid metric name, then
// nothing or a `{...}` label set on one line.
bool wellFormedKey(const std::string& key) {
    std::string name = seriesName(key);
    auto nameChar = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
               (!first && c >= '0' && c <= '9');
    };
    if (name.empty() || !nameChar(name[0], true)) {
        return false;
    }
    for (char c : name) {
        if (!nameChar(c, false)) {
            return false;
        }
    }
    std::string_view rest = std::string_view(key).substr(name.size());
    return (rest.empty() || (rest.size() >= 2 && rest.front() == '{' && rest.back() == '}')) &&
           rest.find('\n') == std::string_view::npos;
}

// A sample value Prometheus parses: integers exactly, NaN and infinities by name.
std::string numberText(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
        return std::to_string(static_cast<long long>(v));
    }
    char buf[32];
    auto result = std::to_chars(buf, buf + sizeof buf, v); // shortest exact form
    return std::string(buf, result.ptr);
}

// Gauges of one certificate, keyed by `name`, as listed in metrics.hpp.
void addCertificate(Families& f, const CertificateStatus& c) {
    const std::string labels = seriesKey("", {{"name", c.name}});
    auto gauge = [&](const char* family, const char* help, const std::string& value) {
        addSeries(f, family, "gauge", help, family + labels, value);
    };
    auto stamp = [](TimePoint t) { return std::to_string(epochSeconds(t)); };
    gauge("certkeep_renewal_consecutive_failures",
          "Renewal attempts failed in a row since the last success",
          std::to_string(c.consecutiveFailures));
    if (c.lastAttempt) {
        gauge("certkeep_renewal_last_attempt_timestamp_seconds",
              "Time of the last renewal attempt, in seconds since the epoch",
              stamp(*c.lastAttempt));
    }
    if (!c.issued) {
        return;
    }
    if (c.lastSuccess) {
        gauge("certkeep_renewal_last_success_timestamp_seconds",
              "Time of the last successful renewal, in seconds since the epoch",
              stamp(*c.lastSuccess));
    }
    gauge("certkeep_certificate_not_after_timestamp_seconds",
          "Expiry (notAfter) of the live certificate, in seconds since the epoch",
          stamp(c.notAfter));
    gauge("certkeep_certificate_not_before_timestamp_seconds",
          "Start of validity (notBefore) of the live certificate, in seconds since the epoch",
          stamp(c.notBefore));
    gauge("certkeep_chain_not_after_timestamp_seconds",
          "Earliest notAfter of the live certificate and its chain, in seconds since the epoch",
          stamp(expiryOf(c)));
    if (c.nextRenewal) {
        gauge("certkeep_certificate_renewal_due_timestamp_seconds",
              "Next time renew acts on the certificate (due, ARI window or backoff), in seconds "
              "since the epoch",
              stamp(*c.nextRenewal));
    }
    gauge("certkeep_certificate_warn_threshold_seconds",
          "Time left before expiry at which the certificate is in warning",
          std::to_string(c.warnBefore.count()));
    gauge("certkeep_certificate_crit_threshold_seconds",
          "Time left before expiry at which the certificate is critical",
          std::to_string(c.critBefore.count()));
    gauge("certkeep_certificate_deploy_pending",
          "1 while the live certificate still waits for its deployment",
          c.deployPending ? "1" : "0");
}

// The managed certificates' series and their count.
void addCertificates(Families& f, const std::vector<CertificateStatus>* certificates) {
    long long managed = 0;
    if (certificates != nullptr) {
        for (const auto& c : *certificates) {
            if (c.managed) {
                ++managed;
                addCertificate(f, c);
            }
        }
    }
    addSeries(f, "certkeep_certificates", "gauge", "Certificates certkeep manages",
              "certkeep_certificates", std::to_string(managed));
}

// The persisted counters and the gauges given, grouped into families by metric name.
void addGiven(Families& f, const MetricsInput& input) {
    if (input.counters != nullptr) {
        for (const auto& [key, value] : *input.counters) {
            if (wellFormedKey(key)) {
                std::string name = seriesName(key);
                addSeries(f, name, "counter", helpOf(name, "A certkeep counter"), key,
                          std::to_string(value));
            }
        }
    }
    if (input.gauges != nullptr) {
        for (const auto& [key, value] : *input.gauges) {
            if (wellFormedKey(key)) {
                std::string name = seriesName(key);
                addSeries(f, name, "gauge", helpOf(name, "A certkeep gauge"), key,
                          numberText(value));
            }
        }
    }
}

// HELP text escapes a backslash and a newline (text format 0.0.4).
std::string escapeHelp(const std::string& help) {
    std::string out;
    for (char c : help) {
        out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
    }
    return out;
}

} // namespace

std::string metricsText(const MetricsInput& input) {
    Families families;
    addCertificates(families, input.certificates);
    addGiven(families, input);
    addSeries(families, "certkeep_build_info", "gauge",
              "certkeep build information: the version, always 1",
              seriesKey("certkeep_build_info", {{"version", input.version}}), "1");
    std::string out;
    for (const auto& [name, family] : families) {
        out += "# HELP " + name + " " + escapeHelp(family.help) + "\n";
        out += "# TYPE " + name + " " + family.type + "\n";
        for (const auto& [key, value] : family.series) {
            out += key;
            out += ' ';
            out += value;
            out += '\n';
        }
    }
    return out;
}

} // namespace certkeep::report

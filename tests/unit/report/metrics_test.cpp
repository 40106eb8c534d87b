// The Prometheus exposition: the structure promtool checks, and the values Prometheus reads.
#include "report/metrics.hpp"
#include "report_fixture.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>

using namespace certkeep::report;
using namespace certkeep::report::testing;

namespace {

struct Parsed {
    std::vector<std::string> families;          // in the order of their # TYPE
    std::map<std::string, std::string> types;   // family -> type
    std::map<std::string, std::string> help;    // family -> help
    std::map<std::string, std::string> samples; // series -> value
    std::vector<std::string> problems;          // anything promtool would refuse
};

// Reads the text the way the 0.0.4 parser does and notes what it would refuse.
Parsed parse(const std::string& text) {
    Parsed p;
    std::istringstream in(text);
    std::string current;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
            std::string rest = line.substr(7);
            std::string name = rest.substr(0, rest.find(' '));
            std::string value = rest.substr(name.size() + 1);
            auto& slot = line[2] == 'H' ? p.help : p.types;
            if (!slot.emplace(name, value).second) {
                p.problems.push_back("second " + line.substr(0, 6) + " for " + name);
            }
            if (line[2] == 'T') {
                p.families.push_back(name);
                current = name;
            }
            continue;
        }
        auto space = line.rfind(' ');
        std::string series = line.substr(0, space);
        if (series.substr(0, series.find('{')) != current) {
            p.problems.push_back("sample outside its family: " + line);
        }
        if (!p.samples.emplace(series, line.substr(space + 1)).second) {
            p.problems.push_back("duplicate series: " + series);
        }
    }
    return p;
}

std::string epoch(TimePoint t) {
    return std::to_string(chr::duration_cast<chr::seconds>(t.time_since_epoch()).count());
}

} // namespace

TEST_CASE("metricsText exports the documented series of a managed certificate", "[report]") {
    std::vector<CertificateStatus> certs{issued("example.com", chr::days(60))};
    certs[0].chainNotAfter = kNow + chr::days(50);
    certs[0].deployPending = true;
    auto p = parse(metricsText({&certs, nullptr, nullptr, "1.2.3"}));
    REQUIRE(p.problems.empty());
    const std::string l = "{name=\"example.com\"}";
    CHECK(p.samples["certkeep_certificate_not_after_timestamp_seconds" + l] ==
          epoch(certs[0].notAfter));
    CHECK(p.samples["certkeep_certificate_not_before_timestamp_seconds" + l] ==
          epoch(certs[0].notBefore));
    CHECK(p.samples["certkeep_chain_not_after_timestamp_seconds" + l] ==
          epoch(kNow + chr::days(50)));
    CHECK(p.samples["certkeep_certificate_renewal_due_timestamp_seconds" + l] ==
          epoch(*certs[0].nextRenewal));
    CHECK(p.samples["certkeep_renewal_last_attempt_timestamp_seconds" + l] ==
          epoch(*certs[0].lastAttempt));
    CHECK(p.samples["certkeep_renewal_last_success_timestamp_seconds" + l] ==
          epoch(*certs[0].lastSuccess));
    CHECK(p.samples["certkeep_renewal_consecutive_failures" + l] == "0");
    CHECK(p.samples["certkeep_certificate_warn_threshold_seconds" + l] == "2592000");
    CHECK(p.samples["certkeep_certificate_crit_threshold_seconds" + l] == "864000");
    CHECK(p.samples["certkeep_certificate_deploy_pending" + l] == "1");
    CHECK(p.samples["certkeep_certificates"] == "1");
    CHECK(p.samples["certkeep_build_info{version=\"1.2.3\"}"] == "1");
    CHECK(p.types["certkeep_certificate_not_after_timestamp_seconds"] == "gauge");
}

TEST_CASE("metricsText has one HELP and one TYPE per family, sorted by name", "[report]") {
    std::vector<CertificateStatus> certs{issued("a.test", chr::days(60)),
                                         issued("b.test", chr::days(5)), neverIssued("c.test")};
    std::map<std::string, std::uint64_t> counters{
        {"certkeep_renewals_total{name=\"a.test\",result=\"success\"}", 4},
        {"certkeep_renewals_total{name=\"b.test\",result=\"failure\"}", 2},
        {"certkeep_hook_runs_total{hook=\"deploy\",result=\"ok\"}", 1}};
    std::map<std::string, double> gauges{
        {"certkeep_renew_check_last_success_timestamp_seconds", 1.7645e9}};
    auto text = metricsText({&certs, &counters, &gauges, "0.1.0"});
    auto p = parse(text);
    INFO(text);
    CHECK(p.problems.empty());
    CHECK(std::is_sorted(p.families.begin(), p.families.end()));
    CHECK(p.families.size() == p.help.size());
    CHECK(p.types["certkeep_renewals_total"] == "counter");
    CHECK(p.help["certkeep_renewals_total"] == "Renewal attempts by certificate and result");
    CHECK(p.types["certkeep_hook_runs_total"] == "counter");
    CHECK(p.samples["certkeep_renewals_total{name=\"b.test\",result=\"failure\"}"] == "2");
    CHECK(p.types["certkeep_renew_check_last_success_timestamp_seconds"] == "gauge");
    CHECK(p.samples["certkeep_renew_check_last_success_timestamp_seconds"] == "1764500000");
    CHECK(p.types.count("certkeep_acme_requests_total") == 0); // no series, no family
    CHECK(text.back() == '\n');
}

TEST_CASE("metricsText exports managed certificates only", "[report]") {
    auto failing = neverIssued("new.test");
    failing.lastAttempt = kNow - chr::minutes(5);
    failing.consecutiveFailures = 3;
    auto stale = issued("gone.test", chr::days(60));
    stale.managed = false;
    std::vector<CertificateStatus> certs{failing, stale};
    auto p = parse(metricsText({&certs, nullptr, nullptr, "0.1.0"}));
    REQUIRE(p.problems.empty());
    CHECK(p.samples["certkeep_renewal_consecutive_failures{name=\"new.test\"}"] == "3");
    CHECK(p.samples["certkeep_renewal_last_attempt_timestamp_seconds{name=\"new.test\"}"] ==
          epoch(kNow - chr::minutes(5)));
    CHECK(p.samples["certkeep_certificates"] == "1");
    for (const auto& [series, value] : p.samples) {
        INFO(series);
        CHECK(series.find("gone.test") == std::string::npos);
        CHECK(series.find("certkeep_certificate_not_after") == std::string::npos);
    }
}

TEST_CASE("metricsText escapes label values", "[report]") {
    std::vector<CertificateStatus> certs{issued("we\"ird\\na\nme", chr::days(60))};
    auto text = metricsText({&certs, nullptr, nullptr, "1.0\"x"});
    CHECK(text.find(
              "certkeep_certificate_not_after_timestamp_seconds{name=\"we\\\"ird\\\\na\\nme\"} ") !=
          std::string::npos);
    CHECK(text.find("certkeep_build_info{version=\"1.0\\\"x\"} 1\n") != std::string::npos);
    CHECK(parse(text).problems.empty());
}

TEST_CASE("metricsText writes no series twice and drops malformed keys", "[report]") {
    std::vector<CertificateStatus> certs{issued("a.test", chr::days(60)),
                                         issued("a.test", chr::days(1))};
    std::map<std::string, std::uint64_t> counters{
        {"certkeep_certificates", 9}, // a gauge family of its own: dropped
        {"bad name{x=\"y\"}", 1},
        {"1abc_total", 1}, // not metric names
        {"certkeep_x_total{broken", 1},
        {"", 1},
        {"certkeep_renew_runs_total{result=\"success\"}", 7}};
    std::map<std::string, double> gauges{
        {"certkeep_certificates", 5}, {"certkeep_ratio", 0.25}, {"certkeep_inf", 1.0 / 0.0}};
    auto text = metricsText({&certs, &counters, &gauges, "0.1.0"});
    auto p = parse(text);
    INFO(text);
    CHECK(p.problems.empty());
    CHECK(p.samples["certkeep_certificates"] == "2");
    CHECK(p.samples["certkeep_renewal_consecutive_failures{name=\"a.test\"}"] == "0");
    CHECK(p.samples["certkeep_certificate_not_after_timestamp_seconds{name=\"a.test\"}"] ==
          epoch(kNow + chr::days(60)));
    CHECK(p.samples["certkeep_renew_runs_total{result=\"success\"}"] == "7");
    CHECK(p.help["certkeep_renew_runs_total"] == "Renew runs by result");
    CHECK(p.samples["certkeep_ratio"] == "0.25");
    CHECK(p.samples["certkeep_inf"] == "+Inf");
    CHECK(text.find("bad name") == std::string::npos);
    CHECK(text.find("1abc") == std::string::npos);
    CHECK(text.find("broken") == std::string::npos);
}

TEST_CASE("metricsText of nothing still says which build runs", "[report]") {
    auto p = parse(metricsText({nullptr, nullptr, nullptr, "0.1.0"}));
    CHECK(p.problems.empty());
    CHECK(p.samples ==
          std::map<std::string, std::string>{{"certkeep_build_info{version=\"0.1.0\"}", "1"},
                                             {"certkeep_certificates", "0"}});
}

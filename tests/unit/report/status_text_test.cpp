// `certkeep status`: the table people read and the JSON scripts parse.
#include "common/rfc3339.hpp"
#include "report/status_text.hpp"
#include "report_fixture.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace certkeep::report;
using namespace certkeep::report::testing;

namespace {

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::vector<CertificateStatus> mixed() {
    auto failing = issued("shop.example", chr::days(20) + chr::hours(5));
    failing.lastResult = "failure";
    failing.lastAttempt = kNow - chr::hours(1);
    failing.consecutiveFailures = 2;
    failing.lastError = "urn:ietf:params:acme:error:rateLimited: too many certificates";
    failing.nextRenewal = kNow + chr::hours(3);
    failing.nextReason = "backoff";
    auto stale = issued("old.example", chr::days(80));
    stale.managed = false;
    return {issued("example.com", chr::days(60)), failing, neverIssued("new.example"), stale};
}

} // namespace

TEST_CASE("statusTable aligns every column under its header", "[report]") {
    auto lines = linesOf(statusTable(mixed(), kNow));
    REQUIRE(lines.size() == 6); // header, 4 rows, one error line
    for (const char* column : {"IDENTIFIERS", "ISSUER", "NOT AFTER", "LEFT", "NEXT RENEWAL",
                               "LAST ATTEMPT", "RESULT", "FAILURES", "DEPLOY"}) {
        INFO(column);
        auto at = lines[0].find(column);
        REQUIRE(at != std::string::npos);
        for (std::size_t i : {1, 2, 4, 5}) {
            INFO(lines[i]);
            CHECK(lines[i][at - 1] == ' ');
            CHECK(lines[i][at - 2] == ' ');
            CHECK(lines[i][at] != ' ');
        }
    }
    CHECK(lines[1].find("example.com,www.example.com") != std::string::npos);
    CHECK(lines[1].back() != ' ');
}

TEST_CASE("statusTable shows the state of each certificate in words", "[report]") {
    auto lines = linesOf(statusTable(mixed(), kNow));
    CHECK(lines[1].find("2027-01-26T12:00:00Z") != std::string::npos); // not after
    CHECK(lines[1].find("60d ") != std::string::npos);
    CHECK(lines[2].find("20d5h") != std::string::npos);
    CHECK(lines[2].find("2026-11-27T15:00:00Z (backoff)") != std::string::npos);
    CHECK(lines[2].find("failure") != std::string::npos);
    CHECK(lines[3] == "  last error: urn:ietf:params:acme:error:rateLimited: too many "
                      "certificates");
    CHECK(lines[4].find("never issued") != std::string::npos);
    CHECK(lines[4].find("(never-issued)") != std::string::npos);
    CHECK(lines[5].find("unmanaged (not in the config)") != std::string::npos);
}

TEST_CASE("statusTable shows a never-issued certificate without times", "[report]") {
    auto lines = linesOf(statusTable({neverIssued("new.example")}, kNow));
    REQUIRE(lines.size() == 2);
    std::istringstream cells(lines[1]);
    std::vector<std::string> words;
    for (std::string w; cells >> w;) {
        words.push_back(w);
    }
    // NAME IDENTIFIERS ISSUER NOT-AFTER LEFT(2 words) NEXT(2 words) ATTEMPT RESULT FAILURES DEPLOY
    REQUIRE(words.size() == 12);
    CHECK(words[2] == "-");
    CHECK(words[3] == "-");
    CHECK(words[4] + " " + words[5] == "never issued");
    CHECK(words[8] == "-");
    CHECK(words[11] == "-");
}

TEST_CASE("statusTable marks a pending deploy and keeps server text on one line", "[report]") {
    auto c = issued("a.test", chr::days(40));
    c.deployPending = true;
    c.deployError = "nginx answered\nwith the old certificate";
    c.lastError = "bad\x1b[31mred\r\nline";
    auto text = statusTable({c}, kNow);
    auto lines = linesOf(text);
    REQUIRE(lines.size() == 4);
    CHECK(lines[1].size() > 7);
    CHECK(lines[1].substr(lines[1].size() - 7) == "pending");
    CHECK(lines[2] == "  last error: bad [31mred  line");
    CHECK(lines[3] == "  deploy error: nginx answered with the old certificate");
    CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("statusTable names an intermediate that expires first", "[report]") {
    auto c = issued("a.test", chr::days(40));
    c.chainNotAfter = kNow + chr::days(5);
    c.chainEarliest = "Old CA";
    auto lines = linesOf(statusTable({c}, kNow));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].find("5d ") != std::string::npos);
    CHECK(lines[2] == "  chain: Old CA expires 2026-12-02T12:00:00Z");
}

TEST_CASE("statusTable says when there is nothing", "[report]") {
    CHECK(statusTable({}, kNow) == "no certificates\n");
}

TEST_CASE("statusJson has the documented keys and RFC 3339 times", "[report]") {
    auto text = statusJson({issued("example.com", chr::days(60))}, kNow);
    CHECK(text.back() == '\n');
    CHECK(text.find("\n  {\n    \"name\": \"example.com\",") != std::string::npos);
    auto doc = nlohmann::json::parse(text);
    REQUIRE(doc.is_array());
    REQUIRE(doc.size() == 1);
    std::set<std::string> keys;
    for (const auto& item : doc[0].items()) {
        keys.insert(item.key());
    }
    CHECK(keys == std::set<std::string>{"name",
                                        "identifiers",
                                        "managed",
                                        "issued",
                                        "version",
                                        "issuer",
                                        "serial",
                                        "not_before",
                                        "not_after",
                                        "chain_not_after",
                                        "time_left_seconds",
                                        "health",
                                        "next_renewal",
                                        "next_renewal_reason",
                                        "next_renewal_why",
                                        "last_attempt",
                                        "last_result",
                                        "last_success",
                                        "consecutive_failures",
                                        "last_error",
                                        "deploy_pending",
                                        "deploy_error",
                                        "warn_before_seconds",
                                        "crit_before_seconds"});
    const auto& c = doc[0];
    for (const char* key : {"not_before", "not_after", "chain_not_after", "next_renewal",
                            "last_attempt", "last_success"}) {
        INFO(key);
        REQUIRE(c[key].is_string());
        CHECK(certkeep::parseRfc3339(c[key].get<std::string>()).has_value());
    }
    CHECK(c["not_after"] == "2027-01-26T12:00:00Z");
    CHECK(c["time_left_seconds"] == 60 * 86400);
    CHECK(c["health"] == "ok");
    CHECK(c["identifiers"] == nlohmann::json{"example.com", "www.example.com"});
    CHECK(c["warn_before_seconds"] == 30 * 86400);
}

TEST_CASE("statusJson gives nulls for the times of a never-issued certificate", "[report]") {
    auto doc = nlohmann::json::parse(statusJson({neverIssued("new.example")}, kNow));
    REQUIRE(doc.size() == 1);
    const auto& c = doc[0];
    for (const char* key : {"not_before", "not_after", "chain_not_after", "time_left_seconds",
                            "last_attempt", "last_success"}) {
        INFO(key);
        CHECK(c[key].is_null());
    }
    CHECK(c["issued"] == false);
    CHECK(c["health"] == "unknown");
    CHECK(c["next_renewal"] == "2026-11-27T12:00:00Z");
}

TEST_CASE("statusJson keeps the order, the health and survives invalid UTF-8", "[report]") {
    auto list = mixed();
    list[1].lastError = "bad byte \xff here";
    auto doc = nlohmann::json::parse(statusJson(list, kNow));
    REQUIRE(doc.size() == 4);
    CHECK(doc[0]["name"] == "example.com");
    CHECK(doc[1]["health"] == "warning");
    CHECK(doc[1]["consecutive_failures"] == 2);
    CHECK(doc[1]["last_error"] == "bad byte \xef\xbf\xbd here");
    CHECK(doc[3]["managed"] == false);
    CHECK(statusJson({}, kNow) == "[]\n");
}

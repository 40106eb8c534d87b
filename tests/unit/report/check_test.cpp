// `certkeep check`: Nagios exit codes, the summary line with perfdata and the detail lines.
#include "report/check.hpp"
#include "report_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::report;
using namespace certkeep::report::testing;

namespace {

// A target whose leaf (and optional intermediate) has the given time left; warn 14d, crit 7d.
CheckTarget target(const std::string& label, chr::seconds leafLeft,
                   std::optional<chr::seconds> intermediateLeft = std::nullopt) {
    CheckTarget t;
    t.label = label;
    t.chain.push_back({label, kNow - chr::days(60), kNow + leafLeft});
    if (intermediateLeft) {
        t.chain.push_back(
            {"Example Intermediate", kNow - chr::days(900), kNow + *intermediateLeft});
    }
    t.warnBefore = chr::days(14);
    t.critBefore = chr::days(7);
    return t;
}

CheckTarget unreadable(const std::string& label) {
    CheckTarget t;
    t.label = label;
    t.problem = "cannot read " + label + ": Permission denied";
    return t;
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

} // namespace

TEST_CASE("check is OK when every certificate has time left", "[report]") {
    auto out =
        evaluateCheck({target("a.test", chr::days(60)), target("b.test", chr::days(30))}, kNow);
    CHECK(out.exitCode == 0);
    CHECK(out.output == "CERTKEEP OK - 0 critical, 0 warning, 0 unknown, 2 ok | "
                        "'a.test'=5184000s;1209600:;604800:;; "
                        "'b.test'=2592000s;1209600:;604800:;;\n");
}

TEST_CASE("check warns about an intermediate that expires first", "[report]") {
    auto out = evaluateCheck({target("example.com:443", chr::days(60), chr::days(10))}, kNow);
    CHECK(out.exitCode == 1);
    CHECK(out.output == "CERTKEEP WARNING - 0 critical, 1 warning, 0 unknown, 0 ok | "
                        "'example.com:443'=864000s;1209600:;604800:;;\n"
                        "WARNING: example.com:443: intermediate \"Example Intermediate\" expires "
                        "in 10d (2026-12-07T12:00:00Z)\n");
}

TEST_CASE("check is CRITICAL for an expired leaf, not UNKNOWN", "[report]") {
    auto out = evaluateCheck({target("/etc/ssl/old.pem", -(chr::days(2) + chr::hours(3)))}, kNow);
    CHECK(out.exitCode == 2);
    CHECK(firstLine(out.output) == "CERTKEEP CRITICAL - 1 critical, 0 warning, 0 unknown, 0 ok | "
                                   "'/etc/ssl/old.pem'=-183600s;1209600:;604800:;;");
    CHECK(out.output.find("\nCRITICAL: /etc/ssl/old.pem expired 2d3h ago "
                          "(2026-11-25T09:00:00Z)\n") != std::string::npos);
}

TEST_CASE("check is UNKNOWN for an unreadable target and for no target", "[report]") {
    auto out = evaluateCheck({target("a.test", chr::days(60)), unreadable("/x.pem")}, kNow);
    CHECK(out.exitCode == 3);
    CHECK(out.output == "CERTKEEP UNKNOWN - 0 critical, 0 warning, 1 unknown, 1 ok | "
                        "'a.test'=5184000s;1209600:;604800:;;\n"
                        "UNKNOWN: /x.pem: cannot read /x.pem: Permission denied\n");
    auto none = evaluateCheck({}, kNow);
    CHECK(none.exitCode == 3);
    CHECK(none.output.rfind("CERTKEEP UNKNOWN", 0) == 0);
}

TEST_CASE("check ranks CRITICAL over UNKNOWN over WARNING and lists the worst first", "[report]") {
    auto out = evaluateCheck({target("w.test", chr::days(10)), unreadable("u.pem"),
                              target("ok.test", chr::days(90)), target("c.test", chr::days(3))},
                             kNow);
    CHECK(out.exitCode == 2);
    CHECK(firstLine(out.output)
              .rfind("CERTKEEP CRITICAL - 1 critical, 1 warning, 1 unknown, 1 ok | ", 0) == 0);
    auto c = out.output.find("\nCRITICAL: c.test expires in 3d");
    auto u = out.output.find("\nUNKNOWN: u.pem");
    auto w = out.output.find("\nWARNING: w.test expires in 10d");
    CHECK(c != std::string::npos);
    CHECK(u != std::string::npos);
    CHECK(w != std::string::npos);
    CHECK((c < u && u < w));
    CHECK(out.output.find("ok.test expires") == std::string::npos);
    CHECK(evaluateCheck({target("w.test", chr::days(10)), unreadable("u.pem")}, kNow).exitCode ==
          3);
}

TEST_CASE("check applies the thresholds inclusively", "[report]") {
    CHECK(evaluateCheck({target("a", chr::days(14) + chr::seconds(1))}, kNow).exitCode == 0);
    CHECK(evaluateCheck({target("a", chr::days(14))}, kNow).exitCode == 1);
    CHECK(evaluateCheck({target("a", chr::days(7))}, kNow).exitCode == 2);
}

TEST_CASE("check quotes perfdata labels and keeps output lines whole", "[report]") {
    auto out = evaluateCheck({target("it's=a|b\nc", chr::days(3))}, kNow);
    CHECK(out.exitCode == 2);
    CHECK(out.output.find("| 'it''s_a/b c'=259200s;1209600:;604800:;;\n") != std::string::npos);
    CHECK(out.output.find("\nCRITICAL: it's=a/b c expires in 3d (") != std::string::npos);
    CHECK(std::count(out.output.begin(), out.output.end(), '|') == 1);
}

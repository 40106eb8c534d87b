// `certkeep check` speaks only Nagios plugin codes: a bad command line is UNKNOWN (3) with the
// verdict on stdout, wherever the error is found; other commands keep exit code 2.
#include "cli/console.hpp"
#include "cli/run.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace certkeep::cli;

namespace {

struct Ran {
    int code;
    std::string out;
    std::string err;
};

Ran runWith(const std::vector<const char*>& args) {
    std::vector<const char*> argv{"certkeep"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::ostringstream out;
    std::ostringstream err;
    Console console{out, err};
    int code = run(static_cast<int>(argv.size()), argv.data(), console);
    return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("check: bad command lines are Nagios UNKNOWN with the verdict on stdout",
          "[cli][check]") {
    for (const auto& args : std::vector<std::vector<const char*>>{
             {"check", "--no-such-option"},                      // refused by the option parser
             {"--state-dir", "/nonexistent", "check", "--warn"}, // a value missing
             {"check", "--deploy-hook", "/bin/true"},            // another command's option
             {"check", "extra-word"},                            // an operand it does not take
             {"check", "--warn", "soon"},                        // a threshold that does not parse
             {"check", "--warn", "7d", "--crit", "14d"},         // CRITICAL before WARNING
             {"check", "--warn", "10%", "--crit", "20%"},
             {"check", "--endpoint", "no-port"},
             {"check", "--timeout", "0s", "--file", "/nonexistent"}}) {
        auto r = runWith(args);
        INFO(args.back());
        CHECK(r.code == 3);
        CHECK(r.out.rfind("CERTKEEP UNKNOWN - ", 0) == 0);
    }
}

TEST_CASE("check: other commands keep exit code 2 for usage errors", "[cli][check]") {
    auto r = runWith({"status", "--no-such-option"});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("--no-such-option") != std::string::npos);
    // "check" as a value of another command's option does not make it the check command.
    r = runWith({"renew", "--name", "check", "--no-such-option"});
    CHECK(r.code == 2);
    // config check is not check.
    r = runWith({"config", "check", "--no-such-option"});
    CHECK(r.code == 2);
}

TEST_CASE("check: a missing file is UNKNOWN, checked without a store", "[cli][check]") {
    auto r = runWith({"check", "--file", "/nonexistent/cert.pem"});
    CHECK(r.code == 3);
    CHECK(r.out.rfind("CERTKEEP UNKNOWN - 0 critical, 0 warning, 1 unknown, 0 ok", 0) == 0);
    CHECK(r.out.find("/nonexistent/cert.pem") != std::string::npos);
}

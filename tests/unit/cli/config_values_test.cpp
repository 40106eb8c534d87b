// Config values: each check reports the key's value with its line and column and a message
// that says what to change.
#include "config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::cli::config;
using namespace certkeep::cli::config::test;
using Catch::Matchers::Contains;

namespace {

struct Case {
    std::string line;    // one "key = value" line of a [[certificate]]
    std::string expects; // a part of the message
};

// Each case's line, put third in a certificate, gives one problem at its value.
void checkCases(ConfigDir& dir, const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO(c.line);
        Problem p = onlyProblem(dir, certWith(c.line));
        CHECK(p.line == 3);
        CHECK(p.column == valueColumn(c.line));
        CHECK_THAT(p.message, Contains(c.expects));
    }
}

// The same lines are accepted: the config has no problem at all.
void checkAccepted(ConfigDir& dir, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        auto problems = problemsOf(dir, certWith(line));
        INFO(line << "\n" << listed(problems));
        CHECK(problems.empty());
    }
}

} // namespace

TEST_CASE("config: server must be an alias or an https URL", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"server = \"http://ca.example/directory\"", "https only"},
                     {"server = \"ca.example\"", "is not a URL"},
                     {"server = \"\"", "server is empty"},
                     {"server = 443", "server must be a string"}});
    checkAccepted(dir, {"server = \"letsencrypt-staging\"",
                        "server = \"https://ca.internal.example:9000/acme/acme/directory\""});
}

TEST_CASE("config: ca-bundle must be an absolute PEM file", "[config]") {
    ConfigDir dir;
    std::string garbage = dir.write("garbage.pem", "not a certificate\n");
    checkCases(dir, {{"ca-bundle = \"/nonexistent/ca.pem\"", "/nonexistent/ca.pem does not exist"},
                     {"ca-bundle = \"ca.pem\"", "give an absolute path"},
                     {"ca-bundle = \"" + garbage + "\"", "no readable PEM certificate"}});
    checkAccepted(dir, {"ca-bundle = \"" + dir.caBundle() + "\""});
}

TEST_CASE("config: key-type and the account key type are checked by name", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"key-type = \"ec-p999\"", "unknown key type \"ec-p999\""}});
    Problem p = onlyProblem(dir, "account-key-type = \"es999\"\n");
    CHECK(p.line == 1);
    CHECK(p.column == 20);
    CHECK_THAT(p.message, Contains("es256, es384 or rs256"));
}

TEST_CASE("config: http-listen parses and refuses port 0", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"http-listen = \"somewhere\"", "invalid listen address"},
                     {"http-listen = \":0\"", "port 0"}});
    checkAccepted(dir, {"http-listen = \":80\"", "http-listen = \"[::1]:5002\""});
}

TEST_CASE("config: webroot must be an existing absolute directory", "[config]") {
    ConfigDir dir;
    std::string file = dir.write("file.txt", "x");
    checkCases(dir, {{"webroot = \"/nonexistent/www\"", "does not exist"},
                     {"webroot = \"www\"", "absolute path"},
                     {"webroot = \"" + file + "\"", "is not a directory"}});
    checkAccepted(dir, {"webroot = \"" + dir.makeDir("www") + "\""});
}

TEST_CASE("config: http-listen and webroot exclude each other", "[config]") {
    ConfigDir dir;
    std::string www = dir.makeDir("www");
    Problem p = onlyProblem(dir, certWith("http-listen = \":80\"\nwebroot = \"" + www + "\""));
    CHECK(p.line == 4); // the later of the two
    CHECK(p.column == 11);
    CHECK_THAT(p.message, Contains("exclude each other"));
}

TEST_CASE("config: verify is HOST:PORT", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"verify = \"www.example.com\"", "has no port"},
                     {"verify = \"www.example.com:0\"", "1 to 65535"},
                     {"verify = \"www.example.com:65536\"", "1 to 65535"},
                     {"verify = \":443\"", "HOST:PORT"},
                     {"verify = \"2001:db8::1:443\"", "in brackets"},
                     {"verify = \"[www.example.com]:443\"", "only an IPv6 address"}});
    checkAccepted(dir, {"verify = \"www.example.com:443\"", "verify = \"127.0.0.1:8443\"",
                        "verify = \"[2001:db8::1]:443\""});
}

TEST_CASE("config: renew-before, warn and crit use the schedule's parsers", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"renew-before = \"whenever\"", "renew-before"},
                     {"warn = \"soon\"", "warn: "},
                     {"crit = \"soon\"", "crit: "}});
    checkAccepted(dir, {"renew-before = \"1/3\"", "renew-before = \"12h\"", "warn = \"20%\"",
                        "crit = \"2d\""});
}

TEST_CASE("config: key-mode must keep a private key private", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"key-mode = \"0644\"", "every user"},
                     {"key-mode = \"0604\"", "every user"},
                     {"key-mode = \"0750\"", "execute"},
                     {"key-mode = \"4600\"", "special bits"},
                     {"key-mode = \"0660\"", "group replace"},
                     {"key-mode = \"0040\"", "owner read"},
                     {"key-mode = \"rw-r-----\"", "not an octal mode"},
                     {"key-mode = 640", "decimal"},
                     {"key-mode = 0o644", "every user"}});
    checkAccepted(dir, {"key-mode = \"0600\"", "key-mode = \"0640\"", "key-mode = \"0440\"",
                        "key-mode = \"640\"", "key-mode = 0o640"});
}

TEST_CASE("config: key-group must exist", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"key-group = \"certkeep-no-such-group\"", "no group"},
                     {"key-group = \"99999999999999999999999\"", "no group"}});
    checkAccepted(dir, {"key-group = \"" + ownGroup() + "\""});
}

TEST_CASE("config: keep-versions is a whole number of at least 1", "[config]") {
    ConfigDir dir;
    checkCases(dir, {{"keep-versions = 0", "at least 1"},
                     {"keep-versions = -3", "at least 1"},
                     {"keep-versions = \"10\"", "whole number"},
                     {"keep-versions = 2.5", "whole number"}});
    checkAccepted(dir, {"keep-versions = 1"});
}

TEST_CASE("config: booleans and strings have their types", "[config]") {
    ConfigDir dir;
    checkCases(
        dir, {{"reuse-key = \"yes\"", "true or false"},
              {"profile = [\"tlsserver\"]", "must be a string such as \"tlsserver\", not an array"},
              {"preferred-chain = \"\"", "is empty"}});
    Problem p = onlyProblem(dir, "agree-tos = 1\n");
    CHECK(p.line == 1);
    CHECK(p.column == 13);
    CHECK_THAT(p.message, Contains("agree-tos must be true or false"));
}

TEST_CASE("config: the EAB key file is a trusted secret beside eab-kid", "[config]") {
    ConfigDir dir;
    std::string open = dir.write("open.key", "c2VjcmV0\n", 0644);
    std::string writable = dir.write("writable.key", "c2VjcmV0\n", 0602);
    std::string empty = dir.write("empty.key", "\n", 0600);
    std::string key = dir.eabKey();
    auto eab = [](const std::string& file) {
        return "eab-kid = \"kid-1\"\neab-hmac-key-file = \"" + file + "\"";
    };
    for (const auto& [file, expects] : std::vector<std::pair<std::string, std::string>>{
             {open, "readable by other users"},
             {writable, "writable by other users"},
             {empty, "is empty"},
             {"/nonexistent/eab.key", "does not exist"}}) {
        INFO(file);
        Problem p = onlyProblem(dir, certWith(eab(file)));
        CHECK(p.line == 4);
        CHECK(p.column == 21);
        CHECK_THAT(p.message, Contains(expects));
        CHECK_THAT(p.message, !Contains("c2VjcmV0")); // the secret never shows
    }
    CHECK(problemsOf(dir, certWith(eab(key))).empty());

    Problem kidAlone = onlyProblem(dir, certWith("eab-kid = \"kid-1\""));
    CHECK(kidAlone.line == 3);
    CHECK(kidAlone.column == 11);
    CHECK_THAT(kidAlone.message, Contains("eab-kid needs eab-hmac-key-file"));
    Problem fileAlone = onlyProblem(dir, "eab-hmac-key-file = \"" + key + "\"\n");
    CHECK(fileAlone.line == 1);
    CHECK(fileAlone.column == 21);
    CHECK_THAT(fileAlone.message, Contains("needs eab-kid"));
}

TEST_CASE("config: top-level email, state-dir", "[config]") {
    ConfigDir dir;
    Problem email = onlyProblem(dir, "email = \"ops.example.com\"\n");
    CHECK(email.line == 1);
    CHECK(email.column == 9);
    CHECK_THAT(email.message, Contains("exactly one '@'"));
    Problem state = onlyProblem(dir, "\nstate-dir = \"var/lib/certkeep\"\n");
    CHECK(state.line == 2);
    CHECK(state.column == 13);
    CHECK_THAT(state.message, Contains("absolute path"));
}

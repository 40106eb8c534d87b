// The config's DNS-01 and TLS-ALPN-01 keys: checked where they stand, one challenge per level,
// DNS details inherited key by key, and wildcards accepted only with dns.
#include "cli/config/config.hpp"
#include "config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::cli::config;
using namespace certkeep::cli::config::test;
using Catch::Matchers::Contains;

namespace {

const char* const kTsigKey = "key \"certkeep\" {\n\talgorithm hmac-sha256;\n"
                             "\tsecret \"q1o2W6xcy9kB3XuW6iJ1rN8kO1uo9HbKZ7kDZlBd5wc=\";\n};\n";

} // namespace

TEST_CASE("config: a wildcard with dns at the top level is accepted, details inherited",
          "[config][dns]") {
    ConfigDir dir;
    std::string key = dir.write("tsig.key", kTsigKey, 0600);
    ConfigFile config;
    auto problems =
        problemsOf(dir,
                   "dns = \"rfc2136\"\ndns-server = \"127.0.0.1:53\"\n"
                   "tsig-key-file = \"" +
                       key +
                       "\"\ndns-resolver = \"127.0.0.1\"\n"
                       "[[certificate]]\ndomains = [\"example.test\", \"*.example.test\"]\n"
                       "dns-timeout = \"30s\"\n",
                   &config);
    INFO(listed(problems));
    REQUIRE(problems.empty());
    Settings eff = effective(config, config.certificates.front());
    CHECK(eff.dns == "rfc2136");
    CHECK(eff.dnsServer == "127.0.0.1:53");
    CHECK(eff.tsigKeyFile == key);
    CHECK(eff.dnsResolver == "127.0.0.1");
    CHECK(eff.dnsTimeout == "30s");
}

TEST_CASE("config: a certificate choosing HTTP-01 drops the top level's dns but keeps details",
          "[config][dns]") {
    ConfigDir dir;
    ConfigFile config;
    auto problems = problemsOf(dir,
                               "dns = \"exec\"\ndns-exec = \"/bin/true\"\n"
                               "[[certificate]]\ndomains = [\"a.example\"]\n"
                               "http-listen = \":8080\"\n",
                               &config);
    INFO(listed(problems));
    REQUIRE(problems.empty());
    Settings eff = effective(config, config.certificates.front());
    CHECK_FALSE(eff.dns.has_value());
    CHECK(eff.httpListen == ":8080");
}

TEST_CASE("config: wildcards without dns, two challenges at once and bad DNS values are named",
          "[config][dns]") {
    ConfigDir dir;
    Problem wildcard = onlyProblem(dir, "[[certificate]]\ndomains = [\"*.a.example\"]\n"
                                        "tls-alpn-listen = \":443\"\n");
    CHECK(wildcard.line == 2);
    CHECK_THAT(wildcard.message, Contains("wildcards need the dns-01 challenge"));
    Problem both = onlyProblem(dir, certWith("webroot = \"/\"\ndns = \"pdns\""));
    CHECK(both.line == 4);
    CHECK_THAT(both.message, Contains("webroot and dns exclude each other"));
    CHECK_THAT(onlyProblem(dir, certWith("dns-propagation = \"sometimes\"")).message,
               Contains("authoritative"));
    CHECK_THAT(onlyProblem(dir, certWith("dns-server = \"ns1.example\"")).message,
               Contains("ns1.example"));
    CHECK_THAT(onlyProblem(dir, certWith("dns-exec = \"dns-hook\"")).message,
               Contains("absolute path"));
    std::string open = dir.write("open.key", kTsigKey, 0666);
    CHECK_THAT(onlyProblem(dir, certWith("tsig-key-file = \"" + open + "\"")).message,
               Contains("writable by"));
    std::string bad =
        dir.write("bad.key", "key \"k\" { algorithm hmac-md5; secret \"YQ==\"; };", 0600);
    CHECK_THAT(onlyProblem(dir, certWith("tsig-key-file = \"" + bad + "\"")).message,
               Contains("hmac-md5"));
}

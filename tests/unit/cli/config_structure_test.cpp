// Config structure: unknown keys with suggestions, [[certificate]] tables, domains, names,
// hooks as argument vectors, and every problem reported at once.
#include "cli/config/suggest.hpp"
#include "config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::cli::config;
using namespace certkeep::cli::config::test;
using Catch::Matchers::Contains;

TEST_CASE("config: did you mean picks the closest key within reach", "[config]") {
    std::vector<std::string> keys{"server", "key-type", "renew-before", "domains"};
    CHECK(editDistance("sever", "server") == 1);
    CHECK(editDistance("", "abc") == 3);
    CHECK(closestMatch("sever", keys) == "server");
    CHECK(closestMatch("key_type", keys) == "key-type");
    CHECK(closestMatch("Renew_Befor", keys) == "renew-before");
    CHECK(closestMatch("domain", keys) == "domains");
    CHECK(closestMatch("colour", keys).empty());
    CHECK(didYouMean("zzz", keys).empty());
    CHECK(didYouMean("sever", keys) == " (did you mean \"server\"?)");
}

TEST_CASE("config: unknown keys at every level, with a suggestion", "[config]") {
    ConfigDir dir;
    Problem top = onlyProblem(dir, "sever = \"letsencrypt\"\n");
    CHECK(top.line == 1);
    CHECK(top.column == 1);
    CHECK(top.message == "unknown key \"sever\" (did you mean \"server\"?)");

    Problem cert = onlyProblem(dir, certWith("  key_type = \"ec-p384\""));
    CHECK(cert.line == 3);
    CHECK(cert.column == 3);
    CHECK_THAT(cert.message, Contains("in [[certificate]] (did you mean \"key-type\"?)"));

    Problem event = onlyProblem(dir, certWith("hooks.deplyo = [[\"true\"]]"));
    CHECK(event.line == 3);
    CHECK(event.column == 7);
    CHECK_THAT(event.message, Contains("unknown hook event \"deplyo\" (did you mean \"deploy\"?)"));
    CHECK_THAT(event.message, Contains("pre, deploy, post, failure or alert"));

    Problem none = onlyProblem(dir, "colour = \"blue\"\n");
    CHECK(none.message == "unknown key \"colour\"");
}

TEST_CASE("config: keys in the wrong place say where they belong", "[config]") {
    ConfigDir dir;
    Problem domains = onlyProblem(dir, "domains = [\"a.example\"]\n");
    CHECK(domains.line == 1);
    CHECK_THAT(domains.message, Contains("belongs in a [[certificate]] table"));
    Problem email = onlyProblem(dir, certWith("email = \"ops@example.com\""));
    CHECK(email.line == 3);
    CHECK(email.column == 1);
    CHECK_THAT(email.message, Contains("account setting: set it at the top level"));
    Problem dns = onlyProblem(dir, certWith("dns = \"cloudflare\""));
    CHECK(dns.line == 3);
    CHECK_THAT(dns.message,
               Contains("unknown DNS provider \"cloudflare\": use rfc2136, exec or pdns"));
    Problem single = onlyProblem(dir, "[certificate]\ndomains = [\"a.example\"]\n");
    CHECK(single.line == 1);
    CHECK_THAT(single.message, Contains("[[certificate]] (double brackets)"));
}

TEST_CASE("config: domains are required, checked one by one, without wildcards", "[config]") {
    ConfigDir dir;
    Problem missing = onlyProblem(dir, "\n[[certificate]]\nname = \"x\"\n");
    CHECK(missing.line == 2);
    CHECK(missing.column == 1);
    CHECK_THAT(missing.message, Contains("has no domains"));

    Problem empty = onlyProblem(dir, "[[certificate]]\ndomains = []\n");
    CHECK(empty.line == 2);
    CHECK(empty.column == 11);
    CHECK_THAT(empty.message, Contains("domains is empty"));

    Problem text = onlyProblem(dir, "[[certificate]]\ndomains = \"a.example\"\n");
    CHECK_THAT(text.message, Contains("write domains = [\"a.example\"]"));

    Problem wildcard =
        onlyProblem(dir, "[[certificate]]\ndomains = [\"a.example\", \"*.b.example\"]\n");
    CHECK(wildcard.line == 2);
    CHECK(wildcard.column == 25);
    CHECK_THAT(wildcard.message, Contains("wildcard *.b.example cannot be validated with HTTP-01 "
                                          "or TLS-ALPN-01: wildcards need the dns-01 challenge"));

    auto bad = problemsOf(dir, "[[certificate]]\ndomains = [\"a..example\", 7]\n");
    REQUIRE(bad.size() == 2);
    CHECK(bad[0].column == 12);
    CHECK_THAT(bad[0].message, Contains("invalid domain \"a..example\""));
    CHECK(bad[1].column == 26);
    CHECK_THAT(bad[1].message, Contains("must be a string, not an integer"));

    std::string many = "[[certificate]]\ndomains = [";
    for (int i = 0; i < 101; ++i) {
        many += "\"h" + std::to_string(i) + ".example\", ";
    }
    Problem tooMany = onlyProblem(dir, many + "]\n");
    CHECK(tooMany.line == 2);
    CHECK_THAT(tooMany.message, Contains("too many domains"));
}

TEST_CASE("config: names are valid and unique, given or derived", "[config]") {
    ConfigDir dir;
    Problem invalid = onlyProblem(dir, certWith("name = \"my cert\""));
    CHECK(invalid.line == 3);
    CHECK(invalid.column == 8);
    CHECK_THAT(invalid.message, Contains("not a valid certificate name"));

    Problem given =
        onlyProblem(dir, "[[certificate]]\nname = \"web\"\ndomains = [\"a.example\"]\n"
                         "[[certificate]]\nname = \"web\"\ndomains = [\"b.example\"]\n");
    CHECK(given.line == 5);
    CHECK(given.column == 8);
    CHECK_THAT(given.message, Contains("\"web\" is already used by the [[certificate]] at line 1"));

    // The second derives "a.example" from its first domain, the name the first one gave itself.
    Problem derived = onlyProblem(dir, "[[certificate]]\nname = \"a.example\"\ndomains = "
                                       "[\"x.example\"]\n[[certificate]]\ndomains = "
                                       "[\"A.example.\", \"c.example\"]\n");
    CHECK(derived.line == 5);
    CHECK(derived.column == 11);
    CHECK_THAT(derived.message, Contains("derived from its first domain, is already used by the "
                                         "[[certificate]] at line 1"));
}

TEST_CASE("config: hooks are argument vectors, never shell strings", "[config]") {
    ConfigDir dir;
    Problem shell = onlyProblem(dir, certWith("hooks.deploy = \"systemctl reload nginx\""));
    CHECK(shell.line == 3);
    CHECK(shell.column == 16);
    CHECK_THAT(shell.message, Contains("shell string"));
    CHECK_THAT(shell.message, Contains("[\"systemctl\", \"reload\", \"nginx\"]"));

    Problem flat =
        onlyProblem(dir, certWith("hooks.deploy = [\"systemctl\", \"reload\", \"nginx\"]"));
    CHECK(flat.column == 16);
    CHECK_THAT(flat.message, Contains("double brackets"));

    Problem spaced = onlyProblem(dir, certWith("hooks.post = [[\"systemctl reload nginx\"]]"));
    CHECK(spaced.column == 16);
    CHECK_THAT(spaced.message, Contains("has spaces"));

    Problem relative = onlyProblem(dir, certWith("hooks.post = [[\"bin/reload\"]]"));
    CHECK_THAT(relative.message, Contains("relative path"));

    Problem emptyArg = onlyProblem(dir, certWith("hooks.pre = [[\"/bin/x\", \"\"]]"));
    CHECK(emptyArg.column == 25);
    CHECK_THAT(emptyArg.message, Contains("empty argument"));

    Problem emptyCommand = onlyProblem(dir, certWith("hooks.failure = [[]]"));
    CHECK(emptyCommand.column == 18);
    CHECK_THAT(emptyCommand.message, Contains("empty command"));

    Problem table = onlyProblem(dir, "hooks = \"systemctl reload nginx\"\n");
    CHECK(table.line == 1);
    CHECK_THAT(table.message, Contains("without a shell"));

    ConfigFile config;
    auto ok = problemsOf(
        dir, "[hooks]\nalert = [[\"/usr/local/bin/page\", \"certkeep\"], [\"logger\"]]\n", &config);
    INFO(listed(ok));
    CHECK(ok.empty());
    using Argv = std::vector<std::string>;
    CHECK(config.defaults.hooks["alert"] ==
          std::vector<Argv>{{"/usr/local/bin/page", "certkeep"}, {"logger"}});
}

TEST_CASE("config: every problem is reported, in file order", "[config]") {
    ConfigDir dir;
    auto problems = problemsOf(dir, "sever = \"x\"\n"
                                    "[[certificate]]\n"
                                    "domains = [\"*.a.example\"]\n"
                                    "key-type = \"dsa\"\n"
                                    "[[certificate]]\n"
                                    "domains = [\"b.example\"]\n"
                                    "keep-versions = 0\n");
    INFO(listed(problems));
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].line == 1);
    CHECK(problems[1].line == 3);
    CHECK(problems[2].line == 4);
    CHECK(problems[3].line == 7);
}

TEST_CASE("config: TOML syntax errors carry their line and column", "[config]") {
    ConfigDir dir;
    Problem unterminated =
        onlyProblem(dir, "server = \"letsencrypt\"\nemail = \"ops@example.com\n");
    CHECK(unterminated.line == 2);
    CHECK(unterminated.column > 0);
    CHECK_FALSE(unterminated.message.empty());

    Problem twice = onlyProblem(dir, "email = \"a@example.com\"\nemail = \"b@example.com\"\n");
    CHECK(twice.line == 2);
    CHECK(twice.column == 9); // toml++ points at the second value
    CHECK_THAT(twice.message, Contains("email"));
}

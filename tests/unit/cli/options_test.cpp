// Command-line parsing: global options anywhere, commands, conflicts, EAB from the environment.
#include "cli/options.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

using namespace certkeep::cli;

namespace {

const char* const kEnv = "CERTKEEP_EAB_HMAC_KEY";

Invocation parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"certkeep"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parseCommandLine(static_cast<int>(argv.size()), argv.data());
}

// Unsets CERTKEEP_EAB_HMAC_KEY for the test and restores it afterwards.
struct EnvGuard {
    std::string saved;
    bool had = false;
    EnvGuard() {
        if (const char* v = std::getenv(kEnv)) {
            saved = v;
            had = true;
        }
        unsetenv(kEnv);
    }
    ~EnvGuard() {
        if (had) {
            setenv(kEnv, saved.c_str(), 1);
        } else {
            unsetenv(kEnv);
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
};

std::string usageMessage(std::initializer_list<const char*> args) {
    try {
        parse(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "<no UsageError>";
}

} // namespace

TEST_CASE("issue with repeated -d and global options before and after the command",
          "[cli][options]") {
    EnvGuard env;
    auto inv = parse({"--server",
                      "https://acme.test/directory",
                      "--email",
                      "ops@example.com",
                      "issue",
                      "-d",
                      "a.example.com",
                      "--agree-tos",
                      "-d",
                      "b.example.com",
                      "--domain",
                      "c.example.com",
                      "--state-dir",
                      "/tmp/state",
                      "--key-type",
                      "rsa2048",
                      "--webroot",
                      "/var/www",
                      "--preferred-chain",
                      "Root X1"});

    CHECK(inv.command == Command::Issue);
    CHECK(inv.global.server == "https://acme.test/directory");
    CHECK(inv.global.email == "ops@example.com");
    CHECK(inv.global.agreeTos);
    CHECK(inv.global.stateDir == "/tmp/state");
    CHECK(inv.issue.domains ==
          std::vector<std::string>{"a.example.com", "b.example.com", "c.example.com"});
    CHECK(inv.issue.keyType == "rsa2048");
    CHECK(inv.issue.webroot == "/var/www");
    CHECK(inv.issue.httpListen.empty());
    CHECK(inv.issue.preferredChain == "Root X1");
}

TEST_CASE("defaults: letsencrypt production, es256, ec-p256, not verbose", "[cli][options]") {
    EnvGuard env;
    auto inv = parse({"issue", "-d", "a.example.com"});

    CHECK(inv.global.server == "https://acme-v02.api.letsencrypt.org/directory");
    CHECK(inv.global.accountKeyType == "es256");
    CHECK(inv.issue.keyType == "ec-p256");
    CHECK(inv.global.verbose == 0);
    CHECK_FALSE(inv.global.agreeTos);
    CHECK(inv.global.eabKid.empty());
    CHECK(inv.global.eabHmacKey.empty());
}

TEST_CASE("verbose output is turned on by -v and --verbose", "[cli][options]") {
    EnvGuard env;
    CHECK(parse({"-v", "issue", "-d", "a.example.com"}).global.verbose == 1);
    CHECK(parse({"issue", "-d", "a.example.com", "--verbose"}).global.verbose == 1);
}

TEST_CASE("letsencrypt aliases resolve to directory URLs", "[cli][options]") {
    EnvGuard env;
    CHECK(parse({"--server", "letsencrypt", "account", "show"}).global.server ==
          "https://acme-v02.api.letsencrypt.org/directory");
    CHECK(parse({"account", "show", "--server=letsencrypt-staging"}).global.server ==
          "https://acme-staging-v02.api.letsencrypt.org/directory");
    CHECK(resolveServer("https://ca.example/dir") == "https://ca.example/dir");
    CHECK_THROWS_AS(parse({"--server", "pebble", "account", "show"}), UsageError);
}

TEST_CASE("account subcommands", "[cli][options]") {
    EnvGuard env;
    CHECK(parse({"account", "register", "--agree-tos"}).command == Command::AccountRegister);
    CHECK(parse({"account", "show"}).command == Command::AccountShow);
    CHECK_THROWS_AS(parse({"account"}), UsageError);
    CHECK_THROWS_AS(parse({"account", "delete"}), UsageError);
    CHECK_THROWS_AS(parse({"account", "show", "extra"}), UsageError);
}

TEST_CASE("account refuses issue options", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"account", "register", "-d", "a.example.com"}),
               Catch::Contains("--domain"));
    CHECK_THAT(usageMessage({"account", "show", "--webroot", "/var/www"}),
               Catch::Contains("--webroot"));
    CHECK_THAT(usageMessage({"account", "show", "--key-type", "rsa2048"}),
               Catch::Contains("--key-type"));
}

TEST_CASE("options --http-listen and --webroot exclude each other", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"issue", "-d", "a.example.com", "--http-listen", ":8080", "--webroot",
                             "/var/www"}),
               Catch::Contains("--webroot"));
    CHECK(parse({"issue", "-d", "a.example.com", "--http-listen", ":8080"}).issue.httpListen ==
          ":8080");
}

TEST_CASE("unknown commands, options and stray words are usage errors", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"renew"}), Catch::Contains("renew"));
    CHECK_THAT(usageMessage({"issue", "-d", "a.example.com", "--no-such-option"}),
               Catch::Contains("no-such-option"));
    CHECK_THAT(usageMessage({"issue", "a.example.com"}), Catch::Contains("a.example.com"));
    CHECK_THROWS_AS(parse({}), UsageError);
    CHECK_THROWS_AS(parse({"issue", "--server"}), UsageError);
    CHECK_THROWS_AS(parse({"issue", "-d"}), UsageError);
}

TEST_CASE("help and version options need no command", "[cli][options]") {
    EnvGuard env;
    auto help = parse({"--help"});
    CHECK(help.command == Command::Help);
    CHECK_THAT(help.helpText, Catch::Contains("--eab-hmac-key"));
    CHECK(parse({"--version"}).command == Command::Version);
}

TEST_CASE("EAB needs both the key id and the HMAC key", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"--eab-kid", "kid-1", "account", "register"}),
               Catch::Contains("--eab-hmac-key"));
    CHECK_THROWS_AS(parse({"--eab-hmac-key", "c2VjcmV0", "account", "register"}), UsageError);

    auto inv = parse({"--eab-kid", "kid-1", "--eab-hmac-key", "c2VjcmV0", "account", "register"});
    CHECK(inv.global.eabKid == "kid-1");
    CHECK(inv.global.eabHmacKey == "c2VjcmV0");
}

TEST_CASE("the EAB HMAC key may come from CERTKEEP_EAB_HMAC_KEY", "[cli][options]") {
    EnvGuard env;
    setenv(kEnv, "ZW52LXNlY3JldA", 1);

    auto inv = parse({"--eab-kid", "kid-1", "account", "register"});
    CHECK(inv.global.eabKid == "kid-1");
    CHECK(inv.global.eabHmacKey == "ZW52LXNlY3JldA");

    // The command line wins over the environment.
    auto explicitKey =
        parse({"--eab-kid", "kid-1", "--eab-hmac-key", "Y2xp", "account", "register"});
    CHECK(explicitKey.global.eabHmacKey == "Y2xp");
}

TEST_CASE("an exported CERTKEEP_EAB_HMAC_KEY alone does not break other commands",
          "[cli][options]") {
    // The variable is a secret kept in the environment (systemd unit, CI); EAB is only asked
    // for with --eab-kid, so without it the variable must not turn every command into an error.
    EnvGuard env;
    setenv(kEnv, "ZW52LXNlY3JldA", 1);

    Invocation inv;
    REQUIRE_NOTHROW(inv = parse({"issue", "-d", "a.example.com"}));
    CHECK(inv.command == Command::Issue);
    CHECK(inv.global.eabKid.empty());
    REQUIRE_NOTHROW(inv = parse({"account", "show"}));
    CHECK(inv.command == Command::AccountShow);
}

TEST_CASE("an option given with an empty value is a usage error", "[cli][options]") {
    // An unset shell variable ("--webroot $WEBROOT") must not fall back to a default.
    EnvGuard env;
    CHECK_THAT(usageMessage({"issue", "-d", ""}), Catch::Contains("domain"));
    CHECK_THAT(usageMessage({"issue", "-d", "a.example.com", "--webroot", ""}),
               Catch::Contains("--webroot"));
    CHECK_THAT(usageMessage({"--server", "", "issue", "-d", "a.example.com"}),
               Catch::Contains("--server"));
    CHECK_THAT(usageMessage({"issue", "-d", "a.example.com", "--name="}),
               Catch::Contains("--name"));
}

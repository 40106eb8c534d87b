// Command-line parsing: global options anywhere, commands, conflicts, EAB from the environment.
#include "cli/command.hpp"
#include "cli/commands/issue.hpp"
#include "cli/options.hpp"
#include "store/store.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <unistd.h>
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

// The command's words, e.g. "account show"; "" for --help/--version.
std::string commandOf(const Invocation& inv) {
    std::string out;
    for (const auto& w : inv.command != nullptr ? inv.command->words : std::vector<std::string>{}) {
        out += (out.empty() ? "" : " ") + w;
    }
    return out;
}

// The issue spec of a parsed command line; fails the test when it is an error.
certkeep::lifecycle::CertificateSpec specOf(const Invocation& inv) {
    auto spec = issueSpec(inv.vm);
    if (!spec) {
        FAIL("issueSpec: " << spec.error().message);
    }
    return *spec;
}

// The Usage error message of the issue spec, or what went wrong otherwise.
std::string specError(std::initializer_list<const char*> args) {
    try {
        auto spec = issueSpec(parse(args).vm);
        if (spec) {
            return "<no error>";
        }
        return spec.error().kind == certkeep::ErrorKind::Usage ? spec.error().message
                                                               : "<not a Usage error>";
    } catch (const UsageError& e) {
        return e.what();
    }
}

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

    CHECK(commandOf(inv) == "issue");
    CHECK(inv.global.server == "https://acme.test/directory");
    CHECK(inv.global.email == "ops@example.com");
    CHECK(inv.global.agreeTos);
    CHECK(inv.global.stateDir == "/tmp/state");
    auto spec = specOf(inv);
    CHECK(certkeep::lifecycle::identifierValues(spec.identifiers) ==
          std::vector<std::string>{"a.example.com", "b.example.com", "c.example.com"});
    CHECK(spec.name == "a.example.com");
    CHECK(spec.keyType == certkeep::acme::KeyType::Rsa2048);
    CHECK(spec.challenge.webroot == "/var/www");
    CHECK(spec.challenge.httpListen.empty());
    CHECK(spec.preferredChain == "Root X1");
    CHECK_FALSE(spec.replaceNames);
}

TEST_CASE("defaults: letsencrypt production, es256, ec-p256, not verbose", "[cli][options]") {
    EnvGuard env;
    auto inv = parse({"issue", "-d", "a.example.com"});

    CHECK(inv.global.server == "https://acme-v02.api.letsencrypt.org/directory");
    CHECK(inv.global.accountKeyType == "es256");
    CHECK_FALSE(inv.global.accountKeyTypeGiven);
    CHECK_FALSE(inv.global.serverGiven);
    CHECK(specOf(inv).keyType == certkeep::acme::KeyType::EcP256);
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
    CHECK(commandOf(parse({"account", "register", "--agree-tos"})) == "account register");
    CHECK(commandOf(parse({"account", "show"})) == "account show");
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
    CHECK(specError({"issue", "-d", "a.example.com", "--http-listen", ":8080", "--webroot",
                     "/var/www"}) != "<no error>");
    CHECK(specOf(parse({"issue", "-d", "a.example.com", "--http-listen", ":8080"}))
              .challenge.httpListen == ":8080");
}

TEST_CASE("unknown commands, options and stray words are usage errors", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"frobnicate"}), Catch::Contains("frobnicate"));
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
    CHECK(help.help);
    CHECK(help.command == nullptr);
    CHECK_THAT(help.helpText, Catch::Contains("--eab-hmac-key-file"));
    CHECK_THAT(help.helpText, Catch::Contains("account register"));
    CHECK(parse({"--version"}).version);
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
    CHECK(commandOf(inv) == "issue");
    CHECK(inv.global.eabKid.empty());
    REQUIRE_NOTHROW(inv = parse({"account", "show"}));
    CHECK(commandOf(inv) == "account show");
}

TEST_CASE("an option given with an empty value is a usage error", "[cli][options]") {
    // An unset shell variable ("--webroot $WEBROOT") must not fall back to a default.
    EnvGuard env;
    CHECK_THAT(specError({"issue", "-d", ""}), Catch::Contains("domain"));
    CHECK_THAT(specError({"issue", "-d", "a.example.com", "--webroot", ""}),
               Catch::Contains("--webroot"));
    CHECK_THAT(usageMessage({"--server", "", "issue", "-d", "a.example.com"}),
               Catch::Contains("--server"));
    CHECK_THAT(specError({"issue", "-d", "a.example.com", "--name="}), Catch::Contains("--name"));
}

TEST_CASE("an http --server is refused before anything happens: https only", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"--server", "http://acme.test/dir", "account", "show"}),
               Catch::Contains("https only"));
    CHECK_THAT(usageMessage({"--server", "ftp://acme.test/dir", "account", "show"}),
               Catch::Contains("not a URL"));
    CHECK(parse({"--server", "https://acme.test/dir", "account", "show"}).global.serverGiven);
}

TEST_CASE("an invalid --email is refused before any request", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"--email", "ops", "account", "register"}), Catch::Contains("'@'"));
    CHECK_THAT(usageMessage({"--email", "a@b@example.com", "account", "register"}),
               Catch::Contains("--email"));
    CHECK_THAT(usageMessage({"--email", "ops@example.com,dev@example.com", "account", "register"}),
               Catch::Contains("--email"));
    CHECK_THAT(usageMessage({"--email", "ops@localhost", "account", "register"}),
               Catch::Contains("after '@'"));
    CHECK_THAT(usageMessage({"--email", "mailto:ops@example.com", "account", "register"}),
               Catch::Contains("mailto"));
    CHECK(parse({"--email", "ops+certs@example.com", "account", "register"}).global.email ==
          "ops+certs@example.com");
}

TEST_CASE("the EAB HMAC key may come from a file, never needing the command line",
          "[cli][options]") {
    EnvGuard env;
    char path[] = "/tmp/certkeep-eab-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    const char text[] = "c2VjcmV0\n";
    REQUIRE(write(fd, text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1));
    close(fd);
    auto inv = parse({"--eab-kid", "kid-1", "--eab-hmac-key-file", path, "account", "register"});
    CHECK(inv.global.eabHmacKey == "c2VjcmV0");
    CHECK_THAT(usageMessage({"--eab-kid", "kid-1", "--eab-hmac-key-file", "/nonexistent/eab",
                             "account", "register"}),
               Catch::Contains("cannot read"));
    unlink(path);
}

TEST_CASE("issue: port 0, wildcards and IP identifiers", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(specError({"issue", "-d", "a.example.com", "--http-listen", ":0"}),
               Catch::Contains("port 0"));
    CHECK_THAT(specError({"issue", "-d", "*.example.com"}), Catch::Contains("dns-01"));
    auto spec =
        specOf(parse({"issue", "-d", "192.0.2.1", "-d", "2001:DB8:0::1", "-d", "a.example.com"}));
    REQUIRE(spec.identifiers.size() == 3);
    CHECK(spec.identifiers[0] == certkeep::acme::Identifier{"ip", "192.0.2.1"});
    CHECK(spec.identifiers[1] == certkeep::acme::Identifier{"ip", "2001:db8::1"});
    CHECK(spec.identifiers[2] == certkeep::acme::Identifier{"dns", "a.example.com"});
    CHECK(spec.name == "192.0.2.1");
    CHECK(specOf(parse({"issue", "-d", "::1"})).name == "ip--1");
    CHECK(specOf(parse({"issue", "-d", "a.example.com", "--replace-names"})).replaceNames);
}

TEST_CASE("a first domain longer than 64 characters gets a derived valid name", "[cli][options]") {
    EnvGuard env;
    std::string longName = std::string(60, 'a') + ".example.com";
    std::string other = std::string(60, 'a') + ".example.org";
    auto a = deriveCertName({"dns", longName});
    auto b = deriveCertName({"dns", other});
    CHECK(a.size() <= 64);
    CHECK(certkeep::store::isValidCertName(a));
    CHECK(a != b);
    CHECK(a.rfind(std::string(50, 'a'), 0) == 0);
}

TEST_CASE("options of one command are refused by another, by name", "[cli][options]") {
    EnvGuard env;
    CHECK_THAT(usageMessage({"account", "show", "--replace-names"}),
               Catch::Contains("--replace-names"));
    CHECK_THAT(usageMessage({"account", "register", "--profile", "tlsserver"}),
               Catch::Contains("not an option of \"account register\""));
}

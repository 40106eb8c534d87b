// Loading a config: every field read and normalised, effective settings per certificate, the
// file's own safety, and what `certkeep config check` prints.
#include "cli/config/report.hpp"
#include "cli/console.hpp"
#include "cli/run.hpp"
#include "config_fixture.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace certkeep::cli::config;
using namespace certkeep::cli::config::test;
using Catch::Matchers::Contains;
using Argv = std::vector<std::string>;

namespace {

const char* const kLetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
const char* const kPrivate = "https://ca.internal.example/acme/directory";

// A config using every key, with paths inside `dir`.
std::string everyKey(ConfigDir& dir) {
    std::string ca = dir.caBundle();
    std::string key = dir.eabKey();
    std::string www = dir.makeDir("www");
    return "server = \"letsencrypt\"\n"
           "ca-bundle = \"" +
           ca +
           "\"\n"
           "state-dir = \"/var/lib/certkeep-test\"\n"
           "email = \"ops@example.com\"\n"
           "agree-tos = true\n"
           "eab-kid = \"top-kid\"\n"
           "eab-hmac-key-file = \"" +
           key +
           "\"\n"
           "account-key-type = \"ES384\"\n"
           "key-type = \"EC-P384\"\n"
           "http-listen = \":8080\"\n"
           "preferred-chain = \"ISRG Root X1\"\n"
           "profile = \"classic\"\n"
           "renew-before = \"1/3\"\n"
           "warn = \"20%\"\n"
           "crit = \"10%\"\n"
           "key-group = \"" +
           ownGroup() +
           "\"\n"
           "key-mode = 0o640\n"
           "reuse-key = true\n"
           "keep-versions = 5\n"
           "hooks.deploy = [[\"systemctl\", \"reload\", \"nginx\"]]\n"
           "\n"
           "[[certificate]]\n" // line 22
           "domains = [\"WWW.Example.com\", \"192.0.2.1\", \"www.example.com\"]\n"
           "webroot = \"" +
           www +
           "\"\n"
           "\n"
           "[[certificate]]\n" // line 26
           "name = \"mtls\"\n"
           "domains = [\"api.internal.example\"]\n"
           "server = \"" +
           kPrivate +
           "\"\n"
           "eab-kid = \"own-kid\"\n"
           "eab-hmac-key-file = \"" +
           key +
           "\"\n"
           "key-type = \"rsa3072\"\n"
           "verify = \"[::1]:8443\"\n"
           "renew-before = \"12h\"\n"
           "key-mode = \"0600\"\n"
           "reuse-key = false\n"
           "keep-versions = 30\n"
           "hooks.deploy = [[\"systemctl\", \"reload\", \"nginx\"], [\"systemctl\", \"reload\", "
           "\"haproxy\"]]\n"
           "hooks.alert = [[\"/usr/local/bin/page\"]]\n";
}

} // namespace

TEST_CASE("config: a valid file loads every field, normalised", "[config]") {
    ConfigDir dir;
    ConfigFile c;
    auto problems = problemsOf(dir, everyKey(dir), &c);
    INFO(listed(problems));
    REQUIRE(problems.empty());
    CHECK(c.stateDir == "/var/lib/certkeep-test");
    CHECK(c.email == "ops@example.com");
    CHECK(c.agreeTos == true);
    CHECK(c.accountKeyType == "es384");
    const Settings& d = c.defaults;
    CHECK(d.server == kLetsEncrypt);
    CHECK(d.caBundle == dir.path() + "/ca.pem");
    CHECK(d.eabKid == "top-kid");
    CHECK(d.eabHmacKeyFile == dir.path() + "/eab.key");
    CHECK(d.keyType == "ec-p384");
    CHECK(d.httpListen == ":8080");
    CHECK(d.preferredChain == "ISRG Root X1");
    CHECK(d.profile == "classic");
    CHECK(d.renewBefore == "1/3");
    CHECK(d.warn == "20%");
    CHECK(d.crit == "10%");
    CHECK(d.keyGroup == ownGroup());
    CHECK(d.keyMode == "0640");
    CHECK(d.reuseKey == true);
    CHECK(d.keepVersions == 5);
    CHECK(d.hooks.at("deploy") == std::vector<Argv>{{"systemctl", "reload", "nginx"}});
    CHECK_FALSE(d.webroot.has_value());
    CHECK_FALSE(d.verify.has_value());

    REQUIRE(c.certificates.size() == 2);
    const CertificateEntry& www = c.certificates[0];
    CHECK(www.name == "www.example.com"); // derived from the first domain, as `issue` does
    CHECK(www.line == 22);
    REQUIRE(www.identifiers.size() == 2); // normalised, the duplicate dropped
    CHECK(www.identifiers[0].type == "dns");
    CHECK(www.identifiers[0].value == "www.example.com");
    CHECK(www.identifiers[1].type == "ip");
    CHECK(www.identifiers[1].value == "192.0.2.1");
    CHECK(www.settings.webroot == dir.path() + "/www");
    CHECK_FALSE(www.settings.server.has_value()); // its own keys only

    const CertificateEntry& mtls = c.certificates[1];
    CHECK(mtls.name == "mtls");
    CHECK(mtls.line == 26);
    CHECK(mtls.settings.server == kPrivate);
    CHECK(mtls.settings.keyType == "rsa3072");
    CHECK(mtls.settings.verify == "[::1]:8443");
    CHECK(mtls.settings.keyMode == "0600");
    CHECK(mtls.settings.reuseKey == false);
    CHECK(mtls.settings.keepVersions == 30);
    CHECK(mtls.settings.hooks.at("alert") == std::vector<Argv>{{"/usr/local/bin/page"}});
}

TEST_CASE("config: effective settings take the certificate's own, else the defaults", "[config]") {
    ConfigDir dir;
    ConfigFile c;
    REQUIRE(problemsOf(dir, everyKey(dir), &c).empty());
    REQUIRE(c.certificates.size() == 2);

    Settings www = effective(c, c.certificates[0]);
    CHECK(www.server == kLetsEncrypt);
    CHECK(www.caBundle == dir.path() + "/ca.pem"); // same server: its bundle and EAB
    CHECK(www.eabKid == "top-kid");
    CHECK(www.keyType == "ec-p384");
    CHECK(www.webroot == dir.path() + "/www");
    CHECK_FALSE(www.httpListen.has_value()); // webroot chosen: the default :8080 is not laid over
    CHECK(www.keyMode == "0640");
    CHECK(www.keepVersions == 5);
    CHECK(www.hooks.at("deploy") == std::vector<Argv>{{"systemctl", "reload", "nginx"}});

    Settings mtls = effective(c, c.certificates[1]);
    CHECK(mtls.server == kPrivate);
    CHECK_FALSE(mtls.caBundle.has_value()); // Let's Encrypt's settings stay with it
    CHECK(mtls.eabKid == "own-kid");
    CHECK(mtls.httpListen == ":8080"); // no challenge setting of its own: the default
    CHECK(mtls.keyType == "rsa3072");
    CHECK(mtls.renewBefore == "12h");
    CHECK(mtls.warn == "20%");
    CHECK(mtls.keyGroup == ownGroup());
    CHECK(mtls.keyMode == "0600");
    CHECK(mtls.reuseKey == false);
    CHECK(mtls.keepVersions == 30);
    // The same deploy command at both levels runs once; the certificate's own adds to it.
    CHECK(mtls.hooks.at("deploy") ==
          std::vector<Argv>{{"systemctl", "reload", "nginx"}, {"systemctl", "reload", "haproxy"}});
    CHECK(mtls.hooks.at("alert") == std::vector<Argv>{{"/usr/local/bin/page"}});
}

TEST_CASE("config: a config writable by others is refused", "[config]") {
    ConfigDir dir;
    std::string file = dir.write("certkeep.toml", "email = \"ops@example.com\"\n", 0666);
    ConfigFile c;
    auto problems = checkConfig(file, c);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 0);
    CHECK_THAT(problems[0].message, Contains("writable by other users (mode 0666)"));
    auto loaded = loadConfig(file);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().kind == certkeep::ErrorKind::Config);
    CHECK(loaded.error().message.rfind(file + ": ", 0) == 0);
}

TEST_CASE("config: loadConfig names the first problem and counts the others", "[config]") {
    ConfigDir dir;
    std::string file = dir.write("certkeep.toml", "email = \"x\"\nkey-type = \"dsa\"\nwarn = 3\n");
    auto loaded = loadConfig(file);
    REQUIRE_FALSE(loaded.ok());
    CHECK_THAT(loaded.error().message, Contains(file + ":1:9: email: \"x\""));
    CHECK_THAT(loaded.error().message,
               Contains("(and 2 more problems: run certkeep config check " + file + ")"));

    std::string good = dir.write("good.toml", certWith("key-type = \"ec-p256\""));
    auto ok = loadConfig(good);
    REQUIRE(ok.ok());
    CHECK(ok->path == good);
    CHECK(ok->certificates.size() == 1);
}

TEST_CASE("config check: problems with positions and exit 2, or one OK line", "[config]") {
    ConfigDir dir;
    std::ostringstream out;
    std::ostringstream err;
    certkeep::cli::Console console{out, err};

    std::string bad = dir.write("bad.toml", "sever = \"letsencrypt\"\n" + certWith("webroot = 1"));
    CHECK(runConfigCheck(bad, console) == 2);
    CHECK(err.str() == bad + ":1:1: unknown key \"sever\" (did you mean \"server\"?)\n" + bad +
                           ":4:11: webroot must be a string such as \"/var/www/html\", not an "
                           "integer\n");
    CHECK(out.str().empty());

    err.str("");
    std::string missing = dir.path() + "/missing.toml";
    CHECK(runConfigCheck(missing, console) == 2);
    CHECK(err.str() == missing + ": the config file does not exist: create it (see the example "
                                 "certkeep.toml) or give another with --config FILE\n");

    std::string good = dir.write(
        "good.toml", "[[certificate]]\ndomains = [\"a.example\"]\n[[certificate]]\ndomains = "
                     "[\"b.example\"]\nserver = \"letsencrypt\"\n[[certificate]]\nname = "
                     "\"mtls\"\ndomains = [\"api.internal.example\"]\nserver = \"" +
                         std::string(kPrivate) + "\"\n");
    err.str("");
    CHECK(runConfigCheck(good, console) == 0);
    CHECK(err.str().empty());
    CHECK(out.str() == good + ": OK: 3 certificates (a.example, b.example, mtls) on 2 servers\n");
}

TEST_CASE("config check: reachable from the command line with --config", "[config]") {
    ConfigDir dir;
    std::string file = dir.write("c.toml", certWith("profile = \"tlsserver\""));
    std::ostringstream out;
    std::ostringstream err;
    certkeep::cli::Console console{out, err};
    std::vector<const char*> argv{"certkeep", "--config", file.c_str(), "config", "check"};
    CHECK(certkeep::cli::run(static_cast<int>(argv.size()), argv.data(), console) == 0);
    CHECK(out.str() == file + ": OK: 1 certificate (a.example) on 1 server\n");
}

// contrib/certkeep.toml, the annotated example, passes `config check`: as shipped, only the
// files and the group it names are missing on a test machine; with those made, nothing at all.
#include "cli/config/report.hpp"
#include "config_fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace certkeep::cli::config;
using namespace certkeep::cli::config::test;

namespace {

std::string exampleText() {
    std::string data = CERTKEEP_TEST_DATA; // SOURCE/tests/data, which need not exist
    std::ifstream in(data.substr(0, data.rfind("/tests/data")) + "/contrib/certkeep.toml");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// `text` with every `from` replaced by `to`; fails the test when `from` is not there.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    INFO(from);
    REQUIRE(text.find(from) != std::string::npos);
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

} // namespace

TEST_CASE("config example: only missing files and groups, as shipped", "[config]") {
    ConfigDir dir;
    auto problems = problemsOf(dir, exampleText());
    INFO(listed(problems));
    for (const auto& p : problems) {
        bool absentHere = p.message.find("does not exist") != std::string::npos ||
                          p.message.find("there is no group") != std::string::npos;
        CHECK(absentHere);
    }
}

TEST_CASE("config example: passes with its files in place", "[config]") {
    ConfigDir dir;
    std::string text = exampleText();
    text = replaced(text, "/etc/certkeep/internal-root.pem", dir.caBundle());
    text = replaced(text, "/etc/certkeep/internal-eab.key", dir.eabKey());
    text = replaced(text, "\"/var/www/html\"", "\"" + dir.makeDir("www") + "\"");
    text = replaced(text, "key-group = \"haproxy\"", "key-group = \"" + ownGroup() + "\"");
    ConfigFile config;
    auto problems = problemsOf(dir, text, &config);
    INFO(listed(problems));
    REQUIRE(problems.empty());

    CHECK(summaryLine(config) == config.path + ": OK: 2 certificates (www, mtls) on 2 servers");
    REQUIRE(config.certificates.size() == 2);
    Settings mtls = effective(config, config.certificates[1]);
    CHECK(mtls.server == "https://ca.internal.example:9000/acme/acme/directory");
    CHECK(mtls.eabKid.has_value());
    CHECK(mtls.keyMode == "0640");
    CHECK(mtls.renewBefore == "12h");
    CHECK(mtls.verify.has_value());
    CHECK(mtls.hooks.count("failure") == 1); // the top level's hook applies to it too
    Settings www = effective(config, config.certificates[0]);
    CHECK(www.server == "https://acme-v02.api.letsencrypt.org/directory");
    CHECK(www.hooks.at("deploy") ==
          std::vector<std::vector<std::string>>{{"systemctl", "reload", "nginx"}});
}

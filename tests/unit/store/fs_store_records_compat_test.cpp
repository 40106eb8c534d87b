// Records written before the renewal/deploy fields existed still load, with defaults; the new
// fields have a stable JSON form; the staged rollover key lives only in the 0600 account.json.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::store::AccountData;
using certkeep::store::CertSettings;
using certkeep::store::FsStore;
using certkeep::store::KeyAccess;
using certkeep::store::RenewalState;
using certkeep::store::test::modeOf;
using certkeep::store::test::slurp;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

// settings.json exactly as the previous release wrote it.
constexpr const char* kOldSettings = R"({
  "caBundle": "",
  "challenge": "http-01",
  "hooks": {
    "deploy": [["/usr/bin/systemctl", "reload", "nginx"]]
  },
  "httpListen": "",
  "identifiers": ["dns:example.com"],
  "keyType": "ec-p256",
  "preferredChain": "",
  "profile": "",
  "server": "https://acme.example/dir",
  "webroot": ""
}
)";

// renewal.json exactly as the previous release wrote it.
constexpr const char* kOldRenewal = R"({
  "ariRetryAfter": null,
  "ariWindowEnd": null,
  "ariWindowStart": null,
  "consecutiveFailures": 1,
  "lastAttempt": "2026-03-04T05:06:07Z",
  "lastError": "connection refused",
  "lastErrorKind": "network",
  "lastResult": "failure",
  "lastSuccess": null,
  "nextAttempt": "2026-03-04T05:07:07Z"
}
)";

constexpr const char* kKey = "-----BEGIN PRIVATE KEY-----\nold\n-----END PRIVATE KEY-----\n";
constexpr const char* kStaged = "-----BEGIN PRIVATE KEY-----\nstaged\n-----END PRIVATE KEY-----\n";

// True when any regular file below `dir` contains `needle`.
bool anyFileContains(const fs::path& dir, const std::string& needle, fs::path& where) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && slurp(e.path()).find(needle) != std::string::npos) {
            where = e.path();
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("settings and renewal state of the previous release load with defaults",
          "[store][records][compat]") {
    TempDir tmp;
    fs::path dir = tmp.path() / "state" / "a.example";
    fs::create_directories(dir);
    writeText(dir / "settings.json", kOldSettings);
    writeText(dir / "renewal.json", kOldRenewal);
    FsStore store(tmp.path());

    auto s = store.loadSettings("a.example");
    REQUIRE(s.ok());
    REQUIRE(s->has_value());
    CHECK((*s)->keyType == "ec-p256");
    CHECK((*s)->hooks.at("deploy").size() == 1);
    CHECK((*s)->renewBefore.empty());
    CHECK_FALSE((*s)->reuseKey);
    CHECK((*s)->keepVersions == 0);
    CHECK((*s)->keyAccess == KeyAccess{"", 0600});
    CHECK((*s)->verify.empty());
    CHECK((*s)->eabKid.empty());
    CHECK((*s)->managed); // an old certificate is still managed

    auto r = store.loadRenewalState("a.example");
    REQUIRE(r.ok());
    CHECK(r->consecutiveFailures == 1);
    CHECK(r->lastErrorKind == "network");
    CHECK(r->ariCertId.empty());
    CHECK_FALSE(r->ariChosen.has_value());
    CHECK_FALSE(r->deployPending);
    CHECK(r->deployedVersion == 0);
    CHECK_FALSE(r->revokedAt.has_value());
    CHECK(r->revokedVersion == 0);
    CHECK_FALSE(r->lastAlert.has_value());
}

TEST_CASE("key access is stored as a group and an octal mode string", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    CertSettings in;
    in.keyAccess = {"haproxy", 0640};
    REQUIRE(store.saveSettings("a.example", in).ok());
    fs::path file = tmp.path() / "state" / "a.example" / "settings.json";
    std::string text = slurp(file);
    CHECK_THAT(text,
               Catch::Contains("\"group\": \"haproxy\"") && Catch::Contains("\"mode\": \"0640\""));
    // Members at their default are left out, and read back as the default.
    CHECK_THAT(text, !Catch::Contains("\"managed\"") && !Catch::Contains("\"webroot\""));
    in.managed = false;
    REQUIRE(store.saveSettings("a.example", in).ok());
    CHECK_THAT(slurp(file), Catch::Contains("\"managed\": false"));
    auto back = store.loadSettings("a.example");
    REQUIRE(back.ok());
    REQUIRE(back->has_value());
    CHECK_FALSE((*back)->managed);
    CHECK((*back)->keyAccess.mode == 0640);

    // A mode without the leading zero is read the way chmod reads it.
    writeText(file, R"({"keyAccess": {"group": "ssl-cert", "mode": "440"}})");
    auto s = store.loadSettings("a.example");
    REQUIRE(s.ok());
    CHECK((*s)->keyAccess == KeyAccess{"ssl-cert", 0440});
}

TEST_CASE("a malformed new member is a Config error naming it", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok());
    fs::path dir = tmp.path() / "state" / "a.example";
    auto [text, member] = GENERATE(table<std::string, std::string>({
        {R"({"keyAccess": {"group": "g", "mode": "0648"}})", "keyAccess"},
        {R"({"keyAccess": {"group": "g", "mode": 416}})", "keyAccess"},
        {R"({"keyAccess": "haproxy"})", "keyAccess"},
        {R"({"reuseKey": "yes"})", "reuseKey"},
        {R"({"managed": 1})", "managed"},
        {R"({"keepVersions": "10"})", "keepVersions"},
    }));
    INFO(text);
    writeText(dir / "settings.json", text);
    auto s = store.loadSettings("a.example");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::Config);
    CHECK_THAT(s.error().message, Catch::Contains("\"" + member + "\""));

    writeText(dir / "renewal.json", R"({"deployPending": "true"})");
    auto r = store.loadRenewalState("a.example");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("\"deployPending\""));
}

TEST_CASE("the staged rollover key is stored only in the 0600 account.json",
          "[store][account][compat]") {
    TempDir tmp;
    FsStore store(tmp.path());
    const std::string url = "https://acme.example/dir";
    fs::path dir = tmp.path() / "accounts" / FsStore::serverId(url);

    // An account.json of the previous release has no staged key.
    fs::create_directories(dir);
    writeText(dir / "account.json",
              std::string(R"({"directory": "https://acme.example/dir", "url": "u", )") +
                  R"("contact": "", "key": "-----BEGIN PRIVATE KEY-----\nold\n-----END )" +
                  R"(PRIVATE KEY-----\n"})");
    auto old = store.loadAccount(url);
    REQUIRE(old.ok());
    REQUIRE(old->has_value());
    CHECK((*old)->keyPem == kKey);
    CHECK((*old)->stagedKeyPem.empty());

    AccountData staged{"", kKey, "u", "", kStaged};
    REQUIRE(store.saveAccount(url, staged).ok());
    auto loaded = store.loadAccount(url);
    REQUIRE(loaded.ok());
    CHECK((*loaded)->keyPem == kKey);
    CHECK((*loaded)->stagedKeyPem == kStaged);
    CHECK(modeOf(dir / "account.json") == 0600);
    // Written with the other records about it, the staged key appears nowhere else.
    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok());
    REQUIRE(store.saveRenewalState("a.example", RenewalState{}).ok());
    fs::path where;
    fs::remove(dir / "account.json");
    bool found = anyFileContains(tmp.path(), "staged", where);
    INFO("found in " << where);
    CHECK_FALSE(found);

    // Once the rollover is confirmed the member disappears.
    REQUIRE(store.saveAccount(url, {"", kStaged, "u", "", ""}).ok());
    CHECK_THAT(slurp(dir / "account.json"), !Catch::Contains("stagedKey"));
}

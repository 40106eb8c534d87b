// FsStore removal and the cheap live lookup: removeVersion (retention) never touches the live
// version and never leaves a half-removed version behind; removeCertificate drops the live link
// first and keeps the lock file; loadLiveMeta reads nothing but the link and meta.json.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::store::CertSettings;
using certkeep::store::CertVersion;
using certkeep::store::FsStore;
using certkeep::store::PendingOrder;
using certkeep::store::RenewalState;
using certkeep::store::test::entriesOf;
using certkeep::store::test::present;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

struct SimulatedCrash {};

CertVersion sample(int tag) {
    std::string t = std::to_string(tag);
    return {0,
            "cert" + t,
            "chain" + t,
            "full" + t,
            "-----BEGIN PRIVATE KEY-----\nk" + t,
            "{\"v\":" + t + "}",
            {}};
}

// A store with versions 1..n of `name`, n live.
void saveVersions(FsStore& store, const std::string& name, int n) {
    for (int i = 1; i <= n; ++i) {
        auto saved = store.saveCertificate(name, sample(i));
        REQUIRE(saved.ok());
        REQUIRE(*saved == i);
    }
}

// A hook that throws at `at`.
FsStore::StepHook crashAt(const std::string& at) {
    return [at](std::string_view step) {
        if (step == at) {
            throw SimulatedCrash{};
        }
    };
}

} // namespace

TEST_CASE("removeVersion removes an old version with its key and refuses the live one",
          "[store][remove]") {
    TempDir tmp;
    FsStore store(tmp.path());
    saveVersions(store, "a.example", 3);
    fs::path archive = tmp.path() / "archive" / "a.example";

    REQUIRE(store.removeVersion("a.example", 1).ok());
    CHECK_FALSE(present(archive / "1"));
    CHECK(entriesOf(archive) == std::set<std::string>{"2", "3"}); // no temporary left
    CHECK(store.listVersions("a.example").value() == std::vector<int>{2, 3});
    CHECK(store.loadVersion("a.example", 1).error().kind == ErrorKind::NotFound);

    auto live = store.removeVersion("a.example", 3);
    REQUIRE_FALSE(live.ok());
    CHECK(live.error().kind == ErrorKind::Usage);
    CHECK_THAT(live.error().message, Catch::Contains("live"));
    CHECK(store.loadLive("a.example").value()->keyPem == sample(3).keyPem);

    for (int absent : {1, 0, -1, 99}) {
        auto missing = store.removeVersion("a.example", absent);
        REQUIRE_FALSE(missing.ok());
        CHECK(missing.error().kind == ErrorKind::NotFound);
    }
    CHECK(store.removeVersion("b.example", 1).error().kind == ErrorKind::NotFound);
    CHECK(store.removeVersion("../a.example", 1).error().kind == ErrorKind::Usage);
    // A removed number is never handed out again.
    CHECK(store.saveCertificate("a.example", sample(4)).value() == 4);
}

TEST_CASE("a version whose removal was interrupted is no version and is cleaned up later",
          "[store][remove][crash]") {
    TempDir tmp;
    FsStore plain(tmp.path());
    saveVersions(plain, "a.example", 2);
    FsStore crashing(tmp.path(), crashAt("version-renamed"));
    REQUIRE_THROWS_AS(crashing.removeVersion("a.example", 1), SimulatedCrash);

    fs::path archive = tmp.path() / "archive" / "a.example";
    CHECK_FALSE(present(archive / "1"));
    CHECK(plain.listVersions("a.example").value() == std::vector<int>{2});
    CHECK(plain.loadVersion("a.example", 1).error().kind == ErrorKind::NotFound);
    REQUIRE(plain.removeLeftovers("a.example").ok());
    CHECK(entriesOf(archive) == std::set<std::string>{"2"});
}

TEST_CASE("removeVersion refuses a link where a version belongs", "[store][remove][links]") {
    TempDir tmp;
    FsStore store(tmp.path());
    saveVersions(store, "a.example", 1);
    fs::path target = tmp.path() / "elsewhere";
    fs::create_directories(target);
    writeText(target / "keep", "x");
    fs::create_directory_symlink(target, tmp.path() / "archive" / "a.example" / "7");
    auto removed = store.removeVersion("a.example", 7);
    REQUIRE_FALSE(removed.ok());
    CHECK(removed.error().kind == ErrorKind::Config);
    CHECK(present(target / "keep"));
}

TEST_CASE("removeCertificate removes versions, live link and records, keeps the lock file",
          "[store][remove]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    saveVersions(store, "a.example", 2);
    saveVersions(store, "b.example", 1);
    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok());
    REQUIRE(store.saveRenewalState("a.example", RenewalState{}).ok());
    REQUIRE(store.savePendingOrder("a.example", PendingOrder{}).ok());
    {
        auto lock = store.lockCertificate("a.example", std::chrono::seconds(1));
        REQUIRE(lock.ok());
        REQUIRE(store.removeCertificate("a.example").ok()); // as `remove` does, under the lock
    }
    CHECK(entriesOf(root / "archive") == std::set<std::string>{"b.example"});
    CHECK(entriesOf(root / "live") == std::set<std::string>{"b.example"});
    CHECK(entriesOf(root / "state").empty());
    CHECK(present(root / "locks" / "cert-a.example.lock"));
    CHECK(store.listCertificates().value() == std::vector<std::string>{"b.example"});
    CHECK_FALSE(store.loadLive("a.example").value().has_value());
    CHECK_FALSE(store.loadSettings("a.example").value().has_value());
    CHECK_FALSE(store.loadPendingOrder("a.example").value().has_value());
    CHECK(store.loadLive("b.example").value()->certPem == sample(1).certPem);

    auto again = store.removeCertificate("a.example");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().kind == ErrorKind::NotFound);
    CHECK(store.removeCertificate("-a").error().kind == ErrorKind::Usage);
    // The name can be issued again from scratch.
    CHECK(store.saveCertificate("a.example", sample(5)).value() == 1);
}

TEST_CASE("removeCertificate drops the live link before any version", "[store][remove][crash]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore plain(root);
    saveVersions(plain, "a.example", 2);
    REQUIRE(plain.saveSettings("a.example", CertSettings{}).ok());

    FsStore crashing(root, crashAt("live-removed"));
    REQUIRE_THROWS_AS(crashing.removeCertificate("a.example"), SimulatedCrash);
    CHECK_FALSE(present(root / "live" / "a.example"));
    CHECK(plain.listVersions("a.example").value() == std::vector<int>{1, 2}); // still whole
    CHECK(plain.listCertificates().value().empty());

    FsStore crashLater(root, crashAt("archive-renamed"));
    REQUIRE_THROWS_AS(crashLater.removeCertificate("a.example"), SimulatedCrash);
    CHECK(plain.listVersions("a.example").value().empty()); // renamed away as a whole
    // Running it again finishes the job, leftovers included.
    REQUIRE(plain.removeCertificate("a.example").ok());
    CHECK(entriesOf(root / "archive").empty());
    CHECK(entriesOf(root / "state").empty());
}

TEST_CASE("removeCertificate refuses a foreign entry at live/NAME", "[store][remove]") {
    TempDir tmp;
    FsStore store(tmp.path());
    saveVersions(store, "a.example", 1);
    fs::remove(tmp.path() / "live" / "a.example");
    writeText(tmp.path() / "live" / "a.example", "not ours");
    auto removed = store.removeCertificate("a.example");
    REQUIRE_FALSE(removed.ok());
    CHECK(removed.error().kind == ErrorKind::Config);
    CHECK(present(tmp.path() / "archive" / "a.example" / "1"));
}

TEST_CASE("loadLiveMeta returns the live number and meta.json without reading keys",
          "[store][cert]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    auto none = store.loadLiveMeta("a.example");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());

    saveVersions(store, "a.example", 2);
    auto meta = store.loadLiveMeta("a.example");
    REQUIRE(meta.ok());
    REQUIRE(meta->has_value());
    CHECK((*meta)->first == 2);
    CHECK((*meta)->second == sample(2).metaJson);

    // Only the link and meta.json are read: without the key and certificates it still works.
    fs::path v2 = root / "archive" / "a.example" / "2";
    for (const char* file : {"privkey.pem", "cert.pem", "chain.pem", "fullchain.pem"}) {
        fs::remove(v2 / file);
    }
    CHECK(store.loadLiveMeta("a.example").value()->first == 2);
    CHECK(store.loadLive("a.example").error().kind == ErrorKind::Config);

    fs::remove(v2 / "meta.json");
    auto broken = store.loadLiveMeta("a.example");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().kind == ErrorKind::Config);
    CHECK_THAT(broken.error().message, Catch::Contains("meta.json"));

    fs::remove(root / "live" / "a.example");
    fs::create_symlink("/etc", root / "live" / "a.example");
    CHECK(store.loadLiveMeta("a.example").error().kind == ErrorKind::Config);
    CHECK(store.loadLiveMeta("a/b").error().kind == ErrorKind::Usage);
}

TEST_CASE("the fast reads refuse a link or a file on the way like the slow ones",
          "[store][cert][links]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    saveVersions(store, "a.example", 1);
    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok());
    auto requireRefused = [](const certkeep::Error& e, const std::string& path) {
        CHECK(e.kind == ErrorKind::Config);
        CHECK_THAT(e.message, Catch::Contains(path));
    };

    // archive/NAME is a link to a faithful copy: still refused.
    fs::path archive = root / "archive" / "a.example";
    fs::rename(archive, root / "copy");
    fs::create_directory_symlink(root / "copy", archive);
    auto meta = store.loadLiveMeta("a.example");
    REQUIRE_FALSE(meta.ok());
    requireRefused(meta.error(), archive.string() + " is a symlink");

    // A record that is a link, and a file where state/NAME belongs.
    fs::path state = root / "state" / "a.example";
    fs::rename(state / "settings.json", root / "settings.json");
    fs::create_symlink(root / "settings.json", state / "settings.json");
    auto settings = store.loadSettings("a.example");
    REQUIRE_FALSE(settings.ok());
    requireRefused(settings.error(), (state / "settings.json").string() + " is a symlink");
    fs::remove_all(state);
    writeText(state, "{}");
    auto renewal = store.loadRenewalState("a.example");
    REQUIRE_FALSE(renewal.ok());
    requireRefused(renewal.error(), state.string() + " is not a directory");

    // A name whose state directory appears after the first read is seen by the same store.
    CHECK_FALSE(store.loadSettings("b.example").value().has_value());
    REQUIRE(store.saveSettings("b.example", CertSettings{}).ok());
    CHECK(store.loadSettings("b.example").value().has_value());
}

// key-group / key-mode: the private key and the directories above it let exactly that group
// read it (checked from a child process running as nobody), other users and the rest of the
// store (accounts/, state/) stay closed, and bad settings are refused before anything is written.
#include "store/fs_store.hpp"
#include "store/key_access.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/xattr.h>

using certkeep::ErrorKind;
using certkeep::store::CertSettings;
using certkeep::store::CertVersion;
using certkeep::store::formatKeyMode;
using certkeep::store::FsStore;
using certkeep::store::KeyAccess;
using certkeep::store::parseKeyMode;
using certkeep::store::test::gidOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::openableAs;
using certkeep::store::test::present;
using certkeep::store::test::statOf;
using certkeep::store::test::TempDir;
namespace fs = std::filesystem;

namespace {

CertVersion sample(const KeyAccess& access) {
    return {0, "cert", "chain", "full", "-----BEGIN PRIVATE KEY-----\nk\n", "{}", access};
}

// A state directory inside a temporary directory that every user may pass through.
struct GroupFixture {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store{root};
    GroupFixture() { fs::permissions(tmp.path(), fs::perms(0711)); }
};

bool hasAcl(const fs::path& p) {
    return ::getxattr(p.c_str(), "system.posix_acl_access", nullptr, 0) > 0;
}

} // namespace

TEST_CASE("key modes are read and written as chmod octal strings", "[store][keyaccess]") {
    CHECK(parseKeyMode("0640") == 0640U);
    CHECK(parseKeyMode("640") == 0640U);
    CHECK(parseKeyMode("0600") == 0600U);
    for (const char* bad : {"", "64", "06400", "0648", "rw-r-----", "-640", "0x1a0", " 640"}) {
        INFO(bad);
        CHECK_FALSE(parseKeyMode(bad).has_value());
    }
    CHECK(formatKeyMode(0640) == "0640");
    CHECK(formatKeyMode(0400) == "0400");
}

TEST_CASE("a key mode open to other users or an unknown group is refused before any write",
          "[store][keyaccess]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    for (unsigned mode : {0644U, 0604U, 0601U, 0666U, 04640U, 0040U}) {
        INFO(formatKeyMode(mode));
        auto saved = store.saveCertificate("a.example", sample({"", mode}));
        REQUIRE_FALSE(saved.ok());
        CHECK(saved.error().kind == ErrorKind::Usage);
        CHECK_THAT(saved.error().message, Catch::Contains("key-mode " + formatKeyMode(mode)));
    }
    auto unknown = store.saveCertificate("a.example", sample({"no-such-group-ck", 0640}));
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().kind == ErrorKind::Config);
    CHECK_THAT(unknown.error().message,
               Catch::StartsWith("key-group no-such-group-ck: no such group"));
    CHECK_FALSE(present(root));
}

TEST_CASE("without key-group the key stays 0600 and no directory is widened",
          "[store][keyaccess]") {
    GroupFixture f;
    REQUIRE(f.store.saveCertificate("a.example", sample({})).ok());
    fs::path key = f.root / "archive" / "a.example" / "1" / "privkey.pem";
    CHECK(modeOf(key) == 0600);
    CHECK(statOf(key).st_gid == ::getegid());
    for (const fs::path& dir : {f.root, f.root / "archive", f.root / "live",
                                f.root / "archive" / "a.example", key.parent_path()}) {
        INFO(dir);
        CHECK(modeOf(dir) == 0700);
        CHECK_FALSE(hasAcl(dir));
    }
    auto loaded = f.store.loadVersion("a.example", 1);
    REQUIRE(loaded.ok());
    CHECK(loaded->keyAccess == KeyAccess{"", 0600});
    if (::geteuid() == 0) {
        CHECK(openableAs(gidOf("nogroup"), {f.root / "live" / "a.example" / "privkey.pem"}) == 0);
    }
}

TEST_CASE("key-group nogroup with 0640: that group reads the key, nothing else opens up",
          "[store][keyaccess]") {
    if (::geteuid() != 0 || gidOf("nogroup") == static_cast<gid_t>(-1)) {
        WARN("needs root and the group nogroup: skipped");
        return;
    }
    GroupFixture f;
    gid_t nogroup = gidOf("nogroup");
    REQUIRE(f.store
                .saveAccount("https://ca/dir",
                             {"", "-----BEGIN K-----\nk\n-----END K-----\n", "u", "", ""})
                .ok());
    REQUIRE(f.store.saveSettings("a.example", CertSettings{}).ok());
    auto saved = f.store.saveCertificate("a.example", sample({"nogroup", 0640}));
    REQUIRE(saved.ok());

    fs::path version = f.root / "archive" / "a.example" / "1";
    CHECK(modeOf(version / "privkey.pem") == 0640);
    CHECK(statOf(version / "privkey.pem").st_gid == nogroup);
    CHECK(statOf(version).st_gid == nogroup);
    CHECK(modeOf(version) == 0750);
    CHECK(statOf(version.parent_path()).st_gid == nogroup);
    CHECK(modeOf(version.parent_path()) == 0750);
    CHECK(modeOf(f.root / "accounts") == 0700);
    CHECK(modeOf(f.root / "state") == 0700);
    CHECK_FALSE(hasAcl(f.root / "accounts"));
    CHECK(f.store.loadLive("a.example").value()->keyAccess == KeyAccess{"nogroup", 0640});

    std::vector<fs::path> paths = {
        f.root / "live" / "a.example" / "privkey.pem", // 1: the key, through the live link
        f.root / "live" / "a.example" / "fullchain.pem",
        f.root / "archive" / "a.example", // 4: listing its own versions is fine
        f.root / "live",                  // shared directories: search only, no listing
        f.root / "archive",
        f.root,
        f.root / "accounts",
        f.root / "state" / "a.example" / "settings.json",
    };
    CHECK(openableAs(nogroup, paths) == 0b00000111);
    CHECK(openableAs(gidOf("daemon"), paths) == 0); // another group: nothing
}

TEST_CASE("two certificates with different key groups each reach only their own key",
          "[store][keyaccess]") {
    if (::geteuid() != 0 || gidOf("nogroup") == static_cast<gid_t>(-1) ||
        gidOf("daemon") == static_cast<gid_t>(-1)) {
        WARN("needs root and the groups nogroup and daemon: skipped");
        return;
    }
    GroupFixture f;
    REQUIRE(f.store.saveCertificate("a.example", sample({"nogroup", 0640})).ok());
    REQUIRE(f.store.saveCertificate("b.example", sample({"daemon", 0440})).ok());
    REQUIRE(f.store.saveCertificate("a.example", sample({"nogroup", 0640})).ok()); // renewal
    CHECK(modeOf(f.root / "archive" / "b.example" / "1" / "privkey.pem") == 0440);

    std::vector<fs::path> keys = {f.root / "live" / "a.example" / "privkey.pem",
                                  f.root / "live" / "b.example" / "privkey.pem"};
    CHECK(openableAs(gidOf("nogroup"), keys) == 0b01);
    CHECK(openableAs(gidOf("daemon"), keys) == 0b10);
    CHECK(modeOf(f.root) == 0710); // the mode shows the ACL mask: search, nothing more
}

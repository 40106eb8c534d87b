// FsStore and what it finds in its state directory: links it refuses, foreign entries at
// live/NAME, a state directory that is a file or not writable, and checkWritable.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using certkeep::ErrorKind;
using certkeep::Status;
using certkeep::store::CertSettings;
using certkeep::store::CertVersion;
using certkeep::store::defaultStateDir;
using certkeep::store::FsStore;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::present;
using certkeep::store::test::slurp;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

const std::string kRefused = " is a symlink; certkeep refuses to follow links inside its state "
                             "directory";

CertVersion sample() {
    return {0, "cert", "chain", "fullchain", "-----BEGIN PRIVATE KEY-----\nk\n-----END", "{}", {}};
}

// A state directory with one live version of "a.example", and an empty directory outside it.
struct Fixture {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    fs::path elsewhere = tmp.path() / "elsewhere";
    Fixture() {
        fs::create_directories(elsewhere);
        REQUIRE(FsStore(root).saveCertificate("a.example", sample()).ok());
    }
};

void requireConfig(const Status& st, const std::string& part) {
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Config);
    CHECK_THAT(st.error().message, Catch::Contains(part));
}

template <typename T> Status statusOf(const certkeep::Result<T>& r) {
    return r.ok() ? Status() : Status(r.error());
}

} // namespace

TEST_CASE("a state directory that is a regular file is a Config error", "[store][statedir]") {
    TempDir tmp;
    fs::path file = tmp.path() / "file";
    writeText(file, "not a directory");
    FsStore store(file);
    const std::string msg = "state directory " + file.string() + " is not a directory";
    requireConfig(store.checkWritable("a.example"), msg);
    requireConfig(statusOf(store.saveCertificate("a.example", sample())), msg);
    requireConfig(statusOf(store.loadAccount("https://ca/dir")), msg);
    requireConfig(statusOf(store.loadLive("a.example")), msg);
    requireConfig(statusOf(store.lockCertificate("a.example", std::chrono::seconds(0))), msg);
    CHECK(slurp(file) == "not a directory");
}

TEST_CASE("a state directory reached through a link is used", "[store][statedir][links]") {
    TempDir tmp;
    fs::create_directories(tmp.path() / "real");
    fs::create_directory_symlink(tmp.path() / "real", tmp.path() / "link");
    FsStore store(tmp.path() / "link");
    REQUIRE(store.checkWritable("a.example").ok());
    REQUIRE(store.saveCertificate("a.example", sample()).ok());
    auto live = store.loadLive("a.example");
    REQUIRE(live.ok());
    CHECK(live->has_value());
    CHECK(present(tmp.path() / "real" / "archive" / "a.example" / "1" / "privkey.pem"));
}

TEST_CASE("a link at archive/NAME is refused and nothing is written through it", "[store][links]") {
    Fixture f;
    fs::path planted = f.root / "archive" / "b.example";
    fs::create_directory_symlink(f.elsewhere, planted);
    FsStore store(f.root);
    requireConfig(store.checkWritable("b.example"), planted.string() + kRefused);
    requireConfig(statusOf(store.saveCertificate("b.example", sample())),
                  planted.string() + kRefused);
    requireConfig(statusOf(store.listVersions("b.example")), kRefused);
    requireConfig(statusOf(store.loadVersion("b.example", 1)), kRefused);
    requireConfig(store.removeLeftovers("b.example"), kRefused);
    CHECK(entriesOf(f.elsewhere).empty());
    CHECK_FALSE(present(f.root / "live" / "b.example"));
}

TEST_CASE("a link at a top-level store directory is refused", "[store][links]") {
    auto top = GENERATE(as<std::string>{}, "archive", "live", "state", "accounts");
    INFO("link at " << top);
    Fixture f;
    fs::remove_all(f.root / top);
    fs::create_directory_symlink(f.elsewhere, f.root / top);
    FsStore store(f.root);
    std::string msg = (f.root / top).string() + kRefused;
    if (top == "accounts") {
        requireConfig(store.saveAccount("https://ca/dir", {"", "k", "u", "", ""}), msg);
        requireConfig(statusOf(store.listAccounts()), msg);
    } else {
        requireConfig(store.checkWritable("b.example"), msg);
        requireConfig(statusOf(store.saveCertificate("b.example", sample())), msg);
        if (top == "state") {
            requireConfig(store.saveSettings("b.example", CertSettings{}), msg);
            requireConfig(statusOf(store.loadSettings("b.example")), msg);
            requireConfig(statusOf(store.loadRenewalState("b.example")), msg);
        }
        if (top == "live") {
            requireConfig(statusOf(store.loadLiveMeta("b.example")), msg);
        }
    }
    CHECK(entriesOf(f.elsewhere).empty());
}

TEST_CASE("a link below archive/NAME is refused", "[store][links]") {
    Fixture f;
    fs::path archive = f.root / "archive" / "a.example";
    fs::create_directories(f.elsewhere / "v");
    writeText(f.elsewhere / "v" / "cert.pem", "foreign");
    fs::create_directory_symlink(f.elsewhere / "v", archive / "2");
    FsStore store(f.root);
    requireConfig(statusOf(store.listVersions("a.example")), (archive / "2").string() + kRefused);
    requireConfig(statusOf(store.loadVersion("a.example", 2)), (archive / "2").string() + kRefused);

    fs::remove(archive / "2");
    fs::create_symlink(f.elsewhere / "v" / "cert.pem", archive / "1" / "cert.pem.new");
    fs::rename(archive / "1" / "cert.pem.new", archive / "1" / "cert.pem");
    requireConfig(statusOf(store.loadVersion("a.example", 1)), kRefused);
    requireConfig(statusOf(store.loadLive("a.example")), kRefused);
}

TEST_CASE("checkWritable refuses foreign entries at live/NAME; saveCertificate never "
          "replaces them",
          "[store][checks]") {
    Fixture f;
    fs::path live = f.root / "live" / "b.example";
    FsStore store(f.root);
    SECTION("a regular file") {
        writeText(live, "operator's file");
        const std::string msg = live.string() + " is a regular file, not certkeep's link; move it "
                                                "away";
        requireConfig(store.checkWritable("b.example"), msg);
        requireConfig(statusOf(store.saveCertificate("b.example", sample())), msg);
        CHECK(slurp(live) == "operator's file");
        CHECK_FALSE(present(f.root / "archive" / "b.example" / "1")); // refused before writing
    }
    SECTION("a directory") {
        fs::create_directories(live);
        requireConfig(store.checkWritable("b.example"), live.string() + " is a directory");
        requireConfig(statusOf(store.saveCertificate("b.example", sample())), "is a directory");
        CHECK(fs::is_directory(fs::symlink_status(live)));
    }
    SECTION("a link anywhere else") {
        for (const std::string target : {"/etc", "../archive/a.example/1", "../archive/b.example/x",
                                         "../archive/b.example/1/../1", "archive/b.example/1"}) {
            INFO("target " << target);
            fs::remove(live);
            fs::create_symlink(target, live);
            requireConfig(store.checkWritable("b.example"), live.string() + " is a link to ");
            requireConfig(statusOf(store.saveCertificate("b.example", sample())), "move it away");
            requireConfig(statusOf(store.loadLive("b.example")), "move it away");
            CHECK(fs::read_symlink(live) == target);
        }
    }
}

TEST_CASE("checkWritable on a fresh store creates the top directories, nothing for NAME, no probe",
          "[store][checks]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    REQUIRE(store.checkWritable("n.example").ok());
    for (const auto& d : {root, root / "archive", root / "live", root / "state", root / "locks"}) {
        INFO(d);
        CHECK(modeOf(d) == 0700);
    }
    // Nothing named after the certificate: a run that fails before issuing leaves no trace.
    CHECK_FALSE(fs::exists(root / "archive" / "n.example"));
    CHECK_FALSE(fs::exists(root / "state" / "n.example"));
    CHECK(entriesOf(root / "archive").empty());
    CHECK(store.checkWritable("n.example").ok()); // and again
    auto bad = store.checkWritable("../n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
}

TEST_CASE("checkWritable: a file where a store directory belongs is a Config error",
          "[store][checks]") {
    auto where = GENERATE(as<std::string>{}, "archive", "archive/n.example", "live", "locks");
    INFO("file at " << where);
    TempDir tmp;
    fs::create_directories((tmp.path() / where).parent_path());
    writeText(tmp.path() / where, "x");
    requireConfig(FsStore(tmp.path()).checkWritable("n.example"),
                  (tmp.path() / where).string() + " is not a directory");
}

// checkWritable as a user who cannot write to the state directory (root can write anywhere:
// drop to "nobody" in a child when running as root).
static bool refusedAsReadOnly(const fs::path& root) {
    auto st = FsStore(root).checkWritable("n.example");
    return !st.ok() && st.error().kind == ErrorKind::Config &&
           st.error().message.find("is not writable") != std::string::npos;
}

TEST_CASE("checkWritable: a read-only state directory is a Config error", "[store][checks]") {
    TempDir tmp;
    fs::path root = tmp.path() / "ro";
    fs::create_directories(root);
    fs::permissions(root, fs::perms::owner_read | fs::perms::owner_exec);
    if (::geteuid() != 0) {
        CHECK(refusedAsReadOnly(root));
        return;
    }
    REQUIRE(::chown(root.c_str(), 65534, 65534) == 0);
    fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::others_exec);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(::setgid(65534) == 0 && ::setuid(65534) == 0 && refusedAsReadOnly(root) ? 0 : 1);
    }
    int status = -1;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

// Sets or unsets an environment variable for one scope.
class EnvGuard {
  public:
    EnvGuard(const char* name, const char* value) : name_(name) {
        const char* old = std::getenv(name);
        had_ = old != nullptr;
        old_ = had_ ? old : "";
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~EnvGuard() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }

  private:
    const char* name_;
    bool had_;
    std::string old_;
};

// The non-root branch of defaultStateDir, as the current (non-root) user.
static bool userStateDirsOk() {
    EnvGuard home("HOME", "/home/tester");
    EnvGuard xdg("XDG_STATE_HOME", "/xdg/state");
    bool ok = defaultStateDir() == fs::path("/xdg/state/certkeep");
    EnvGuard relative("XDG_STATE_HOME", "relative/state"); // invalid per XDG: ignored
    ok = ok && defaultStateDir() == fs::path("/home/tester/.local/state/certkeep");
    EnvGuard unset("XDG_STATE_HOME", nullptr);
    return ok && defaultStateDir() == fs::path("/home/tester/.local/state/certkeep");
}

TEST_CASE("defaultStateDir follows root, XDG_STATE_HOME and HOME", "[store][statedir]") {
    if (::geteuid() != 0) {
        CHECK(userStateDirsOk());
        return;
    }
    CHECK(defaultStateDir() == fs::path("/var/lib/certkeep"));
    pid_t pid = ::fork(); // drop to "nobody" in a child to cover the user branch too
    if (pid == 0) {
        ::_exit(::setuid(65534) == 0 && userStateDirsOk() ? 0 : 1);
    }
    int status = -1;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

// FsStore locks: per certificate and per account, flock files under locks/, timeouts.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fcntl.h>
#include <sys/file.h>

using certkeep::ErrorKind;
using certkeep::store::FsStore;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::TempDir;
namespace fs = std::filesystem;
using std::chrono::seconds;

static const std::string kLetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

TEST_CASE("a held certificate lock makes a second taker time out with a Local error",
          "[store][lock]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    auto first = store.lockCertificate("example.com", seconds(1));
    REQUIRE(first.ok());
    CHECK((*first)->held());
    CHECK(modeOf(root / "locks") == 0700);
    CHECK(entriesOf(root / "locks") == std::set<std::string>{"cert-example.com.lock"});

    auto start = std::chrono::steady_clock::now();
    auto second = FsStore(root).lockCertificate("example.com", seconds(1));
    auto waited = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().kind == ErrorKind::Local);
    CHECK_THAT(second.error().message,
               Catch::Contains("another certkeep process holds the lock for certificate "
                               "example.com") &&
                   Catch::Contains("locks/cert-example.com.lock") &&
                   Catch::Contains("try again later"));
    CHECK(waited >= std::chrono::milliseconds(900)); // it retried until the timeout

    CHECK_FALSE(store.lockCertificate("example.com", seconds(0)).ok());
    CHECK(store.lockCertificate("other.example", seconds(0)).ok());
    CHECK(store.lockAccount(kLetsEncrypt, seconds(0)).ok());

    first->reset(); // release
    CHECK(store.lockCertificate("example.com", seconds(0)).ok());
}

TEST_CASE("the certificate lock file keeps its older name, so old and new processes exclude "
          "each other",
          "[store][lock]") {
    TempDir tmp;
    fs::create_directories(tmp.path() / "locks");
    fs::path file = tmp.path() / "locks" / "cert-www.example.org.lock";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); // an older certkeep
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    auto taken = FsStore(tmp.path()).lockCertificate("www.example.org", seconds(0));
    CHECK_FALSE(taken.ok());
    ::close(fd);
    CHECK(FsStore(tmp.path()).lockCertificate("www.example.org", seconds(0)).ok());
}

TEST_CASE("account locks are per server and named after the server id", "[store][lock]") {
    TempDir tmp;
    FsStore store(tmp.path());
    auto held = store.lockAccount(kLetsEncrypt, seconds(0));
    REQUIRE(held.ok());
    CHECK((*held)->held());
    CHECK(entriesOf(tmp.path() / "locks") ==
          std::set<std::string>{"account-acme-v02.api.letsencrypt.org_directory.lock"});
    auto again = store.lockAccount(kLetsEncrypt, seconds(0));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().kind == ErrorKind::Local);
    CHECK_THAT(again.error().message, Catch::Contains("the account at " + kLetsEncrypt));
    CHECK(store.lockAccount("https://127.0.0.1:14000/dir", seconds(0)).ok());
}

TEST_CASE("hostile lock inputs stay inside locks/", "[store][lock]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto bad = store.lockCertificate("../../escape", seconds(0));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
    auto held = store.lockAccount("https://../../escape", seconds(0));
    REQUIRE(held.ok());
    CHECK_FALSE(fs::exists(tmp.path() / "escape.lock"));
    for (const auto& name : entriesOf(tmp.path() / "state" / "locks")) {
        CHECK(name.find('/') == std::string::npos);
        CHECK(name.rfind("account-", 0) == 0);
    }
    CHECK_FALSE(store.lockAccount("https://../../escape", seconds(0)).ok());
}

TEST_CASE("a link at locks/ is refused", "[store][lock][links]") {
    TempDir tmp;
    fs::create_directories(tmp.path() / "state");
    fs::create_directories(tmp.path() / "elsewhere");
    fs::create_directory_symlink(tmp.path() / "elsewhere", tmp.path() / "state" / "locks");
    auto taken = FsStore(tmp.path() / "state").lockCertificate("a.example", seconds(0));
    REQUIRE_FALSE(taken.ok());
    CHECK(taken.error().kind == ErrorKind::Config);
    CHECK_THAT(taken.error().message, Catch::Contains("is a symlink"));
    CHECK(entriesOf(tmp.path() / "elsewhere").empty());
}

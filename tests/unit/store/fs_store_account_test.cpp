// FsStore accounts, locks, server ids and the default state directory.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using certkeep::ErrorKind;
using certkeep::store::AccountData;
using certkeep::store::defaultStateDir;
using certkeep::store::FsStore;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::TempDir;
namespace fs = std::filesystem;

static const std::string kLetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST_CASE("loadAccount on a missing root is nullopt and creates nothing", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto loaded = store.loadAccount(kLetsEncrypt);
    REQUIRE(loaded.ok());
    CHECK_FALSE(loaded->has_value());
    CHECK_FALSE(fs::exists(tmp.path() / "state"));
}

TEST_CASE("account save and load round trip with private modes", "[store][account]") {
    TempDir tmp;
    fs::path root = tmp.path() / "nested" / "state";
    FsStore store(root);
    CHECK_FALSE(fs::exists(root)); // constructor does not touch disk

    AccountData in{"-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
                   "https://ca.example/acct/1", "mailto:ops@example.com"};
    REQUIRE(store.saveAccount(kLetsEncrypt, in).ok());

    fs::path dir = root / "accounts" / "acme-v02.api.letsencrypt.org_directory";
    CHECK(modeOf(root) == 0700);
    CHECK(modeOf(root / "accounts") == 0700);
    CHECK(modeOf(dir) == 0700);
    CHECK(modeOf(dir / "account.key") == 0600);
    CHECK(modeOf(dir / "account.json") == 0600);
    CHECK(slurp(dir / "account.key") == in.keyPem);
    CHECK(entriesOf(dir) == std::set<std::string>{"account.key", "account.json"});
    CHECK(slurp(dir / "account.json").find(kLetsEncrypt) != std::string::npos);

    auto out = FsStore(root).loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == in.keyPem);
    CHECK((*out)->url == in.url);
    CHECK((*out)->contact == in.contact);

    auto other = store.loadAccount("https://127.0.0.1:14000/dir");
    REQUIRE(other.ok());
    CHECK_FALSE(other->has_value());
}

TEST_CASE("saveAccount replaces key and url together", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"key-1", "https://ca/acct/1", ""}).ok());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"key-2", "", "mailto:a@b.c"}).ok());
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == "key-2");
    CHECK((*out)->url.empty());
    CHECK((*out)->contact == "mailto:a@b.c");
}

TEST_CASE("a key without account.json loads with an empty url", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"key-1", "https://ca/acct/1", ""}).ok());
    fs::remove(tmp.path() / "accounts" / FsStore::serverId(kLetsEncrypt) / "account.json");
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == "key-1");
    CHECK((*out)->url.empty());
}

TEST_CASE("corrupt account.json is a Config error", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"key-1", "u", ""}).ok());
    std::ofstream(tmp.path() / "accounts" / FsStore::serverId(kLetsEncrypt) / "account.json")
        << "{not json";
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Config);
}

TEST_CASE("serverId examples", "[store][serverid]") {
    CHECK(FsStore::serverId(kLetsEncrypt) == "acme-v02.api.letsencrypt.org_directory");
    CHECK(FsStore::serverId("https://127.0.0.1:14000/dir") == "127.0.0.1_14000_dir");
    CHECK(FsStore::serverId("https://ACME.Example.com/dir/") == "acme.example.com_dir");
    CHECK(FsStore::serverId("https://x/../../etc") == "x_.._.._etc");
    CHECK(FsStore::serverId("https://a/x") != FsStore::serverId("https://b/x"));
}

TEST_CASE("serverId never yields a traversing or hidden name", "[store][serverid]") {
    for (const std::string url : {"https://../..", "https://..", "https://.", "", "https://", "..",
                                  "/", "https://x/../../etc", "https://[::1]:14000/dir",
                                  "https://h/\xc3\xa9\n\t*?", "https://_/._"}) {
        INFO("url: " << url);
        std::string id = FsStore::serverId(url);
        CHECK_FALSE(id.empty());
        CHECK(id != ".");
        CHECK(id != "..");
        CHECK(id[0] != '.');
        CHECK(id.find('/') == std::string::npos);
        CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789._-") == std::string::npos);
        fs::path p = (fs::path("/s/accounts") / id).lexically_normal();
        CHECK(p.parent_path() == fs::path("/s/accounts"));
    }
    CHECK(FsStore::serverId(std::string(500, 'a')).size() < 200);
}

TEST_CASE("a held lock makes a second taker time out with a Local error", "[store][lock]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto first = store.lock("example.com", 1);
    REQUIRE(first.ok());
    CHECK(modeOf(tmp.path() / "state" / "locks") == 0700);

    auto start = std::chrono::steady_clock::now();
    auto second = FsStore(tmp.path() / "state").lock("example.com", 1);
    auto waited = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().kind == ErrorKind::Local);
    CHECK_THAT(second.error().message,
               Catch::Contains("another certkeep process holds the lock for example.com") &&
                   Catch::Contains("locks/") && Catch::Contains("try again later"));
    CHECK(waited >= std::chrono::milliseconds(900)); // it retried until the timeout

    auto zero = store.lock("example.com", 0);
    REQUIRE_FALSE(zero.ok());
    CHECK(zero.error().kind == ErrorKind::Local);

    auto otherKey = store.lock("account:acme-v02", 0);
    CHECK(otherKey.ok());

    first->reset(); // release
    auto third = store.lock("example.com", 0);
    CHECK(third.ok());
}

TEST_CASE("hostile lock keys stay inside locks/", "[store][lock]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto held = store.lock("../../escape", 0);
    REQUIRE(held.ok());
    CHECK_FALSE(fs::exists(tmp.path() / "escape.lock"));
    for (const auto& name : entriesOf(tmp.path() / "state" / "locks")) {
        CHECK(name.find('/') == std::string::npos);
        CHECK(name.size() > 5);
    }
    CHECK(entriesOf(tmp.path() / "state" / "locks").size() == 1);
    CHECK_FALSE(store.lock("../../escape", 0).ok());
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

// FsStore accounts: one account.json holding key and URL, the older two-file layout and its
// migration, unreadable keys, listing, and links where the account directory belongs.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::store::AccountData;
using certkeep::store::FsStore;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::present;
using certkeep::store::test::slurp;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

const std::string kLetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
const std::string kPebble = "https://127.0.0.1:14000/dir";

std::string pem(const std::string& body) {
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
}

fs::path accountDir(const fs::path& root, const std::string& url) {
    return root / "accounts" / FsStore::serverId(url);
}

// The older layout: account.key, and account.json without a "key" member.
void plantOldLayout(const fs::path& root, const std::string& key, const std::string& url) {
    fs::path dir = accountDir(root, kLetsEncrypt);
    fs::create_directories(dir);
    writeText(dir / "account.key", key);
    if (!url.empty()) {
        writeText(dir / "account.json", "{\"directory\":\"" + kLetsEncrypt + "\",\"url\":\"" + url +
                                            "\",\"contact\":\"mailto:old@example.com\"}");
    }
}

} // namespace

TEST_CASE("loadAccount on a missing root is nullopt and creates nothing", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto loaded = store.loadAccount(kLetsEncrypt);
    REQUIRE(loaded.ok());
    CHECK_FALSE(loaded->has_value());
    CHECK_FALSE(fs::exists(tmp.path() / "state"));
}

TEST_CASE("an account is one 0600 account.json holding key, url and contact", "[store][account]") {
    TempDir tmp;
    fs::path root = tmp.path() / "nested" / "state";
    FsStore store(root);
    CHECK_FALSE(fs::exists(root)); // constructor does not touch disk

    AccountData in{"ignored", pem("abc"), "https://ca.example/acct/1", "mailto:ops@example.com",
                   ""};
    REQUIRE(store.saveAccount(kLetsEncrypt, in).ok());

    fs::path dir = accountDir(root, kLetsEncrypt);
    CHECK(dir.filename() == "acme-v02.api.letsencrypt.org_directory");
    for (const auto& d : {root, root / "accounts", dir}) {
        INFO(d);
        CHECK(modeOf(d) == 0700);
    }
    CHECK(entriesOf(dir) == std::set<std::string>{"account.json"});
    CHECK(modeOf(dir / "account.json") == 0600);
    std::string text = slurp(dir / "account.json");
    CHECK_THAT(text, Catch::Contains("\"directory\": \"" + kLetsEncrypt + "\"") &&
                         Catch::Contains("\"key\": \"-----BEGIN PRIVATE KEY-----\\nabc") &&
                         Catch::Contains("\"url\": \"https://ca.example/acct/1\""));

    auto out = FsStore(root).loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->directoryUrl == kLetsEncrypt);
    CHECK((*out)->keyPem == in.keyPem);
    CHECK((*out)->url == in.url);
    CHECK((*out)->contact == in.contact);

    auto other = store.loadAccount(kPebble);
    REQUIRE(other.ok());
    CHECK_FALSE(other->has_value());
}

TEST_CASE("saveAccount replaces key and url together", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"", pem("key-1"), "https://ca/acct/1", "", ""}).ok());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"", pem("key-2"), "", "mailto:a@b.c", ""}).ok());
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == pem("key-2"));
    CHECK((*out)->url.empty());
    CHECK((*out)->contact == "mailto:a@b.c");
}

TEST_CASE("the older layout loads and the next save migrates it", "[store][account]") {
    TempDir tmp;
    plantOldLayout(tmp.path(), pem("old"), "https://ca/acct/7");
    FsStore store(tmp.path());
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == pem("old"));
    CHECK((*out)->url == "https://ca/acct/7");
    CHECK((*out)->contact == "mailto:old@example.com");

    REQUIRE(store.saveAccount(kLetsEncrypt, **out).ok());
    fs::path dir = accountDir(tmp.path(), kLetsEncrypt);
    CHECK(entriesOf(dir) == std::set<std::string>{"account.json"});
    auto again = store.loadAccount(kLetsEncrypt);
    REQUIRE(again.ok());
    REQUIRE(again->has_value());
    CHECK((*again)->keyPem == pem("old"));
    CHECK((*again)->url == "https://ca/acct/7");
}

TEST_CASE("an older key without account.json loads with an empty url", "[store][account]") {
    TempDir tmp;
    plantOldLayout(tmp.path(), pem("k"), "");
    auto out = FsStore(tmp.path()).loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == pem("k"));
    CHECK((*out)->url.empty());
}

TEST_CASE("a crash during migration never pairs a url with the wrong key", "[store][account]") {
    TempDir tmp;
    plantOldLayout(tmp.path(), pem("old"), "https://ca/acct/old");
    struct Crash {};
    FsStore crashing(tmp.path(), [](std::string_view step) {
        if (step == "account-written") {
            throw Crash{};
        }
    });
    REQUIRE_THROWS_AS(
        crashing.saveAccount(kLetsEncrypt, {"", pem("new"), "https://ca/acct/new", "", ""}), Crash);
    CHECK(present(accountDir(tmp.path(), kLetsEncrypt) / "account.key")); // not yet removed

    auto out = FsStore(tmp.path()).loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->keyPem == pem("new"));
    CHECK((*out)->url == "https://ca/acct/new");
}

TEST_CASE("an empty or truncated stored key is a Config error", "[store][account]") {
    const std::vector<std::string> badKeys = {
        "", "\n  \n", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAS",
        "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRI"};
    // The same refusal whichever layout the key is stored in.
    auto check = [](const fs::path& root, const std::string& file) {
        auto out = FsStore(root).loadAccount(kLetsEncrypt);
        REQUIRE_FALSE(out.ok());
        CHECK(out.error().kind == ErrorKind::Config);
        fs::path path = accountDir(root, kLetsEncrypt) / file;
        CHECK_THAT(out.error().message,
                   Catch::StartsWith("stored account key " + path.string() + " is unreadable: "));
    };
    SECTION("older layout") {
        for (const auto& key : badKeys) {
            INFO("key: " << key);
            TempDir tmp;
            plantOldLayout(tmp.path(), key, "https://ca/acct/1");
            check(tmp.path(), "account.key");
        }
    }
    SECTION("account.json") {
        for (const auto& key : badKeys) {
            INFO("key: " << key);
            TempDir tmp;
            REQUIRE(FsStore(tmp.path()).saveAccount(kLetsEncrypt, {"", key, "u", "", ""}).ok());
            check(tmp.path(), "account.json");
        }
    }
}

TEST_CASE("corrupt account.json is a Config error naming it; unknown members are ignored",
          "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"", pem("k"), "u", "", ""}).ok());
    fs::path file = accountDir(tmp.path(), kLetsEncrypt) / "account.json";
    writeText(file, "{not json");
    auto out = store.loadAccount(kLetsEncrypt);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Config);
    CHECK_THAT(out.error().message, Catch::Contains(file.string()) && Catch::Contains("move it"));

    writeText(file, R"({"key": ")" + std::string("-----BEGIN K-----\\nx\\n-----END K-----") +
                        R"(", "url": "https://ca/a/2", "future": {"x": [1, 2]}})");
    out = store.loadAccount(kLetsEncrypt);
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    CHECK((*out)->url == "https://ca/a/2");
    CHECK((*out)->contact.empty());
}

TEST_CASE("listAccounts returns every account sorted, with its directory URL", "[store][account]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto none = store.listAccounts();
    REQUIRE(none.ok());
    CHECK(none->empty());

    REQUIRE(store.saveAccount(kPebble, {"", pem("p"), "https://pebble/acct/1", "", ""}).ok());
    REQUIRE(store.saveAccount(kLetsEncrypt, {"", pem("le"), "https://le/acct/2", "m", ""}).ok());
    fs::create_directories(tmp.path() / "state" / "accounts" / "key-only-dir");
    writeText(tmp.path() / "state" / "accounts" / "key-only-dir" / "account.key", pem("x"));
    auto all = store.listAccounts();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].directoryUrl == kPebble); // "https://1..." sorts before "https://a..."
    CHECK((*all)[0].keyPem == pem("p"));
    CHECK((*all)[0].url == "https://pebble/acct/1");
    CHECK((*all)[1].directoryUrl == kLetsEncrypt);
    CHECK((*all)[1].contact == "m");
}

TEST_CASE("a link at the account directory is refused and nothing is written through it",
          "[store][account][links]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    fs::path elsewhere = tmp.path() / "elsewhere";
    fs::create_directories(root / "accounts");
    fs::create_directories(elsewhere);
    fs::create_directory_symlink(elsewhere, accountDir(root, kLetsEncrypt));
    writeText(elsewhere / "account.json", R"({"key":"-----BEGIN K-----\nx\n-----END K-----"})");

    FsStore store(root);
    auto saved = store.saveAccount(kLetsEncrypt, {"", pem("k"), "u", "", ""});
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().kind == ErrorKind::Config);
    CHECK_THAT(saved.error().message,
               Catch::Contains(accountDir(root, kLetsEncrypt).string() + " is a symlink; "
                                                                         "certkeep refuses"));
    CHECK(entriesOf(elsewhere) == std::set<std::string>{"account.json"});
    auto loaded = store.loadAccount(kLetsEncrypt);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().kind == ErrorKind::Config);
    auto listed = store.listAccounts();
    REQUIRE_FALSE(listed.ok());
    CHECK(listed.error().kind == ErrorKind::Config);
}

TEST_CASE("serverId examples", "[store][serverid]") {
    CHECK(FsStore::serverId(kLetsEncrypt) == "acme-v02.api.letsencrypt.org_directory");
    CHECK(FsStore::serverId(kPebble) == "127.0.0.1_14000_dir");
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

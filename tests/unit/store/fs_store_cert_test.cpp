// FsStore certificates: versions claimed by compare-and-swap, the atomic live switch under
// simulated crashes, listing and loading versions, names.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <thread>

using certkeep::ErrorKind;
using certkeep::store::CertVersion;
using certkeep::store::FsStore;
using certkeep::store::isValidCertName;
using certkeep::store::test::deadPid;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::present;
using certkeep::store::test::slurp;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

struct SimulatedCrash {};

// Distinct content per version so a mix-up shows.
CertVersion sample(int tag) {
    std::string t = std::to_string(tag);
    return {0,
            "-----BEGIN CERTIFICATE-----\nleaf" + t + "\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nchain" + t + "\n-----END CERTIFICATE-----\n",
            "leaf" + t + "\nchain" + t + "\n",
            "-----BEGIN PRIVATE KEY-----\nkey" + t + "\n-----END PRIVATE KEY-----\n",
            "{\"tag\":" + t + "}",
            {}};
}

// Checks every field of `v` equals `expected`'s content.
void requireSame(const CertVersion& v, const CertVersion& expected, int number) {
    CHECK(v.number == number);
    CHECK(v.certPem == expected.certPem);
    CHECK(v.chainPem == expected.chainPem);
    CHECK(v.fullchainPem == expected.fullchainPem);
    CHECK(v.keyPem == expected.keyPem);
    CHECK(v.metaJson == expected.metaJson);
}

// Loads live/NAME and checks every file equals `expected`'s content.
void requireLive(FsStore& store, const std::string& name, const CertVersion& expected, int number) {
    auto live = store.loadLive(name);
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    requireSame(**live, expected, number);
}

} // namespace

TEST_CASE("two versions: live points at v2 and v1 stays archived", "[store][cert]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    auto r1 = store.saveCertificate("example.com", sample(1));
    REQUIRE(r1.ok());
    CHECK(*r1 == 1);
    auto r2 = store.saveCertificate("example.com", sample(2));
    REQUIRE(r2.ok());
    CHECK(*r2 == 2);

    requireLive(store, "example.com", sample(2), 2);
    CHECK(fs::read_symlink(root / "live" / "example.com") == "../archive/example.com/2");
    fs::path v1 = root / "archive" / "example.com" / "1";
    CHECK(slurp(v1 / "cert.pem") == sample(1).certPem);
    CHECK(slurp(v1 / "chain.pem") == sample(1).chainPem);
    CHECK(slurp(v1 / "fullchain.pem") == sample(1).fullchainPem);
    CHECK(slurp(v1 / "privkey.pem") == sample(1).keyPem);
    CHECK(slurp(v1 / "meta.json") == sample(1).metaJson);
    CHECK(slurp(root / "live" / "example.com" / "fullchain.pem") == sample(2).fullchainPem);

    fs::path v2 = root / "archive" / "example.com" / "2";
    CHECK(modeOf(v2 / "privkey.pem") == 0600);
    CHECK(modeOf(v2 / "cert.pem") == 0644);
    CHECK(modeOf(v2 / "meta.json") == 0644);
    for (const auto& d :
         {root, root / "archive", root / "archive" / "example.com", v2, root / "live"}) {
        INFO(d);
        CHECK(modeOf(d) == 0700);
    }
    CHECK(entriesOf(root / "archive" / "example.com") == std::set<std::string>{"1", "2"});
    CHECK(entriesOf(root / "live") == std::set<std::string>{"example.com"});
    CHECK(store.liveLocation("example.com") == (root / "live" / "example.com").string());
}

TEST_CASE("loadLive and listCertificates on an empty store", "[store][cert]") {
    TempDir tmp;
    FsStore store(tmp.path() / "missing");
    auto live = store.loadLive("example.com");
    REQUIRE(live.ok());
    CHECK_FALSE(live->has_value());
    auto names = store.listCertificates();
    REQUIRE(names.ok());
    CHECK(names->empty());
    CHECK_FALSE(fs::exists(tmp.path() / "missing"));
}

TEST_CASE("a crash at any step keeps the previous live version", "[store][cert][crash]") {
    auto step =
        GENERATE(as<std::string>{}, "version-dir", "files-written", "symlink-created", "switched");
    INFO("crash at " << step);
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    const std::string name = "www.example.org";
    REQUIRE(FsStore(root).saveCertificate(name, sample(1)).ok());

    FsStore crashing(root, [&](std::string_view at) {
        if (at == step) {
            throw SimulatedCrash{};
        }
    });
    REQUIRE_THROWS_AS(crashing.saveCertificate(name, sample(2)), SimulatedCrash);

    FsStore after(root);
    if (step == "switched") {
        requireLive(after, name, sample(2), 2);
    } else {
        requireLive(after, name, sample(1), 1);
    }
    auto listed = after.listCertificates();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<std::string>{name});

    // Only a crash before the rename to "2" lets version 2 be written again.
    int expectedV3 = step == "version-dir" ? 2 : 3;
    auto r3 = after.saveCertificate(name, sample(3));
    REQUIRE(r3.ok());
    CHECK(*r3 == expectedV3);
    requireLive(after, name, sample(3), expectedV3);
    listed = after.listCertificates();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<std::string>{name});
    CHECK(entriesOf(root / "live") == std::set<std::string>{name});
    for (const auto& e : entriesOf(root / "archive" / name)) {
        CHECK(e.find_first_not_of("0123456789") == std::string::npos);
    }
}

TEST_CASE("leftovers of a dead process do not break later saves", "[store][cert][crash]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    REQUIRE(store.saveCertificate("a.example", sample(1)).ok());
    std::string pid = std::to_string(deadPid());
    fs::path staleDir = root / "archive" / "a.example" / (".tmp-7-" + pid);
    fs::create_directory(staleDir);
    std::ofstream(staleDir / "cert.pem") << "half";
    fs::create_directory_symlink("../archive/a.example/7",
                                 root / "live" / (".a.example.tmp-" + pid));
    fs::create_directory(root / "archive" / "a.example" / "notes");

    auto listed = store.listCertificates();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<std::string>{"a.example"});

    auto r = store.saveCertificate("a.example", sample(2));
    REQUIRE(r.ok());
    CHECK(*r == 2);
    requireLive(store, "a.example", sample(2), 2);
    CHECK_FALSE(fs::exists(fs::symlink_status(staleDir)));
    CHECK(entriesOf(root / "live") == std::set<std::string>{"a.example"});
}

// The name of this thread's temporary live link for `name`.
static std::string ownTempLink(const std::string& name) {
    return "." + name + ".tmp-" + std::to_string(::gettid()) + "-" + std::to_string(::getpid());
}

TEST_CASE("a failed live switch returns an Io error and keeps the live version", "[store][cert]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    REQUIRE(FsStore(root).saveCertificate("b.example", sample(1)).ok());
    // A non-empty directory where the temp link goes makes the switch fail, even as root.
    fs::path blocker = root / "live" / ownTempLink("b.example");
    FsStore store(root, [&](std::string_view step) {
        if (step == "files-written") {
            fs::create_directories(blocker / "x");
        }
    });
    auto r = store.saveCertificate("b.example", sample(2));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Io);
    CHECK_THAT(r.error().message, Catch::Contains(blocker.string()));
    requireLive(store, "b.example", sample(1), 1);

    // The blocker is this thread's own leftover: the next save removes it.
    auto r3 = FsStore(root).saveCertificate("b.example", sample(3));
    REQUIRE(r3.ok());
    CHECK(*r3 == 3);
    requireLive(store, "b.example", sample(3), 3);
    CHECK_FALSE(present(blocker));
}

TEST_CASE("a file put at live/NAME during a save is refused, not replaced", "[store][cert]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    fs::path live = root / "live" / "c.example";
    FsStore store(root, [&](std::string_view step) {
        if (step == "symlink-created") {
            writeText(live, "operator's file");
        }
    });
    auto r = store.saveCertificate("c.example", sample(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Config);
    CHECK_THAT(
        r.error().message,
        Catch::Contains(live.string() + " is a regular file, not certkeep's link; move it away"));
    CHECK(slurp(live) == "operator's file");
    CHECK(entriesOf(root / "live") == std::set<std::string>{"c.example"});
}

TEST_CASE("invalid certificate names are refused before touching disk", "[store][cert]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    for (const std::string& bad :
         std::vector<std::string>{"", ".hidden", "-flag", "a/b", "..", ".", "a b", "caf\xc3\xa9",
                                  "x\n", std::string(65, 'a'), "../../etc"}) {
        INFO("name: " << bad);
        CHECK_FALSE(isValidCertName(bad));
        auto r = store.saveCertificate(bad, sample(1));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Usage);
        CHECK(r.error().message ==
              "invalid certificate name \"" + bad + "\": use letters, digits, '.', '_' or '-'");
    }
    CHECK_FALSE(fs::exists(root));
    for (const std::string& good :
         std::vector<std::string>{"a", "example.com", "A_b-c.9", std::string(64, 'z')}) {
        CHECK(isValidCertName(good));
    }
}

TEST_CASE("listCertificates returns sorted valid symlink names only", "[store][cert]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    for (const char* n : {"zeta.example", "alpha.example", "mid"}) {
        REQUIRE(store.saveCertificate(n, sample(1)).ok());
    }
    fs::create_directory(root / "live" / "plain-dir");
    std::ofstream(root / "live" / "file.txt") << "x";
    auto names = store.listCertificates();
    REQUIRE(names.ok());
    CHECK(*names == std::vector<std::string>{"alpha.example", "mid", "zeta.example"});
}

TEST_CASE("listVersions and loadVersion read every stored version", "[store][cert]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    auto none = store.listVersions("v.example");
    REQUIRE(none.ok());
    CHECK(none->empty());
    for (int i = 1; i <= 3; ++i) {
        REQUIRE(store.saveCertificate("v.example", sample(i)).ok());
    }
    fs::create_directory(tmp.path() / "state" / "archive" / "v.example" / "notes");
    auto listed = store.listVersions("v.example");
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<int>{1, 2, 3});
    for (int i = 1; i <= 3; ++i) {
        auto v = store.loadVersion("v.example", i);
        REQUIRE(v.ok());
        requireSame(*v, sample(i), i);
    }
    for (int missing : {0, -1, 4, 1000}) {
        auto v = store.loadVersion("v.example", missing);
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().kind == ErrorKind::NotFound);
    }
    auto otherName = store.loadVersion("w.example", 1);
    REQUIRE_FALSE(otherName.ok());
    CHECK(otherName.error().kind == ErrorKind::NotFound);
    CHECK(store.loadVersion("../x", 1).error().kind == ErrorKind::Usage);
    CHECK(store.listVersions("../x").error().kind == ErrorKind::Usage);

    fs::remove(tmp.path() / "state" / "archive" / "v.example" / "2" / "chain.pem");
    auto broken = store.loadVersion("v.example", 2);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().kind == ErrorKind::Config);
    CHECK_THAT(broken.error().message, Catch::Contains("chain.pem is missing"));
}

TEST_CASE("a number taken while a version was being written is skipped, not overwritten",
          "[store][cert][cas]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    REQUIRE(FsStore(root).saveCertificate("cas.example", sample(1)).ok());
    int innerNumber = 0;
    // While this store builds version 2, another writer (another thread) takes number 2.
    FsStore store(root, [&](std::string_view step) {
        if (step == "files-written" || innerNumber != 0) {
            return;
        }
        std::thread other([&] {
            auto r = FsStore(root).saveCertificate("cas.example", sample(20));
            innerNumber = r.ok() ? *r : -1;
        });
        other.join();
    });
    auto r = store.saveCertificate("cas.example", sample(30));
    REQUIRE(r.ok());
    CHECK(innerNumber == 2);
    CHECK(*r == 3);
    auto v2 = store.loadVersion("cas.example", 2);
    REQUIRE(v2.ok());
    requireSame(*v2, sample(20), 2);
    requireLive(store, "cas.example", sample(30), 3);
}

TEST_CASE("concurrent saves by several stores get distinct numbers and complete versions",
          "[store][cert][cas]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    constexpr int kThreads = 4;
    constexpr int kSaves = 6;
    std::vector<std::vector<int>> numbers(kThreads);
    std::vector<std::vector<std::string>> errors(kThreads);
    constexpr size_t kTotal = size_t{kThreads} * kSaves;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            FsStore store(root);
            for (int i = 0; i < kSaves; ++i) {
                auto r = store.saveCertificate("race.example", sample(t * 100 + i));
                errors[t].push_back(r.ok() ? std::string() : r.error().message);
                numbers[t].push_back(r.ok() ? *r : -1);
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    FsStore store(root);
    std::set<int> seen;
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kSaves; ++i) {
            int n = numbers[t][i];
            INFO("thread " << t << " save " << i << " got " << n << " " << errors[t][i]);
            REQUIRE(n > 0);
            CHECK(seen.insert(n).second);
            auto v = store.loadVersion("race.example", n);
            REQUIRE(v.ok());
            requireSame(*v, sample(t * 100 + i), n);
        }
    }
    CHECK(seen.size() == kTotal);
    CHECK(*seen.rbegin() == static_cast<int>(kTotal));
    auto listed = store.listVersions("race.example");
    REQUIRE(listed.ok());
    CHECK(listed->size() == kTotal);
    auto live = store.loadLive("race.example");
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    CHECK(seen.count((*live)->number) == 1);
    for (const auto& e : entriesOf(root / "archive" / "race.example")) {
        CHECK(e.find_first_not_of("0123456789") == std::string::npos); // no temporaries left
    }
    CHECK(entriesOf(root / "live") == std::set<std::string>{"race.example"});
}

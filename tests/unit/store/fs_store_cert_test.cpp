// FsStore certificates: versions, the atomic live switch under simulated crashes, names.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using certkeep::ErrorKind;
using certkeep::store::CertVersion;
using certkeep::store::FsStore;
using certkeep::store::isValidCertName;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::TempDir;
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
            "{\"tag\":" + t + "}"};
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Loads live/NAME and checks every file equals `expected`'s content.
void requireLive(FsStore& store, const std::string& name, const CertVersion& expected, int number) {
    auto live = store.loadLive(name);
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    const CertVersion& v = **live;
    CHECK(v.number == number);
    CHECK(v.certPem == expected.certPem);
    CHECK(v.chainPem == expected.chainPem);
    CHECK(v.fullchainPem == expected.fullchainPem);
    CHECK(v.keyPem == expected.keyPem);
    CHECK(v.metaJson == expected.metaJson);
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

// A pid that certainly belonged to a process that has exited.
static pid_t deadPid() {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
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

TEST_CASE("a failed save returns an Io error and keeps the live version", "[store][cert]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    REQUIRE(store.saveCertificate("b.example", sample(1)).ok());
    // A non-empty directory where the temp symlink goes makes the switch fail, even as root.
    fs::path blocker = root / "live" / (".b.example.tmp-" + std::to_string(::getpid()));
    fs::create_directories(blocker / "x");

    auto r = store.saveCertificate("b.example", sample(2));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Io);
    CHECK_THAT(r.error().message, Catch::Contains(blocker.string()));
    requireLive(store, "b.example", sample(1), 1);

    fs::remove_all(blocker);
    auto r3 = store.saveCertificate("b.example", sample(3));
    REQUIRE(r3.ok());
    CHECK(*r3 == 3);
    requireLive(store, "b.example", sample(3), 3);
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

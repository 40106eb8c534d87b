// The webroot HTTP-01 writer (RFC 8555 §8.3): files, modes, cleanup and hostile tokens.

#include "challenges/http01.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace certkeep;
using namespace certkeep::challenges;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
const std::string kToken2 = "DGyRejmCefe7v4NfDGDKfA_3Ca5TU-mp7E1FBCGLlmw";

// A fresh empty directory, removed with everything in it when the test ends.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "certkeep-webroot-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

mode_t modeOf(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode;
}

std::unique_ptr<Http01Webroot> makeWebroot(const fs::path& dir) {
    auto r = Http01Webroot::create(dir);
    REQUIRE(r.ok());
    return std::move(*r);
}

// Sets the umask for one scope, so modes are shown not to depend on it.
struct UmaskGuard {
    mode_t old;
    explicit UmaskGuard(mode_t m) : old(::umask(m)) {}
    ~UmaskGuard() { ::umask(old); }
};

} // namespace

TEST_CASE("webroot writes the key authorization with mode 0644", "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    CHECK(solver->type() == "http-01");
    UmaskGuard strict(077);
    REQUIRE(solver->present("example.com", kToken, kToken + ".thumb").ok());

    fs::path dir = root.path / ".well-known" / "acme-challenge";
    fs::path file = dir / kToken;
    CHECK(readFile(file) == kToken + ".thumb");
    CHECK(S_ISREG(modeOf(file)));
    CHECK((modeOf(file) & 07777) == 0644);
    CHECK((modeOf(dir) & 07777) == 0755);
    CHECK((modeOf(root.path / ".well-known") & 07777) == 0755);
    // Only the token file: no temp file is left behind.
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("webroot cleanup removes the file and the directories it created",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present("a.example", kToken, kToken + ".t").ok());
    REQUIRE(solver->present("b.example", kToken2, kToken2 + ".t").ok());
    fs::path dir = root.path / ".well-known" / "acme-challenge";

    REQUIRE(solver->cleanup("a.example", kToken).ok());
    CHECK_FALSE(fs::exists(dir / kToken));
    CHECK(fs::exists(dir / kToken2)); // still in use, so its directory stays
    REQUIRE(solver->cleanup("b.example", kToken2).ok());
    CHECK_FALSE(fs::exists(root.path / ".well-known"));
    CHECK(fs::is_empty(root.path));
    CHECK(solver->cleanup("b.example", kToken2).ok()); // already gone is fine
}

TEST_CASE("webroot keeps directories that existed before", "[challenges][webroot]") {
    TempDir root;
    fs::create_directories(root.path / ".well-known" / "other");
    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present("example.com", kToken, "ka").ok());
    REQUIRE(solver->cleanup("example.com", kToken).ok());
    CHECK(fs::is_directory(root.path / ".well-known" / "other"));
    CHECK_FALSE(fs::exists(root.path / ".well-known" / "acme-challenge"));

    fs::create_directories(root.path / ".well-known" / "acme-challenge");
    REQUIRE(solver->present("example.com", kToken, "ka").ok());
    REQUIRE(solver->cleanup("example.com", kToken).ok());
    CHECK(fs::is_directory(root.path / ".well-known" / "acme-challenge"));
}

TEST_CASE("webroot replaces a planted symlink instead of writing through it",
          "[challenges][webroot]") {
    TempDir root;
    TempDir elsewhere;
    fs::path victim = elsewhere.path / "victim";
    std::ofstream(victim) << "precious";
    fs::path dir = root.path / ".well-known" / "acme-challenge";
    fs::create_directories(dir);
    fs::create_symlink(victim, dir / kToken);

    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present("example.com", kToken, "keyauth").ok());
    CHECK(readFile(victim) == "precious");
    CHECK(S_ISREG(modeOf(dir / kToken)));
    CHECK(readFile(dir / kToken) == "keyauth");
}

TEST_CASE("webroot refuses an invalid token before touching the filesystem",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    for (const std::string& bad :
         std::vector<std::string>{"../../etc/passwd", "../../../../../../../../tmp/owned-x",
                                  std::string(43, 'a') + "/..", "short"}) {
        INFO(bad);
        auto st = solver->present("example.com", bad, "x");
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorKind::Protocol);
        CHECK(solver->cleanup("example.com", bad).ok());
    }
    CHECK(fs::is_empty(root.path));
}

TEST_CASE("webroot create needs an existing directory", "[challenges][webroot]") {
    TempDir root;
    auto missing = Http01Webroot::create(root.path / "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::Config);
    CHECK_THAT(missing.error().message,
               Catch::Contains("does not exist") && Catch::Contains((root.path / "nope").string()));

    std::ofstream(root.path / "file") << "x";
    auto notDir = Http01Webroot::create(root.path / "file");
    REQUIRE_FALSE(notDir.ok());
    CHECK(notDir.error().kind == ErrorKind::Config);
    CHECK_THAT(notDir.error().message, Catch::Contains("is not a directory"));
}

TEST_CASE("webroot reports an Io error naming the path when it cannot write",
          "[challenges][webroot]") {
    TempDir root;
    std::ofstream(root.path / ".well-known") << "a file where a directory should be";
    auto solver = makeWebroot(root.path);
    auto st = solver->present("example.com", kToken, "ka");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Io);
    CHECK_THAT(st.error().message, Catch::Contains((root.path / ".well-known").string()));
}

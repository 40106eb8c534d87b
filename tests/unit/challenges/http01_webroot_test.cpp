// The webroot HTTP-01 writer (RFC 8555 §8.3): files, modes, phases, cleanup and hostile tokens.

#include "challenges/http01.hpp"
#include "webroot_fixture.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

const std::string kToken = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
const std::string kToken2 = "DGyRejmCefe7v4NfDGDKfA_3Ca5TU-mp7E1FBCGLlmw";

ChallengeTask task(const std::string& identifier, const std::string& token, bool wildcard = false) {
    return {identifier, wildcard, token, token + ".thumb"};
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
    REQUIRE(solver->present(task("example.com", kToken)).ok());

    fs::path dir = challengeDir(root.path);
    fs::path file = dir / kToken;
    CHECK(readFile(file) == kToken + ".thumb");
    CHECK(S_ISREG(modeOf(file)));
    CHECK((modeOf(file) & 07777) == 0644);
    CHECK((modeOf(dir) & 07777) == 0755);
    CHECK((modeOf(root.path / ".well-known") & 07777) == 0755);
    // Only the token file: no temp file is left behind.
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("webroot present adds: wildcard and plain tasks of one identifier coexist",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    auto wildcard = task("example.com", kToken, true);
    auto plain = task("example.com", kToken2);
    REQUIRE(solver->present(wildcard).ok());
    REQUIRE(solver->present(plain).ok());
    fs::path dir = challengeDir(root.path);
    CHECK(readFile(dir / kToken) == wildcard.keyAuthorization);
    CHECK(readFile(dir / kToken2) == plain.keyAuthorization);

    REQUIRE(solver->cleanup(wildcard).ok());
    CHECK_FALSE(fs::exists(dir / kToken));
    CHECK(readFile(dir / kToken2) == plain.keyAuthorization);
    REQUIRE(solver->cleanup(plain).ok());
    CHECK_FALSE(fs::exists(root.path / ".well-known"));
}

TEST_CASE("webroot keeps a token file two tasks share until the last cleanup",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    auto first = task("a.example", kToken);
    auto second = task("a.example", kToken, true);
    REQUIRE(solver->present(first).ok());
    REQUIRE(solver->present(second).ok());
    REQUIRE(solver->cleanup(first).ok());
    CHECK(readFile(challengeDir(root.path) / kToken) == first.keyAuthorization);
    REQUIRE(solver->cleanup(second).ok());
    CHECK_FALSE(fs::exists(challengeDir(root.path) / kToken));
}

TEST_CASE("webroot cleanup removes the file and the directories it created",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present(task("a.example", kToken)).ok());
    REQUIRE(solver->present(task("b.example", kToken2)).ok());
    fs::path dir = challengeDir(root.path);

    REQUIRE(solver->cleanup(task("a.example", kToken)).ok());
    CHECK_FALSE(fs::exists(dir / kToken));
    CHECK(fs::exists(dir / kToken2)); // still in use, so its directory stays
    REQUIRE(solver->cleanup(task("b.example", kToken2)).ok());
    CHECK_FALSE(fs::exists(root.path / ".well-known"));
    CHECK(fs::is_empty(root.path));
    CHECK(solver->cleanup(task("b.example", kToken2)).ok()); // already gone is fine
}

TEST_CASE("webroot cleanup removes a token file an earlier process left", "[challenges][webroot]") {
    TempDir root;
    fs::path dir = challengeDir(root.path);
    fs::create_directories(dir);
    writeFile(dir / kToken, "left by a killed run");
    writeFile(dir / kToken2, "someone else's");

    auto solver = makeWebroot(root.path); // a new process: it never presented kToken
    REQUIRE(solver->cleanup(task("example.com", kToken)).ok());
    CHECK_FALSE(fs::exists(dir / kToken));
    CHECK(readFile(dir / kToken2) == "someone else's");
    CHECK(fs::is_directory(dir)); // not ours to remove
}

TEST_CASE("webroot keeps directories that existed before", "[challenges][webroot]") {
    TempDir root;
    fs::create_directories(root.path / ".well-known" / "other");
    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present(task("example.com", kToken)).ok());
    REQUIRE(solver->cleanup(task("example.com", kToken)).ok());
    CHECK(fs::is_directory(root.path / ".well-known" / "other"));
    CHECK_FALSE(fs::exists(challengeDir(root.path)));

    fs::create_directories(challengeDir(root.path));
    REQUIRE(solver->present(task("example.com", kToken)).ok());
    REQUIRE(solver->cleanup(task("example.com", kToken)).ok());
    CHECK(fs::is_directory(challengeDir(root.path)));
}

TEST_CASE("webroot waitReady checks every file in place and times out naming the bad one",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    CHECK(solver->waitReady(Clock::now()).ok()); // nothing presented: nothing to wait for
    REQUIRE(solver->present(task("a.example", kToken)).ok());
    REQUIRE(solver->present(task("b.example", kToken2)).ok());
    CHECK(solver->waitReady(Clock::now() + 1s).ok());

    fs::path file = challengeDir(root.path) / kToken2;
    writeFile(file, "tampered");
    auto before = Clock::now();
    auto st = solver->waitReady(before + 100ms);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Timeout);
    CHECK_THAT(st.error().message, Catch::Contains(file.string()));
    CHECK(Clock::now() - before >= 100ms);

    fs::remove(file);
    st = solver->waitReady(Clock::now() + 50ms);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Timeout);
    CHECK_THAT(st.error().message, Catch::Contains(file.string()));

    // A file that shows up before the deadline is waited for.
    auto late = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(60ms);
        std::ofstream(file, std::ios::binary) << kToken2 + ".thumb"; // no Catch macros off-thread
    });
    CHECK(solver->waitReady(Clock::now() + 5s).ok());
    late.get();
}

TEST_CASE("webroot replaces a planted symlink instead of writing through it",
          "[challenges][webroot]") {
    TempDir root;
    TempDir elsewhere;
    fs::path victim = elsewhere.path / "victim";
    writeFile(victim, "precious");
    fs::permissions(victim, fs::perms(0600));
    fs::path dir = challengeDir(root.path);
    fs::create_directories(dir);
    fs::create_symlink(victim, dir / kToken);

    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present({"example.com", false, kToken, "keyauth"}).ok());
    CHECK(readFile(victim) == "precious");
    CHECK(S_ISREG(modeOf(dir / kToken)));
    CHECK(readFile(dir / kToken) == "keyauth");
    CHECK((modeOf(victim) & 07777) == 0600); // never chmod-ed through the link
}

TEST_CASE("webroot refuses an invalid token before touching the filesystem",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    for (const std::string& bad :
         std::vector<std::string>{"../../etc/passwd", "../../../../../../../../tmp/owned-x",
                                  std::string(43, 'a') + "/..", "short"}) {
        INFO(bad);
        auto st = solver->present(task("example.com", bad));
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorKind::Protocol);
        auto clean = solver->cleanup(task("example.com", bad));
        REQUIRE_FALSE(clean.ok());
        CHECK(clean.error().kind == ErrorKind::Protocol);
    }
    CHECK(fs::is_empty(root.path));
}

TEST_CASE("webroot withdrawAll runs safely beside present and cleanup, and is idempotent",
          "[challenges][webroot]") {
    TempDir root;
    auto solver = makeWebroot(root.path);
    auto tokenNo = [](int i) { return "tok" + std::to_string(i) + std::string(30, 'x'); };
    std::atomic<bool> done{false};
    auto worker = std::async(std::launch::async, [&] {
        for (int i = 0; i < 100; ++i) {
            if (!solver->present(task("example.com", tokenNo(i))).ok()) {
                return false;
            }
            if (i % 2 == 0 && !solver->cleanup(task("example.com", tokenNo(i))).ok()) {
                return false;
            }
        }
        done = true;
        return true;
    });
    while (!done) {
        solver->withdrawAll();
        std::this_thread::sleep_for(1ms);
    }
    REQUIRE(worker.get());
    REQUIRE(solver->present(task("example.com", tokenNo(100))).ok());
    CHECK(fs::exists(challengeDir(root.path) / tokenNo(100)));
    solver->withdrawAll();
    CHECK(fs::is_empty(root.path)); // every file and both directories it made are gone
    solver->withdrawAll();
    CHECK(fs::is_empty(root.path));
}

// ProcessHookRunner: finding the program and refusing what must not run.
#include "hook_scripts.hpp"
#include "hooks/runner.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

using namespace certkeep;
using namespace certkeep::hooks;
using namespace certkeep::hooks::test;

namespace {

// Runs argv for a deploy event; the result as the runner returns it.
Result<HookOutcome> runHook(const std::vector<std::string>& argv) {
    ProcessHookRunner runner;
    return runner.run(argv, deployEvent(), RunOptions{});
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Changes the working directory for the lifetime of the object.
class ScopedCwd {
  public:
    explicit ScopedCwd(const std::filesystem::path& dir) : old_(std::filesystem::current_path()) {
        std::filesystem::current_path(dir);
    }
    ~ScopedCwd() { std::filesystem::current_path(old_); }
    ScopedCwd(const ScopedCwd&) = delete;
    ScopedCwd& operator=(const ScopedCwd&) = delete;

  private:
    std::filesystem::path old_;
};

} // namespace

TEST_CASE("a bare program name is searched in PATH", "[hooks][runner][start]") {
    ScriptDir dir;
    dir.script("certkeep-test-probe", "echo \"$0\" > '" + dir.file("ran") + "'");
    ScopedEnv path("PATH", "/nonexistent:" + dir.path().string() + ":/usr/bin:/bin");

    auto outcome = runHook({"certkeep-test-probe"});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(slurp(dir.file("ran")) == dir.file("certkeep-test-probe") + "\n");
}

TEST_CASE("without PATH the default system path is searched", "[hooks][runner][start]") {
    ScopedEnv path("PATH", std::nullopt);

    auto outcome = runHook({"true"});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
}

TEST_CASE("relative PATH entries are not searched", "[hooks][runner][start]") {
    ScriptDir dir;
    dir.script("certkeep-test-probe", "exit 0");
    ScopedCwd cwd(dir.path());
    ScopedEnv path("PATH", ".::/usr/bin:/bin");

    auto outcome = runHook({"certkeep-test-probe"});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
}

TEST_CASE("a program not in PATH is a Config error naming it", "[hooks][runner][start]") {
    auto outcome = runHook({"certkeep-no-such-hook", "arg"});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
    CHECK(contains(outcome.error().message, "deploy hook program certkeep-no-such-hook"));
    CHECK(contains(outcome.error().message, "not found in PATH"));
}

TEST_CASE("a missing program path is a Config error naming it", "[hooks][runner][start]") {
    ScriptDir dir;
    auto outcome = runHook({dir.file("missing.sh")});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
    CHECK(contains(outcome.error().message, dir.file("missing.sh")));
}

TEST_CASE("a program that is not executable is refused with the fix", "[hooks][runner][start]") {
    ScriptDir dir;
    std::string hook = dir.script("plain", "exit 0", 0644);

    auto outcome = runHook({hook});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
    CHECK(contains(outcome.error().message, "chmod +x " + hook));
}

TEST_CASE("a directory is not a program", "[hooks][runner][start]") {
    ScriptDir dir;
    auto outcome = runHook({dir.path().string()});

    REQUIRE_FALSE(outcome.ok());
    CHECK(contains(outcome.error().message, "not a regular file"));
}

TEST_CASE("a script without #! cannot start, and the error says why", "[hooks][runner][start]") {
    ScriptDir dir;
    std::string hook = dir.writeFile("noshebang", "echo hi\n", 0755);

    auto outcome = runHook({hook});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
    CHECK(contains(outcome.error().message, hook));
    CHECK(contains(outcome.error().message, "#! line"));
}

TEST_CASE("an empty command is refused", "[hooks][runner][start]") {
    auto outcome = runHook({});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
}

TEST_CASE("as root, a program other users can write is refused", "[hooks][runner][start]") {
    if (::geteuid() != 0) {
        WARN("not root: the trust check applies to root only");
        return;
    }
    ScriptDir dir;
    std::string hook = dir.script("writable", "touch '" + dir.file("ran") + "'", 0777);

    auto outcome = runHook({hook});

    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::Config);
    CHECK(contains(outcome.error().message, hook));
    CHECK(contains(outcome.error().message, "writable by other users"));
    CHECK_FALSE(std::filesystem::exists(dir.file("ran")));
}

TEST_CASE("as root, a program in a directory other users can write is refused",
          "[hooks][runner][start]") {
    if (::geteuid() != 0) {
        WARN("not root: the trust check applies to root only");
        return;
    }
    ScriptDir dir;
    std::filesystem::create_directory(dir.path() / "open");
    REQUIRE(::chmod(dir.file("open").c_str(), 0777) == 0);
    std::string hook = dir.script("open/hook", "exit 0");
    ScopedEnv path("PATH", dir.file("open") + ":/usr/bin:/bin");

    auto outcome = runHook({"hook"});

    REQUIRE_FALSE(outcome.ok());
    CHECK(contains(outcome.error().message, "writable by other users"));
}

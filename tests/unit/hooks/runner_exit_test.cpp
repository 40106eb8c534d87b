// ProcessHookRunner with real processes: exit status, signals, timeouts, the signal state a hook
// starts with.
#include "hook_scripts.hpp"
#include "hooks/runner.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <sys/wait.h>

using namespace certkeep::hooks;
using namespace certkeep::hooks::test;
using namespace std::chrono_literals;

namespace {

// "SigBlk:\t<hex>" lines of /proc/PID/status as numbers.
std::map<std::string, unsigned long long> parseStatusMasks(const std::string& text) {
    std::map<std::string, unsigned long long> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            out[line.substr(0, colon)] = std::stoull(line.substr(colon + 1), nullptr, 16);
        }
    }
    return out;
}

bool noChildren() {
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

TEST_CASE("a failing hook's exit status and last output are reported", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("reload", "echo 'nginx: [emerg] unknown directive' >&2\nexit 3");
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, deployEvent(), RunOptions{});

    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->ok);
    CHECK(outcome->exitStatus == 3);
    CHECK(outcome->signal == 0);
    CHECK_FALSE(outcome->timedOut);
    CHECK(outcome->describe() == "exited with status 3");
    CHECK(outcome->lastLine() == "nginx: [emerg] unknown directive");
}

TEST_CASE("a hook killed by a signal says which", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("crash", "kill -SEGV $$");
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, deployEvent(), RunOptions{});

    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->ok);
    CHECK(outcome->signal == SIGSEGV);
    CHECK(outcome->describe() == "was killed by SIGSEGV");
}

TEST_CASE("a timeout stops the hook and every process of its group", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook =
        dir.script("hang", "echo $$ > '" + dir.file("pgid") + "'\nsleep 100 &\necho $! > '" +
                               dir.file("child") + "'\nwait");
    RunOptions options;
    options.timeout = 300ms;
    ProcessHookRunner runner;

    auto start = std::chrono::steady_clock::now();
    auto outcome = runner.run({hook}, deployEvent(), options);
    auto elapsed = std::chrono::steady_clock::now() - start;

    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->ok);
    CHECK(outcome->timedOut);
    CHECK(outcome->signal == SIGTERM);
    CHECK(outcome->describe() == "was killed by SIGTERM after the 300ms timeout");
    CHECK(elapsed >= 300ms);
    CHECK(elapsed < 5s);
    pid_t pgid = pidFrom(dir.file("pgid"));
    pid_t child = pidFrom(dir.file("child"));
    REQUIRE(pgid > 0);
    REQUIRE(child > 0);
    CHECK_FALSE(alive(child));
    CHECK(livingInGroup(pgid) == 0);
    CHECK(noChildren());
}

TEST_CASE("a hook that ignores SIGTERM is killed after the grace time", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("stubborn", "trap '' TERM\necho $$ > '" + dir.file("pgid") +
                                                  "'\nsleep 100 &\nwait");
    RunOptions options;
    options.timeout = 200ms;
    options.killGrace = 300ms;
    ProcessHookRunner runner;

    auto start = std::chrono::steady_clock::now();
    auto outcome = runner.run({hook}, deployEvent(), options);
    auto elapsed = std::chrono::steady_clock::now() - start;

    REQUIRE(outcome.ok());
    CHECK(outcome->timedOut);
    CHECK(outcome->signal == SIGKILL);
    CHECK(elapsed >= 500ms);
    CHECK(elapsed < 5s);
    pid_t pgid = pidFrom(dir.file("pgid"));
    REQUIRE(pgid > 0);
    CHECK(livingInGroup(pgid) == 0);
    CHECK(noChildren());
}

TEST_CASE("a hook stopped by the timeout is a failure even when it exits 0", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("graceful", "trap 'exit 0' TERM\nsleep 100 &\nwait");
    RunOptions options;
    options.timeout = 200ms;
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, deployEvent(), options);

    REQUIRE(outcome.ok());
    CHECK_FALSE(outcome->ok);
    CHECK(outcome->timedOut);
    CHECK(outcome->exitStatus == 0);
    CHECK(outcome->describe() == "was stopped after the 200ms timeout (it exited with status 0)");
}

TEST_CASE("a hook starts with no blocked and no ignored signals", "[hooks][runner]") {
    // As in certkeep: SIGINT/SIGTERM/SIGHUP blocked for the signalfd, SIGPIPE ignored.
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGHUP);
    sigset_t oldMask;
    pthread_sigmask(SIG_BLOCK, &blocked, &oldMask);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction oldPipe {};
    sigaction(SIGPIPE, &ignore, &oldPipe);

    ScriptDir dir;
    std::string status = dir.script("status", "grep -E '^Sig(Blk|Ign)' /proc/$$/status > '" +
                                                  dir.file("status.txt") + "'");
    std::string term = dir.script("term", "kill -TERM $$\nexit 0");
    ProcessHookRunner runner;
    auto first = runner.run({status}, deployEvent(), RunOptions{});
    auto second = runner.run({term}, deployEvent(), RunOptions{});

    sigaction(SIGPIPE, &oldPipe, nullptr);
    pthread_sigmask(SIG_SETMASK, &oldMask, nullptr);
    REQUIRE(first.ok());
    auto masks = parseStatusMasks(slurp(dir.file("status.txt")));
    REQUIRE(masks.size() == 2);
    CHECK(masks["SigBlk"] == 0);
    // Signals 1-31; glibc's posix_spawn leaves its own internal signals 32 and 33 ignored.
    CHECK((masks["SigIgn"] & 0x7fffffffULL) == 0);
    REQUIRE(second.ok());
    CHECK(second->signal == SIGTERM); // it was delivered, not held back by an inherited mask
}

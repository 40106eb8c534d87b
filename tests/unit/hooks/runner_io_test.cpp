// ProcessHookRunner with real processes: stdin that is not read, output lines, concurrency.
#include "hook_scripts.hpp"
#include "hooks/launch.hpp"
#include "hooks/runner.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>

using namespace certkeep::hooks;
using namespace certkeep::hooks::test;

namespace {

// A failure event whose JSON is far larger than a pipe's buffer (64 KiB).
HookEvent hugeEvent() {
    HookEvent e;
    e.event = kFailure;
    e.name = "www";
    e.error = std::string(1 << 20, 'e');
    return e;
}

bool sigpipePending() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

// True when this process has no child left to reap (no zombie, nothing running).
bool noChildren() {
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

} // namespace

TEST_CASE("output lines are prefixed with event and hook name, in order", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("reload.sh", "echo one\necho two >&2\nprintf partial");
    Collected out;
    RunOptions options;
    options.output = out.sink();
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, deployEvent(), options);

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(out.lines == std::vector<std::string>{"hook deploy reload.sh: one",
                                                "hook deploy reload.sh: two",
                                                "hook deploy reload.sh: partial"});
    CHECK(outcome->tail == "one\ntwo\npartial");
    CHECK(noChildren());
}

TEST_CASE("a hook that never reads a large stdin succeeds", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("ignore", "sleep 0.2\necho done");
    Collected out;
    RunOptions options;
    options.output = out.sink();
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, hugeEvent(), options);

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(out.lines == std::vector<std::string>{"hook failure ignore: done"});
}

TEST_CASE("a hook that closes stdin and exits 0 is ok, and leaves no SIGPIPE behind",
          "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("closer", "exec <&-\nexit 0");
    // Blocked, a SIGPIPE raised by our write would stay pending here; unblocked (default
    // disposition), it would kill the test binary.
    bool blocked = GENERATE(false, true);
    sigset_t pipeOnly;
    sigemptyset(&pipeOnly);
    sigaddset(&pipeOnly, SIGPIPE);
    sigset_t before;
    pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &pipeOnly, &before);
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, hugeEvent(), RunOptions{});

    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    CHECK(sigismember(&after, SIGPIPE) == (blocked ? 1 : 0)); // the caller's mask is restored
    CHECK_FALSE(sigpipePending());
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
}

TEST_CASE("a hook that reads all of a large stdin gets every byte", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("reader", "cat > '" + dir.file("stdin.json") + "'\nenv > '" +
                                                dir.file("env.txt") + "'");
    HookEvent event = hugeEvent();
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, event, RunOptions{});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(slurp(dir.file("stdin.json")) == hookJson(event).dump() + "\n");
    // The environment cannot hold 1 MiB in one variable: cut there, whole on stdin.
    CHECK(parseEnv(slurp(dir.file("env.txt")))["CERTKEEP_ERROR"] == std::string(kMaxEnvValue, 'e'));
}

TEST_CASE("a child left running does not hold the hook's result back", "[hooks][runner]") {
    ScriptDir dir;
    // The background sleep keeps the output pipe open after the hook itself has exited.
    std::string hook =
        dir.script("starter", "sleep 30 &\necho $! > '" + dir.file("child") + "'\necho started");
    Collected out;
    RunOptions options;
    options.output = out.sink();
    ProcessHookRunner runner;

    auto start = std::chrono::steady_clock::now();
    auto outcome = runner.run({hook}, deployEvent(), options);
    auto elapsed = std::chrono::steady_clock::now() - start;

    pid_t child = pidFrom(dir.file("child"));
    bool childAlive = child > 0 && alive(child);
    if (child > 0) {
        ::kill(child, SIGKILL);
    }
    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(elapsed < std::chrono::seconds(5));
    CHECK(childAlive); // a daemon a hook starts is not killed after a successful hook
    CHECK(out.lines == std::vector<std::string>{"hook deploy starter: started"});
}

TEST_CASE("hooks run concurrently from several threads", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("slow", "sleep 0.4\necho \"$1\"\nexit \"$2\"");
    ProcessHookRunner runner;
    constexpr int kThreads = 4;
    std::vector<Collected> outputs(kThreads);
    std::vector<int> statuses(kThreads, -2);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);

    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            RunOptions options;
            options.output = outputs[i].sink();
            auto outcome = runner.run({hook, "t" + std::to_string(i), std::to_string(i)},
                                      deployEvent(), options);
            statuses[i] = outcome.ok() ? outcome->exitStatus : -1;
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    auto elapsed = std::chrono::steady_clock::now() - start;

    for (int i = 0; i < kThreads; ++i) {
        CHECK(statuses[i] == i);
        CHECK(outputs[i].lines ==
              std::vector<std::string>{"hook deploy slow: t" + std::to_string(i)});
    }
    CHECK(elapsed < std::chrono::milliseconds(1500)); // 4 x 0.4 s one after the other is 1.6 s
}

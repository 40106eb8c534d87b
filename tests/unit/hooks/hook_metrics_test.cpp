// Issue 11: runHooks counts each hook run as certkeep_hook_runs_total{hook=<event>,result}, with
// the event's name (never the program's) and success / failure / timeout / error.
#include "fakes/fake_hook_runner.hpp"
#include "hook_scripts.hpp"
#include "hooks/dispatch.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::hooks;
using namespace std::chrono_literals;
using certkeep::fakes::FakeHookRunner;
using Series = std::map<std::string, std::uint64_t>;

namespace {

std::string runs(const std::string& hook, const std::string& result) {
    return seriesKey(kHookRunsTotal, {{"hook", hook}, {"result", result}});
}

HookEvent event(const std::string& name) {
    HookEvent e;
    e.event = name;
    e.name = "www";
    return e;
}

} // namespace

TEST_CASE("each hook run is counted under its event and result", "[hooks][metrics]") {
    FakeHookRunner runner;
    runner.setExitStatus("/usr/local/bin/broken", 3);
    runner.setError("/missing", makeError(ErrorKind::Config, "hook /missing: not found"));
    Counters counters;
    RunOptions options;
    options.counters = &counters;

    CHECK(runHooks(runner, {{"/usr/local/bin/reload"}, {"/usr/local/bin/notify"}}, event(kDeploy),
                   options)
              .ok());
    CHECK_FALSE(runHooks(runner, {{"/usr/local/bin/broken"}}, event(kFailure), options).ok());
    CHECK_FALSE(runHooks(runner, {{"/missing"}}, event(kPre), options).ok());
    CHECK(runHooks(runner, {{"/usr/local/bin/notify"}}, event(kAlert), options).ok());

    CHECK(counters.snapshot() == Series{
                                     {runs("deploy", "success"), 2},
                                     {runs("failure", "failure"), 1},
                                     {runs("pre", "error"), 1},
                                     {runs("alert", "success"), 1},
                                 });
}

TEST_CASE("hooks after the first failure do not run and are not counted", "[hooks][metrics]") {
    FakeHookRunner runner;
    runner.setExitStatus("/bin/first", 1);
    Counters counters;
    RunOptions options;
    options.counters = &counters;

    CHECK_FALSE(runHooks(runner, {{"/bin/first"}, {"/bin/second"}}, event(kPost), options).ok());

    CHECK(counters.snapshot() == Series{{runs("post", "failure"), 1}});
}

TEST_CASE("the hook label is the event name, never the program path", "[hooks][metrics]") {
    FakeHookRunner runner;
    Counters counters;
    RunOptions options;
    options.counters = &counters;

    CHECK(runHooks(runner, {{"/opt/secret/path/deploy.sh"}}, event(kDeploy), options).ok());
    CHECK(runHooks(runner, {{"/bin/x"}}, event("made-up"), options).ok());

    auto values = counters.snapshot();
    CHECK(values == Series{{runs("deploy", "success"), 1}, {runs("other", "success"), 1}});
    for (const auto& [key, n] : values) {
        CHECK(key.find('/') == std::string::npos);
    }
}

TEST_CASE("real programs: exit 0, non-zero, a signal, a timeout and a missing program",
          "[hooks][metrics]") {
    test::ScriptDir dir;
    std::string killed = dir.script("killed", "kill -TERM $$");
    std::string slow = dir.script("slow", "sleep 5");
    ProcessHookRunner runner;
    Counters counters;
    RunOptions options;
    options.counters = &counters;
    options.timeout = 200ms;
    options.killGrace = 200ms;

    CHECK(runHooks(runner, {{"/bin/true"}}, event(kDeploy), options).ok());
    CHECK_FALSE(runHooks(runner, {{"/bin/false"}}, event(kDeploy), options).ok());
    CHECK_FALSE(runHooks(runner, {{killed}}, event(kDeploy), options).ok());
    CHECK_FALSE(runHooks(runner, {{slow}}, event(kPost), options).ok());
    CHECK_FALSE(runHooks(runner, {{dir.file("absent")}}, event(kPre), options).ok());

    CHECK(counters.snapshot() == Series{
                                     {runs("deploy", "success"), 1},
                                     {runs("deploy", "failure"), 2},
                                     {runs("post", "timeout"), 1},
                                     {runs("pre", "error"), 1},
                                 });
}

TEST_CASE("hookResultLabel: a timeout wins over the exit status", "[hooks][metrics]") {
    HookOutcome stopped;
    stopped.timedOut = true;
    stopped.exitStatus = 0;
    CHECK(hookResultLabel(stopped) == "timeout");
    HookOutcome fine;
    fine.ok = true;
    fine.exitStatus = 0;
    CHECK(hookResultLabel(fine) == "success");
    HookOutcome signalled;
    signalled.signal = 9;
    CHECK(hookResultLabel(signalled) == "failure");
    CHECK(hookResultLabel(makeError(ErrorKind::Config, "not found")) == "error");
}

#include "fakes/fake_hook_runner.hpp"
#include "hooks/dispatch.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace certkeep;
using namespace certkeep::hooks;
using certkeep::fakes::FakeHookRunner;

namespace {

const std::vector<std::string> kReload{"/usr/local/bin/reload"};
const std::vector<std::string> kNginx{"systemctl", "reload", "nginx"};
const std::vector<std::string> kHaproxy{"systemctl", "reload", "haproxy"};
const std::vector<std::string> kNotify{"/usr/local/bin/notify", "--quiet"};

HookEvent event(const char* name) {
    HookEvent e;
    e.event = name;
    e.name = "www";
    return e;
}

} // namespace

TEST_CASE("hooksFor: global first, then the certificate's, each argv once", "[hooks][dispatch]") {
    HookMap global{{kDeploy, {kNginx, kNotify}}, {kPre, {kReload}}};
    HookMap perCert{{kDeploy, {kHaproxy, kNginx}}};

    CHECK(hooksFor(kDeploy, global, perCert) == HookList{kNginx, kNotify, kHaproxy});
    CHECK(hooksFor(kPre, global, perCert) == HookList{kReload});
    CHECK(hooksFor(kPost, global, perCert).empty());
}

TEST_CASE("hooksFor: the same program with other arguments is another hook", "[hooks][dispatch]") {
    HookMap global{{kDeploy, {kNginx}}};
    HookMap perCert{{kDeploy, {kHaproxy}}};

    CHECK(hooksFor(kDeploy, global, perCert).size() == 2);
}

TEST_CASE("unionOf keeps the first order and drops repeats", "[hooks][dispatch]") {
    CHECK(unionOf({{kNotify, kNginx}, {kNginx, kHaproxy, kNotify}, {}}) ==
          HookList{kNotify, kNginx, kHaproxy});
    CHECK(unionOf({}).empty());
}

TEST_CASE("hookDisplayName is the basename of argv[0]", "[hooks][dispatch]") {
    CHECK(hookDisplayName(kReload) == "reload");
    CHECK(hookDisplayName(kNginx) == "systemctl");
    CHECK(hookDisplayName({"./x/deploy.sh", "a"}) == "deploy.sh");
}

TEST_CASE("runHooks runs every hook in order with the event", "[hooks][dispatch]") {
    FakeHookRunner runner;
    RunOptions options;
    options.dropEnv = {"CF_API_TOKEN"};

    Status st = runHooks(runner, {kNginx, kReload}, event(kDeploy), options);

    REQUIRE(st.ok());
    auto calls = runner.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].argv == kNginx);
    CHECK(calls[1].argv == kReload);
    CHECK(calls[1].event.name == "www");
    CHECK(calls[1].dropEnv == std::vector<std::string>{"CF_API_TOKEN"});
}

TEST_CASE("runHooks stops at the first failure and names hook, status and last line",
          "[hooks][dispatch]") {
    FakeHookRunner runner;
    runner.setExitStatus("/usr/local/bin/reload", 3);
    runner.setOutput("/usr/local/bin/reload", {"checking config", "nginx: [emerg] bad directive"});
    std::vector<std::string> seen;
    RunOptions options;
    options.output = [&seen](const std::string& line) { seen.push_back(line); };

    Status st = runHooks(runner, {kNginx, kReload, kNotify}, event(kDeploy), options);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Local);
    CHECK(st.error().message ==
          "deploy hook /usr/local/bin/reload exited with status 3: nginx: [emerg] bad directive");
    CHECK(runner.summary() ==
          std::vector<std::string>{"deploy systemctl", "deploy /usr/local/bin/reload"});
    CHECK(seen.back() == "hook deploy reload: nginx: [emerg] bad directive");
}

TEST_CASE("runHooks: a silent failing hook gets no trailing colon", "[hooks][dispatch]") {
    FakeHookRunner runner;
    runner.setExitStatus("systemctl", 1);

    Status st = runHooks(runner, {kNginx}, event(kPre), RunOptions{});

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message == "pre hook systemctl exited with status 1");
}

TEST_CASE("runHooks passes a start failure through unchanged", "[hooks][dispatch]") {
    FakeHookRunner runner;
    runner.setError("systemctl", makeError(ErrorKind::Config, "deploy hook program systemctl was "
                                                              "not found in PATH (/bin)"));

    Status st = runHooks(runner, {kNginx, kReload}, event(kDeploy), RunOptions{});

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Config);
    CHECK(st.error().message == "deploy hook program systemctl was not found in PATH (/bin)");
    CHECK(runner.calls().size() == 1);
}

TEST_CASE("FakeHookRunner records calls from several threads", "[hooks][dispatch]") {
    FakeHookRunner runner;
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&runner] {
            for (int j = 0; j < 50; ++j) {
                (void)runner.run(kReload, event(kDeploy), RunOptions{});
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(runner.calls().size() == 400);
}

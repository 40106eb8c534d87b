// ProcessHookRunner with real processes: what a hook receives (environment and stdin).
#include "hook_scripts.hpp"
#include "hooks/runner.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::hooks;
using namespace certkeep::hooks::test;

TEST_CASE("a hook receives the event as environment and as JSON on stdin", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("probe", "env > '" + dir.file("env.txt") + "'\ncat > '" +
                                               dir.file("stdin.json") + "'");
    HookEvent event = deployEvent();
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, event, RunOptions{});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(outcome->exitStatus == 0);
    auto env = parseEnv(slurp(dir.file("env.txt")));
    for (const auto& [name, value] : hookEnvironment(event)) {
        CHECK(env[name] == value);
    }
    CHECK(env["CERTKEEP_DOMAINS"] == "www.example.com example.com");
    CHECK(env.count("PATH") == 1); // the rest of the environment is inherited
    std::string input = slurp(dir.file("stdin.json"));
    REQUIRE_FALSE(input.empty());
    CHECK(input.back() == '\n');
    CHECK(nlohmann::json::parse(input) == hookJson(event));
}

TEST_CASE("CERTKEEP_* of certkeep's own environment and dropped secrets do not reach a hook",
          "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("probe", "env > '" + dir.file("env.txt") + "'");
    ScopedEnv leak("CERTKEEP_EAB_HMAC_KEY", "c2VjcmV0");
    ScopedEnv stale("CERTKEEP_NAME", "from-the-parent");
    ScopedEnv secret("CK_TEST_API_TOKEN", "hunter2");
    ScopedEnv kept("CK_TEST_KEPT", "kept");
    HookEvent event = deployEvent();
    RunOptions options;
    options.dropEnv = {"CK_TEST_API_TOKEN"};
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, event, options);

    REQUIRE(outcome.ok());
    REQUIRE(outcome->ok);
    auto env = parseEnv(slurp(dir.file("env.txt")));
    CHECK(env.count("CERTKEEP_EAB_HMAC_KEY") == 0);
    CHECK(env["CERTKEEP_NAME"] == "www");
    CHECK(env.count("CK_TEST_API_TOKEN") == 0);
    CHECK(env["CK_TEST_KEPT"] == "kept");
    // exactly the event's CERTKEEP_* variables, nothing else of that prefix
    std::map<std::string, std::string> ours;
    for (const auto& [name, value] : env) {
        if (name.rfind("CERTKEEP_", 0) == 0) {
            ours[name] = value;
        }
    }
    CHECK(ours == hookEnvironment(event));
}

TEST_CASE("arguments reach the hook unchanged, without a shell in between", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("args", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" +
                                              dir.file("args.txt") + "'");
    ProcessHookRunner runner;

    auto outcome = runner.run({hook, "reload nginx", "$(touch /tmp/pwned)", "*;"}, deployEvent(),
                              RunOptions{});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    CHECK(slurp(dir.file("args.txt")) == "reload nginx\n$(touch /tmp/pwned)\n*;\n");
}

TEST_CASE("a post hook gets the renewed and failed names", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("post", "env > '" + dir.file("env.txt") + "'");
    HookEvent event;
    event.event = kPost;
    event.renewed = {"api", "www"};
    event.failed = {"mail"};
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, event, RunOptions{});

    REQUIRE(outcome.ok());
    auto env = parseEnv(slurp(dir.file("env.txt")));
    CHECK(env["CERTKEEP_EVENT"] == "post");
    CHECK(env["CERTKEEP_RENEWED"] == "api www");
    CHECK(env["CERTKEEP_FAILED"] == "mail");
    CHECK(env.count("CERTKEEP_NAME") == 0);
}

TEST_CASE("invalid UTF-8 in an event is replaced, not fatal", "[hooks][runner]") {
    ScriptDir dir;
    std::string hook = dir.script("probe", "cat > '" + dir.file("stdin.json") + "'");
    HookEvent event;
    event.event = kFailure;
    event.error = "server said \xff\xfe";
    ProcessHookRunner runner;

    auto outcome = runner.run({hook}, event, RunOptions{});

    REQUIRE(outcome.ok());
    CHECK(outcome->ok);
    auto doc = nlohmann::json::parse(slurp(dir.file("stdin.json")));
    CHECK(doc.at("error").get<std::string>().rfind("server said ", 0) == 0);
}

#include "hook_scripts.hpp"
#include "hooks/launch.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::hooks;
using namespace certkeep::hooks::test;

namespace {

std::map<std::string, std::string> asMap(const std::vector<std::string>& entries) {
    std::map<std::string, std::string> out;
    for (const auto& entry : entries) {
        auto eq = entry.find('=');
        out[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return out;
}

} // namespace

TEST_CASE("childEnvironment: inherited minus CERTKEEP_* and dropEnv, plus the event",
          "[hooks][launch]") {
    ScopedEnv leak("CERTKEEP_TEST_LEAK", "x");
    ScopedEnv secret("CK_TEST_SECRET", "s3cret");
    ScopedEnv kept("CK_TEST_KEPT", "yes");
    HookEvent event = deployEvent();

    auto env = asMap(childEnvironment(event, {"CK_TEST_SECRET"}));

    CHECK(env.count("CERTKEEP_TEST_LEAK") == 0);
    CHECK(env.count("CK_TEST_SECRET") == 0);
    CHECK(env["CK_TEST_KEPT"] == "yes");
    CHECK(env["CERTKEEP_NAME"] == "www");
    CHECK(env["CERTKEEP_SERIAL"] == "04a1b2c3");
}

TEST_CASE("childEnvironment: a very long value is cut on a character boundary, NULs replaced",
          "[hooks][launch]") {
    HookEvent event;
    event.event = kFailure;
    // "é" is two bytes starting at the last allowed byte: cutting there would split it.
    event.error = std::string(kMaxEnvValue - 1, 'a') + "\xc3\xa9" + "tail";
    event.name = std::string("a\0b", 3);

    auto env = asMap(childEnvironment(event, {}));

    CHECK(env["CERTKEEP_ERROR"] == std::string(kMaxEnvValue - 1, 'a'));
    CHECK(env["CERTKEEP_NAME"] == "a?b");
}

TEST_CASE("resolveHookProgram searches only absolute PATH entries, in order", "[hooks][launch]") {
    ScriptDir first;
    ScriptDir second;
    first.script("probe", "exit 0", 0644); // present but not executable: skipped
    std::string wanted = second.script("probe", "exit 0");

    auto found = resolveHookProgram(
        "probe", "deploy", "relative:" + first.path().string() + ":" + second.path().string());

    REQUIRE(found.ok());
    CHECK(*found == wanted);
}

TEST_CASE("resolveHookProgram: only a non-executable match names it and the fix",
          "[hooks][launch]") {
    ScriptDir dir;
    std::string plain = dir.script("probe", "exit 0", 0644);

    auto found = resolveHookProgram("probe", "pre", dir.path().string());

    REQUIRE_FALSE(found.ok());
    CHECK(found.error().message ==
          "pre hook program probe found as " + plain + " is not executable: chmod +x it");
}

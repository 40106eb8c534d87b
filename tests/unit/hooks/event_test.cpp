#include "hook_scripts.hpp"
#include "hooks/event.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::hooks;

TEST_CASE("deploy event: environment names every fact of the certificate", "[hooks][event]") {
    HookEvent e = test::deployEvent();
    auto env = hookEnvironment(e);

    CHECK(env == std::map<std::string, std::string>{
                     {"CERTKEEP_EVENT", "deploy"},
                     {"CERTKEEP_NAME", "www"},
                     {"CERTKEEP_DOMAINS", "www.example.com example.com"},
                     {"CERTKEEP_LIVE_DIR", "/var/lib/certkeep/live/www"},
                     {"CERTKEEP_CERT", "/var/lib/certkeep/live/www/cert.pem"},
                     {"CERTKEEP_CHAIN", "/var/lib/certkeep/live/www/chain.pem"},
                     {"CERTKEEP_FULLCHAIN", "/var/lib/certkeep/live/www/fullchain.pem"},
                     {"CERTKEEP_KEY", "/var/lib/certkeep/live/www/privkey.pem"},
                     {"CERTKEEP_SERIAL", "04a1b2c3"},
                     {"CERTKEEP_NOT_AFTER", "2026-04-01T00:00:00Z"},
                 });
    // post-only variables are not set for deploy
    CHECK(env.count("CERTKEEP_RENEWED") == 0);
    CHECK(env.count("CERTKEEP_ERROR") == 0);
}

TEST_CASE("deploy event: the JSON on stdin holds the same facts", "[hooks][event]") {
    auto doc = hookJson(test::deployEvent());

    CHECK(doc == nlohmann::json{
                     {"event", "deploy"},
                     {"name", "www"},
                     {"domains", {"www.example.com", "example.com"}},
                     {"live_dir", "/var/lib/certkeep/live/www"},
                     {"cert", "/var/lib/certkeep/live/www/cert.pem"},
                     {"chain", "/var/lib/certkeep/live/www/chain.pem"},
                     {"fullchain", "/var/lib/certkeep/live/www/fullchain.pem"},
                     {"key", "/var/lib/certkeep/live/www/privkey.pem"},
                     {"serial", "04a1b2c3"},
                     {"not_after", "2026-04-01T00:00:00Z"},
                 });
}

TEST_CASE("post event: renewed and failed names, even when empty", "[hooks][event]") {
    HookEvent e;
    e.event = kPost;
    e.renewed = {"api", "www"};

    auto env = hookEnvironment(e);
    CHECK(env == std::map<std::string, std::string>{{"CERTKEEP_EVENT", "post"},
                                                    {"CERTKEEP_RENEWED", "api www"},
                                                    {"CERTKEEP_FAILED", ""}});
    auto doc = hookJson(e);
    CHECK(doc == nlohmann::json{{"event", "post"},
                                {"renewed", {"api", "www"}},
                                {"failed", nlohmann::json::array()}});
}

TEST_CASE("failure event carries the error", "[hooks][event]") {
    HookEvent e;
    e.event = kFailure;
    e.name = "www";
    e.error = "ordering www: rateLimited: too many certificates";

    CHECK(hookEnvironment(e).at("CERTKEEP_ERROR") == e.error);
    CHECK(hookJson(e).at("error") == e.error);
}

TEST_CASE("known events are the five of the issue, in run order", "[hooks][event]") {
    CHECK(knownEvents() == std::vector<std::string>{"pre", "deploy", "post", "failure", "alert"});
    CHECK(isKnownEvent("deploy"));
    CHECK_FALSE(isKnownEvent("renew"));
}

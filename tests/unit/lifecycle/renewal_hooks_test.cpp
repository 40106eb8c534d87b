// `certkeep renew` and its hooks, with a fake hook runner: pre once before any order, deploy
// one certificate at a time in name order with the new files already live, post at the end; a
// failing pre hook stops the run, a failing deploy hook is retried by the next run, failure
// hooks are told the error, and a program given globally and per certificate runs once.
#include "hooks/event.hpp"
#include "unit/lifecycle/renewal_harness.hpp"

using namespace certkeep;
using namespace renewal_test;
using lifecycle::RenewResult;

namespace {

std::vector<std::string> namesOf(const std::vector<fakes::FakeHookRunner::Call>& calls,
                                 const std::string& event) {
    std::vector<std::string> out;
    for (const auto& c : calls) {
        if (c.event.event == event) {
            out.push_back(c.event.name);
        }
    }
    return out;
}

} // namespace

TEST_CASE("renew hooks: pre once, then deploy in name order with the new certificate live, "
          "then post, with four renewals at once",
          "[lifecycle][renewal][hooks]") {
    Harness h;
    std::vector<lifecycle::ManagedCertificate> certs;
    for (const char* name : {"charlie", "alpha", "delta", "bravo"}) {
        certs.push_back(h.managed(name, {std::string(name) + ".example.com"}));
    }
    h.options.parallel = 4;
    h.options.globalHooks = {
        {"pre", {{"/hooks/pre"}}}, {"deploy", {{"/hooks/deploy"}}}, {"post", {{"/hooks/post"}}}};
    std::mutex mutex;
    std::vector<std::string> mismatches; // deploys whose live files were not the new ones
    h.hooks.setCallback([&](const fakes::FakeHookRunner::Call& call) {
        if (call.event.event != "deploy") {
            return;
        }
        auto live = h.store.loadLive(call.event.name);
        auto info = live && *live ? acme::inspectCertPem((*live)->certPem)
                                  : Result<acme::CertInfo>(fail(ErrorKind::NotFound, "none"));
        if (!info || info->serialHex != call.event.serial) {
            std::lock_guard lock(mutex);
            mismatches.push_back(call.event.name);
        }
    });

    auto report = h.renew(certs);
    CHECK(report.count(RenewResult::Renewed) == 4);
    CHECK(h.hooks.summary() ==
          std::vector<std::string>{"pre /hooks/pre", "deploy /hooks/deploy", "deploy /hooks/deploy",
                                   "deploy /hooks/deploy", "deploy /hooks/deploy",
                                   "post /hooks/post"});
    auto calls = h.hooks.calls();
    CHECK(namesOf(calls, "deploy") ==
          std::vector<std::string>{"alpha", "bravo", "charlie", "delta"});
    CHECK(mismatches.empty());
    REQUIRE(calls.size() == 6);
    const auto& deploy = calls[1].event;
    CHECK(deploy.domains == std::vector<std::string>{"alpha.example.com"});
    CHECK(deploy.fullchain == h.store.liveLocation("alpha") + "/fullchain.pem");
    CHECK_FALSE(deploy.notAfter.empty());
    CHECK(calls.back().event.renewed ==
          std::vector<std::string>{"alpha", "bravo", "charlie", "delta"});
    CHECK(calls.back().event.failed.empty());
}

TEST_CASE("renew hooks: a failing pre hook stops the run before any order",
          "[lifecycle][renewal][hooks]") {
    Harness h;
    auto a = h.managed("alpha", {"alpha.example.com"});
    auto b = h.managed("bravo", {"bravo.example.com"});
    h.options.globalHooks = {{"pre", {{"/hooks/pre"}}}, {"deploy", {{"/hooks/deploy"}}}};
    h.hooks.setExitStatus("/hooks/pre", 1);

    auto report = h.renew({a, b});
    CHECK(h.server.counts.newOrder == 0);
    REQUIRE(report.preHookError.has_value());
    CHECK_THAT(report.preHookError->message, Catch::Contains("/hooks/pre"));
    CHECK(report.anyFailed());
    CHECK(reportOf(report, "alpha").result == RenewResult::Failed);
    CHECK(reportOf(report, "bravo").result == RenewResult::Failed);
    CHECK_THAT(reportOf(report, "alpha").message, Catch::Contains("not renewed"));
    CHECK(h.hooks.summary() == std::vector<std::string>{"pre /hooks/pre"});
}

TEST_CASE("renew hooks: a failing deploy hook keeps the new certificate, is reported, and only "
          "the deploy is retried by the next run",
          "[lifecycle][renewal][hooks]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.hooks["deploy"] = {{"/hooks/reload"}};
    h.seed(cert);
    h.atShare("site", 0.8);
    h.hooks.setExitStatus("/hooks/reload", 3);
    h.hooks.setOutput("/hooks/reload", {"nginx: configuration test failed"});

    auto first = h.renew({cert});
    const auto& r1 = reportOf(first, "site");
    CHECK(r1.result == RenewResult::Renewed);
    REQUIRE(r1.deployError.has_value());
    CHECK_THAT(r1.deployError->message, Catch::Contains("configuration test failed"));
    CHECK_FALSE(r1.deployed);
    CHECK(first.anyFailed());
    CHECK(h.live("site").number == 2);
    auto s1 = h.state("site");
    CHECK(s1.lastResult == "success");
    CHECK(s1.deployPending);
    CHECK_THAT(s1.deployError, Catch::Contains("configuration test failed"));
    CHECK(s1.deployedVersion != 2);
    std::string serial = h.liveInfo("site").serialHex;
    int orders = h.server.counts.newOrder;

    // The next run: not due, so no order and no pre/post hooks; the deploy is retried.
    h.atShare("site", 0.1);
    h.hooks.setExitStatus("/hooks/reload", 0);
    auto second = h.renew({cert});
    const auto& r2 = reportOf(second, "site");
    CHECK(r2.result == RenewResult::NotDue);
    CHECK(r2.decision.reason == lifecycle::DueReason::DeployPending);
    CHECK(r2.deployed);
    CHECK_FALSE(second.anyFailed());
    CHECK(h.server.counts.newOrder == orders);
    auto calls = h.hooks.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].event.event == "deploy");
    CHECK(calls[1].event.serial == serial);
    auto s2 = h.state("site");
    CHECK_FALSE(s2.deployPending);
    CHECK(s2.deployError.empty());
    CHECK(s2.deployedVersion == 2);

    // And once it succeeded, nothing more runs.
    (void)h.renew({cert});
    CHECK(h.hooks.calls().size() == 2);
}

TEST_CASE("renew hooks: the failure hook is told the error, post lists the failed certificate",
          "[lifecycle][renewal][hooks]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.hooks["failure"] = {{"/hooks/alert"}};
    h.options.globalHooks = {{"post", {{"/hooks/post"}}}, {"deploy", {{"/hooks/deploy"}}}};
    h.server.failValidation["a.example.com"] = "connection refused by 192.0.2.1:80";

    auto report = h.renew({cert});
    REQUIRE(reportOf(report, "site").result == RenewResult::Failed);
    CHECK(h.hooks.summary() ==
          std::vector<std::string>{"failure /hooks/alert", "post /hooks/post"});
    auto calls = h.hooks.calls();
    REQUIRE(calls.size() == 2);
    const auto& failure = calls[0].event;
    CHECK(failure.name == "site");
    CHECK_THAT(failure.error, Catch::Contains("connection refused by 192.0.2.1:80"));
    auto env = hooks::hookEnvironment(failure);
    CHECK(env["CERTKEEP_ERROR"] == failure.error);
    CHECK(env["CERTKEEP_NAME"] == "site");
    CHECK(calls[1].event.failed == std::vector<std::string>{"site"});
    CHECK(calls[1].event.renewed.empty());
}

TEST_CASE("renew hooks: the same program given globally and per certificate runs once",
          "[lifecycle][renewal][hooks]") {
    Harness h;
    hooks::HookList reload{{"/usr/bin/systemctl", "reload", "nginx"}};
    h.options.globalHooks = {{"pre", {{"/hooks/pre"}}}, {"deploy", reload}};
    auto a = h.managed("alpha", {"alpha.example.com"});
    auto b = h.managed("bravo", {"bravo.example.com"});
    for (auto* cert : {&a, &b}) {
        cert->hooks["pre"] = {{"/hooks/pre"}};
        cert->hooks["deploy"] = {{"/usr/bin/systemctl", "reload", "nginx"}, {"/hooks/notify"}};
    }
    // The same program with other arguments is another hook.
    b.hooks["deploy"].push_back({"/usr/bin/systemctl", "reload", "haproxy"});

    auto report = h.renew({a, b});
    REQUIRE(report.count(RenewResult::Renewed) == 2);
    std::vector<std::string> runs;
    for (const auto& call : h.hooks.calls()) {
        std::string line = call.event.event + " " + call.event.name + ":";
        for (const auto& arg : call.argv) {
            line += " " + arg;
        }
        runs.push_back(line);
    }
    CHECK(runs == std::vector<std::string>{
                      "pre : /hooks/pre",
                      "deploy alpha: /usr/bin/systemctl reload nginx",
                      "deploy alpha: /hooks/notify",
                      "deploy bravo: /usr/bin/systemctl reload nginx",
                      "deploy bravo: /hooks/notify",
                      "deploy bravo: /usr/bin/systemctl reload haproxy",
                  });
}

TEST_CASE("renew: a server still presenting the old certificate after the deploy hook is a "
          "failed deploy, retried by the next run",
          "[lifecycle][renewal][hooks][verify]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.hooks["deploy"] = {{"/hooks/reload"}};
    cert.settings.verify = "192.0.2.10:443";
    h.seed(cert);
    std::string oldLeaf = h.live("site").certPem;
    h.atShare("site", 0.8);
    h.options.verifyPatience = std::chrono::seconds(5);
    h.probe.answers = {fakes::FakeTlsProbe::serving({oldLeaf})}; // the hook "forgot" to reload

    auto first = h.renew({cert});
    const auto& r1 = reportOf(first, "site");
    CHECK(r1.result == RenewResult::Renewed);
    REQUIRE(r1.deployError.has_value());
    CHECK_THAT(r1.deployError->message, Catch::Contains("192.0.2.10:443"));
    CHECK(first.anyFailed());
    REQUIRE_FALSE(h.probe.calls.empty());
    CHECK(h.probe.calls[0].sni == "a.example.com");
    CHECK(h.state("site").deployPending);

    // The next run: the hook runs again and the server now presents the new leaf.
    h.atShare("site", 0.1);
    h.probe.calls.clear();
    h.probe.answers = {fakes::FakeTlsProbe::serving({h.live("site").certPem})};
    auto second = h.renew({cert});
    CHECK(reportOf(second, "site").deployed);
    CHECK_FALSE(second.anyFailed());
    CHECK(h.hooks.summary() ==
          std::vector<std::string>{"deploy /hooks/reload", "deploy /hooks/reload"});
    CHECK_FALSE(h.state("site").deployPending);
}

// Expiry alerts during renew: a live certificate inside its warn threshold whose renewal fails
// (or is backing off) fires its alert hooks with CERTKEEP_TIME_LEFT, at most once a day; one
// outside the threshold, or renewed, does not; a dry run never alerts. Renewals are counted.
#include "hooks/event.hpp"
#include "lifecycle/alert.hpp"
#include "unit/lifecycle/renewal_harness.hpp"

using namespace certkeep;
using namespace renewal_test;
using lifecycle::RenewResult;

namespace {

int alertCount(fakes::FakeHookRunner& hooks) {
    int n = 0;
    for (const auto& c : hooks.calls()) {
        n += c.event.event == hooks::kAlert ? 1 : 0;
    }
    return n;
}

} // namespace

TEST_CASE("renew alert: inside the warn threshold and not renewed, once a day",
          "[lifecycle][renewal][alert]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.hooks["alert"] = {{"/hooks/page-oncall"}};
    h.seed(cert);
    h.server.failValidation["a.example.com"] = "connection refused by 192.0.2.1:80";

    // 70% of the lifetime passed: due (a third left), but 30% left is outside the 20% default.
    h.atShare("site", 0.70);
    auto report = h.renew({cert});
    REQUIRE(reportOf(report, "site").result == RenewResult::Failed);
    CHECK(alertCount(h.hooks) == 0);

    // 85%: 15% left, inside the default warn threshold: the alert fires, told the time left.
    h.atShare("site", 0.85);
    report = h.renew({cert});
    REQUIRE(reportOf(report, "site").result == RenewResult::Failed);
    REQUIRE(alertCount(h.hooks) == 1);
    const auto alert = h.hooks.calls().back().event; // calls() is a copy
    CHECK(alert.event == "alert");
    CHECK(alert.name == "site");
    CHECK_FALSE(alert.timeLeft.empty());
    CHECK_THAT(alert.error, Catch::Contains("connection refused"));
    CHECK(hooks::hookEnvironment(alert)["CERTKEEP_TIME_LEFT"] == alert.timeLeft);
    CHECK(h.state("site").lastAlert.has_value());
    CHECK(h.notesContain("alert: site"));

    // The next runs the same day (backing off, or failing again with --force): no new alert.
    h.clock.advance(std::chrono::seconds(1));
    report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::BackingOff);
    h.options.force = true;
    report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::Failed);
    h.options.force = false;
    h.clock.advance(std::chrono::hours(12));
    report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::Failed);
    CHECK(alertCount(h.hooks) == 1);

    // A day after the first alert, still not renewed (backing off a day now): it fires again.
    h.clock.advance(std::chrono::hours(12));
    report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::BackingOff);
    CHECK(alertCount(h.hooks) == 2);
}

TEST_CASE("renew alert: the certificate's own warn setting; renewed or dry run: no alert",
          "[lifecycle][renewal][alert]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.settings.warn = "50%";
    cert.hooks["alert"] = {{"/hooks/alert"}};
    h.seed(cert);
    h.atShare("site", 0.70); // 30% left: inside 50%

    h.options.dryRun = true;
    h.server.failValidation["a.example.com"] = "connection refused";
    auto report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::Failed);
    CHECK(alertCount(h.hooks) == 0);

    h.options.dryRun = false;
    h.server.failValidation.clear();
    report = h.renew({cert});
    CHECK(reportOf(report, "site").result == RenewResult::Renewed);
    CHECK(alertCount(h.hooks) == 0);
}

TEST_CASE("renew alert: thresholds default to shares of the lifetime", "[lifecycle][alert]") {
    store::CertSettings s;
    auto day = std::chrono::hours(24);
    CHECK(lifecycle::warnBefore(s, day) == std::chrono::seconds(17280)); // 20% of 24 h
    CHECK(lifecycle::critBefore(s, day) == std::chrono::seconds(8640));  // 10%
    s.warn = "14d";
    s.crit = "not a threshold"; // refused by config check; the default applies here
    CHECK(lifecycle::warnBefore(s, day) == std::chrono::hours(24 * 14));
    CHECK(lifecycle::critBefore(s, day) == std::chrono::seconds(8640));
}

TEST_CASE("renew counts each attempt by certificate and result", "[lifecycle][renewal][metrics]") {
    Harness h;
    Counters counters;
    h.services.counters = &counters;
    auto good = h.managed("good", {"good.example.com"});
    auto bad = h.managed("bad", {"bad.example.com"});
    h.server.failValidation["bad.example.com"] = "connection refused";
    auto report = h.renew({good, bad});
    REQUIRE(report.count(RenewResult::Renewed) == 1);
    auto counted = counters.take();
    CHECK(counted[R"(certkeep_renewals_total{name="good",result="success"})"] == 1);
    CHECK(counted[R"(certkeep_renewals_total{name="bad",result="failure"})"] == 1);
    // Not due: nothing counted.
    report = h.renew({good});
    CHECK(report.count(RenewResult::NotDue) == 1);
    CHECK(counters.take().count(R"(certkeep_renewals_total{name="good",result="success"})") == 0);
}

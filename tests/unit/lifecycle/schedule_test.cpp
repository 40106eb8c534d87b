// Renewal timing: the renew-before policy on 90-day, 45-day, 6-day and 24-hour certificates,
// backoff and Retry-After, ARI windows (RFC 9773), jitter, and every rule of decide().
#include "fakes/fake_clock.hpp"
#include "fakes/fake_random.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/version_meta.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

using namespace certkeep;
using namespace certkeep::lifecycle;
using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};

RenewBefore policy(const std::string& text) {
    auto p = parseRenewBefore(text);
    REQUIRE(p.ok());
    return *p;
}

// How much of [nb, nb + lifetime] is left when the certificate becomes due.
seconds leftAtDue(seconds lifetime, const std::string& text) {
    TimePoint nb = kT0;
    return std::chrono::duration_cast<seconds>(nb + lifetime -
                                               renewalDue(nb, nb + lifetime, policy(text)));
}

CertFacts cert(TimePoint nb, seconds lifetime, int version = 1) {
    return CertFacts{nb, nb + lifetime, version, "aki.serial"};
}

} // namespace

TEST_CASE("renew-before accepts a share or a duration of the lifetime left", "[schedule]") {
    CHECK(policy("").kind == RenewBefore::Kind::Default);
    CHECK(policy("1/3").fraction == Approx(1.0 / 3));
    CHECK(policy("0.5").fraction == Approx(0.5));
    CHECK(policy("33%").fraction == Approx(0.33));
    CHECK(policy(" 25% ").fraction == Approx(0.25));
    CHECK(policy("30d").kind == RenewBefore::Kind::Duration);
    CHECK(policy("30d").duration == 30 * 24h);
    CHECK(policy("12h").duration == 12h);
    for (const char* bad : {"0", "1", "1.5", "0%", "100%", "150%", "1/0", "-1/3", "3/2", "abc",
                            "30x", "1/3d", "0.5.1", "%", "/"}) {
        INFO(bad);
        auto p = parseRenewBefore(bad);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error().kind == ErrorKind::Usage);
        CHECK_THAT(p.error().message, Catch::Contains(std::string("\"") + bad + "\"") &&
                                          Catch::Contains("1/3") && Catch::Contains("30d"));
    }
}

TEST_CASE("warn and crit thresholds are a duration or a share of the lifetime", "[schedule]") {
    auto days = parseThreshold("14d");
    REQUIRE(days.ok());
    CHECK_FALSE(days->percent);
    CHECK(thresholdFor(*days, 90 * 24h) == 14 * 24h);
    CHECK(thresholdFor(*days, 24h) == 14 * 24h);
    auto share = parseThreshold("20%");
    REQUIRE(share.ok());
    CHECK(share->percent);
    CHECK(thresholdFor(*share, 90 * 24h) == 18 * 24h);
    CHECK(thresholdFor(*share, 24h) == seconds(17280)); // 4.8 hours
    for (const char* bad : {"", "0%", "100%", "20", "x", "1/3"}) {
        INFO(bad);
        auto t = parseThreshold(bad);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().kind == ErrorKind::Usage);
        CHECK_THAT(t.error().message, Catch::Contains("14d") && Catch::Contains("20%"));
    }
}

TEST_CASE("by default a third of the lifetime is left, half up to 10 days", "[schedule]") {
    CHECK(leftAtDue(90 * 24h, "") == 30 * 24h);
    CHECK(leftAtDue(90 * 24h - 1s, "") == 30 * 24h); // Let's Encrypt, rounded to the second
    CHECK(leftAtDue(45 * 24h, "") == 15 * 24h);
    CHECK(leftAtDue(11 * 24h, "") == seconds(11 * 86400 / 3));
    CHECK(leftAtDue(10 * 24h, "") == 5 * 24h);
    CHECK(leftAtDue(160h, "") == 80h); // Let's Encrypt short-lived
    CHECK(leftAtDue(6 * 24h, "") == 3 * 24h);
    CHECK(leftAtDue(24h, "") == 12h);
}

TEST_CASE("a custom share or duration sets the time left at renewal", "[schedule]") {
    CHECK(leftAtDue(90 * 24h, "25%") == seconds(90 * 86400 / 4));
    CHECK(leftAtDue(6 * 24h, "1/3") == 2 * 24h); // a fraction replaces the short-lifetime half
    CHECK(leftAtDue(90 * 24h, "30d") == 30 * 24h);
    CHECK(leftAtDue(24h, "6h") == 6h);
    CHECK(leftAtDue(6 * 24h, "2d") == 2 * 24h);
}

TEST_CASE("a renew-before longer than the lifetime waits a tenth of it", "[schedule]") {
    // Otherwise every run would renew the certificate it just issued.
    TimePoint nb = kT0;
    CHECK(renewalDue(nb, nb + 6 * 24h, policy("30d")) == nb + seconds(6 * 86400 / 10));
    CHECK(renewalDue(nb, nb + 24h, policy("24h")) == nb + seconds(8640));
    CHECK(renewalDue(nb, nb + 90 * 24h, policy("0.95")) == nb + 9 * 24h);
    auto d = decide(nb, CertFacts{nb, nb + 6 * 24h, 1, ""}, {}, policy("30d"), false, false);
    CHECK(d.why == "not due until 2026-01-01T14:24:00Z (90% of the 6-day lifetime left, the cap "
                   "for renew-before 30d)");
    CHECK(renewalDue(nb, nb, policy("")) == nb); // no lifetime: due at once
    CHECK(renewalDue(nb, nb - 1h, policy("30d")) == nb);
}

TEST_CASE("backoff grows 1m, 10m, 100m, then daily", "[schedule]") {
    seconds lifetime = 90 * 24h;
    CHECK(backoffDelay(0, lifetime) == 0s);
    CHECK(backoffDelay(1, lifetime) == 1min);
    CHECK(backoffDelay(2, lifetime) == 10min);
    CHECK(backoffDelay(3, lifetime) == 100min);
    CHECK(backoffDelay(4, lifetime) == 24h);
    CHECK(backoffDelay(50, lifetime) == 24h);
    CHECK(backoffDelay(4, 0s) == 24h); // never issued: lifetime unknown, no cap
}

TEST_CASE("backoff never outgrows a tenth of short lifetimes, nor goes below 1m", "[schedule]") {
    // A 24-hour certificate is retried at least every 2.4 hours.
    CHECK(backoffDelay(3, 24h) == 100min);
    CHECK(backoffDelay(4, 24h) == seconds(8640));
    CHECK(backoffDelay(9, 24h) == seconds(8640));
    CHECK(backoffDelay(4, 6 * 24h) == seconds(6 * 8640));
    CHECK(backoffDelay(1, 1h) == 1min);
    CHECK(backoffDelay(2, 1h) == 6min);
    CHECK(backoffDelay(5, 1h) == 6min);
    CHECK(backoffDelay(3, 5min) == 1min);
}

TEST_CASE("Retry-After wins when it is later than the backoff", "[schedule]") {
    TimePoint now = kT0;
    CHECK(nextAttemptAfterFailure(now, 1, 90 * 24h, std::nullopt) == now + 1min);
    CHECK(nextAttemptAfterFailure(now, 1, 90 * 24h, seconds(3h)) == now + 3h);
    CHECK(nextAttemptAfterFailure(now, 4, 90 * 24h, seconds(3h)) == now + 24h);
    CHECK(nextAttemptAfterFailure(now, 1, 90 * 24h, seconds(-50)) == now + 1min);
    // A rate limit is obeyed even beyond the short lifetime's cap...
    CHECK(nextAttemptAfterFailure(now, 4, 24h, seconds(7 * 24h)) == now + 7 * 24h);
    // ...but an absurd Retry-After from the server is bounded.
    CHECK(nextAttemptAfterFailure(now, 1, 90 * 24h, seconds(3650 * 24h)) == now + 30 * 24h);
}

TEST_CASE("ARI picks a time uniformly inside the window", "[schedule][ari]") {
    TimePoint start = kT0 + 60 * 24h;
    TimePoint end = start + 48h;
    fakes::FakeRandom r({0.0, 0.5, 0.9999999999, 1.0, -0.5});
    CHECK(pickInWindow(start, end, r) == start);
    CHECK(pickInWindow(start, end, r) == start + 24h);
    TimePoint last = pickInWindow(start, end, r);
    CHECK(last < end);
    CHECK(last > end - 1s);
    CHECK(pickInWindow(start, end, r) == start); // a faulty Random cannot leave the window
    CHECK(pickInWindow(start, end, r) == start);
    CHECK(pickInWindow(end, start, r) == end); // inverted window: its start
    CHECK(pickInWindow(start, start, r) == start);

    DefaultRandom real;
    std::set<TimePoint> seen;
    for (int i = 0; i < 500; ++i) {
        TimePoint t = pickInWindow(start, end, real);
        REQUIRE(t >= start);
        REQUIRE(t < end);
        seen.insert(t);
    }
    CHECK(seen.size() > 400);
}

TEST_CASE("jitter is a random delay below its maximum", "[schedule]") {
    fakes::FakeRandom r({0.25, 0.9999999999});
    CHECK(jitterDelay(60s, r) == 15000ms);
    auto top = jitterDelay(60s, r);
    CHECK(top < 60000ms);
    CHECK(top >= 59999ms);
    CHECK(jitterDelay(0s, r) == 0ms);
    CHECK(jitterDelay(-5s, r) == 0ms);

    DefaultRandom real;
    std::vector<std::thread> threads;
    threads.reserve(4);
    std::atomic<int> outside{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                auto d = jitterDelay(300s, real);
                outside += (d < 0ms || d >= 300000ms) ? 1 : 0;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(outside == 0);
}

TEST_CASE("decide: due by the lifetime rule, and not before", "[schedule][decide]") {
    fakes::FakeClock clock;
    auto live = cert(clock.wallNow(), 90 * 24h);
    store::RenewalState state;
    auto d = decide(clock.wallNow(), live, state, {}, false, false);
    CHECK_FALSE(d.renew);
    CHECK(d.reason == DueReason::NotDue);
    CHECK(d.dueAt == kT0 + 60 * 24h);
    CHECK(d.why == "not due until 2026-03-02T00:00:00Z (a third of the 90-day lifetime left)");

    clock.advance(60 * 24h - 1s);
    CHECK_FALSE(decide(clock.wallNow(), live, state, {}, false, false).renew);
    clock.advance(1h);
    d = decide(clock.wallNow(), live, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Lifetime);
    CHECK(d.why == "due: a third of the 90-day lifetime left (since 2026-03-02T00:00:00Z)");

    auto shortLived = cert(kT0, 24h);
    d = decide(kT0 + 12h, shortLived, state, {}, false, false);
    CHECK(d.renew);
    CHECK_THAT(d.why, Catch::Contains("half of the 24-hour lifetime left"));
    d = decide(kT0, cert(kT0, 90 * 24h), state, policy("30d"), false, false);
    CHECK_THAT(d.why, Catch::Contains("30d of the 90-day lifetime left"));
}

TEST_CASE("decide: never issued, changed, revoked and expired renew", "[schedule][decide]") {
    store::RenewalState state;
    TimePoint now = kT0 + 24h;
    auto d = decide(now, std::nullopt, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::NeverIssued);

    auto live = cert(kT0, 90 * 24h, 3);
    d = decide(now, live, state, {}, false, true);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Changed);

    state.revokedVersion = 2; // an older version: the live one is fine
    CHECK_FALSE(decide(now, live, state, {}, false, false).renew);
    state.revokedVersion = 3;
    state.revokedReason = "keyCompromise";
    state.revokedAt = kT0 + 2h;
    d = decide(now, live, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Revoked);
    CHECK(d.why == "due: version 3 was revoked (keyCompromise) on 2026-01-01T02:00:00Z");

    store::RenewalState clean;
    d = decide(kT0 + 91 * 24h, live, clean, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Expired);
    CHECK(d.why == "due: expired on 2026-04-01T00:00:00Z");
}

TEST_CASE("decide: --force renews what is not due, and overrides backoff", "[schedule][decide]") {
    store::RenewalState state;
    auto live = cert(kT0, 90 * 24h);
    auto d = decide(kT0 + 24h, live, state, {}, true, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Forced);
    CHECK_THAT(d.why, Catch::StartsWith("forced: not due until 2026-03-02T00:00:00Z"));

    state.consecutiveFailures = 2;
    state.nextAttempt = kT0 + 48h;
    d = decide(kT0 + 24h, live, state, {}, true, true);
    CHECK(d.renew);
    CHECK_FALSE(d.backoffSkip);
}

TEST_CASE("decide: a certificate backing off is skipped and says until when",
          "[schedule][decide]") {
    store::RenewalState state;
    state.consecutiveFailures = 3;
    state.nextAttempt = kT0 + 61 * 24h + 40min;
    auto live = cert(kT0, 90 * 24h);
    TimePoint now = kT0 + 61 * 24h;
    auto d = decide(now, live, state, {}, false, false);
    CHECK_FALSE(d.renew);
    CHECK(d.backoffSkip);
    CHECK(d.reason == DueReason::Lifetime);
    CHECK_THAT(d.why, Catch::StartsWith("skipped: backing off after 3 failures until "
                                        "2026-03-03T00:40:00Z") &&
                          Catch::Contains("--force") &&
                          Catch::EndsWith("due: a third of the 90-day lifetime left (since "
                                          "2026-03-02T00:00:00Z)"));
    // Backoff applies to changed settings and never-issued certificates too.
    CHECK(decide(now, live, state, {}, false, true).backoffSkip);
    CHECK(decide(now, std::nullopt, state, {}, false, false).backoffSkip);
    state.lastErrorKind = "rate-limited";
    state.consecutiveFailures = 1;
    CHECK_THAT(decide(now, live, state, {}, false, false).why,
               Catch::Contains("after 1 failure, rate limited until"));
    // Once the time has come, it is attempted again.
    d = decide(*state.nextAttempt, live, state, {}, false, false);
    CHECK(d.renew);
    CHECK_FALSE(d.backoffSkip);
    // Not due: backoff is not mentioned.
    d = decide(kT0 + 24h, live, state, {}, false, false);
    CHECK_FALSE(d.backoffSkip);
    CHECK(d.reason == DueReason::NotDue);
}

TEST_CASE("decide: a failed deploy is retried though the certificate is not due",
          "[schedule][decide]") {
    store::RenewalState state;
    state.deployPending = true;
    state.deployError = "deploy hook exited with status 1";
    auto live = cert(kT0, 90 * 24h);
    auto d = decide(kT0 + 24h, live, state, {}, false, false);
    CHECK_FALSE(d.renew);
    CHECK(d.reason == DueReason::DeployPending);
    CHECK_THAT(d.why, Catch::Contains("deploy hook exited with status 1"));
    // Due anyway: the renewal comes first (its deploy replaces the pending one).
    d = decide(kT0 + 70 * 24h, live, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::Lifetime);
}

TEST_CASE("decide: the ARI time overrides the lifetime rule for its certificate",
          "[schedule][decide][ari]") {
    auto live = cert(kT0, 90 * 24h);
    store::RenewalState state;
    state.ariCertId = live.ariCertId;
    state.ariWindowStart = kT0 + 70 * 24h;
    state.ariWindowEnd = kT0 + 72 * 24h;
    state.ariChosen = kT0 + 71 * 24h;
    auto d = decide(kT0 + 65 * 24h, live, state, {}, false, false); // past the 1/3 point
    CHECK_FALSE(d.renew);
    CHECK(d.dueAt == kT0 + 71 * 24h);
    CHECK(d.why ==
          "not due until 2026-03-13T00:00:00Z (the time picked in the CA's ARI renewal window)");
    d = decide(kT0 + 71 * 24h, live, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::AriWindow);

    // An earlier window (e.g. the CA plans a revocation) brings renewal forward.
    state.ariWindowStart = kT0 + 10 * 24h;
    state.ariWindowEnd = kT0 + 11 * 24h;
    state.ariChosen = kT0 + 10 * 24h + 5h;
    CHECK(decide(kT0 + 11 * 24h, live, state, {}, false, false).reason == DueReason::AriWindow);

    // RFC 9773 §4.2: a window already in the past means renew now.
    fakes::FakeRandom r({0.7});
    state.ariWindowStart = kT0 - 3 * 24h;
    state.ariWindowEnd = kT0 - 2 * 24h;
    state.ariChosen = pickInWindow(*state.ariWindowStart, *state.ariWindowEnd, r);
    d = decide(kT0 + 24h, live, state, {}, false, false);
    CHECK(d.renew);
    CHECK(d.reason == DueReason::AriWindow);
}

TEST_CASE("decide: an ARI record that does not fit is ignored", "[schedule][decide][ari]") {
    auto live = cert(kT0, 90 * 24h);
    store::RenewalState good;
    good.ariCertId = live.ariCertId;
    good.ariWindowStart = kT0 + 70 * 24h;
    good.ariWindowEnd = kT0 + 72 * 24h;
    good.ariChosen = kT0 + 71 * 24h;
    TimePoint now = kT0 + 61 * 24h; // due by the lifetime rule, not by ARI
    REQUIRE_FALSE(decide(now, live, good, {}, false, false).renew);

    auto expectLifetime = [&](const store::RenewalState& s, const char* what) {
        INFO(what);
        auto d = decide(now, live, s, {}, false, false);
        CHECK(d.renew);
        CHECK(d.reason == DueReason::Lifetime);
    };
    auto s = good;
    s.ariCertId = "another.cert";
    expectLifetime(s, "window of another certificate (the previous version)");
    s = good;
    s.ariChosen.reset();
    expectLifetime(s, "no time chosen yet");
    s = good;
    s.ariWindowEnd = kT0 + 91 * 24h;
    expectLifetime(s, "window ends after notAfter");
    s = good;
    s.ariChosen = kT0 + 80 * 24h;
    expectLifetime(s, "chosen outside the window");
    s = good;
    s.ariWindowStart = kT0 + 73 * 24h;
    expectLifetime(s, "inverted window");
    auto unknownId = live;
    unknownId.ariCertId.clear();
    auto d = decide(now, unknownId, good, {}, false, false);
    CHECK(d.reason == DueReason::Lifetime);
}

TEST_CASE("a failing 24-hour certificate on an hourly timer is retried every few hours",
          "[schedule][decide]") {
    fakes::FakeClock clock;
    auto live = cert(clock.wallNow(), 24h);
    store::RenewalState state;
    std::vector<TimePoint> attempts;
    for (int run = 0; run < 24; ++run) {
        auto d = decide(clock.wallNow(), live, state, {}, false, false);
        if (d.renew) { // the attempt fails; the caller records the backoff
            attempts.push_back(clock.wallNow());
            ++state.consecutiveFailures;
            state.nextAttempt =
                nextAttemptAfterFailure(clock.wallNow(), state.consecutiveFailures, 24h, {});
        }
        clock.advance(1h);
    }
    REQUIRE(attempts.size() >= 5);
    CHECK(attempts.front() == clock.wallNow() - 24h + 12h); // due with half the lifetime left
    for (size_t i = 1; i < attempts.size(); ++i) {
        CHECK(attempts[i] - attempts[i - 1] <= 3h); // 2.4h cap rounded up to the next run
    }
}

TEST_CASE("every due reason has a distinct name", "[schedule]") {
    std::set<std::string> names;
    for (auto r : {DueReason::NotDue, DueReason::Lifetime, DueReason::AriWindow, DueReason::Forced,
                   DueReason::Changed, DueReason::NeverIssued, DueReason::Revoked,
                   DueReason::DeployPending, DueReason::Expired}) {
        names.insert(dueReasonName(r));
    }
    CHECK(names.size() == 9);
    CHECK(dueReasonName(DueReason::AriWindow) == "ari-window");
}

// `certkeep renew` and the CA's side of the decision: ACME Renewal Information (RFC 9773)
// windows, Retry-After kept across runs, `replaces` and its refusal, rateLimited, and ACME
// profiles. Pebble 2.4.0 has neither ARI nor profiles: these run against the fake ACME server.
//
// The fake CA's leaves carry no AKI, so the ARI certificate ID cannot be derived from them: the
// tests record one in the live version's metadata, where an issuance by a real CA puts it.
#include "unit/lifecycle/renewal_harness.hpp"

using namespace certkeep;
using namespace renewal_test;
using lifecycle::RenewResult;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

constexpr const char* kCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"; // RFC 9773 §4.1 example

// A RenewalInfo document (RFC 9773 §4.2).
nlohmann::json window(lifecycle::TimePoint start, lifecycle::TimePoint end) {
    return {{"suggestedWindow",
             {{"start", lifecycle::isoTime(start)}, {"end", lifecycle::isoTime(end)}}}};
}

// A seeded certificate whose live version has the ARI ID kCertId, the clock at `share`.
lifecycle::ManagedCertificate ariCertificate(Harness& h, double share) {
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.restoreLiveWithMeta("site", [](nlohmann::json& meta) { meta["ari_cert_id"] = kCertId; });
    h.atShare("site", share);
    return cert;
}

std::size_t ariFetches(const Harness& h) {
    return h.server.requestsTo(h.server.renewalInfoUrl() + "/" + kCertId, "GET").size();
}

// The `replaces` of every newOrder the server received, in order.
std::vector<std::string> replacesSent(const Harness& h) {
    std::vector<std::string> out;
    for (const auto& req : h.server.requestsTo(h.server.newOrderUrl(), "POST")) {
        auto payload = req.jws.payloadJson();
        out.push_back(payload.is_object() ? payload.value("replaces", std::string()) : "?");
    }
    return out;
}

} // namespace

TEST_CASE("renew: an ARI window in the past renews a certificate the lifetime rule calls not "
          "due, and the order replaces the live certificate",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.1);
    auto now = h.clock.wallNow();
    h.server.renewalWindows[kCertId] = window(now - hours(48), now - hours(24));

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    REQUIRE(r.result == RenewResult::Renewed);
    CHECK(r.decision.reason == lifecycle::DueReason::AriWindow);
    REQUIRE_FALSE(h.server.orders().empty());
    CHECK(h.server.orders().back().replaces == kCertId);
    CHECK(h.live("site").number == 3);
}

TEST_CASE("renew: an ARI window in the future keeps a certificate the lifetime rule calls due",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.8); // a fifth of the lifetime left: due by the lifetime rule
    auto now = h.clock.wallNow();
    h.server.renewalWindows[kCertId] = window(now + hours(48), now + hours(72));
    int orders = h.server.counts.newOrder;

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    CHECK(r.result == RenewResult::NotDue);
    CHECK_THAT(r.message, Catch::Contains("ARI"));
    CHECK(h.server.counts.newOrder == orders);
}

TEST_CASE("renew: the ARI window and its Retry-After are kept in the renewal state, and the "
          "window is not fetched again before Retry-After",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.1);
    auto now = h.clock.wallNow();
    h.server.renewalWindows[kCertId] = window(now + hours(24 * 30), now + hours(24 * 32));
    h.server.renewalRetryAfter = "7200";

    REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::NotDue);
    CHECK(ariFetches(h) == 1);
    auto s = h.state("site");
    CHECK(s.ariCertId == kCertId);
    REQUIRE(s.ariWindowStart.has_value());
    REQUIRE(s.ariWindowEnd.has_value());
    CHECK(*s.ariWindowStart == now + hours(24 * 30));
    CHECK(*s.ariWindowEnd == now + hours(24 * 32));
    REQUIRE(s.ariRetryAfter.has_value());
    CHECK(*s.ariRetryAfter == now + seconds(7200));
    REQUIRE(s.ariChosen.has_value());
    CHECK(*s.ariChosen >= *s.ariWindowStart);
    CHECK(*s.ariChosen < *s.ariWindowEnd);

    // A later run within the Retry-After asks nothing; after it, asks again.
    h.clock.advance(std::chrono::minutes(90));
    REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::NotDue);
    CHECK(ariFetches(h) == 1);
    h.clock.advance(std::chrono::minutes(31));
    REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::NotDue);
    CHECK(ariFetches(h) == 2);
    // The same window: the time chosen in it stays (no new draw at every poll).
    CHECK(h.state("site").ariChosen == s.ariChosen);
}

TEST_CASE("renew: when the CA refuses `replaces`, the order is placed once more without it",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.1);
    auto now = h.clock.wallNow();
    h.server.renewalWindows[kCertId] = window(now - hours(48), now - hours(24));
    h.server.rejectReplaces = true;
    int orders = h.server.counts.newOrder;

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    REQUIRE(r.result == RenewResult::Renewed);
    CHECK(h.server.counts.newOrder == orders + 2);
    auto sent = replacesSent(h);
    REQUIRE(sent.size() >= 2);
    CHECK(sent[sent.size() - 2] == kCertId);
    CHECK(sent.back().empty());
    CHECK(h.notesContain("ordering without it"));
}

TEST_CASE("renew: `replaces` names the certificate being replaced, never one an earlier "
          "renewal already replaced",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.1);
    auto now = h.clock.wallNow();
    h.server.renewalWindows[kCertId] = window(now - hours(48), now - hours(24));
    REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::Renewed);
    // The new version has no ARI ID (the fake CA's leaves have no AKI); a forced renewal of it
    // must not claim to replace the certificate the CA already saw replaced.
    h.options.force = true;
    REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::Renewed);
    auto sent = replacesSent(h);
    REQUIRE(sent.size() >= 2);
    CHECK(sent[sent.size() - 2] == kCertId);
    CHECK(sent.back().empty());
}

TEST_CASE("renew: rateLimited with Retry-After is obeyed by the next runs",
          "[lifecycle][renewal][backoff]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.atShare("site", 0.8);
    h.server.rateLimitNewOrders = 1;
    h.server.rateLimitRetryAfter = "7200";
    int orders = h.server.counts.newOrder;

    auto first = h.renew({cert});
    const auto& r = reportOf(first, "site");
    REQUIRE(r.result == RenewResult::Failed);
    REQUIRE(r.error.has_value());
    CHECK(r.error->kind == ErrorKind::RateLimited);
    auto s = h.state("site");
    CHECK(s.lastErrorKind == "rate-limited");
    REQUIRE(s.lastAttempt.has_value());
    REQUIRE(s.nextAttempt.has_value());
    CHECK(*s.nextAttempt >= *s.lastAttempt + seconds(7200)); // not the 1-minute first step

    h.clock.advance(hours(1));
    auto second = h.renew({cert});
    CHECK(reportOf(second, "site").result == RenewResult::BackingOff);
    CHECK_THAT(reportOf(second, "site").message, Catch::Contains("rate limited"));
    CHECK(h.server.counts.newOrder == orders + 1);
}

TEST_CASE("renew: a profile the CA does not list fails naming the offered ones; a listed one is "
          "sent in newOrder",
          "[lifecycle][renewal][profile]") {
    Harness h;
    h.server.profiles = {{"classic", "the default"}, {"tlsserver", "45 days"}};
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.atShare("site", 0.8);
    int orders = h.server.counts.newOrder;
    cert.settings.profile = "shortlived";
    cert.spec.profile = "shortlived";

    auto refused = h.renew({cert});
    const auto& r = reportOf(refused, "site");
    REQUIRE(r.result == RenewResult::Failed);
    CHECK_THAT(r.message, Catch::Contains("shortlived"));
    CHECK_THAT(r.message, Catch::Contains("classic, tlsserver"));
    CHECK(h.server.counts.newOrder == orders);
    CHECK(h.live("site").number == 1);

    cert.settings.profile = "tlsserver";
    cert.spec.profile = "tlsserver";
    h.options.force = true; // past the backoff the refusal started
    auto renewed = h.renew({cert});
    REQUIRE(reportOf(renewed, "site").result == RenewResult::Renewed);
    CHECK(h.server.orders().back().profile == "tlsserver");
    auto settings = h.store.loadSettings("site");
    REQUIRE(settings.ok());
    REQUIRE(settings->has_value());
    CHECK((*settings)->profile == "tlsserver");
}

TEST_CASE("renew --parallel 4: the workers share one GET of the directory for ARI",
          "[lifecycle][renewal][ari][parallel]") {
    Harness h;
    h.options.parallel = 4;
    std::vector<lifecycle::ManagedCertificate> certs;
    for (char c = 'A'; c <= 'H'; ++c) {
        std::string name = std::string("site-") + c;
        std::string certId = std::string("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQy") + c;
        auto cert = h.managed(name, {name + ".example.com"});
        h.seed(cert);
        h.restoreLiveWithMeta(name, [&](nlohmann::json& meta) { meta["ari_cert_id"] = certId; });
        h.atShare(name, 0.1);
        auto now = h.clock.wallNow();
        h.server.renewalWindows[certId] = window(now + hours(24 * 30), now + hours(24 * 32));
        certs.push_back(cert);
    }
    auto directoryGets = [&h] {
        return h.server.requestsTo(h.server.directoryUrl(), "GET").size();
    };
    auto before = directoryGets();

    auto report = h.renew(certs);

    CHECK(report.count(RenewResult::NotDue) == 8);
    CHECK(directoryGets() == before + 1);
    std::size_t ariGets = 0;
    for (char c = 'A'; c <= 'H'; ++c) {
        ariGets +=
            h.server
                .requestsTo(h.server.renewalInfoUrl() + "/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQy" + c,
                            "GET")
                .size();
    }
    CHECK(ariGets == 8); // one window per certificate
}

TEST_CASE("renew --dry-run decides on the ARI window but keeps nothing of it",
          "[lifecycle][renewal][ari]") {
    Harness h;
    auto cert = ariCertificate(h, 0.1);
    auto now = h.clock.wallNow();
    h.options.dryRun = true;
    auto before = h.state("site");

    h.server.renewalWindows[kCertId] = window(now + hours(24 * 30), now + hours(24 * 32));
    CHECK(reportOf(h.renew({cert}), "site").result == RenewResult::NotDue);
    h.server.renewalWindows[kCertId] = window(now - hours(48), now - hours(24));
    auto second = h.renew({cert});
    INFO(reportOf(second, "site").message);
    CHECK(reportOf(second, "site").result == RenewResult::DryRun);

    CHECK(ariFetches(h) == 2);
    auto after = h.state("site");
    CHECK(after.ariCertId == before.ariCertId);
    CHECK_FALSE(after.ariWindowStart.has_value());
    CHECK_FALSE(after.ariRetryAfter.has_value());
    CHECK(h.live("site").number == 2);
}

// `certkeep renew` through lifecycle::renewCertificates against the fake ACME server: what is
// due is renewed and nothing else, a failure leaves the live certificate alone and backs off,
// --dry-run stores nothing, keep-versions prunes, parallel renewals share one responder per
// listen address, and a certificate another run renewed meanwhile is not ordered twice.
#include "unit/lifecycle/renewal_harness.hpp"

#include <atomic>
#include <set>
#include <thread>

using namespace certkeep;
using namespace renewal_test;
using lifecycle::RenewResult;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("renew: a certificate that is not due places no order and says until when",
          "[lifecycle][renewal]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.atShare("site", 0.1);
    int orders = h.server.counts.newOrder;

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    CHECK(r.result == RenewResult::NotDue);
    CHECK_THAT(r.message, Catch::Contains("not due until"));
    CHECK(h.server.counts.newOrder == orders);
    CHECK(h.live("site").number == 1);
    CHECK_FALSE(report.anyFailed());
}

TEST_CASE("renew: a certificate with less than a third of its lifetime left is renewed, the new "
          "version is live and its renewal state says success",
          "[lifecycle][renewal]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com", "b.example.com"});
    cert.hooks["deploy"] = {{"/usr/local/bin/reload"}};
    h.seed(cert);
    std::string oldSerial = h.liveInfo("site").serialHex;
    // An earlier run failed twice; its backoff is over.
    REQUIRE(h.store
                .saveRenewalState("site",
                                  [&] {
                                      store::RenewalState s;
                                      s.lastResult = "failure";
                                      s.consecutiveFailures = 2;
                                      s.lastError = "connection refused";
                                      return s;
                                  }())
                .ok());
    h.atShare("site", 0.7);
    int orders = h.server.counts.newOrder;

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    REQUIRE(r.result == RenewResult::Renewed);
    CHECK(r.decision.reason == lifecycle::DueReason::Lifetime);
    CHECK(h.server.counts.newOrder == orders + 1);
    REQUIRE(r.issued != nullptr);
    CHECK(h.live("site").number == r.issued->version);
    CHECK(h.live("site").number == 2);
    CHECK(h.liveInfo("site").serialHex != oldSerial);
    CHECK(h.liveInfo("site").dnsNames ==
          std::vector<std::string>{"a.example.com", "b.example.com"});
    auto s = h.state("site");
    CHECK(s.lastResult == "success");
    CHECK(s.consecutiveFailures == 0);
    CHECK_FALSE(s.nextAttempt.has_value());
    CHECK(s.lastError.empty());
    CHECK(r.deployed);
    CHECK_FALSE(s.deployPending); // the deploy hook succeeded
    CHECK(s.deployedVersion == 2);
    CHECK(h.hooks.summary() == std::vector<std::string>{"deploy /usr/local/bin/reload"});
    CHECK_FALSE(report.anyFailed());
}

TEST_CASE("renew: a failed renewal leaves the live certificate as it was, records the failure "
          "and backs off; --force tries anyway",
          "[lifecycle][renewal][backoff]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    store::CertVersion before = h.live("site");
    h.atShare("site", 0.8);
    h.server.failValidation["a.example.com"] = "connection refused";
    int orders = h.server.counts.newOrder;

    auto first = h.renew({cert});
    const auto& r1 = reportOf(first, "site");
    REQUIRE(r1.result == RenewResult::Failed);
    REQUIRE(r1.error.has_value());
    CHECK(r1.error->kind == ErrorKind::Validation);
    CHECK_THAT(r1.message, Catch::Contains("connection refused"));
    CHECK(first.anyFailed());
    CHECK(h.server.counts.newOrder == orders + 1);
    store::CertVersion after = h.live("site");
    CHECK(after.number == before.number);
    CHECK(after.certPem == before.certPem);
    CHECK(after.keyPem == before.keyPem);
    auto s1 = h.state("site");
    CHECK(s1.lastResult == "failure");
    CHECK(s1.consecutiveFailures == 1);
    CHECK(s1.lastErrorKind == "validation");
    CHECK_THAT(s1.lastError, Catch::Contains("connection refused"));
    REQUIRE(s1.lastAttempt.has_value());
    REQUIRE(s1.nextAttempt.has_value());
    CHECK(*s1.nextAttempt - *s1.lastAttempt == minutes(1)); // first step of the backoff

    // The next run, before the backoff is over: no order, and it says why.
    auto second = h.renew({cert});
    const auto& r2 = reportOf(second, "site");
    CHECK(r2.result == RenewResult::BackingOff);
    CHECK_THAT(r2.message, Catch::Contains("backing off"));
    CHECK(h.server.counts.newOrder == orders + 1);
    CHECK(h.state("site").consecutiveFailures == 1);

    // After it: tried again, failed again, the next step is 10 minutes.
    h.clock.setWall(*s1.nextAttempt + seconds(1));
    auto third = h.renew({cert});
    CHECK(reportOf(third, "site").result == RenewResult::Failed);
    CHECK(h.server.counts.newOrder == orders + 2);
    auto s3 = h.state("site");
    CHECK(s3.consecutiveFailures == 2);
    REQUIRE(s3.nextAttempt.has_value());
    CHECK(*s3.nextAttempt - *s3.lastAttempt == minutes(10));
    CHECK(h.live("site").certPem == before.certPem);

    // --force ignores the backoff.
    h.server.failValidation.clear();
    h.options.force = true;
    auto forced = h.renew({cert});
    CHECK(reportOf(forced, "site").result == RenewResult::Renewed);
    CHECK(h.server.counts.newOrder == orders + 3);
    CHECK(h.state("site").consecutiveFailures == 0);
}

TEST_CASE("renew --dry-run validates, gives the authorizations back, and stores nothing",
          "[lifecycle][renewal][dry-run]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com", "b.example.com"});
    cert.hooks["deploy"] = {{"/usr/local/bin/reload"}};
    h.seed(cert);
    h.atShare("site", 0.8);
    int finalized = h.server.counts.finalize;
    int stateWrites = h.store.saveRenewalStateCalls;
    h.options.dryRun = true;

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    CHECK(r.result == RenewResult::DryRun);
    CHECK(h.server.counts.challenge == 4); // 2 for the seed, 2 for the dry run
    CHECK(h.server.counts.deactivatedAuthorizations == 2);
    CHECK(h.server.counts.finalize == finalized);
    CHECK(h.versions("site") == std::vector<int>{1});
    CHECK(h.store.saveRenewalStateCalls == stateWrites);
    CHECK(h.state("site").lastResult.empty());
    auto pending = h.store.loadPendingOrder("site");
    REQUIRE(pending.ok());
    CHECK_FALSE(pending->has_value());
    CHECK(h.hooks.summary().empty()); // nothing new to deploy
    CHECK_FALSE(report.anyFailed());
}

TEST_CASE("renew: keep-versions old versions are kept besides the live one, older ones go with "
          "their keys",
          "[lifecycle][renewal][retention]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    cert.settings.keepVersions = 2;
    h.seed(cert);
    h.options.force = true;
    for (int i = 0; i < 5; ++i) {
        REQUIRE(reportOf(h.renew({cert}), "site").result == RenewResult::Renewed);
    }
    CHECK(h.live("site").number == 6);
    CHECK(h.versions("site") == std::vector<int>{4, 5, 6});
    auto gone = h.store.loadVersion("site", 3);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().kind == ErrorKind::NotFound);
}

TEST_CASE("renew --parallel 3: six due certificates are renewed intact, with one responder per "
          "listen address",
          "[lifecycle][renewal][parallel]") {
    Harness h;
    std::vector<lifecycle::ManagedCertificate> certs;
    for (int i = 0; i < 6; ++i) {
        std::string name = "site" + std::to_string(i);
        auto cert = h.managed(name, {name + ".example.com", "www." + name + ".example.com"});
        std::string listen = i % 2 == 0 ? "" : "127.0.0.1:8080";
        cert.spec.challenge.httpListen = listen;
        cert.settings.httpListen = listen;
        certs.push_back(cert);
    }
    h.options.parallel = 3;

    auto report = h.renew(certs);
    CHECK(report.count(RenewResult::Renewed) == 6);
    CHECK(h.server.counts.newOrder == 6);
    CHECK(h.server.nonceViolations().empty());
    // One standalone responder for ":80" and one for 127.0.0.1:8080, not one per certificate.
    CHECK(h.solvers.http01Calls == 2);
    CHECK(h.transportsMade >= 2); // the workers each had a transport of their own
    std::set<std::string> serials;
    for (const auto& cert : certs) {
        const std::string& name = cert.spec.name;
        store::CertVersion v = h.live(name);
        CHECK(v.number == 1);
        auto info = h.liveInfo(name);
        CHECK(info.dnsNames ==
              std::vector<std::string>{name + ".example.com", "www." + name + ".example.com"});
        auto key = acme::PrivateKey::fromPem(v.keyPem);
        REQUIRE(key.ok());
        auto matches = acme::certMatchesKey(v.certPem, *key);
        REQUIRE(matches.ok());
        CHECK(*matches);
        CHECK(v.fullchainPem == v.certPem + v.chainPem);
        serials.insert(info.serialHex);
        CHECK(h.state(name).lastResult == "success");
    }
    CHECK(serials.size() == 6);
}

TEST_CASE("renew: a certificate another run renewed between planning and the lock is not "
          "ordered again",
          "[lifecycle][renewal][concurrency]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.atShare("site", 0.8);
    int orders = h.server.counts.newOrder;
    int otherVersion = 0;
    // The pre hook runs after planning and before any lock: "another run" stores a fresh
    // version meanwhile.
    h.options.globalHooks["pre"] = {{"/usr/local/bin/pre"}};
    h.hooks.setCallback([&](const fakes::FakeHookRunner::Call& call) {
        if (call.event.event != "pre") {
            return;
        }
        auto now = h.clock.wallNow();
        otherVersion = h.restoreLiveWithMeta("site", [&](nlohmann::json& meta) {
            meta["not_before"] = lifecycle::isoTime(now - std::chrono::hours(1));
            meta["not_after"] = lifecycle::isoTime(now + std::chrono::hours(24 * 90));
        });
    });

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    CHECK(r.result == RenewResult::NotDue);
    CHECK(r.message == "renewed by another run meanwhile");
    CHECK(h.server.counts.newOrder == orders);
    REQUIRE(otherVersion == 2);
    CHECK(h.live("site").number == otherVersion);
    CHECK_FALSE(report.anyFailed());
}

TEST_CASE("renew: a certificate whose lock another run keeps is reported busy, not failed, and "
          "starts no backoff",
          "[lifecycle][renewal][concurrency]") {
    Harness h;
    auto cert = h.managed("site", {"a.example.com"});
    h.seed(cert);
    h.atShare("site", 0.8);
    int orders = h.server.counts.newOrder;
    h.options.lockWait = std::chrono::seconds(0);
    auto held = h.store.lockCertificate("site", std::chrono::seconds(0)); // the other run
    REQUIRE(held.ok());

    auto report = h.renew({cert});
    const auto& r = reportOf(report, "site");
    CHECK(r.result == RenewResult::Busy);
    CHECK_THAT(r.message, Catch::Contains("site") && Catch::Contains("left to the run"));
    CHECK(h.server.counts.newOrder == orders);
    CHECK_FALSE(report.anyFailed());
    held->reset();
    auto state = h.state("site");
    CHECK(state.consecutiveFailures == 0);
    CHECK_FALSE(state.nextAttempt.has_value());
}

namespace {

// Counts how many requests are in flight at once (the fake server itself is kept serialised).
class InFlightTransport : public acme::Transport {
  public:
    explicit InFlightTransport(acme::Transport& inner) : inner_(inner) {}
    Result<acme::HttpResponse> send(const acme::HttpRequest& request) override {
        int now = ++inFlight_;
        int seen = maxInFlight.load();
        while (now > seen && !maxInFlight.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1)); // widen any overlap
        Result<acme::HttpResponse> response = [&] {
            std::lock_guard lock(mutex_);
            return inner_.send(request);
        }();
        --inFlight_;
        return response;
    }
    std::atomic<int> maxInFlight{0};

  private:
    acme::Transport& inner_;
    std::mutex mutex_;
    std::atomic<int> inFlight_{0};
};

} // namespace

TEST_CASE("renew --parallel without a transport per worker renews one at a time over the one "
          "transport",
          "[lifecycle][renewal][parallel]") {
    Harness h;
    InFlightTransport transport(h.server);
    lifecycle::Services services{h.store,         transport, h.clock,         h.gate,    h.solvers,
                                 h.active,        {},        h.services.note, {},        {},
                                 h.services.flow, &h.hooks,  nullptr,         &h.random, {}};
    std::vector<lifecycle::ManagedCertificate> certs;
    for (int i = 0; i < 4; ++i) {
        std::string name = "site" + std::to_string(i);
        certs.push_back(h.managed(name, {name + ".example.com"}));
    }
    h.options.parallel = 4;
    auto report = lifecycle::renewCertificates(services, certs, h.options);
    CHECK(report.count(RenewResult::Renewed) == 4);
    CHECK(transport.maxInFlight == 1);
    CHECK(h.server.nonceViolations().empty());
}

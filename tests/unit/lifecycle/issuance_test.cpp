// One whole issuance through lifecycle/ against the fake ACME server, an in-memory store, a
// fake clock and a fake solver: the phases, the pending order that keeps an issued certificate
// from being lost, the account lock, and what is refused before anything is stored.
#include "common/ip.hpp"
#include "fakes/lifecycle_world.hpp"
#include "lifecycle/account.hpp"
#include "lifecycle/authorize.hpp"
#include "lifecycle/certificate.hpp"
#include "lifecycle/issuance.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

using namespace certkeep;
using lifecycle::CertificateSpec;

namespace {

// The fakes wired into lifecycle::Services, with an account spec for the fake server.
struct Harness : fakes::LifecycleWorld {
    lifecycle::AccountSpec account;

    Harness() {
        account.server = {server.directoryUrl(), ""};
        account.agreeTos = true;
        account.email = "ops@example.com";
    }

    static CertificateSpec spec(const std::vector<std::string>& dns, std::string name = "") {
        CertificateSpec s;
        for (const auto& d : dns) {
            s.identifiers.push_back({"dns", d});
        }
        s.name = name.empty() ? dns.front() : name;
        return s;
    }

    Result<lifecycle::IssueOutcome> issue(const CertificateSpec& s) {
        return lifecycle::issueCertificate(services, account, s);
    }
};

std::string errorOf(const Result<lifecycle::IssueOutcome>& r) {
    return r ? std::string("<success>") : r.error().message;
}

} // namespace

TEST_CASE("issuance: present all, wait ready, respond, clean up; stored with its settings",
          "[lifecycle][issuance]") {
    Harness h;
    auto out = h.issue(Harness::spec({"a.example.com", "b.example.com"}, "site"));
    REQUIRE(out.ok());
    CHECK(out->version == 1);
    CHECK_FALSE(out->recovered);
    CHECK(h.solvers.solver.calls ==
          std::vector<std::string>{"present a.example.com", "present b.example.com", "waitReady",
                                   "cleanup a.example.com", "cleanup b.example.com"});
    CHECK(h.server.counts.challenge == 2);
    auto live = h.store.loadLive("site");
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    auto info = acme::inspectCertPem((*live)->certPem);
    REQUIRE(info.ok());
    CHECK(info->dnsNames == std::vector<std::string>{"a.example.com", "b.example.com"});
    auto settings = h.store.loadSettings("site");
    REQUIRE(settings.ok());
    REQUIRE(settings->has_value());
    CHECK((*settings)->identifiers ==
          std::vector<std::string>{"dns:a.example.com", "dns:b.example.com"});
    CHECK((*settings)->server == h.server.directoryUrl());
    auto pending = h.store.loadPendingOrder("site");
    REQUIRE(pending.ok());
    CHECK_FALSE(pending->has_value());
    CHECK(h.server.httpRequests().empty());
    CHECK(h.server.nonceViolations().empty());
}

TEST_CASE("the solver's ready deadline and the fetch notice timeout come from the flow options",
          "[lifecycle][issuance]") {
    Harness h;
    h.solvers.solver.offerFetchNotifier = true;
    h.services.flow.fetchNoticeTimeout = std::chrono::milliseconds(1234);
    REQUIRE(h.issue(Harness::spec({"a.example.com"})).ok());
    REQUIRE(h.solvers.solver.awaitedFetches.size() == 1);
    CHECK(h.solvers.solver.awaitedFetches[0].second == std::chrono::milliseconds(1234));
    REQUIRE(h.solvers.solver.lastDeadline.has_value());
    CHECK(*h.solvers.solver.lastDeadline - h.clock.now() <= h.services.flow.readyTimeout);
}

TEST_CASE("a solver that is not ready stops the run before the CA is told to validate",
          "[lifecycle][issuance]") {
    Harness h;
    h.solvers.solver.waitReadyError = makeError(ErrorKind::Timeout, "records not visible");
    auto out = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Timeout);
    CHECK(h.server.counts.challenge == 0);
    CHECK(h.solvers.solver.cleanedUp.size() == 1);
}

TEST_CASE("the key and order URL are stored before finalize; a run that could not store the "
          "certificate is completed by the next one without a new order",
          "[lifecycle][issuance][pending]") {
    Harness h;
    h.store.failSaveCertificate = makeError(ErrorKind::Io, "writing: No space left on device");
    auto first = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(first.ok());
    CHECK_THAT(first.error().message, Catch::Contains("No space left"));
    auto pending = h.store.loadPendingOrder("a.example.com");
    REQUIRE(pending.ok());
    REQUIRE(pending->has_value());
    CHECK((*pending)->orderUrl == h.server.orderUrl(1));
    CHECK_THAT((*pending)->keyPem, Catch::Contains("PRIVATE KEY"));
    CHECK(h.server.counts.newOrder == 1);
    CHECK(h.server.counts.finalize == 1);

    auto second = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE(second.ok());
    CHECK(second->recovered);
    CHECK(h.server.counts.newOrder == 1); // no second order: the CA already issued
    CHECK(h.server.counts.finalize == 1);
    auto live = h.store.loadLive("a.example.com");
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    CHECK((*live)->keyPem == (*pending)->keyPem); // the certificate of the stored key
    auto after = h.store.loadPendingOrder("a.example.com");
    REQUIRE(after.ok());
    CHECK_FALSE(after->has_value());
}

TEST_CASE("a pending order the CA reports invalid, or one for other names, is discarded",
          "[lifecycle][issuance][pending]") {
    Harness h;
    std::string status = GENERATE(std::string("invalid"), std::string("other-names"));
    auto key = acme::PrivateKey::generate(acme::KeyType::EcP256);
    REQUIRE(key.ok());
    std::vector<acme::Identifier> ids{{"dns", "a.example.com"}};
    std::string orderUrl = h.server.seedOrder(ids, status == "invalid" ? "invalid" : "valid",
                                              status == "invalid" ? nullptr : key->get());
    // The account must exist for the pending order to belong to it.
    REQUIRE(lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Create).ok());
    auto account = h.store.loadAccount(h.server.directoryUrl());
    REQUIRE(account.ok());
    store::PendingOrder p;
    p.server = h.server.directoryUrl();
    p.accountUrl = (*account)->url;
    p.orderUrl = orderUrl;
    p.identifiers = {status == "invalid" ? "dns:a.example.com" : "dns:b.example.com"};
    p.keyPem = *key->toPem();
    REQUIRE(h.store.savePendingOrder("a.example.com", p).ok());

    auto out = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE(out.ok());
    CHECK_FALSE(out->recovered);
    CHECK(h.server.counts.newOrder == 1);
    CHECK(h.notesContain("discarding"));
    auto live = h.store.loadLive("a.example.com");
    REQUIRE(live.ok());
    REQUIRE(live->has_value());
    CHECK((*live)->keyPem != p.keyPem);
}

TEST_CASE("webroot tokens are recorded before they are written, and a killed run's are removed "
          "by the next run",
          "[lifecycle][issuance][pending]") {
    Harness h;
    auto spec = Harness::spec({"a.example.com"});
    spec.challenge.webroot = "/srv/www";
    h.store.failSaveCertificate = makeError(ErrorKind::Io, "disk full");
    // Record what the pending order holds at the moment present() runs.
    REQUIRE_FALSE(h.issue(spec).ok());
    REQUIRE(h.solvers.solver.presented.size() == 1);
    CHECK(h.store.savePendingOrderCalls >= 2); // tokens, then key before finalize

    // A run killed while its token was published: the record names the token.
    store::PendingOrder killed;
    killed.server = h.server.directoryUrl();
    killed.published = {{"webroot", "/srv/www", "leftover-token-AAAAAAAAAAAAAAAAAAAA"}};
    REQUIRE(h.store.savePendingOrder("b.example.com", killed).ok());
    auto specB = Harness::spec({"b.example.com"});
    specB.challenge.webroot = "/srv/www";
    REQUIRE(h.issue(specB).ok());
    CHECK(h.solvers.webrootsAsked == std::vector<std::string>{"/srv/www"});
    REQUIRE(h.solvers.leftovers.cleanedUp.size() == 1);
    CHECK(h.solvers.leftovers.cleanedUp[0].token == "leftover-token-AAAAAAAAAAAAAAAAAAAA");
}

TEST_CASE("an authorization for an identifier nobody asked for is refused before any solver "
          "sees it",
          "[lifecycle][issuance][hostile]") {
    Harness h;
    h.server.extraAuthorization = "evil.example.net";
    auto out = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Protocol);
    CHECK_THAT(out.error().message, Catch::Contains("evil.example.net"));
    CHECK(h.solvers.solver.presentAttempts == 0);
    CHECK(h.server.counts.challenge == 0);
}

TEST_CASE("a chain that does not link is refused before anything is stored",
          "[lifecycle][issuance][hostile]") {
    Harness h;
    h.server.brokenChain = true;
    auto out = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Protocol);
    CHECK_THAT(out.error().message, Catch::Contains("does not link"));
    CHECK(h.store.saveCertificateCalls == 0);
}

TEST_CASE("a certificate for another key or without a requested name is refused",
          "[lifecycle][issuance][hostile]") {
    Harness h;
    SECTION("another key") {
        h.server.leafForAnotherKey = true;
        CHECK_THAT(errorOf(h.issue(Harness::spec({"a.example.com"}))),
                   Catch::Contains("does not match our key"));
    }
    SECTION("a missing name") {
        h.server.leafNames = {"a.example.com"};
        CHECK_THAT(errorOf(h.issue(Harness::spec({"a.example.com", "b.example.com"}))),
                   Catch::Contains("without b.example.com"));
    }
    CHECK(h.store.saveCertificateCalls == 0);
}

TEST_CASE("an http URL anywhere the CA hands out stops the run with a Protocol error",
          "[lifecycle][issuance][hostile]") {
    Harness h;
    std::string field =
        GENERATE(std::string("newOrder"), std::string("finalize"), std::string("authorization"),
                 std::string("challenge"), std::string("certificate"));
    h.server.httpUrls = {field};
    auto out = h.issue(Harness::spec({"a.example.com"}));
    INFO(field);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Protocol);
    CHECK_THAT(out.error().message, Catch::Contains("https"));
    CHECK(h.server.httpRequests().empty());
    CHECK(h.store.saveCertificateCalls == 0);
}

TEST_CASE("changing the names of an existing certificate needs replaceNames",
          "[lifecycle][issuance]") {
    Harness h;
    REQUIRE(h.issue(Harness::spec({"a.example.com"}, "site")).ok());
    auto typo = h.issue(Harness::spec({"b.example.com"}, "site"));
    REQUIRE_FALSE(typo.ok());
    CHECK(typo.error().kind == ErrorKind::Usage);
    CHECK_THAT(typo.error().message, Catch::Contains("a.example.com"));
    CHECK_THAT(typo.error().message, Catch::Contains("b.example.com"));
    CHECK(h.server.counts.newOrder == 1);
    auto spec = Harness::spec({"b.example.com"}, "site");
    spec.replaceNames = true;
    REQUIRE(h.issue(spec).ok());
    // The same names in another order are the same set.
    REQUIRE(h.issue(Harness::spec({"b.example.com"}, "site")).ok());
}

TEST_CASE("a profile the CA does not offer is refused, naming the offered ones",
          "[lifecycle][issuance]") {
    Harness h;
    h.server.profiles = {{"classic", "the default"}, {"tlsserver", "45 days"}};
    auto spec = Harness::spec({"a.example.com"});
    spec.profile = "shortlived";
    auto out = h.issue(spec);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Usage);
    CHECK_THAT(out.error().message, Catch::Contains("classic, tlsserver"));
    spec.profile = "tlsserver";
    REQUIRE(h.issue(spec).ok());
    CHECK(h.server.orders().back().profile == "tlsserver");
}

TEST_CASE("the CA forgot the account: re-registered with --agree-tos, a hint without",
          "[lifecycle][account]") {
    Harness h;
    REQUIRE(h.issue(Harness::spec({"a.example.com"})).ok());
    auto stored = h.store.loadAccount(h.server.directoryUrl());
    REQUIRE(stored.ok());
    std::string oldUrl = (*stored)->url;
    h.server.forgottenAccounts.insert(oldUrl);

    h.account.agreeTos = false;
    auto refused = h.issue(Harness::spec({"b.example.com"}));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::Usage);
    CHECK_THAT(refused.error().message, Catch::Contains("--agree-tos"));

    h.account.agreeTos = true;
    REQUIRE(h.issue(Harness::spec({"b.example.com"})).ok());
    CHECK(h.notesContain("registered the stored key again"));
    auto now = h.store.loadAccount(h.server.directoryUrl());
    REQUIRE(now.ok());
    CHECK((*now)->url != oldUrl);
    CHECK((*now)->keyPem == (*stored)->keyPem);
}

TEST_CASE("concurrent first runs create one account: load, register and save under the lock",
          "[lifecycle][account]") {
    fakes::FakeStore store;
    constexpr int kRuns = 4;
    std::vector<std::unique_ptr<Harness>> runs;
    for (int i = 0; i < kRuns; ++i) {
        runs.push_back(std::make_unique<Harness>());
    }
    std::vector<std::string> urls(kRuns);
    std::vector<std::string> keys(kRuns);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRuns; ++i) {
        threads.emplace_back([&, i] {
            Harness& h = *runs[i];
            // The run's own fakes, but one shared store for all runs.
            lifecycle::Services shared{store,    h.server, h.clock, h.gate,  h.solvers,
                                       h.active, {},       {},      {},      {},
                                       {},       nullptr,  nullptr, nullptr, {}};
            auto s = lifecycle::openAccount(shared, h.account, lifecycle::AccountMode::Create);
            if (s) {
                urls[i] = s->account.url;
                keys[i] = s->account.keyPem;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    int created = 0;
    for (const auto& h : runs) {
        created += static_cast<int>(h->server.requestsTo(h->server.newAccountUrl(), "POST").size());
    }
    CHECK(created == 1);
    auto stored = store.loadAccount(runs[0]->server.directoryUrl());
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    for (int i = 0; i < kRuns; ++i) {
        CHECK(urls[i] == (*stored)->url);
        CHECK(keys[i] == (*stored)->keyPem);
    }
}

TEST_CASE("a new account key is stored before newAccount is sent", "[lifecycle][account]") {
    Harness h;
    std::optional<store::AccountData> atNewAccount;
    h.server.route(h.server.newAccountUrl(), [&](const fakes::ServerRequest&) {
        auto a = h.store.loadAccount(h.server.directoryUrl());
        atNewAccount = a ? *a : std::nullopt;
        return fakes::jsonResponse(201, {{"status", "valid"}},
                                   {{"location", h.server.accountUrl()}});
    });
    REQUIRE(lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Create).ok());
    REQUIRE(atNewAccount.has_value());
    CHECK_THAT(atNewAccount->keyPem, Catch::Contains("PRIVATE KEY"));
    CHECK(atNewAccount->url.empty());
    auto stored = h.store.loadAccount(h.server.directoryUrl());
    REQUIRE(stored.ok());
    CHECK((*stored)->url == h.server.accountUrl());
    CHECK((*stored)->keyPem == atNewAccount->keyPem);
}

TEST_CASE("an unreadable stored account key is a Config error, never a throwaway key",
          "[lifecycle][account]") {
    Harness h;
    store::AccountData broken{h.server.directoryUrl(), "-----BEGIN PRIVATE KEY-----\nMIGH",
                              h.server.accountUrl(), "", ""};
    REQUIRE(h.store.saveAccount(h.server.directoryUrl(), broken).ok());
    auto s = lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Create);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::Config);
    CHECK_THAT(s.error().message, Catch::Contains("unreadable"));
    CHECK(h.server.requestsTo(h.server.newAccountUrl()).empty());
}

TEST_CASE("options that cannot apply to an existing account are named in a warning",
          "[lifecycle][account]") {
    Harness h;
    REQUIRE(lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Create).ok());
    h.account.email = "other@example.com";
    h.account.emailGiven = true;
    h.account.keyAlg = acme::JwsAlg::ES384;
    h.account.keyAlgGiven = true;
    REQUIRE(lifecycle::openAccount(h.services, h.account, lifecycle::AccountMode::Create).ok());
    CHECK(h.notesContain("--email and --account-key-type not applied"));
    CHECK(h.notesContain("account update"));
}

TEST_CASE("canonical IP comparison and requested identifiers", "[lifecycle][authorize]") {
    CHECK(certkeep::canonicalIp("2001:DB8:0::1") == "2001:db8::1");
    CHECK(certkeep::canonicalIp("example.com").empty());
    acme::Authorization wildcard;
    wildcard.identifier = {"dns", "example.com"};
    wildcard.wildcard = true;
    CHECK(lifecycle::isRequested(wildcard, {{"dns", "*.example.com"}}));
    CHECK_FALSE(lifecycle::isRequested(wildcard, {{"dns", "example.com"}}));
    acme::Authorization ip;
    ip.identifier = {"ip", "2001:db8:0:0::1"};
    CHECK(lifecycle::isRequested(ip, {{"ip", "2001:db8::1"}}));
    CHECK_FALSE(lifecycle::isRequested(ip, {{"dns", "2001:db8::1"}}));
}

TEST_CASE("a pending order whose certificate cannot be used is discarded, so the next run "
          "orders afresh instead of failing forever",
          "[lifecycle][issuance][pending]") {
    Harness h;
    h.store.failSaveCertificate = makeError(ErrorKind::Io, "disk full");
    REQUIRE_FALSE(h.issue(Harness::spec({"a.example.com"})).ok());
    h.server.brokenChain = true; // what the CA serves for the pending order no longer links
    auto second = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(second.ok());
    CHECK_THAT(second.error().message, Catch::Contains("does not link"));
    auto pending = h.store.loadPendingOrder("a.example.com");
    REQUIRE(pending.ok());
    CHECK_FALSE(pending->has_value());
    h.server.brokenChain = false;
    REQUIRE(h.issue(Harness::spec({"a.example.com"})).ok());
    CHECK(h.server.counts.newOrder == 2);
}

TEST_CASE("a lost certificate lock stops the run before finalize", "[lifecycle][issuance]") {
    Harness h;
    // The lease is lost while the challenges are answered (after the lock was taken).
    h.solvers.solver.waitReadyHook = [&h] { h.store.leaseLost = true; };
    auto out = h.issue(Harness::spec({"a.example.com"}));
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == ErrorKind::Local);
    CHECK_THAT(out.error().message, Catch::Contains("lost the lock"));
    CHECK(h.server.counts.finalize == 0);
    CHECK(h.store.saveCertificateCalls == 0);
}

TEST_CASE("the settings record is written when it changes, not at every issuance",
          "[lifecycle][issuance]") {
    Harness h;
    REQUIRE(h.issue(Harness::spec({"a.example.com"})).ok());
    REQUIRE(h.issue(Harness::spec({"a.example.com"})).ok());
    CHECK(h.store.saveSettingsCalls == 1);
    auto spec = Harness::spec({"a.example.com"});
    spec.keyType = acme::KeyType::EcP384;
    REQUIRE(h.issue(spec).ok());
    CHECK(h.store.saveSettingsCalls == 2);
    auto settings = h.store.loadSettings("a.example.com");
    REQUIRE(settings.ok());
    CHECK((*settings)->keyType == "ec-p384");
}

// Revocation through lifecycle/: a certificate issued against the fake ACME server is revoked
// by the account key or the certificate key (also as the fall-back when the account does not
// own it), the reason names, and the renewal state mark that makes `renew` replace it.
#include "acme/crypto/csr.hpp"
#include "acme/problem.hpp"
#include "fakes/lifecycle_world.hpp"
#include "lifecycle/issuance.hpp"
#include "lifecycle/revoke.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace certkeep;

namespace {

// The fakes wired into lifecycle::Services, and one issued certificate "site".
struct Harness : fakes::LifecycleWorld {
    lifecycle::AccountSpec account;

    explicit Harness(bool strict = false) {
        server.strictAccounts = strict;
        account.server = {server.directoryUrl(), ""};
        account.agreeTos = true;
        issue();
    }

    int issue() {
        lifecycle::CertificateSpec spec;
        spec.name = "site";
        spec.identifiers = {{"dns", "a.example.com"}};
        auto out = lifecycle::issueCertificate(services, account, spec);
        REQUIRE(out.ok());
        return out->version;
    }

    std::string serialOf(int version) {
        auto v = store.loadVersion("site", version);
        REQUIRE(v.ok());
        auto info = acme::inspectCertPem(v->certPem);
        REQUIRE(info.ok());
        return info->serialHex;
    }

    Result<lifecycle::RevokeOutcome> revoke(lifecycle::RevokeRequest request) {
        if (request.name.empty()) {
            request.name = "site";
        }
        return lifecycle::revokeCertificate(services, account, request);
    }

    store::RenewalState state() {
        auto s = store.loadRenewalState("site");
        REQUIRE(s.ok());
        return *s;
    }
};

} // namespace

TEST_CASE("revoke the live certificate by the account key with a reason", "[lifecycle][revoke]") {
    Harness h;
    lifecycle::RevokeRequest request;
    request.reason = 1;

    auto out = h.revoke(request);

    REQUIRE(out.ok());
    CHECK(out->version == 1);
    CHECK(out->live);
    CHECK_FALSE(out->byCertificateKey);
    REQUIRE(h.server.revocations().size() == 1);
    CHECK(h.server.revocations()[0].serialHex == h.serialOf(1));
    CHECK(h.server.revocations()[0].reason == 1);
    CHECK_FALSE(h.server.revocations()[0].byCertificateKey);
    auto state = h.state();
    CHECK(state.revokedVersion == 1);
    CHECK(state.revokedReason == "keyCompromise");
    CHECK(state.revokedAt == h.clock.wallNow());
}

TEST_CASE("revoke with the certificate key needs no account at all", "[lifecycle][revoke]") {
    Harness h;
    REQUIRE(h.store.saveAccount(h.server.directoryUrl(), {}).ok()); // an unusable account
    lifecycle::RevokeRequest request;
    request.useCertificateKey = true;

    auto out = h.revoke(request);

    REQUIRE(out.ok());
    CHECK(out->byCertificateKey);
    REQUIRE(h.server.revocations().size() == 1);
    CHECK(h.server.revocations()[0].byCertificateKey);
    CHECK(h.state().revokedReason == "unspecified");
}

TEST_CASE("when the account does not own the certificate, its own key revokes it",
          "[lifecycle][revoke]") {
    Harness h(true);
    // Another account is stored for the server now (e.g. the state dir was restored).
    auto other = acme::PrivateKey::generate(acme::KeyType::EcP256);
    REQUIRE(other.ok());
    REQUIRE(h.store.saveAccount(h.server.directoryUrl(), {"", *other->toPem(), "", "", ""}).ok());
    lifecycle::AccountSpec spec = h.account;
    auto session = lifecycle::openAccount(h.services, spec, lifecycle::AccountMode::Create);
    REQUIRE(session.ok());
    REQUIRE(session->account.url != h.server.accountUrl());

    auto out = h.revoke({});

    REQUIRE(out.ok());
    CHECK(out->byCertificateKey);
    REQUIRE(h.server.revocations().size() == 1);
    CHECK(h.server.revocations()[0].byCertificateKey);
    CHECK(std::any_of(h.notes.begin(), h.notes.end(), [](const std::string& n) {
        return n.find("certificate's own key") != std::string::npos;
    }));
}

TEST_CASE("revoking twice is a clear error and changes no state", "[lifecycle][revoke]") {
    Harness h;
    REQUIRE(h.revoke({}).ok());
    auto first = h.state();
    h.clock.advance(std::chrono::hours(1));

    auto again = h.revoke({});

    REQUIRE_FALSE(again.ok());
    CHECK(acme::isAlreadyRevoked(again.error()));
    CHECK(again.error().message.find("already revoked") != std::string::npos);
    CHECK(h.state().revokedAt == first.revokedAt);
}

TEST_CASE("an older version is revoked without marking the live one", "[lifecycle][revoke]") {
    Harness h;
    REQUIRE(h.issue() == 2);
    lifecycle::RevokeRequest request;
    request.version = 1;
    request.reason = 4;

    auto out = h.revoke(request);

    REQUIRE(out.ok());
    CHECK(out->version == 1);
    CHECK_FALSE(out->live);
    CHECK(h.server.revocations().at(0).serialHex == h.serialOf(1));
    CHECK(h.state().revokedVersion == 0);
    CHECK_FALSE(h.state().revokedAt.has_value());
}

TEST_CASE("an unknown name or version is NotFound and nothing is sent", "[lifecycle][revoke]") {
    Harness h;
    lifecycle::RevokeRequest missingName;
    missingName.name = "other";
    auto a = h.revoke(missingName);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().kind == ErrorKind::NotFound);
    lifecycle::RevokeRequest missingVersion;
    missingVersion.version = 9;
    auto b = h.revoke(missingVersion);
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().kind == ErrorKind::NotFound);
    CHECK(h.server.requestsTo(h.server.revokeUrl()).empty());
}

TEST_CASE("revocation reason names map to RFC 5280 codes", "[lifecycle][revoke]") {
    CHECK(lifecycle::parseRevocationReason("keyCompromise").value() == 1);
    CHECK(lifecycle::parseRevocationReason("key-compromise").value() == 1);
    CHECK(lifecycle::parseRevocationReason("SUPERSEDED").value() == 4);
    CHECK(lifecycle::parseRevocationReason("cessationOfOperation").value() == 5);
    CHECK(lifecycle::parseRevocationReason("unspecified").value() == 0);
    CHECK(lifecycle::parseRevocationReason("affiliationChanged").value() == 3);
    CHECK(lifecycle::parseRevocationReason("privilegeWithdrawn").value() == 9);
    CHECK(lifecycle::parseRevocationReason("removeFromCRL").value() == 8);
    auto bad = lifecycle::parseRevocationReason("7");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
    CHECK(bad.error().message.find("keyCompromise") != std::string::npos);
    CHECK(lifecycle::revocationReasonName(5) == "cessationOfOperation");
    CHECK(lifecycle::revocationReasonName(7).empty());
}

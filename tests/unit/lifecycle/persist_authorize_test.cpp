// dns-persist-01 in authorizeOrder: when the CA offers the challenge and the record is in place
// (Services::persistAuthorized says so), that challenge is answered and the solver presents
// nothing; otherwise the solver's challenge is answered as before. Pebble 2.4.0 has no
// dns-persist-01, so the fake ACME server offers it here (fakes::PersistOffering), as Let's
// Encrypt's staging does (draft-ietf-acme-dns-persist-01).
#include "fakes/lifecycle_world.hpp"
#include "lifecycle/account.hpp"
#include "lifecycle/authorize.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace certkeep;

namespace {

// One call of the fake persistAuthorized.
struct PersistCall {
    std::string name;
    bool wildcard = false;
    std::vector<std::string> issuers;
    std::string accountUri;
};

struct PersistHarness : fakes::LifecycleWorld {
    fakes::PersistOffering ca{server};
    lifecycle::Services persistServices = servicesOver(ca);
    lifecycle::AccountSpec account;
    std::vector<std::string> logLines;
    // name ("*.NAME" for a wildcard) -> what the check answers; absent = false.
    std::map<std::string, Result<bool>> inPlace;
    std::vector<PersistCall> calls;

    PersistHarness() {
        account.server = {server.directoryUrl(), ""};
        account.agreeTos = true;
        solvers.solver = fakes::FakeSolver("dns-01");
        persistServices.log = [this](const std::string& line) { logLines.push_back(line); };
        persistServices.persistAuthorized = [this](const std::string& name, bool wildcard,
                                                   const std::vector<std::string>& issuers,
                                                   const std::string& accountUri) -> Result<bool> {
            calls.push_back({name, wildcard, issuers, accountUri});
            auto it = inPlace.find((wildcard ? "*." : "") + name);
            return it == inPlace.end() ? Result<bool>(false) : it->second;
        };
    }

    // Orders `names` and answers every authorization with the fake dns-01 solver or
    // dns-persist-01.
    Status authorize(const std::vector<std::string>& names) {
        auto session =
            lifecycle::openAccount(persistServices, account, lifecycle::AccountMode::Create);
        if (!session) {
            return session.takeError();
        }
        auto order = session->client->newOrder(fakes::orderRequest(names));
        if (!order) {
            return order.takeError();
        }
        accountUrl = session->account.url;
        fakes::ForwardingSolver solver(solvers.solver);
        lifecycle::AuthorizeRequest request;
        request.order = &*order;
        request.requested = fakes::toIdentifiers(names);
        request.thumbprint = session->thumbprint;
        request.accountUrl = accountUrl;
        request.solverFor = [&solver](const acme::Authorization&) -> Result<challenges::Solver*> {
            return &solver;
        };
        return lifecycle::authorizeOrder(persistServices, *session->client, request);
    }

    [[nodiscard]] bool allValid() const {
        const auto& authzs = server.authorizations();
        return !authzs.empty() && std::all_of(authzs.begin(), authzs.end(),
                                              [](const auto& a) { return a.status == "valid"; });
    }

    [[nodiscard]] bool logged(const std::string& text) const {
        return std::any_of(logLines.begin(), logLines.end(),
                           [&](const std::string& l) { return l.find(text) != std::string::npos; });
    }

    std::string accountUrl;
};

} // namespace

TEST_CASE("persist: a record in place answers dns-persist-01 and the solver presents nothing",
          "[lifecycle][persist]") {
    PersistHarness h;
    h.ca.accountUri = "https://acme.test/acct-by-ca/1";
    h.inPlace.emplace("a.example.com", true);
    h.inPlace.emplace("b.example.com", true);
    REQUIRE(h.authorize({"a.example.com", "b.example.com"}).ok());
    CHECK(h.allValid());
    CHECK(h.ca.persistAnswers.size() == 2);
    CHECK(h.server.counts.challenge == 2); // each authorization answered once, through persist
    CHECK(h.solvers.solver.calls.empty()); // no present, no waitReady, no cleanup
    REQUIRE(h.calls.size() == 2);
    CHECK(h.calls[0].name == "a.example.com");
    CHECK_FALSE(h.calls[0].wildcard);
    CHECK(h.calls[0].issuers == std::vector<std::string>{"ca.test"});
    CHECK(h.calls[0].accountUri == "https://acme.test/acct-by-ca/1"); // the CA's accounturi
    CHECK(h.logged("dns-persist-01 record for a.example.com in place"));
    CHECK(h.notes.empty());
}

TEST_CASE("persist: without the CA's accounturi the record must name our account URL",
          "[lifecycle][persist]") {
    PersistHarness h; // ca.accountUri empty: Boulder without AccountURIPrefix
    h.inPlace.emplace("a.example.com", true);
    REQUIRE(h.authorize({"a.example.com"}).ok());
    REQUIRE(h.calls.size() == 1);
    CHECK_FALSE(h.accountUrl.empty());
    CHECK(h.calls[0].accountUri == h.accountUrl);
    CHECK(h.ca.persistAnswers.size() == 1);
}

TEST_CASE("persist: no record in place uses the solver; dns-persist-01 is not answered",
          "[lifecycle][persist]") {
    PersistHarness h;
    REQUIRE(h.authorize({"a.example.com"}).ok());
    CHECK(h.allValid());
    CHECK(h.calls.size() == 1);
    CHECK(h.ca.persistAnswers.empty());
    CHECK(h.solvers.solver.calls ==
          std::vector<std::string>{"present a.example.com", "waitReady", "cleanup a.example.com"});
    CHECK(h.logged("dns-persist-01 offered for a.example.com, not used"));
    CHECK(h.notes.empty()); // no record is the usual case: only the -v line says so
}

TEST_CASE("persist: a failed check is a note, never a failure; the solver answers instead",
          "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace(
        "a.example.com",
        Result<bool>(makeError(ErrorKind::Validation, "_validation-persist.a.example.com does not "
                                                      "authorize on every authoritative server")));
    REQUIRE(h.authorize({"a.example.com"}).ok());
    CHECK(h.allValid());
    CHECK(h.ca.persistAnswers.empty());
    CHECK(h.solvers.solver.presented.size() == 1);
    CHECK(h.notesContain("dns-persist-01 not used for a.example.com"));
    CHECK(h.notesContain("does not authorize on every authoritative server"));
}

TEST_CASE("persist: one name with its record, one without: only the second is presented",
          "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace("a.example.com", true);
    REQUIRE(h.authorize({"a.example.com", "b.example.com"}).ok());
    CHECK(h.allValid());
    CHECK(h.ca.persistAnswers.size() == 1);
    CHECK(h.solvers.solver.calls ==
          std::vector<std::string>{"present b.example.com", "waitReady", "cleanup b.example.com"});
}

TEST_CASE("persist: a wildcard is checked as a wildcard of its base name", "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace("*.example.com", true); // policy=wildcard in place
    h.inPlace.emplace("example.com", true);
    REQUIRE(h.authorize({"example.com", "*.example.com"}).ok());
    CHECK(h.allValid());
    REQUIRE(h.calls.size() == 2);
    CHECK(h.calls[0].name == "example.com");
    CHECK_FALSE(h.calls[0].wildcard);
    CHECK(h.calls[1].name == "example.com");
    CHECK(h.calls[1].wildcard);
    CHECK(h.ca.persistAnswers.size() == 2);
    CHECK(h.solvers.solver.calls.empty());
}

TEST_CASE("persist: a wildcard whose record lacks policy=wildcard goes through DNS-01",
          "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace("example.com", true); // only the apex is authorized by the record
    REQUIRE(h.authorize({"example.com", "*.example.com"}).ok());
    CHECK(h.ca.persistAnswers.size() == 1);
    CHECK(h.solvers.solver.calls ==
          std::vector<std::string>{"present *.example.com", "waitReady", "cleanup *.example.com"});
}

TEST_CASE("persist: without persistAuthorized, or when the CA offers none, nothing is checked",
          "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace("a.example.com", true);
    SECTION("no check wired") {
        h.persistServices.persistAuthorized = nullptr;
        REQUIRE(h.authorize({"a.example.com"}).ok());
    }
    SECTION("no dns-persist-01 offered") {
        h.ca.offer = false;
        REQUIRE(h.authorize({"a.example.com"}).ok());
        CHECK(h.calls.empty());
    }
    CHECK(h.ca.persistAnswers.empty());
    CHECK(h.solvers.solver.presented.size() == 1);
}

TEST_CASE("persist: a validation the CA refuses fails as any other", "[lifecycle][persist]") {
    PersistHarness h;
    h.inPlace.emplace("a.example.com", true);
    h.server.failValidation["a.example.com"] = "No valid TXT record found";
    auto st = h.authorize({"a.example.com"});
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Validation);
    CHECK_THAT(st.error().message, Catch::Contains("No valid TXT record found"));
    CHECK(h.ca.persistAnswers.size() == 1);
    CHECK(h.solvers.solver.calls.empty());
}

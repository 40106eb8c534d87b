// Issue 11: every exchange of the client is counted by the role of its request and its HTTP
// status (certkeep_acme_requests_total), every problem document by its type
// (certkeep_acme_problems_total); labels never hold a URL.
#include "acme/crypto/csr.hpp"
#include "acme/request_metrics.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::FakeTransport;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::makeResponse;
using certkeep::fakes::problemResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;
using Series = std::map<std::string, std::uint64_t>;

namespace {

std::string requests(const std::string& endpoint, const std::string& status) {
    return seriesKey(acme::kAcmeRequestsTotal, {{"endpoint", endpoint}, {"status", status}});
}

std::string problems(const std::string& type) {
    return seriesKey(acme::kAcmeProblemsTotal, {{"type", type}});
}

// A fixture whose client counts into `counters`.
acme::ClientOptions counted(Counters& counters) {
    acme::ClientOptions options;
    options.counters = &counters;
    return options;
}

// A new order's 201 answer, for routes that replace the built-in newOrder.
acme::HttpResponse orderCreated(ClientFixture& f) {
    return jsonResponse(201,
                        fakes::orderJson("pending", {"a.example.com"}, {f.server.url("/authz/x")},
                                         f.server.url("/order/x/finalize")),
                        {{"location", f.server.url("/order/x")}});
}

} // namespace

TEST_CASE("an issuance from newOrder to the certificate counts each exchange by endpoint",
          "[acme][metrics]") {
    Counters counters;
    ClientFixture f(counted(counters));
    f.server.pendingPolls = 0;    // the first authorization poll says valid
    f.server.processingPolls = 0; // the first order poll says valid
    f.ready();
    auto key = fakes::generateKey();

    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));
    REQUIRE(order.ok());
    REQUIRE(order->authorizations.size() == 1);
    auto authz = f.client->fetchAuthorization(order->authorizations[0]);
    REQUIRE(authz.ok());
    REQUIRE_FALSE(authz->challenges.empty());
    REQUIRE(f.client->respondChallenge(authz->challenges[0]).ok());
    REQUIRE(f.client->waitAuthorization(order->authorizations[0]).ok());
    auto ready = f.client->fetchOrder(order->url);
    REQUIRE(ready.ok());
    auto csr = acme::makeCsrDer(key, {"a.example.com"});
    REQUIRE(csr.ok());
    auto finalized = f.client->finalize(*ready, *csr);
    REQUIRE(finalized.ok());
    auto valid = f.client->waitOrder(*finalized);
    REQUIRE(valid.ok());
    REQUIRE(f.client->downloadCertificate(valid->certificate).ok());

    CHECK(counters.snapshot() == Series{
                                     {requests("directory", "200"), 1},
                                     {requests("newNonce", "200"), 1},
                                     {requests("newOrder", "201"), 1},
                                     {requests("authz", "200"), 2}, // fetch + one poll
                                     {requests("challenge", "200"), 1},
                                     {requests("order", "200"), 2}, // fetch + one poll
                                     {requests("finalize", "200"), 1},
                                     {requests("certificate", "200"), 1},
                                 });
    // As many exchanges counted as the server saw (its log has every request).
    std::uint64_t total = 0;
    for (const auto& [key, n] : counters.snapshot()) {
        CHECK(key.find("https://") == std::string::npos);
        total += n;
    }
    CHECK(total == f.server.log().size());
}

TEST_CASE("a badNonce retry counts two requests and one badNonce problem", "[acme][metrics]") {
    Counters counters;
    ClientFixture f(counted(counters));
    f.ready();
    int calls = 0;
    f.server.route(f.server.newOrderUrl(), [&](const ServerRequest&) {
        if (calls++ == 0) {
            return problemResponse(400, "badNonce", "stale nonce",
                                   {{"replay-nonce", f.server.freshNonce()}});
        }
        return orderCreated(f);
    });

    REQUIRE(f.client->newOrder(fakes::orderRequest({"a.example.com"})).ok());

    auto values = counters.snapshot();
    CHECK(values[requests("newOrder", "400")] == 1);
    CHECK(values[requests("newOrder", "201")] == 1);
    CHECK(values[problems("badNonce")] == 1);
    CHECK(values.size() == 5); // + directory and one newNonce
}

TEST_CASE("a refused request counts its status and the problem's short type", "[acme][metrics]") {
    Counters counters;
    ClientFixture f(counted(counters));
    f.server.rateLimitNewOrders = 1;
    f.ready();

    REQUIRE_FALSE(f.client->newOrder(fakes::orderRequest({"a.example.com"})).ok());

    auto values = counters.snapshot();
    CHECK(values[requests("newOrder", "429")] == 1);
    CHECK(values[problems("rateLimited")] == 1);
}

TEST_CASE("a problem type outside the ACME namespace is counted in full, a long one as other",
          "[acme][metrics]") {
    auto [type, label] = GENERATE(table<std::string, std::string>({
        {"https://ca.example/probs/quota", "https://ca.example/probs/quota"},
        {"about:blank", "about:blank"},
        {"urn:ietf:params:acme:error:" + std::string(64, 'x'), std::string(64, 'x')},
        {"urn:ietf:params:acme:error:" + std::string(65, 'x'), "other"},
        {"https://ca.example/" + std::string(60, 'p'), "other"},
        {"urn:ietf:params:acme:error:", "other"},
        {"", "other"},
        {"caf\xc3\xa9", "other"}, // not ASCII: label values stay plain
    }));
    Counters counters;
    ClientFixture f(counted(counters));
    f.ready();
    f.server.route(f.server.accountUrl(), [type = type](const ServerRequest&) {
        return makeResponse(403, json{{"type", type}, {"detail", "no"}}.dump(),
                            {{"content-type", "application/problem+json"}});
    });

    REQUIRE_FALSE(f.client->fetchAccount().ok());

    INFO(type);
    CHECK(counters.snapshot()[problems(label)] == 1);
    CHECK(counters.snapshot()[requests("account", "403")] == 1);
}

TEST_CASE("an error body that is not a problem document counts the request only",
          "[acme][metrics]") {
    Counters counters;
    ClientFixture f(counted(counters));
    f.ready();
    f.server.route(f.server.accountUrl(), [](const ServerRequest&) {
        return makeResponse(502, "<html>Bad Gateway</html>");
    });

    REQUIRE_FALSE(f.client->fetchAccount().ok());

    auto values = counters.snapshot();
    CHECK(values[requests("account", "502")] == 1);
    for (const auto& [key, n] : values) {
        CHECK(seriesName(key) == acme::kAcmeRequestsTotal);
    }
}

TEST_CASE("an exchange without a response counts as status error", "[acme][metrics]") {
    Counters counters;
    FakeTransport transport;
    transport.setHandler([](const acme::HttpRequest&) -> Result<acme::HttpResponse> {
        return fail(ErrorKind::Network, "connection refused");
    });
    acme::KeySigner signer{fakes::generateKey(acme::KeyType::EcP256)};
    acme::Client client(transport, signer, counted(counters));

    REQUIRE_FALSE(client.loadDirectory("https://acme.test/directory").ok());

    CHECK(counters.snapshot() == Series{{requests("directory", "error"), 1}});
}

TEST_CASE("the account, key change, revocation and ARI requests have their own endpoints",
          "[acme][metrics]") {
    constexpr const char* kCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    Counters counters;
    ClientFixture f(counted(counters));
    f.server.strictAccounts = true;
    f.server.renewalWindows[kCertId] = {
        {"suggestedWindow", {{"start", "2026-01-02T00:00:00Z"}, {"end", "2026-01-03T00:00:00Z"}}}};
    acme::KeySigner newKey(fakes::generateKey(acme::KeyType::EcP256));
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());

    acme::NewAccountRequest request;
    request.agreeTos = true;
    REQUIRE(f.client->newAccount(request).ok());
    REQUIRE(f.client->fetchAccount().ok());
    REQUIRE(f.client->changeKey(newKey).ok());
    REQUIRE(f.client->fetchRenewalInfo(kCertId).ok());
    REQUIRE_FALSE(f.client->fetchRenewalInfo("bYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE").ok());
    REQUIRE_FALSE(f.client->revokeCertificate("not a certificate", std::nullopt).ok());

    CHECK(counters.snapshot() == Series{
                                     {requests("directory", "200"), 1},
                                     {requests("newNonce", "200"), 1},
                                     {requests("newAccount", "201"), 1},
                                     {requests("account", "200"), 1},
                                     {requests("keyChange", "200"), 1},
                                     {requests("renewalInfo", "200"), 1},
                                     {requests("renewalInfo", "404"), 1},
                                     {requests("revokeCert", "400"), 1},
                                     {problems("malformed"), 2},
                                 });
}

TEST_CASE("endpointName gives every endpoint its RFC 8555 resource name", "[acme][metrics]") {
    CHECK(acme::endpointName(acme::Endpoint::Directory) == "directory");
    CHECK(acme::endpointName(acme::Endpoint::NewNonce) == "newNonce");
    CHECK(acme::endpointName(acme::Endpoint::NewAccount) == "newAccount");
    CHECK(acme::endpointName(acme::Endpoint::Account) == "account");
    CHECK(acme::endpointName(acme::Endpoint::KeyChange) == "keyChange");
    CHECK(acme::endpointName(acme::Endpoint::NewOrder) == "newOrder");
    CHECK(acme::endpointName(acme::Endpoint::Order) == "order");
    CHECK(acme::endpointName(acme::Endpoint::Authz) == "authz");
    CHECK(acme::endpointName(acme::Endpoint::Challenge) == "challenge");
    CHECK(acme::endpointName(acme::Endpoint::Finalize) == "finalize");
    CHECK(acme::endpointName(acme::Endpoint::Certificate) == "certificate");
    CHECK(acme::endpointName(acme::Endpoint::RevokeCert) == "revokeCert");
    CHECK(acme::endpointName(acme::Endpoint::RenewalInfo) == "renewalInfo");
}

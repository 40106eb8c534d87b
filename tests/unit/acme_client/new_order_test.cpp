// RFC 8555 §7.4 newOrder with dns and ip identifiers (RFC 8738), RFC 9773 `replaces`, the
// profiles draft's `profile`, fetchOrder, and what the directory says about both.
#include "acme/problem.hpp"
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

json lastNewOrderPayload(const ClientFixture& f) {
    auto posts = f.server.requestsTo(f.server.newOrderUrl(), "POST");
    REQUIRE(!posts.empty());
    return posts.back().jws.payloadJson();
}

} // namespace

TEST_CASE("newOrder sends dns and ip identifiers and nothing else by default", "[acme][order]") {
    ClientFixture f;
    f.ready();
    acme::NewOrderRequest request;
    request.identifiers = {{"dns", "a.example.com"}, {"ip", "192.0.2.1"}, {"ip", "2001:db8::1"}};

    auto order = f.client->newOrder(request);

    REQUIRE(order.ok());
    CHECK(order->url == f.server.orderUrl(1));
    CHECK(order->identifiers == request.identifiers);
    CHECK(order->authorizations.size() == 3);
    json expected{{"identifiers",
                   {{{"type", "dns"}, {"value", "a.example.com"}},
                    {{"type", "ip"}, {"value", "192.0.2.1"}},
                    {{"type", "ip"}, {"value", "2001:db8::1"}}}}};
    CHECK(lastNewOrderPayload(f) == expected);
}

TEST_CASE("newOrder sends replaces and profile when they are set", "[acme][order]") {
    ClientFixture f;
    f.server.profiles = {{"shortlived", "6-day certificates"}};
    f.ready();
    auto request = fakes::orderRequest({"a.example.com"});
    request.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    request.profile = "shortlived";

    REQUIRE(f.client->newOrder(request).ok());

    json payload = lastNewOrderPayload(f);
    CHECK(payload["replaces"] == request.replaces);
    CHECK(payload["profile"] == "shortlived");
    CHECK(f.server.orders().at(0).profile == "shortlived");
}

TEST_CASE("newOrder refuses identifiers other than dns and ip without a request", "[acme][order]") {
    auto id = GENERATE(acme::Identifier{"email", "a@example.com"}, acme::Identifier{"dns", ""},
                       acme::Identifier{"", "a.example.com"});
    ClientFixture f;
    f.ready();
    acme::NewOrderRequest request;
    request.identifiers = {id};

    auto order = f.client->newOrder(request);

    REQUIRE_FALSE(order.ok());
    CHECK(order.error().kind == ErrorKind::Usage);
    CHECK(f.server.requestsTo(f.server.newOrderUrl()).empty());
    CHECK_FALSE(f.client->newOrder({}).ok());
}

TEST_CASE("fetchOrder reads an existing order by its URL", "[acme][order]") {
    auto status = GENERATE(as<std::string>{}, "pending", "ready", "processing", "valid");
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    std::string url =
        f.server.seedOrder(fakes::toIdentifiers({"a.example.com", "192.0.2.7"}), status, key.get());

    auto order = f.client->fetchOrder(url);

    REQUIRE(order.ok());
    CHECK(order->url == url);
    CHECK(order->status == status);
    CHECK(order->identifiers == fakes::toIdentifiers({"a.example.com", "192.0.2.7"}));
    CHECK(order->certificate.empty() == (status != "valid"));
    CHECK(f.server.counts.newOrder == 0);
    auto posts = f.server.requestsTo(url, "POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].jws.payloadB64.empty()); // POST-as-GET
}

TEST_CASE("the directory's profiles are parsed from meta.profiles, non-strings ignored",
          "[acme][order]") {
    ClientFixture f;
    f.server.directory["meta"]["profiles"] = {
        {"classic", "the usual"}, {"tlsserver", "for servers"}, {"odd", 42}, {"null", nullptr}};

    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());

    std::map<std::string, std::string> expected{{"classic", "the usual"},
                                                {"tlsserver", "for servers"}};
    CHECK(f.client->directory().profiles == expected);
    CHECK(f.client->directory().renewalInfo == f.server.renewalInfoUrl());
    CHECK(f.client->directory().revokeCert == f.server.revokeUrl());
}

TEST_CASE("a directory without meta has no profiles", "[acme][order]") {
    ClientFixture f;
    f.server.directory.erase("meta");

    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());

    CHECK(f.client->directory().profiles.empty());
}

TEST_CASE("a refused `replaces` is recognisable so the caller can retry without it",
          "[acme][order][ari]") {
    ClientFixture f;
    f.server.rejectReplaces = true;
    f.ready();
    auto request = fakes::orderRequest({"a.example.com"});
    request.replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

    auto refused = f.client->newOrder(request);

    REQUIRE_FALSE(refused.ok());
    CHECK(acme::isReplacesRejected(refused.error()));
    CHECK(refused.error().problem->shortType() == "alreadyReplaced");
    CHECK(f.server.lastReplaces == request.replaces);
    request.replaces.clear();
    REQUIRE(f.client->newOrder(request).ok());
    CHECK(f.server.lastReplaces.empty());
}

TEST_CASE("isReplacesRejected: alreadyReplaced, or a refusal that talks about replaces",
          "[acme][order][ari]") {
    auto withProblem = [](const std::string& type, const std::string& detail) {
        Error e = makeError(ErrorKind::Acme, "x");
        e.problem = Problem{"urn:ietf:params:acme:error:" + type, detail, 400, {}, "", {}};
        return e;
    };
    CHECK(acme::isReplacesRejected(withProblem("alreadyReplaced", "")));
    CHECK(acme::isReplacesRejected(withProblem("malformed", "Replaces field: cert not found")));
    CHECK(acme::isReplacesRejected(
        withProblem("unauthorized", "the certificate to be replaced belongs to another account")));
    CHECK_FALSE(acme::isReplacesRejected(withProblem("malformed", "no identifiers")));
    CHECK_FALSE(acme::isReplacesRejected(withProblem("rateLimited", "replaces: too many")));
    CHECK_FALSE(acme::isReplacesRejected(makeError(ErrorKind::Network, "replaces")));
}

TEST_CASE("a rateLimited newOrder carries the CA's Retry-After", "[acme][order]") {
    ClientFixture f;
    f.server.rateLimitNewOrders = 1;
    f.server.rateLimitRetryAfter = "3600";
    f.ready();

    auto limited = f.client->newOrder(fakes::orderRequest({"a.example.com"}));

    REQUIRE_FALSE(limited.ok());
    CHECK(limited.error().kind == ErrorKind::RateLimited);
    REQUIRE(limited.error().problem.has_value());
    CHECK(limited.error().problem->retryAfterSeconds == 3600L);
    CHECK(limited.error().message.find("retry after 3600 s") != std::string::npos);
    CHECK(f.client->newOrder(fakes::orderRequest({"a.example.com"})).ok());
}

// Polling authorizations and orders: Retry-After, growing waits, deadlines (RFC 8555 §7.5.1).
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace certkeep;
using namespace std::chrono_literals;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kDomain = "poll.example.com";

// Serves `statuses` in turn at `url` (the last one repeats), each with `headers`.
void serveAuthz(ClientFixture& f, const std::string& url, std::vector<std::string> statuses,
                Headers headers = {}) {
    auto served = std::make_shared<std::size_t>(0);
    f.server.route(url, [=](const ServerRequest&) {
        std::size_t i = std::min(*served, statuses.size() - 1);
        ++*served;
        return jsonResponse(200, fakes::authzJson(kDomain, statuses[i], json::array()), headers);
    });
}

void serveOrder(ClientFixture& f, const std::string& url, std::vector<std::string> statuses,
                Headers headers = {}) {
    auto served = std::make_shared<std::size_t>(0);
    std::string finalizeUrl = f.server.url("/order/1/finalize");
    std::string certUrl = f.server.url("/cert/1");
    f.server.route(url, [=](const ServerRequest&) {
        std::size_t i = std::min(*served, statuses.size() - 1);
        ++*served;
        return jsonResponse(200,
                            fakes::orderJson(statuses[i], {kDomain}, {"https://acme.test/authz/1"},
                                             finalizeUrl, statuses[i] == "valid" ? certUrl : ""),
                            headers);
    });
}

acme::Order processingOrder(ClientFixture& f) {
    acme::Order order;
    order.url = f.server.url("/order/1");
    order.status = "processing";
    order.finalize = f.server.url("/order/1/finalize");
    return order;
}

} // namespace

TEST_CASE("waitAuthorization honours Retry-After, capped by pollMax", "[acme][poll]") {
    auto [retryAfter, expected] = GENERATE(table<std::string, std::chrono::milliseconds>({
        {"3", 3000ms},
        {"30", 8000ms},
    }));
    ClientFixture f;
    f.ready();
    const std::string url = f.server.url("/authz/1");
    serveAuthz(f, url, {"pending", "valid"}, {{"retry-after", retryAfter}});

    auto authz = f.client->waitAuthorization(url);

    REQUIRE(authz.ok());
    CHECK(authz->status == "valid");
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{expected});
    CHECK(f.server.requestsTo(url, "POST").size() == 2);
}

TEST_CASE("waitAuthorization without Retry-After waits longer each time up to pollMax",
          "[acme][poll]") {
    acme::ClientOptions options;
    options.pollFirst = 40ms;
    options.pollMax = 200ms;
    ClientFixture f(options);
    f.ready();
    const std::string url = f.server.url("/authz/1");
    serveAuthz(f, url, {"pending", "pending", "pending", "pending", "pending", "invalid"});

    auto authz = f.client->waitAuthorization(url);

    REQUIRE(authz.ok());
    CHECK(authz->status == "invalid");
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{40ms, 80ms, 160ms, 200ms, 200ms});
}

TEST_CASE("waitAuthorization stops with a Timeout naming the domain", "[acme][poll]") {
    acme::ClientOptions options;
    options.pollDeadline = 0s;
    ClientFixture f(options);
    f.ready();
    const std::string url = f.server.url("/authz/1");
    serveAuthz(f, url, {"pending"});

    auto authz = f.client->waitAuthorization(url);

    REQUIRE_FALSE(authz.ok());
    CHECK(authz.error().kind == ErrorKind::Timeout);
    CHECK_THAT(authz.error().message, Catch::Contains(kDomain));
    CHECK(f.server.requestsTo(url, "POST").size() == 1);
}

TEST_CASE("waitAuthorization keeps polling until the deadline, then times out", "[acme][poll]") {
    acme::ClientOptions options;
    options.pollFirst = 50ms;
    options.pollMax = 200ms;
    options.pollDeadline = 1s;
    // This test really waits (about one second) so the deadline is measured, not assumed.
    options.sleep = [](std::chrono::milliseconds ms) { std::this_thread::sleep_for(ms); };
    ClientFixture f;
    acme::Client client(f.server, f.signer, options);
    REQUIRE(client.loadDirectory(f.server.directoryUrl()).ok());
    client.setAccountUrl(f.server.accountUrl());
    const std::string url = f.server.url("/authz/1");
    serveAuthz(f, url, {"pending"});

    auto started = std::chrono::steady_clock::now();
    auto authz = client.waitAuthorization(url);
    auto took = std::chrono::steady_clock::now() - started;

    REQUIRE_FALSE(authz.ok());
    CHECK(authz.error().kind == ErrorKind::Timeout);
    CHECK(took >= 1s);
    CHECK(took < 3s);
    auto polls = f.server.requestsTo(url, "POST").size();
    CHECK(polls >= 4);
    CHECK(polls <= 12);
}

TEST_CASE("waitOrder returns at once for an order that is already valid or invalid",
          "[acme][poll]") {
    auto status = GENERATE(as<std::string>{}, "valid", "invalid");
    ClientFixture f;
    f.ready();
    acme::Order order = processingOrder(f);
    order.status = status;
    std::size_t before = f.server.log().size();

    auto done = f.client->waitOrder(order);

    REQUIRE(done.ok());
    CHECK(done->status == status);
    CHECK(f.server.log().size() == before);
}

TEST_CASE("waitOrder polls a processing order until it is valid or invalid", "[acme][poll]") {
    auto last = GENERATE(as<std::string>{}, "valid", "invalid");
    ClientFixture f;
    f.ready();
    acme::Order order = processingOrder(f);
    serveOrder(f, order.url, {"processing", "processing", last}, {{"retry-after", "2"}});

    auto done = f.client->waitOrder(order);

    REQUIRE(done.ok());
    CHECK(done->status == last);
    if (last == "valid") {
        CHECK(done->certificate == f.server.url("/cert/1"));
    }
    CHECK(f.server.requestsTo(order.url, "POST").size() == 3);
    // A short first wait after finalize, then the server's Retry-After for each processing.
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{20ms, 2000ms, 2000ms});
}

TEST_CASE("waitOrder stops with a Timeout at the deadline", "[acme][poll]") {
    acme::ClientOptions options;
    options.pollDeadline = 0s;
    ClientFixture f(options);
    f.ready();
    acme::Order order = processingOrder(f);
    serveOrder(f, order.url, {"processing"});

    auto done = f.client->waitOrder(order);

    REQUIRE_FALSE(done.ok());
    CHECK(done.error().kind == ErrorKind::Timeout);
    CHECK_THAT(done.error().message, Catch::Contains(order.url));
}

// Polling authorizations and orders: Retry-After, growing waits, deadlines (RFC 8555 §7.5.1).
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

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
void serveAuthz(ClientFixture& f, const std::string& url, const std::vector<std::string>& statuses,
                const Headers& headers = {}) {
    auto served = std::make_shared<std::size_t>(0);
    f.server.route(url, [=](const ServerRequest&) {
        std::size_t i = std::min(*served, statuses.size() - 1);
        ++*served;
        return jsonResponse(200, fakes::authzJson(kDomain, statuses[i], json::array()), headers);
    });
}

void serveOrder(ClientFixture& f, const std::string& url, const std::vector<std::string>& statuses,
                const Headers& headers = {}) {
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
    ClientFixture f(options);
    f.ready();
    const std::string url = f.server.url("/authz/1");
    serveAuthz(f, url, {"pending"});

    auto authz = f.client->waitAuthorization(url);

    REQUIRE_FALSE(authz.ok());
    CHECK(authz.error().kind == ErrorKind::Timeout);
    // The deadline is measured on the injected clock: 50+100+200*4 = 950 ms, one more wait
    // passes the deadline, and the poll after it times out.
    CHECK(f.sleeps ==
          std::vector<std::chrono::milliseconds>{50ms, 100ms, 200ms, 200ms, 200ms, 200ms, 200ms});
    CHECK(f.server.requestsTo(url, "POST").size() == 8);
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

TEST_CASE("waitOrder sleeps between polls whatever the status, until the deadline",
          "[acme][poll]") {
    acme::ClientOptions options;
    options.pollFirst = 100ms;
    options.pollMax = 1000ms;
    options.pollDeadline = 5s;
    ClientFixture f(options);
    f.ready();
    acme::Order order = processingOrder(f);
    serveOrder(f, order.url, {"weird"});

    auto done = f.client->waitOrder(order);

    REQUIRE_FALSE(done.ok());
    CHECK(done.error().kind == ErrorKind::Timeout);
    // 50 after finalize, then doubling from 100 ms up to the 1 s cap: 50+100+200+400+800 +
    // 1000*3 = 4550 ms, and the next wait passes the 5 s deadline.
    CHECK(f.sleeps == std::vector<std::chrono::milliseconds>{50ms, 100ms, 200ms, 400ms, 800ms,
                                                             1000ms, 1000ms, 1000ms, 1000ms});
    CHECK(f.server.requestsTo(order.url, "POST").size() == 8);
    CHECK(f.clock.now() - std::chrono::steady_clock::time_point{} >= 5s);
}

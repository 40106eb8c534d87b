// A misbehaving or hostile ACME server: every answer is checked before it is used.
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>
#include <ctime>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::makeResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;

TEST_CASE("a directory without newOrder or with non-URL values is refused", "[acme][hostile]") {
    auto [member, value] = GENERATE(table<std::string, json>({
        {"newOrder", nullptr}, // removed below
        {"newOrder", "javascript:alert(1)"},
        {"newOrder", 42},
        {"newNonce", "ftp://acme.test/new-nonce"},
        {"newAccount", "https://acme.test/new account"},
        {"newAccount", ""},
    }));
    ClientFixture f;
    if (value.is_null()) {
        f.server.directory.erase(member);
    } else {
        f.server.directory[member] = value;
    }

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    INFO(member << " = " << value.dump());
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK_THAT(st.error().message, Catch::Contains(member));
}

TEST_CASE("a directory that is not a JSON object is refused", "[acme][hostile]") {
    auto body = GENERATE(as<std::string>{}, "", "[]", "\"str\"", "<html>hello</html>",
                         "{\"newNonce\":", std::string(1, '\0') + "\xff\xfe");
    ClientFixture f;
    f.server.route(f.server.directoryUrl(),
                   [body = body](const ServerRequest&) { return makeResponse(200, body); });

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
}

TEST_CASE("an order without Location or without authorizations is refused", "[acme][hostile]") {
    ClientFixture f;
    f.ready();
    auto finalizeUrl = f.server.url("/order/1/finalize");
    auto [location, authz] = GENERATE(table<std::string, json>({
        {"", json::array({"https://acme.test/authz/1"})},
        {"not a url", json::array({"https://acme.test/authz/1"})},
        {"https://acme.test/order/1", json::array()},
        {"https://acme.test/order/1", json::array({"file:///etc/passwd"})},
    }));
    f.server.route(f.server.newOrderUrl(),
                   [finalizeUrl, location = location, authz = authz](const ServerRequest&) {
                       json doc{{"status", "pending"},
                                {"identifiers", fakes::identifiersJson({"a.example.com"})},
                                {"authorizations", authz},
                                {"finalize", finalizeUrl}};
                       std::vector<std::pair<std::string, std::string>> headers;
                       if (!location.empty()) {
                           headers.emplace_back("location", location);
                       }
                       return jsonResponse(201, doc, headers);
                   });

    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));

    INFO("location=" << location << " authorizations=" << authz.dump());
    REQUIRE_FALSE(order.ok());
    CHECK(order.error().kind == ErrorKind::Protocol);
}

TEST_CASE("garbage and oversized JSON bodies are errors, not crashes", "[acme][hostile]") {
    auto body = GENERATE(as<std::string>{}, std::string(200000, '['),
                         "{\"status\":" + std::string(100000, '[') + "1",
                         "{\"status\":\"pending\",\"identifier\":\"" +
                             std::string(std::size_t{5} * 1024 * 1024, 'A') + "\"}",
                         std::string("\x00\x01\x02garbage", 10), "{\"status\":5}",
                         "{\"status\":\"pending\",\"identifier\":{\"value\":7},\"challenges\":[]}",
                         "{\"status\":\"pending\",\"identifier\":{\"value\":\"a.example.com\"},"
                         "\"challenges\":[{\"type\":[]}]}",
                         "{\"status\":\"pending\",\"identifier\":{\"value\":\"a.example.com\"},"
                         "\"challenges\":{}}");
    ClientFixture f;
    f.ready();
    const std::string authzUrl = f.server.url("/authz/1");
    f.server.route(authzUrl, [body = body](const ServerRequest&) {
        return makeResponse(200, body, {{"content-type", "application/json"}});
    });

    auto authz = f.client->fetchAuthorization(authzUrl);

    INFO("body starts " << body.substr(0, 60));
    REQUIRE_FALSE(authz.ok());
    CHECK(authz.error().kind == ErrorKind::Protocol);
    CHECK(authz.error().message.size() < 1000);
}

TEST_CASE("a URL the server gave that is not https is never requested", "[acme][hostile]") {
    ClientFixture f;
    f.ready();
    acme::Challenge challenge;
    challenge.type = "http-01";
    challenge.url = "file:///etc/passwd";
    std::size_t before = f.server.log().size();

    auto st = f.client->respondChallenge(challenge);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK(f.server.log().size() == before);
}

TEST_CASE("a malformed Replay-Nonce is ignored and a fresh one is fetched", "[acme][hostile]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.accountUrl(), [](const ServerRequest&) {
        return jsonResponse(200, {{"status", "valid"}},
                            {{"replay-nonce", "not base64url; injected=\"x\""}});
    });

    REQUIRE(f.client->fetchAccount().ok());
    REQUIRE(f.client->fetchAccount().ok());

    // The bad nonce was not used: each POST needed a nonce from newNonce.
    CHECK(f.server.requestsTo(f.server.newNonceUrl(), "HEAD").size() == 2);
    for (const auto& r : f.server.requestsTo(f.server.accountUrl(), "POST")) {
        CHECK(r.jws.protectedHeader["nonce"] != "not base64url; injected=\"x\"");
    }
    CHECK(f.server.nonceViolations().empty());
}

TEST_CASE("linksWithRel finds every target with the relation", "[acme][transport]") {
    acme::HttpResponse r;
    r.headers = {
        {"link", "<https://acme.test/directory>;rel=\"index\""},
        {"link", "<https://acme.test/cert/1/1>; rel=\"alternate\""},
        {"link", "<https://acme.test/cert/1/2>;rel=alternate"},
        {"link", "<https://acme.test/cert/1/3>; title=\"x\"; rel=\"up alternate\""},
        {"link", "<https://acme.test/not>; rel=\"alternates\""},
        {"link", "<https://acme.test/also-not>; rel=\"up\""},
    };

    CHECK(acme::linksWithRel(r, "alternate") ==
          std::vector<std::string>{"https://acme.test/cert/1/1", "https://acme.test/cert/1/2",
                                   "https://acme.test/cert/1/3"});
    CHECK(acme::linksWithRel(r, "index") ==
          std::vector<std::string>{"https://acme.test/directory"});
    CHECK(acme::linksWithRel(r, "up") ==
          std::vector<std::string>{"https://acme.test/cert/1/3", "https://acme.test/also-not"});
    CHECK(acme::linksWithRel(r, "terms-of-service").empty());
}

TEST_CASE("linksWithRel reads every link of a comma-separated Link field", "[acme][transport]") {
    // RFC 8288 §3: Link = #link-value, so one field may hold several links (a proxy may also
    // combine repeated fields into one, RFC 9110 §5.3).
    auto [field, expected] = GENERATE(table<std::string, std::vector<std::string>>({
        {"<https://acme.test/a>;rel=\"alternate\", <https://acme.test/b>;rel=\"alternate\"",
         {"https://acme.test/a", "https://acme.test/b"}},
        {"<https://acme.test/a>; rel=alternate, <https://acme.test/b>; rel=alternate",
         {"https://acme.test/a", "https://acme.test/b"}},
        {"<https://acme.test/dir>;rel=\"index\", <https://acme.test/a>;rel=\"alternate\"",
         {"https://acme.test/a"}},
    }));
    acme::HttpResponse r;
    r.headers = {{"link", field}};

    INFO(field);
    CHECK(acme::linksWithRel(r, "alternate") == expected);
}

TEST_CASE("linksWithRel survives broken Link headers", "[acme][transport]") {
    acme::HttpResponse r;
    r.headers = {
        {"link", "<https://acme.test/unterminated; rel=\"alternate\""},
        {"link", "no brackets; rel=alternate"},
        {"link", ""},
        {"link", "rel=alternate>"},
    };

    CHECK(acme::linksWithRel(r, "alternate").empty());
}

TEST_CASE("retryAfterSeconds reads delta-seconds and HTTP-dates", "[acme][transport]") {
    auto with = [](const std::string& value) {
        acme::HttpResponse r;
        r.headers = {{"retry-after", value}};
        return acme::retryAfterSeconds(r);
    };
    auto httpDate = [](std::time_t t) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::size_t len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return std::string(buf, len);
    };

    CHECK(acme::retryAfterSeconds(acme::HttpResponse{}) == -1);
    CHECK(with("120") == 120);
    CHECK(with(" 7 ") == 7);
    CHECK(with("0") == 0);
    CHECK(with("99999999999999999999") == 999999999L);
    CHECK(with("-5") == -1);
    CHECK(with("soon") == -1);
    CHECK(with("12s") == -1);

    long future = with(httpDate(std::time(nullptr) + 300));
    CHECK(future >= 298);
    CHECK(future <= 300);
    CHECK(with(httpDate(std::time(nullptr) - 300)) == 0);
    CHECK(with("Wed, 21 Oct 2015 07:28:00 GMT") == 0);
}

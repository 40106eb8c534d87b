// What the operator reads when the CA (or something pretending to be one) answers badly.
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::makeResponse;
using certkeep::fakes::problemResponse;
using certkeep::fakes::ServerRequest;

TEST_CASE("a directory URL answering an HTML 404 is not an ACME directory", "[acme][messages]") {
    ClientFixture f;
    f.server.route(f.server.directoryUrl(), [](const ServerRequest&) {
        return makeResponse(404, "<!DOCTYPE html><html><title>Not Found</title></html>",
                            {{"content-type", "text/html"}});
    });

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK(st.error().message == "HTTP 404 from https://acme.test/directory: not an ACME "
                                "directory (check the --server URL)");
}

TEST_CASE("a directory URL answering a problem document passes the problem on",
          "[acme][messages]") {
    ClientFixture f;
    f.server.route(f.server.directoryUrl(), [](const ServerRequest&) {
        return problemResponse(503, "serverInternal", "down for maintenance");
    });

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Acme);
    CHECK_THAT(st.error().message, Catch::Contains("down for maintenance"));
}

TEST_CASE("a directory URL answering 200 with HTML says the response is not JSON",
          "[acme][messages]") {
    ClientFixture f;
    f.server.route("https://user:secret@acme.test/directory", [](const ServerRequest&) {
        return makeResponse(200, "<html><body>Welcome to nginx!</body></html>",
                            {{"content-type", "text/html"}});
    });

    auto st = f.client->loadDirectory("https://user:secret@acme.test/directory");

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK(st.error().message ==
          "https://acme.test/directory is not an ACME directory: the response is not JSON");
}

TEST_CASE("exhausted badNonce retries say how many nonces were rejected and where",
          "[acme][messages][nonce]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.accountUrl(), [](const ServerRequest&) {
        return problemResponse(400, "badNonce", "JWS has an invalid anti-replay nonce");
    });

    auto account = f.client->fetchAccount();

    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == ErrorKind::Acme);
    CHECK_THAT(account.error().message,
               Catch::StartsWith("fetching the account failed: the CA rejected 11 nonces in a "
                                 "row (badNonce) at https://acme.test/account/1"));
    REQUIRE(account.error().problem.has_value());
    CHECK(account.error().problem->shortType() == "badNonce");
    CHECK(f.server.requestsTo(f.server.accountUrl(), "POST").size() == 11);
}

TEST_CASE("log lines never show user:pass@ of a URL", "[acme][messages]") {
    ClientFixture f;
    f.server.route("https://user:secret@acme.test/directory", [&f](const ServerRequest&) {
        return fakes::jsonResponse(200, f.server.directory);
    });

    REQUIRE(f.client->loadDirectory("https://user:secret@acme.test/directory").ok());

    REQUIRE_FALSE(f.logLines.empty());
    for (const auto& line : f.logLines) {
        CHECK_THAT(line, !Catch::Contains("secret"));
    }
}

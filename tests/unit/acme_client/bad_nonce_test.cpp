// RFC 8555 §6.5: badNonce is retried with the nonce from the error; nothing else is retried.
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::problemResponse;
using certkeep::fakes::ServerRequest;

namespace {

// Makes the account URL answer badNonce `rejections` times, each with a fresh nonce that
// is remembered in `errorNonces`, then the account.
void rejectNonces(ClientFixture& f, int rejections, std::vector<std::string>& errorNonces) {
    f.server.route(f.server.accountUrl(), [&f, rejections, &errorNonces](const ServerRequest&) {
        if (static_cast<int>(errorNonces.size()) < rejections) {
            errorNonces.push_back(f.server.freshNonce());
            return problemResponse(400, "badNonce", "JWS has an invalid anti-replay nonce",
                                   {{"replay-nonce", errorNonces.back()}});
        }
        return jsonResponse(200, {{"status", "valid"}});
    });
}

std::string nonceOf(const ServerRequest& r) {
    return r.jws.protectedHeader.value("nonce", std::string());
}

} // namespace

TEST_CASE("badNonce is retried with the nonce from the error response", "[acme][nonce]") {
    ClientFixture f;
    f.ready();
    std::vector<std::string> errorNonces;
    rejectNonces(f, 3, errorNonces);

    auto account = f.client->fetchAccount();

    REQUIRE(account.ok());
    CHECK(account->status == "valid");
    auto posts = f.server.requestsTo(f.server.accountUrl(), "POST");
    REQUIRE(posts.size() == 4);
    REQUIRE(errorNonces.size() == 3);
    for (std::size_t i = 1; i < posts.size(); ++i) {
        INFO("retry " << i);
        CHECK(nonceOf(posts[i]) == errorNonces[i - 1]);
    }
    // Only the very first request needed a nonce from newNonce.
    CHECK(f.server.requestsTo(f.server.newNonceUrl(), "HEAD").size() == 1);
    CHECK(f.server.nonceViolations().empty());
}

TEST_CASE("more badNonce rejections than maxBadNonceRetries fail clearly", "[acme][nonce]") {
    acme::ClientOptions options;
    options.maxBadNonceRetries = 2;
    ClientFixture f(options);
    f.ready();
    std::vector<std::string> errorNonces;
    rejectNonces(f, 1000, errorNonces);

    auto account = f.client->fetchAccount();

    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == ErrorKind::Acme);
    CHECK_THAT(account.error().message, Catch::Contains("badNonce"));
    REQUIRE(account.error().problem.has_value());
    CHECK(account.error().problem->shortType() == "badNonce");
    // The first try plus maxBadNonceRetries retries.
    CHECK(f.server.requestsTo(f.server.accountUrl(), "POST").size() == 3);
}

TEST_CASE("problems other than badNonce are not retried", "[acme][nonce]") {
    auto [status, type, kind] = GENERATE(table<long, std::string, ErrorKind>({
        {400, "malformed", ErrorKind::Acme},
        {500, "serverInternal", ErrorKind::Acme},
        {429, "rateLimited", ErrorKind::RateLimited},
        {403, "unauthorized", ErrorKind::Acme},
    }));
    ClientFixture f;
    f.ready();
    f.server.route(f.server.accountUrl(), [status = status, type = type](const ServerRequest&) {
        return problemResponse(status, type, "nope");
    });

    auto account = f.client->fetchAccount();

    INFO(type);
    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == kind);
    CHECK(f.server.requestsTo(f.server.accountUrl(), "POST").size() == 1);
}

TEST_CASE("a non-problem error body is not retried either", "[acme][nonce]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.accountUrl(), [](const ServerRequest&) {
        return fakes::makeResponse(502, "<html>Bad Gateway</html>");
    });

    auto account = f.client->fetchAccount();

    REQUIRE_FALSE(account.ok());
    CHECK(account.error().kind == ErrorKind::Protocol);
    CHECK(f.server.requestsTo(f.server.accountUrl(), "POST").size() == 1);
}

// The scripted FakeTransport: exact request order, and the client against it without a server.
#include "acme/client.hpp"
#include "fakes/fake_ca.hpp"
#include "fakes/fake_transport.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::FakeTransport;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::makeResponse;
using nlohmann::json;

namespace {

json directoryDoc() {
    return {{"newNonce", "https://ca.test/nonce"},
            {"newAccount", "https://ca.test/acct"},
            {"newOrder", "https://ca.test/order"}};
}

} // namespace

TEST_CASE("the client makes exactly the scripted requests for a fresh account lookup",
          "[acme][fake]") {
    FakeTransport transport;
    transport.expect("GET", "/directory", jsonResponse(200, directoryDoc()));
    transport.expect("HEAD", "/nonce", makeResponse(200, "", {{"replay-nonce", "n1"}}));
    transport.expect(
        "POST", "/acct",
        jsonResponse(200, {{"status", "valid"}},
                     {{"location", "https://ca.test/acct/9"}, {"replay-nonce", "n2"}}));
    acme::KeySigner signer(fakes::generateKey());
    acme::Client client(transport, signer);

    REQUIRE(client.loadDirectory("https://ca.test/directory").ok());
    auto account = client.findAccount();

    REQUIRE(account.ok());
    CHECK(account->url == "https://ca.test/acct/9");
    CHECK(client.accountUrl() == "https://ca.test/acct/9");
    CHECK(transport.mismatches().empty());
    CHECK(transport.pending() == 0);
    REQUIRE(transport.requests().size() == 3);
    auto jws = fakes::decodeJws(transport.requests()[2].body);
    REQUIRE(jws.ok);
    CHECK(jws.protectedHeader["nonce"] == "n1");
}

TEST_CASE("an unexpected request is reported by the scripted transport", "[acme][fake]") {
    FakeTransport transport;
    transport.expect("GET", "/directory", jsonResponse(200, directoryDoc()));
    acme::KeySigner signer(fakes::generateKey());
    acme::Client client(transport, signer);

    auto st = client.loadDirectory("https://ca.test/other");

    REQUIRE_FALSE(st.ok());
    REQUIRE(transport.mismatches().size() == 1);
    CHECK_THAT(transport.mismatches()[0], Catch::Contains("https://ca.test/other"));
}

TEST_CASE("a transport failure is passed through unchanged", "[acme][fake]") {
    FakeTransport transport;
    transport.setHandler([](const acme::HttpRequest&) -> Result<acme::HttpResponse> {
        return fail(ErrorKind::Network, "connection refused");
    });
    acme::KeySigner signer(fakes::generateKey());
    acme::Client client(transport, signer);

    auto st = client.loadDirectory("https://ca.test/directory");

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Network);
    CHECK(st.error().message == "connection refused");
}

// Every URL certkeep requests must be https (lego's CVE-2025-54799): an http URL anywhere in
// the CA's answers stops the run with a Protocol error naming the field, before any request.
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;

namespace {

// The message of a refused http URL: names the field, shows the URL, says why.
void checkRefused(const Error& e, const std::string& field) {
    INFO(e.message);
    CHECK(e.kind == ErrorKind::Protocol);
    CHECK_THAT(e.message, Catch::Contains(field + " is not https: http://acme.test/"));
    CHECK_THAT(e.message, Catch::Contains("certkeep only talks https to a CA"));
}

} // namespace

TEST_CASE("a directory resource URL that is http is refused, naming the member", "[acme][https]") {
    auto member = GENERATE(as<std::string>{}, "newNonce", "newAccount", "newOrder", "revokeCert",
                           "keyChange", "renewalInfo");
    ClientFixture f;
    f.server.httpUrls = {member};

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    REQUIRE_FALSE(st.ok());
    checkRefused(st.error(), "the directory's " + member + " URL");
}

TEST_CASE("optional directory members may be absent and termsOfService is never checked",
          "[acme][https]") {
    ClientFixture f;
    f.server.directory.erase("revokeCert");
    f.server.directory.erase("keyChange");
    f.server.directory.erase("renewalInfo");
    f.server.directory["meta"]["termsOfService"] = "data:text/plain,Do%20what%20thou%20wilt";

    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());

    CHECK(f.client->directory().renewalInfo.empty());
    CHECK(f.client->directory().termsOfService == "data:text/plain,Do%20what%20thou%20wilt");
}

TEST_CASE("an http directory URL is refused before it is fetched", "[acme][https]") {
    ClientFixture f;

    auto st = f.client->loadDirectory("http://acme.test/directory");

    REQUIRE_FALSE(st.ok());
    checkRefused(st.error(), "the ACME directory URL");
    CHECK(f.server.log().empty());
}

TEST_CASE("URLs in messages are shown without user:pass@", "[acme][https]") {
    ClientFixture f;
    f.server.directory["newOrder"] = "http://user:hunter2@acme.test/new-order";

    auto st = f.client->loadDirectory(f.server.directoryUrl());

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::Contains("http://acme.test/new-order"));
    CHECK_THAT(st.error().message, !Catch::Contains("hunter2"));
}

TEST_CASE("an http account URL (Location) is refused", "[acme][https]") {
    ClientFixture f;
    REQUIRE(f.client->loadDirectory(f.server.directoryUrl()).ok());
    f.server.httpUrls = {"account"};

    auto account = f.client->newAccount({});

    REQUIRE_FALSE(account.ok());
    checkRefused(account.error(), "the account URL (Location)");
    CHECK(f.client->accountUrl().empty());
}

TEST_CASE("an order with an http Location, finalize or authorization URL is refused",
          "[acme][https]") {
    auto [knob, field] = GENERATE(table<std::string, std::string>({
        {"order", "the order URL (Location)"},
        {"finalize", "the order's finalize URL"},
        {"authorization", "an authorization URL of the order"},
    }));
    ClientFixture f;
    f.ready();
    f.server.httpUrls = {knob};

    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));

    REQUIRE_FALSE(order.ok());
    checkRefused(order.error(), field);
    CHECK(f.server.httpRequests().empty());
}

TEST_CASE("an order with an http certificate URL is refused", "[acme][https]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    std::string url =
        f.server.seedOrder(fakes::toIdentifiers({"a.example.com"}), "valid", key.get());
    f.server.httpUrls = {"certificate"};

    auto order = f.client->fetchOrder(url);

    REQUIRE_FALSE(order.ok());
    checkRefused(order.error(), "the order's certificate URL");
}

TEST_CASE("an authorization with an http challenge URL is refused, naming type and identifier",
          "[acme][https]") {
    ClientFixture f;
    f.ready();
    f.server.httpUrls = {"challenge"};
    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));
    REQUIRE(order.ok());

    auto authz = f.client->fetchAuthorization(order->authorizations.at(0));

    REQUIRE_FALSE(authz.ok());
    checkRefused(authz.error(), "the http-01 challenge URL of a.example.com");
    CHECK(f.server.httpRequests().empty());
}

TEST_CASE("an http alternate chain URL stops the download", "[acme][https]") {
    ClientFixture f;
    f.ready();
    auto key = fakes::generateKey();
    std::string url =
        f.server.seedOrder(fakes::toIdentifiers({"a.example.com"}), "valid", key.get());
    auto order = f.client->fetchOrder(url);
    REQUIRE(order.ok());
    f.server.httpUrls = {"alternate"};

    auto chain = f.client->downloadCertificate(order->certificate);

    REQUIRE_FALSE(chain.ok());
    checkRefused(chain.error(), "an alternate chain URL");
    CHECK(f.server.httpRequests().empty());
}

TEST_CASE("post refuses any URL that is not https as a last line of defence", "[acme][https]") {
    auto url = GENERATE(as<std::string>{}, "http://acme.test/account/1", "ftp://acme.test/x", "",
                        "https://acme.test/with space");
    ClientFixture f;
    f.ready();
    std::size_t before = f.server.log().size();

    auto response =
        f.client->post(acme::Endpoint::Account, url, std::nullopt, "fetching something");

    INFO(url);
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().kind == ErrorKind::Protocol);
    CHECK_THAT(response.error().message, Catch::Contains("is not https"));
    CHECK(f.server.log().size() == before);
}

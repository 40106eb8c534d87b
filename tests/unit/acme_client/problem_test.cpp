// RFC 8555 §6.7 problem documents become typed errors with plain words.
#include "acme/problem.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::makeResponse;
using certkeep::fakes::problemResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {
const std::string kUrl = "https://acme.test/new-order";
}

TEST_CASE("rateLimited with Retry-After is a RateLimited error that says when to retry",
          "[acme][problem]") {
    ClientFixture f;
    f.ready();
    f.server.route(f.server.newOrderUrl(), [](const ServerRequest&) {
        return problemResponse(429, "rateLimited", "too many certificates already issued",
                               {{"retry-after", "3600"}});
    });

    auto order = f.client->newOrder(fakes::orderRequest({"a.example.com"}));

    REQUIRE_FALSE(order.ok());
    const Error& e = order.error();
    CHECK(e.kind == ErrorKind::RateLimited);
    REQUIRE(e.problem.has_value());
    REQUIRE(e.problem->retryAfterSeconds.has_value());
    CHECK(*e.problem->retryAfterSeconds == 3600);
    CHECK(e.problem->status == 429);
    CHECK(e.problem->url == f.server.newOrderUrl());
    CHECK_THAT(e.message, Catch::Contains("retry after 3600 s"));
    CHECK_THAT(e.message, Catch::Contains("too many certificates already issued"));
    CHECK_THAT(e.message, Catch::StartsWith("creating the order failed"));
}

TEST_CASE("subproblems are named by their identifiers", "[acme][problem]") {
    json doc{{"type", "urn:ietf:params:acme:error:unauthorized"},
             {"detail", "some names failed"},
             {"status", 403},
             {"subproblems",
              {{{"type", "urn:ietf:params:acme:error:dns"},
                {"detail", "NXDOMAIN looking up A"},
                {"identifier", {{"type", "dns"}, {"value", "a.example.com"}}}},
               {{"type", "urn:ietf:params:acme:error:caa"},
                {"detail", "CAA forbids issuance"},
                {"identifier", {{"type", "dns"}, {"value", "b.example.com"}}}}}}};
    auto response = makeResponse(403, doc.dump());

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    CHECK(e.kind == ErrorKind::Acme); // a refused request, not a failed validation
    REQUIRE(e.problem.has_value());
    REQUIRE(e.problem->subproblems.size() == 2);
    CHECK(e.problem->subproblems[1].identifier == "b.example.com");
    CHECK_THAT(e.message, Catch::Contains("a.example.com: NXDOMAIN looking up A (dns)"));
    CHECK_THAT(e.message, Catch::Contains("b.example.com: CAA forbids issuance (caa)"));
    CHECK_THAT(e.message, Catch::Contains("(unauthorized)"));
}

TEST_CASE("an HTML error page is described, never shown", "[acme][problem]") {
    auto contentType = GENERATE(as<std::string>{}, "text/html; charset=utf-8", "");
    std::string body = "<html><body>\n<h1>Internal Server Error</h1>\n" + std::string(5000, 'x') +
                       "SECRET-TAIL</body></html>";
    Headers headers;
    if (!contentType.empty()) {
        headers.emplace_back("content-type", contentType);
    }
    auto response = makeResponse(500, body, headers);

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    INFO(e.message);
    CHECK(e.kind == ErrorKind::Protocol);
    CHECK_FALSE(e.problem.has_value());
    CHECK(e.message == "creating the order failed: the server answered HTTP 500 from " + kUrl +
                           " with an HTML page, not an ACME response");
}

TEST_CASE("a short plain-text error body is shown, sanitised and bounded", "[acme][problem]") {
    auto response = makeResponse(
        503, "upstream connect error\r\nreset reason: overflow" + std::string(500, 'z') + "TAIL",
        {{"content-type", "text/plain"}});

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    INFO(e.message);
    CHECK(e.kind == ErrorKind::Protocol);
    CHECK_THAT(e.message, Catch::StartsWith("creating the order failed: the server answered "
                                            "HTTP 503 from " +
                                            kUrl + " with \"upstream connect error  reset reason"));
    CHECK_THAT(e.message, !Catch::Contains("TAIL"));
    CHECK(e.message.find('\n') == std::string::npos);
    CHECK(e.message.size() < 300);
}

TEST_CASE("a binary error body is not shown", "[acme][problem]") {
    auto response = makeResponse(500, std::string("\x1b[31mred\x00\xff", 10));

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    CHECK_THAT(e.message, Catch::EndsWith("with a body that is not text"));
    CHECK(e.message.find('\x1b') == std::string::npos);
}

TEST_CASE("error messages strip user:pass@ from URLs", "[acme][problem]") {
    auto response = makeResponse(502, "bad gateway");

    Error e = acme::errorFromResponse(response, "https://user:hunter2@acme.test/new-order",
                                      "creating the order");

    CHECK_THAT(e.message, Catch::Contains("https://acme.test/new-order"));
    CHECK_THAT(e.message, !Catch::Contains("hunter2"));
}

TEST_CASE("problem text from the server is made single-line and bounded", "[acme][problem]") {
    json doc{{"type", "urn:ietf:params:acme:error:malformed"},
             {"detail", "line one\nline two\x1b[31m" + std::string(3000, 'y')}};
    auto response = makeResponse(400, doc.dump());

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    CHECK(e.kind == ErrorKind::Acme);
    CHECK(e.message.find('\n') == std::string::npos);
    CHECK(e.message.find('\x1b') == std::string::npos);
    CHECK(e.message.size() < 1000);
    CHECK_THAT(e.message, Catch::Contains("line one line two"));
}

TEST_CASE("kindForProblem maps validation problems to Validation, refused requests to Acme",
          "[acme][problem]") {
    using acme::ProblemSource;
    auto [type, asValidation, asRequest] = GENERATE(table<std::string, ErrorKind, ErrorKind>({
        {"rateLimited", ErrorKind::RateLimited, ErrorKind::RateLimited},
        {"unauthorized", ErrorKind::Validation, ErrorKind::Acme},
        {"connection", ErrorKind::Validation, ErrorKind::Acme},
        {"dns", ErrorKind::Validation, ErrorKind::Acme},
        {"caa", ErrorKind::Validation, ErrorKind::Acme},
        {"incorrectResponse", ErrorKind::Validation, ErrorKind::Acme},
        {"tls", ErrorKind::Validation, ErrorKind::Acme},
        {"malformed", ErrorKind::Acme, ErrorKind::Acme},
        {"serverInternal", ErrorKind::Acme, ErrorKind::Acme},
        {"rejectedIdentifier", ErrorKind::Acme, ErrorKind::Acme},
    }));
    Problem p;
    p.type = "urn:ietf:params:acme:error:" + type;
    INFO(type);
    CHECK(acme::kindForProblem(p, ProblemSource::Validation) == asValidation);
    CHECK(acme::kindForProblem(p, ProblemSource::Request) == asRequest);
}

TEST_CASE("describeProblem names the domain and gives a hint for common problems",
          "[acme][problem]") {
    auto [type, hintWord] = GENERATE(table<std::string, std::string>({
        {"unauthorized", "port 80"},
        {"connection", "firewalls"},
        {"dns", "A/AAAA"},
        {"rateLimited", "staging"},
        {"caa", "CAA"},
        {"rejectedIdentifier", "spelling"},
    }));
    Problem p;
    p.type = "urn:ietf:params:acme:error:" + type;
    p.detail = "the CA says no";

    std::string text =
        acme::describeProblem(p, "validation of www.example.com", acme::ProblemSource::Validation);

    INFO(text);
    CHECK_FALSE(acme::hintForProblem(type, acme::ProblemSource::Validation).empty());
    CHECK_THAT(text, Catch::StartsWith("validation of www.example.com failed: the CA says no"));
    CHECK_THAT(text, Catch::Contains("(" + type + ")"));
    CHECK_THAT(text, Catch::Contains("Hint: "));
    CHECK_THAT(text, Catch::Contains(hintWord));
}

TEST_CASE("an unauthorized request gets an account hint, not an HTTP-01 hint", "[acme][problem]") {
    Problem p;
    p.type = "urn:ietf:params:acme:error:unauthorized";
    p.detail = "account is deactivated";

    std::string text = acme::describeProblem(p, "creating the order", acme::ProblemSource::Request);

    CHECK_THAT(text, Catch::StartsWith("creating the order failed: account is deactivated"));
    CHECK_THAT(text, Catch::Contains("account"));
    CHECK_THAT(text, !Catch::Contains("port 80"));
}

TEST_CASE("a request of a deactivated account says the account cannot be used again",
          "[acme][problem]") {
    Problem p;
    p.type = "urn:ietf:params:acme:error:unauthorized";
    p.detail = "Account has been deactivated";
    std::string text = acme::describeProblem(p, "creating the order", acme::ProblemSource::Request);
    CHECK_THAT(text, Catch::Contains("cannot be used again"));
    CHECK_THAT(text, !Catch::Contains("EAB"));

    p.detail = "JWS verification error";
    text = acme::describeProblem(p, "creating the order", acme::ProblemSource::Request);
    CHECK_THAT(text, !Catch::Contains("cannot be used again"));
}

TEST_CASE("alreadyRevoked and alreadyReplaced get hints", "[acme][problem]") {
    for (const char* type : {"alreadyRevoked", "alreadyReplaced"}) {
        INFO(type);
        CHECK_FALSE(acme::hintForProblem(type, acme::ProblemSource::Request).empty());
    }
}

TEST_CASE("describeProblem without a hint or detail still reads well", "[acme][problem]") {
    Problem p;
    p.type = "urn:ietf:params:acme:error:serverInternal";

    std::string text =
        acme::describeProblem(p, "finalizing the order", acme::ProblemSource::Request);

    CHECK(text == "finalizing the order failed: no detail given (serverInternal)");
}

TEST_CASE("a JSON body that is not a problem document is a Protocol error", "[acme][problem]") {
    auto response = makeResponse(403, R"({"hello":"world"})");

    Error e = acme::errorFromResponse(response, kUrl, "creating the order");

    CHECK(e.kind == ErrorKind::Protocol);
    CHECK_FALSE(e.problem.has_value());
    CHECK_THAT(e.message, Catch::Contains("HTTP 403"));
}

TEST_CASE("validation hints fit the challenge that failed", "[problem]") {
    Problem p;
    p.type = "urn:ietf:params:acme:error:unauthorized";
    p.detail = "Incorrect TXT record";
    auto hint = [&p](const std::string& type) {
        return acme::describeProblem(p, "validation of a.example", acme::ProblemSource::Validation,
                                     type);
    };
    CHECK_THAT(hint("http-01"), Catch::Matchers::Contains("answers HTTP on port 80"));
    CHECK_THAT(hint("dns-01"), Catch::Matchers::Contains("certkeep dns preflight"));
    CHECK_THAT(hint("dns-01"), !Catch::Matchers::Contains("port 80"));
    CHECK_THAT(hint("tls-alpn-01"), Catch::Matchers::Contains("port 443"));
    CHECK_THAT(hint("dns-persist-01"), Catch::Matchers::Contains("dns persist-check"));
}

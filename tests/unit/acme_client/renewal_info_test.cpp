// RFC 9773 renewal information: the unauthenticated GET, the suggested window, Retry-After
// limits (§4.3.2) and the documents a client must treat as invalid (§4.2).
#include "acme/renewal_info.hpp"
#include "fakes/client_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using nlohmann::json;
using std::chrono::seconds;

namespace {

constexpr const char* kCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

json window(const std::string& start, const std::string& end) {
    return {{"suggestedWindow", {{"start", start}, {"end", end}}}};
}

acme::TimePoint at(int y, unsigned mo, unsigned d, int h = 0) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h};
}

} // namespace

TEST_CASE("fetchRenewalInfo GETs renewalInfo/certID without signing and reads the window",
          "[acme][ari]") {
    ClientFixture f;
    json doc = window("2026-01-02T04:00:00Z", "2026-01-03T04:00:00Z");
    doc["explanationURL"] = "https://acme.test/docs/ari";
    f.server.renewalWindows[kCertId] = doc;
    f.ready();

    auto info = f.client->fetchRenewalInfo(kCertId);

    REQUIRE(info.ok());
    CHECK(info->start == at(2026, 1, 2, 4));
    CHECK(info->end == at(2026, 1, 3, 4));
    CHECK(info->explanationUrl == "https://acme.test/docs/ari");
    CHECK(info->retryAfter == seconds(21600));
    auto gets = f.server.requestsTo(f.server.renewalInfoUrl() + "/" + kCertId);
    REQUIRE(gets.size() == 1);
    CHECK(gets[0].http.method == "GET");
    CHECK(gets[0].http.body.empty());
}

TEST_CASE("Retry-After is kept between one minute and one day; absent means none", "[acme][ari]") {
    auto [header, expected] =
        GENERATE(table<std::string, std::optional<seconds>>({{"5", seconds(60)},
                                                             {"0", seconds(60)},
                                                             {"3600", seconds(3600)},
                                                             {"999999999999", seconds(86400)},
                                                             {"", std::nullopt},
                                                             {"soon", std::nullopt}}));
    ClientFixture f;
    f.server.renewalWindows[kCertId] = window("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z");
    f.server.renewalRetryAfter = header;
    f.ready();
    auto info = f.client->fetchRenewalInfo(kCertId);
    REQUIRE(info.ok());
    CHECK(info->retryAfter == expected);
}

TEST_CASE("an invalid RenewalInfo document is a Protocol error", "[acme][ari]") {
    auto body =
        GENERATE(as<std::string>{}, "not json", "[]", "{}", R"({"suggestedWindow": "soon"})",
                 R"({"suggestedWindow": {"start": "2026-01-02T00:00:00Z"}})",
                 R"({"suggestedWindow": {"start": "2026-01-03T00:00:00Z",
                                                 "end": "2026-01-02T00:00:00Z"}})",
                 R"({"suggestedWindow": {"start": "2026-01-02T00:00:00Z",
                                                 "end": "2026-01-02T00:00:00Z"}})",
                 R"({"suggestedWindow": {"start": "2026-01-02", "end": "2026-01-03"}})",
                 R"({"suggestedWindow": {"start": 1, "end": 2}})");
    auto info = acme::parseRenewalInfo(body, 60, "https://acme.test/renewal-info/x.y");
    REQUIRE_FALSE(info.ok());
    CHECK(info.error().kind == ErrorKind::Protocol);
    CHECK(info.error().message.find("renewal information") != std::string::npos);
}

TEST_CASE("a huge RenewalInfo body is refused without parsing it", "[acme][ari]") {
    std::string body = window("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z").dump();
    body += std::string(acme::kMaxRenewalInfoBytes, ' ');
    auto info = acme::parseRenewalInfo(body, -1, "https://acme.test/r/x.y");
    REQUIRE_FALSE(info.ok());
    CHECK(info.error().message.find("KiB") != std::string::npos);
}

TEST_CASE("an explanationURL that is not a printable web URL is dropped", "[acme][ari]") {
    auto url = GENERATE(as<std::string>{}, "javascript:alert(1)", "https://a.test/\x1b[31m",
                        "file:///etc/passwd");
    json doc = window("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z");
    doc["explanationURL"] = url;
    auto info = acme::parseRenewalInfo(doc.dump(), -1, "https://acme.test/r/x.y");
    REQUIRE(info.ok());
    CHECK(info->explanationUrl.empty());
}

TEST_CASE("no renewalInfo in the directory, an unknown certificate, a malformed ID",
          "[acme][ari]") {
    ClientFixture f;
    f.ready();
    auto unknown = f.client->fetchRenewalInfo(kCertId);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().problem.has_value());

    auto malformed = f.client->fetchRenewalInfo("../../etc/passwd");
    REQUIRE_FALSE(malformed.ok());
    CHECK_FALSE(acme::isAriCertId("a.b.c"));
    CHECK_FALSE(acme::isAriCertId(".b"));
    CHECK(acme::isAriCertId(kCertId));
    CHECK(f.server.requestsTo(f.server.renewalInfoUrl() + "/../../etc/passwd").empty());

    ClientFixture g;
    g.server.directory.erase("renewalInfo");
    g.ready();
    auto none = g.client->fetchRenewalInfo(kCertId);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::NotFound);
}

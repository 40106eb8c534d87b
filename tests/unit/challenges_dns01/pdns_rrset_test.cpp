// The PowerDNS provider's JSON: reading the TXT RRset out of a zone document and the PATCH that
// adds or removes our value while keeping the other records.
#include "challenges/dns01/pdns_rrset.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace certkeep;
using namespace certkeep::challenges::dns01;
using nlohmann::json;

namespace {

const std::string name = "_acme-challenge.example.test.";

// A zone as PowerDNS 4.7 returns it: the TXT RRset at our name beside an A at the apex, a TXT
// elsewhere and a CNAME at a name below ours.
const std::string zoneDoc = R"({
  "id": "example.test.", "name": "example.test.", "kind": "Native", "serial": 2024010101,
  "rrsets": [
    {"name": "example.test.", "type": "A", "ttl": 3600, "comments": [],
     "records": [{"content": "192.0.2.1", "disabled": false}]},
    {"name": "example.test.", "type": "TXT", "ttl": 3600, "comments": [],
     "records": [{"content": "\"v=spf1 -all\"", "disabled": false}]},
    {"name": "_acme-challenge.example.test.", "type": "TXT", "ttl": 120, "comments": [],
     "records": [{"content": "\"operator-owned\"", "disabled": false},
                 {"content": "\"old\"", "disabled": true}]},
    {"name": "x._acme-challenge.example.test.", "type": "CNAME", "ttl": 60, "comments": [],
     "records": [{"content": "elsewhere.test.", "disabled": false}]}
  ]})";

json patchOf(const std::optional<std::string>& body) {
    REQUIRE(body.has_value());
    json doc = json::parse(*body);
    REQUIRE(doc["rrsets"].size() == 1);
    return doc["rrsets"][0];
}

} // namespace

TEST_CASE("pdnsName is lower case with the trailing dot", "[dns01][pdns]") {
    CHECK(pdnsName("_ACME-Challenge.Example.Test") == name);
    CHECK(pdnsName(name) == name);
}

TEST_CASE("the TXT RRset at the name is found with its TTL and records", "[dns01][pdns]") {
    auto rrset = findTxtRrset(zoneDoc, name);

    REQUIRE(rrset.ok());
    REQUIRE(rrset->has_value());
    const PdnsTxtRrset& found = **rrset;
    CHECK(found.ttl == 120);
    REQUIRE(found.records.size() == 2);
    CHECK(found.records[0].content == "\"operator-owned\"");
    CHECK_FALSE(found.records[0].disabled);
    CHECK(found.records[1].disabled);
}

TEST_CASE("a name without a TXT RRset has none, even with other types around", "[dns01][pdns]") {
    auto rrset = findTxtRrset(zoneDoc, "x._acme-challenge.example.test.");

    REQUIRE(rrset.ok());
    CHECK_FALSE(rrset->has_value());
}

TEST_CASE("documents that are not a zone are a Protocol error", "[dns01][pdns]") {
    for (const char* bad :
         {"", "[]", "not json", R"({"rrsets": 5})",
          R"({"rrsets": [{"name": "_acme-challenge.example.test.", "type": "TXT"}]})",
          R"({"rrsets": [{"name": "_acme-challenge.example.test.", "type": "TXT", "ttl": -1,
              "records": []}]})",
          R"({"rrsets": [{"name": "_acme-challenge.example.test.", "type": "TXT",
              "records": [{"content": 7}]}]})"}) {
        auto rrset = findTxtRrset(bad, name);

        REQUIRE_FALSE(rrset.ok());
        CHECK(rrset.error().kind == ErrorKind::Protocol);
    }
}

TEST_CASE("TXT content is quoted and unquoted as PowerDNS writes it", "[dns01][pdns]") {
    CHECK(quoteTxt("abc-_XYZ") == "\"abc-_XYZ\"");
    CHECK(quoteTxt("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(unquoteTxt("\"abc\"") == "abc");
    CHECK(unquoteTxt("\"abc\" \"def\"") == "abcdef");
    CHECK(unquoteTxt("\"a\\\"b\\\\c\"") == "a\"b\\c");
    CHECK(unquoteTxt("\"a\\032b\"") == "a b");
    CHECK(unquoteTxt(quoteTxt("x\"y\\z")) == "x\"y\\z");
}

TEST_CASE("present adds our value and keeps every other record and the TTL", "[dns01][pdns]") {
    auto current = findTxtRrset(zoneDoc, name);
    REQUIRE(current.ok());

    json rrset = patchOf(txtPatchBody(*current, name, "token-1", true, 60));

    CHECK(rrset["name"] == name);
    CHECK(rrset["type"] == "TXT");
    CHECK(rrset["changetype"] == "REPLACE");
    CHECK(rrset["ttl"] == 120);
    CHECK(rrset["records"] == json::parse(R"([
        {"content": "\"operator-owned\"", "disabled": false},
        {"content": "\"old\"", "disabled": true},
        {"content": "\"token-1\"", "disabled": false}])"));
}

TEST_CASE("present at a name without TXT creates the RRset with the configured TTL",
          "[dns01][pdns]") {
    json rrset = patchOf(txtPatchBody(std::nullopt, name, "token-1", true, 60));

    CHECK(rrset["changetype"] == "REPLACE");
    CHECK(rrset["ttl"] == 60);
    CHECK(rrset["records"] == json::parse(R"([{"content": "\"token-1\"", "disabled": false}])"));
}

TEST_CASE("two values at one name (apex and wildcard) are both kept", "[dns01][pdns]") {
    json first = patchOf(txtPatchBody(std::nullopt, name, "apex", true, 60));
    PdnsTxtRrset afterFirst{60, {{"\"apex\"", false}}};

    json second = patchOf(txtPatchBody(afterFirst, name, "wildcard", true, 60));

    CHECK(second["records"].size() == 2);
    CHECK(second["records"][0]["content"] == "\"apex\"");
    CHECK(second["records"][1]["content"] == "\"wildcard\"");
}

TEST_CASE("present of a value already there changes nothing", "[dns01][pdns]") {
    PdnsTxtRrset current{60, {{"\"token-1\"", false}}};

    CHECK_FALSE(txtPatchBody(current, name, "token-1", true, 60).has_value());
}

TEST_CASE("cleanup removes only our value and keeps the others", "[dns01][pdns]") {
    PdnsTxtRrset current{120, {{"\"operator-owned\"", false}, {"\"token-1\"", false}}};

    json rrset = patchOf(txtPatchBody(current, name, "token-1", false, 60));

    CHECK(rrset["changetype"] == "REPLACE");
    CHECK(rrset["ttl"] == 120);
    CHECK(rrset["records"] ==
          json::parse(R"([{"content": "\"operator-owned\"", "disabled": false}])"));
}

TEST_CASE("cleanup of the last value deletes the TXT RRset", "[dns01][pdns]") {
    PdnsTxtRrset current{60, {{"\"token-1\"", false}}};

    json rrset = patchOf(txtPatchBody(current, name, "token-1", false, 60));

    CHECK(rrset["changetype"] == "DELETE");
    CHECK(rrset["type"] == "TXT");
    CHECK(rrset["name"] == name);
    CHECK_FALSE(rrset.contains("records"));
}

TEST_CASE("cleanup of a value that is gone changes nothing", "[dns01][pdns]") {
    PdnsTxtRrset current{60, {{"\"operator-owned\"", false}}};

    CHECK_FALSE(txtPatchBody(current, name, "token-1", false, 60).has_value());
    CHECK_FALSE(txtPatchBody(std::nullopt, name, "token-1", false, 60).has_value());
}

TEST_CASE("the API's error field is read and cleaned for a message", "[dns01][pdns]") {
    CHECK(pdnsErrorText(R"({"error": "Could not find domain 'nope.test.'"})") ==
          "Could not find domain 'nope.test.'");
    CHECK(pdnsErrorText(R"({"error": "line1\nline2"})") == "line1 line2");
    CHECK(pdnsErrorText("Unauthorized").empty());
    CHECK(pdnsErrorText(R"({"error": 5})").empty());
    CHECK(pdnsErrorText(R"({"error": ")" + std::string(1000, 'e') + "\"}").size() < 400);
}

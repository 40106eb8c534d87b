// Domain names from the command line: normalised and checked before any request.
#include "cli/domain.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::cli::normalizeDomain;
using certkeep::cli::parseIdentifiers;

namespace {

std::string label(std::size_t n, char c = 'a') {
    return std::string(n, c);
}

// A name of exactly `total` characters made of 63-character labels and a short tail.
std::string nameOfLength(std::size_t total) {
    std::string name;
    while (total - name.size() > 64) {
        name += label(63) + ".";
    }
    name += label(total - name.size() - 4) + ".com";
    return name;
}

} // namespace

TEST_CASE("normalizeDomain lower-cases and drops one trailing dot", "[cli][domain]") {
    auto [input, expected] = GENERATE(table<std::string, std::string>({
        {"WWW.Example.COM", "www.example.com"},
        {"example.com.", "example.com"},
        {"Example.Com.", "example.com"},
        {"*.Example.com", "*.example.com"},
        {"xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"a-b.c-d.example", "a-b.c-d.example"},
        {"123.example.com", "123.example.com"},
    }));
    auto name = normalizeDomain(input);
    INFO(input);
    REQUIRE(name.ok());
    CHECK(*name == expected);
}

TEST_CASE("normalizeDomain refuses names that break the rules, naming them", "[cli][domain]") {
    auto [input, why] = GENERATE(table<std::string, std::string>({
        {"", "empty"},
        {".", "empty"},
        {"foo_bar.example.com", "only letters"},
        {"_acme-challenge.example.com", "only letters"},
        {"a..example.com", "1 to 63"},
        {".example.com", "1 to 63"},
        {"example.com..", "1 to 63"},
        {"-foo.example.com", "'-'"},
        {"foo-.example.com", "'-'"},
        {"localhost", "two labels"},
        {"*", "two labels"},
        {"*.com", "two labels"},
        {"foo.*.example.com", "wildcard"},
        {"*.*.example.com", "wildcard"},
        {"f*o.example.com", "only letters"},
        {"exa mple.com", "only letters"},
        {"ex\xc3\xa4mple.com", "only letters"},
        {"192.0.2.1", "IP"},
        {"192.0.2.1.", "IP"},
        {"*.192.0.2.1", "IP"},
        {"2001:db8::1", "IP"},
        {"[2001:db8::1]", "IP"},
        {"a.123", "top-level label is numeric"},
        {"www.example.123", "top-level label is numeric"},
        {"example.com:443", ""},
        {"https://example.com", ""},
    }));
    auto name = normalizeDomain(input);
    INFO(input);
    REQUIRE_FALSE(name.ok());
    CHECK(name.error().kind == ErrorKind::Usage);
    CHECK_THAT(name.error().message, Catch::Contains(why));
    CHECK_THAT(name.error().message, Catch::Contains("\"" + input + "\""));
}

TEST_CASE("normalizeDomain enforces label and name lengths", "[cli][domain]") {
    CHECK(normalizeDomain(label(63) + ".example.com").ok());
    auto longLabel = normalizeDomain(label(64) + ".example.com");
    REQUIRE_FALSE(longLabel.ok());
    CHECK_THAT(longLabel.error().message, Catch::Contains("1 to 63"));

    REQUIRE(nameOfLength(253).size() == 253);
    CHECK(normalizeDomain(nameOfLength(253)).ok());
    CHECK(normalizeDomain(nameOfLength(253) + ".").ok());
    auto tooLong = normalizeDomain(nameOfLength(254));
    REQUIRE_FALSE(tooLong.ok());
    CHECK(tooLong.error().kind == ErrorKind::Usage);
    CHECK_THAT(tooLong.error().message, Catch::Contains("253"));
    // The message shows a bounded prefix of the name, not all of it.
    CHECK(tooLong.error().message.size() < 200);
}

TEST_CASE("normalizeDomain does not echo control characters", "[cli][domain]") {
    auto name = normalizeDomain("evil\x1b[2J.example.com");
    REQUIRE_FALSE(name.ok());
    CHECK(name.error().message.find('\x1b') == std::string::npos);
}

TEST_CASE("parseIdentifiers keeps order, drops duplicates after normalising", "[cli][domain]") {
    auto ids = parseIdentifiers({"B.example.com", "a.example.com", "b.example.com.",
                                 "A.EXAMPLE.COM", "2001:DB8::1", "2001:db8:0::1", "192.0.2.1"});
    REQUIRE(ids.ok());
    CHECK(*ids == std::vector<certkeep::acme::Identifier>{{"dns", "b.example.com"},
                                                          {"dns", "a.example.com"},
                                                          {"ip", "2001:db8::1"},
                                                          {"ip", "192.0.2.1"}});
}

TEST_CASE("parseIdentifiers refuses an empty list, a bad name and more than 100 names",
          "[cli][domain]") {
    auto none = parseIdentifiers({});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::Usage);
    CHECK_THAT(none.error().message, Catch::Contains("-d"));

    auto bad = parseIdentifiers({"ok.example.com", "bad_name.example.com"});
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("bad_name.example.com"));

    std::vector<std::string> hundred;
    for (int i = 0; i < 100; ++i) {
        hundred.push_back("n" + std::to_string(i) + ".example.com");
    }
    auto exactly = parseIdentifiers(hundred);
    REQUIRE(exactly.ok());
    CHECK(exactly->size() == 100);

    // Duplicates do not count towards the limit.
    auto withDuplicates = hundred;
    withDuplicates.insert(withDuplicates.end(), hundred.begin(), hundred.begin() + 20);
    CHECK(parseIdentifiers(withDuplicates).ok());

    auto tooMany = hundred;
    tooMany.push_back("n100.example.com");
    auto refused = parseIdentifiers(tooMany);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::Usage);
    CHECK_THAT(refused.error().message, Catch::Contains("100"));
}

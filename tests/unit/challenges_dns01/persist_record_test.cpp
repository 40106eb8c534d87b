// dns-persist-01 records (draft-ietf-acme-dns-persist-01): the value certkeep prints, what it
// accepts from DNS, and whether a record lets this account issue, as Boulder decides it.
#include "challenges/dns01/persist_record.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace certkeep;
using namespace certkeep::challenges::dns01;
using std::chrono::seconds;
using std::chrono::system_clock;

namespace {

const std::string kAccount = "https://acme-staging-v02.api.letsencrypt.org/acme/acct/12345";
const std::vector<std::string> kLetsEncrypt = {"letsencrypt.org"};

system_clock::time_point unixTime(long long s) {
    return system_clock::time_point(seconds(s));
}
const system_clock::time_point kNow = unixTime(1780000000); // 2026-05-28

std::string errorOf(const Result<PersistRecord>& r) {
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

} // namespace

TEST_CASE("persist record name strips the wildcard label and trailing dot") {
    CHECK(persistRecordName("example.com") == "_validation-persist.example.com");
    CHECK(persistRecordName("*.Example.COM.") == "_validation-persist.example.com");
    CHECK(persistRecordName("www.sub.example.test") == "_validation-persist.www.sub.example.test");
}

TEST_CASE("formatted values are exactly the draft's example records") {
    PersistRecord basic{"authority.example", "https://ca.example/acct/123", false, std::nullopt};
    // Draft §3.2 basic example: ("authority.example;" " accounturi=https://ca.example/acct/123").
    CHECK(formatPersistRecord(basic) ==
          "authority.example; accounturi=https://ca.example/acct/123");

    PersistRecord full = basic;
    full.wildcard = true;
    full.persistUntil = unixTime(1721952000);
    // Draft "Wildcard Validation Example with persistUntil", its four strings joined.
    CHECK(formatPersistRecord(full) == "authority.example; accounturi=https://ca.example/acct/123;"
                                       " policy=wildcard; persistUntil=1721952000");
}

TEST_CASE("formatting normalizes the issuer and drops sub-second precision") {
    PersistRecord r{"LetsEncrypt.ORG.", kAccount, false,
                    unixTime(1800000000) + std::chrono::milliseconds(999)};
    CHECK(formatPersistRecord(r) ==
          "letsencrypt.org; accounturi=" + kAccount + "; persistUntil=1800000000");
}

TEST_CASE("format and parse round trip") {
    for (bool wildcard : {false, true}) {
        for (auto until : {std::optional<system_clock::time_point>{},
                           std::optional<system_clock::time_point>{unixTime(1893456000)}}) {
            PersistRecord in{"letsencrypt.org", kAccount, wildcard, until};
            auto out = parsePersistRecord(formatPersistRecord(in));
            REQUIRE(out.ok());
            CHECK(out->issuerDomain == in.issuerDomain);
            CHECK(out->accountUri == in.accountUri);
            CHECK(out->wildcard == in.wildcard);
            CHECK(out->persistUntil == in.persistUntil);
        }
    }
}

TEST_CASE("records Boulder accepts parse to the same meaning") {
    // va/dns_persist_test.go TestParseDNSPersistRecord, the valid cases.
    auto plain = parsePersistRecord("letsencrypt.org;accounturi=" + kAccount);
    REQUIRE(plain.ok());
    CHECK(plain->issuerDomain == "letsencrypt.org");
    CHECK(plain->accountUri == kAccount);
    CHECK_FALSE(plain->wildcard);
    CHECK_FALSE(plain->persistUntil.has_value());

    auto upper = parsePersistRecord("LETSENCRYPT.ORG.;accounturi=" + kAccount);
    REQUIRE(upper.ok());
    CHECK(upper->issuerDomain == "letsencrypt.org");

    auto spaced = parsePersistRecord("   letsencrypt.org   ;   accounturi   =   " + kAccount +
                                     "   ;\tpolicy   =   wildcard   ;   persistUntil   =   "
                                     "4102444800   ");
    REQUIRE(spaced.ok());
    CHECK(spaced->accountUri == kAccount);
    CHECK(spaced->wildcard);
    CHECK(spaced->persistUntil == unixTime(4102444800));

    auto unknown = parsePersistRecord("letsencrypt.org;accounturi=" + kAccount +
                                      ";bad tag=value;foo=bar;foo=baz;pOlIcY=WildCard");
    REQUIRE(unknown.ok());
    CHECK(unknown->accountUri == kAccount);
    CHECK(unknown->wildcard);

    auto otherPolicy =
        parsePersistRecord("letsencrypt.org;accounturi=" + kAccount + ";policy=exact");
    REQUIRE(otherPolicy.ok());
    CHECK_FALSE(otherPolicy->wildcard); // any other value: as if absent
}

TEST_CASE("persistUntil outside the clock's range saturates instead of wrapping") {
    auto far = parsePersistRecord("letsencrypt.org; accounturi=" + kAccount +
                                  "; persistUntil=9223372036854775807");
    REQUIRE(far.ok());
    CHECK(*far->persistUntil > unixTime(9000000000)); // year 2255: still in the future
    auto past = parsePersistRecord("letsencrypt.org; accounturi=" + kAccount +
                                   "; persistUntil=-9223372036854775808");
    REQUIRE(past.ok());
    CHECK(*past->persistUntil < unixTime(0));
    auto signedPlus = parsePersistRecord("letsencrypt.org; accounturi=" + kAccount +
                                         "; persistUntil=+1721952000");
    REQUIRE(signedPlus.ok()); // Go's strconv.ParseInt, which Boulder uses, takes a '+'
    CHECK(signedPlus->persistUntil == unixTime(1721952000));
}

TEST_CASE("garbage values are Protocol errors naming the problem on one line") {
    const std::string acct = ";accounturi=" + kAccount;
    struct Case {
        std::string txt;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {"", "empty issuer-domain-name"},
        {"   ", "empty issuer-domain-name"},
        {acct, "empty issuer-domain-name"},
        {"letsencrypt.org", "no accounturi"},
        {"letsencrypt.org;policy=wildcard", "no accounturi"},
        {"letsencrypt.org" + acct + ";", "trailing ';'"},
        {"letsencrypt.org;;" + acct, "trailing ';'"},
        {"letsencrypt.org" + acct + ";invalidparam", "is not tag=value"},
        {"letsencrypt.org" + acct + ";=abc", "empty tag"},
        {"letsencrypt.org;accounturi=", "empty accounturi"},
        {"letsencrypt.org" + acct + ";policy=wild card", "whitespace or control"},
        {"letsencrypt.org" + acct + ";x=\x01\x7f", "whitespace or control"},
        {"letsencrypt.org" + acct + ";persistUntil=tomorrow", "not a UNIX time"},
        {"letsencrypt.org" + acct + ";persistUntil=", "not a UNIX time"},
        {"letsencrypt.org" + acct + ";persistUntil=1e9", "not a UNIX time"},
        {"letsencrypt.org" + acct + ";persistUntil=+-5", "not a UNIX time"},
        {"letsencrypt.org" + acct + ";persistUntil=99999999999999999999", "not a UNIX time"},
        {"letsencrypt.org;ACCOUNTURI=" + kAccount + ";accounturi=other", "duplicate parameter"},
        {"letsencrypt.org" + acct + ";policy=wildcard;Policy=wildcard", "duplicate parameter"},
        {"letsencrypt.org" + acct + ";persistUntil=1;persistuntil=2", "duplicate parameter"},
        {"lets encrypt.org" + acct, "not a domain name"},
        {"letsencrypt..org" + acct, "not a domain name"},
        {"-letsencrypt.org" + acct, "not a domain name"},
        {"letsencrypt.org.." + acct, "not a domain name"},
        {"l\xc3\xa9tsencrypt.org" + acct, "not a domain name"},
        {std::string("letsencrypt.org\0x", 17) + acct, "not a domain name"},
        {std::string(64, 'a') + ".org" + acct, "not a domain name"},
        {std::string(300, 'a') + acct, "longer than 253"},
        {"\"letsencrypt.org; accounturi=" + kAccount + "\"", "not a domain name"},
    };
    for (const auto& c : cases) {
        INFO("value: " << c.txt);
        auto r = parsePersistRecord(c.txt);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Protocol);
        CHECK_THAT(r.error().message, Catch::Contains(c.expect));
        CHECK(r.error().message.find('\n') == std::string::npos);
        CHECK(r.error().message.size() < 400);
    }
}

TEST_CASE("a huge value from the network is rejected with a short message") {
    std::string huge =
        "letsencrypt.org; accounturi=" + kAccount + "; junk=" + std::string(65000, 'x') + " y";
    auto r = parsePersistRecord(huge);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.size() < 400);
}

TEST_CASE("the record for this account at our issuer authorizes") {
    const std::vector<std::string> txt = {
        "v=spf1 -all",
        "other-ca.example; accounturi=https://other-ca.example/acct/1",
        "letsencrypt.org; accounturi=" + kAccount,
    };
    auto r = findAuthorizingRecord(txt, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE(r.ok());
    CHECK(r->issuerDomain == "letsencrypt.org");
    CHECK(r->accountUri == kAccount);
}

TEST_CASE("issuer domains compare case-insensitively, without trailing dot") {
    auto mixedRecord = findAuthorizingRecord({"LetsEncrypt.ORG.; accounturi=" + kAccount},
                                             kLetsEncrypt, kAccount, false, kNow);
    CHECK(mixedRecord.ok());
    auto mixedChallenge = findAuthorizingRecord({"letsencrypt.org; accounturi=" + kAccount},
                                                {"LETSENCRYPT.org."}, kAccount, false, kNow);
    CHECK(mixedChallenge.ok());
    auto second =
        findAuthorizingRecord({"ca.example.net; accounturi=" + kAccount},
                              {"authority.example", "ca.example.net"}, kAccount, false, kNow);
    CHECK(second.ok());
}

TEST_CASE("a record for another account does not authorize") {
    auto r = findAuthorizingRecord(
        {"letsencrypt.org; accounturi=https://acme-staging-v02.api.letsencrypt.org/acme/acct/999"},
        kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Validation);
    CHECK_THAT(r.error().message, Catch::Contains("another account"));
    CHECK_THAT(r.error().message, Catch::Contains("acct/999"));
    // RFC 3986 §6.2.1 simple string comparison: no case-folding of the URI.
    std::string upperHost = "https://ACME-staging-v02.api.letsencrypt.org/acme/acct/12345";
    CHECK_FALSE(findAuthorizingRecord({"letsencrypt.org; accounturi=" + upperHost}, kLetsEncrypt,
                                      kAccount, false, kNow)
                    .ok());
}

TEST_CASE("a wildcard name needs policy=wildcard") {
    const std::string noPolicy = "letsencrypt.org; accounturi=" + kAccount;
    auto refused = findAuthorizingRecord({noPolicy}, kLetsEncrypt, kAccount, true, kNow);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::Validation);
    CHECK_THAT(refused.error().message, Catch::Contains("policy=wildcard"));

    CHECK(
        findAuthorizingRecord({noPolicy + "; policy=WILDCARD"}, kLetsEncrypt, kAccount, true, kNow)
            .ok());
    CHECK_FALSE(findAuthorizingRecord({noPolicy + "; policy=subdomains"}, kLetsEncrypt, kAccount,
                                      true, kNow)
                    .ok());
    // The same wildcard record also covers the name itself.
    CHECK(
        findAuthorizingRecord({noPolicy + "; policy=wildcard"}, kLetsEncrypt, kAccount, false, kNow)
            .ok());
}

TEST_CASE("persistUntil in the past no longer authorizes") {
    const std::string base = "letsencrypt.org; accounturi=" + kAccount + "; persistUntil=";
    auto expired =
        findAuthorizingRecord({base + "1721952000"}, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(expired.ok());
    CHECK(expired.error().kind == ErrorKind::Validation);
    CHECK_THAT(expired.error().message, Catch::Contains("2024-07-26T00:00:00Z"));
    CHECK_THAT(expired.error().message, Catch::Contains("has passed"));

    const long long now = 1780000000;
    CHECK(findAuthorizingRecord({base + std::to_string(now)}, kLetsEncrypt, kAccount, false, kNow)
              .ok());
    CHECK_FALSE(findAuthorizingRecord({base + std::to_string(now)}, kLetsEncrypt, kAccount, false,
                                      kNow + std::chrono::milliseconds(1))
                    .ok());
    CHECK(findAuthorizingRecord({base + "1893456000"}, kLetsEncrypt, kAccount, false, kNow).ok());
}

TEST_CASE("a valid record wins over failing ones, and every failure is named") {
    const std::vector<std::string> txt = {
        "letsencrypt.org; accounturi=https://x.example/acct/1",
        "letsencrypt.org; accounturi=" + kAccount + "; persistUntil=1000",
        "letsencrypt.org; accounturi=" + kAccount + "; accounturi=" + kAccount,
    };
    auto none = findAuthorizingRecord(txt, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::Validation);
    CHECK_THAT(none.error().message, Catch::Contains("another account"));
    CHECK_THAT(none.error().message, Catch::Contains("has passed"));
    CHECK_THAT(none.error().message, Catch::Contains("duplicate parameter"));

    auto withGood = txt;
    withGood.push_back("letsencrypt.org;accounturi=" + kAccount + ";persistUntil=1893456000");
    auto found = findAuthorizingRecord(withGood, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE(found.ok());
    CHECK(found->persistUntil == unixTime(1893456000));
}

TEST_CASE("no record for our issuer is NotFound, naming what is there") {
    auto empty = findAuthorizingRecord({}, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().kind == ErrorKind::NotFound);
    CHECK_THAT(empty.error().message, Catch::Contains("no TXT value"));

    auto other = findAuthorizingRecord({"other-ca.example; accounturi=" + kAccount, "garbage \x01"},
                                       kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().kind == ErrorKind::NotFound);
    CHECK_THAT(other.error().message, Catch::Contains("other-ca.example"));
    CHECK_THAT(other.error().message, Catch::Contains("letsencrypt.org"));

    auto junk = findAuthorizingRecord({"\xff\xfe", ""}, kLetsEncrypt, kAccount, false, kNow);
    REQUIRE_FALSE(junk.ok());
    CHECK(junk.error().kind == ErrorKind::NotFound);
    CHECK(junk.error().message.find('\xff') == std::string::npos);
}

TEST_CASE("a challenge without a usable issuer domain is a Protocol error") {
    auto r = findAuthorizingRecord({"letsencrypt.org; accounturi=" + kAccount}, {"", "not valid!"},
                                   kAccount, false, kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Protocol);
    CHECK(errorOf(findAuthorizingRecord({}, {}, kAccount, false, kNow)).find("issuer") !=
          std::string::npos);
}

TEST_CASE("records built from the CA's values are checked before printing") {
    CHECK(validatePersistRecord({"letsencrypt.org", kAccount, true, unixTime(1893456000)}).ok());
    CHECK(validatePersistRecord({"LetsEncrypt.org.", kAccount, false, std::nullopt}).ok());
    auto spaced =
        validatePersistRecord({"letsencrypt.org", "https://ca/acct/1 x", false, std::nullopt});
    REQUIRE_FALSE(spaced.ok());
    CHECK_THAT(spaced.error().message, Catch::Contains("account URI"));
    CHECK_FALSE(validatePersistRecord(
                    {"letsencrypt.org", "https://ca/acct/1;policy=wildcard", false, std::nullopt})
                    .ok());
    CHECK_FALSE(validatePersistRecord({"letsencrypt.org", "", false, std::nullopt}).ok());
    CHECK_FALSE(validatePersistRecord({"", kAccount, false, std::nullopt}).ok());
    CHECK_FALSE(validatePersistRecord({"bad_issuer.example", kAccount, false, std::nullopt}).ok());
}

TEST_CASE("long values split into 255-octet strings for the zone file") {
    PersistRecord r{"letsencrypt.org", "https://ca.example/acct/" + std::string(300, '7'), true,
                    std::nullopt};
    const std::string value = formatPersistRecord(r);
    auto parts = splitTxtValue(value);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].size() == 255);
    CHECK(parts[0] + parts[1] == value);
    CHECK(splitTxtValue("") == std::vector<std::string>{""});

    const std::string line = persistZoneEntry("*.Example.com", value);
    CHECK(line.rfind("_validation-persist.example.com. IN TXT \"letsencrypt.org; accounturi=", 0) ==
          0);
    CHECK(line.find("\" \"") != std::string::npos); // two character-strings
    CHECK(persistZoneEntry("example.com", "a\"b\\c") ==
          "_validation-persist.example.com. IN TXT \"a\\\"b\\\\c\"");
}

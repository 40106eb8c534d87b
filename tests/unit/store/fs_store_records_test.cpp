// FsStore per-certificate records: settings, renewal state and the pending order round trip
// every field; broken files are Config errors naming them; unknown members are ignored.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using certkeep::ErrorKind;
using certkeep::Status;
using certkeep::store::CertSettings;
using certkeep::store::FsStore;
using certkeep::store::PendingOrder;
using certkeep::store::RenewalState;
using certkeep::store::TimePoint;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::present;
using certkeep::store::test::slurp;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;
namespace chr = std::chrono;

namespace {

// 2026-03-04T05:06:07Z plus `extra`.
TimePoint at(chr::nanoseconds extra = chr::nanoseconds(0)) {
    auto day = chr::sys_days{chr::year{2026} / 3 / 4};
    return chr::time_point_cast<TimePoint::duration>(day + chr::hours(5) + chr::minutes(6) +
                                                     chr::seconds(7) + extra);
}

CertSettings fullSettings() {
    CertSettings s;
    s.identifiers = {"dns:example.com", "dns:*.example.com", "ip:192.0.2.1"};
    s.keyType = "ec-p384";
    s.challenge = "http-01";
    s.httpListen = "[::]:8080";
    s.webroot = "/var/www/html";
    s.server = "https://acme.example/dir";
    s.caBundle = "/etc/ssl/ca.pem";
    s.preferredChain = "ISRG Root X2";
    s.profile = "shortlived";
    s.hooks = {{"deploy", {{"/usr/bin/systemctl", "reload", "nginx"}, {"/bin/echo", "a b", ""}}},
               {"failed", {{"/usr/local/bin/page", "--why=\"quoted\" \\ \n"}}},
               {"empty", {}}};
    s.renewBefore = "30d";
    s.reuseKey = true;
    s.keepVersions = 3;
    s.keyAccess = {"haproxy", 0640};
    s.verify = "127.0.0.1:443";
    s.warn = "14d";
    s.crit = "10%";
    s.eabKid = "kid-1";
    s.eabHmacKeyFile = "/etc/certkeep/eab.key";
    s.managed = false;
    return s;
}

RenewalState fullRenewal() {
    RenewalState r;
    r.lastAttempt = at();
    r.lastResult = "failure";
    r.lastSuccess = at(-chr::hours(24 * 40) + chr::milliseconds(250));
    r.consecutiveFailures = 3;
    r.nextAttempt = at(chr::hours(2) + chr::nanoseconds(1));
    r.ariWindowStart = at(chr::hours(24 * 20));
    r.ariWindowEnd = at(chr::hours(24 * 22));
    r.ariRetryAfter = at(chr::hours(6));
    r.lastError = "urn:ietf:params:acme:error:rateLimited: too many certificates";
    r.lastErrorKind = "rate-limited";
    r.ariCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
    r.ariChosen = at(chr::hours(24 * 21) + chr::seconds(17));
    r.deployPending = true;
    r.deployError = "deploy hook /usr/bin/systemctl exited with status 1";
    r.deployedVersion = 6;
    r.revokedAt = at(-chr::hours(1));
    r.revokedVersion = 7;
    r.revokedReason = "keyCompromise";
    r.lastAlert = at(-chr::minutes(30));
    return r;
}

PendingOrder fullPending() {
    PendingOrder p;
    p.server = "https://acme.example/dir";
    p.accountUrl = "https://acme.example/acct/1";
    p.orderUrl = "https://acme.example/order/9";
    p.identifiers = {"dns:example.com", "ip:2001:db8::1"};
    p.keyPem = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n";
    p.published = {{"webroot", "/var/www/html", "tok-1"}, {"webroot", "/srv/b", "tok-2"}};
    p.created = at(chr::microseconds(123456));
    return p;
}

void requireSame(const RenewalState& a, const RenewalState& b) {
    CHECK(a.lastAttempt == b.lastAttempt);
    CHECK(a.lastResult == b.lastResult);
    CHECK(a.lastSuccess == b.lastSuccess);
    CHECK(a.consecutiveFailures == b.consecutiveFailures);
    CHECK(a.nextAttempt == b.nextAttempt);
    CHECK(a.ariWindowStart == b.ariWindowStart);
    CHECK(a.ariWindowEnd == b.ariWindowEnd);
    CHECK(a.ariRetryAfter == b.ariRetryAfter);
    CHECK(a.lastError == b.lastError);
    CHECK(a.lastErrorKind == b.lastErrorKind);
    CHECK(a.ariCertId == b.ariCertId);
    CHECK(a.ariChosen == b.ariChosen);
    CHECK(a.deployPending == b.deployPending);
    CHECK(a.deployError == b.deployError);
    CHECK(a.deployedVersion == b.deployedVersion);
    CHECK(a.revokedAt == b.revokedAt);
    CHECK(a.revokedVersion == b.revokedVersion);
    CHECK(a.revokedReason == b.revokedReason);
    CHECK(a.lastAlert == b.lastAlert);
}

} // namespace

TEST_CASE("settings round trip every field, hooks included", "[store][records]") {
    TempDir tmp;
    fs::path root = tmp.path() / "state";
    FsStore store(root);
    auto none = store.loadSettings("a.example");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    CHECK_FALSE(present(root));

    REQUIRE(store.saveSettings("a.example", fullSettings()).ok());
    auto out = FsStore(root).loadSettings("a.example");
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    const CertSettings& s = **out;
    CertSettings in = fullSettings();
    CHECK(s.identifiers == in.identifiers);
    CHECK(s.keyType == in.keyType);
    CHECK(s.challenge == in.challenge);
    CHECK(s.httpListen == in.httpListen);
    CHECK(s.webroot == in.webroot);
    CHECK(s.server == in.server);
    CHECK(s.caBundle == in.caBundle);
    CHECK(s.preferredChain == in.preferredChain);
    CHECK(s.profile == in.profile);
    CHECK(s.hooks == in.hooks);
    CHECK(s == in); // the renewal and deploy fields too
    CHECK(modeOf(root / "state") == 0700);
    CHECK(modeOf(root / "state" / "a.example") == 0700);
    CHECK(modeOf(root / "state" / "a.example" / "settings.json") == 0600);

    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok()); // replaced as a whole
    out = store.loadSettings("a.example");
    REQUIRE(out.ok());
    CHECK((*out)->identifiers.empty());
    CHECK((*out)->hooks.empty());
}

TEST_CASE("renewal state is default when none and round trips every field", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    auto none = store.loadRenewalState("a.example");
    REQUIRE(none.ok());
    requireSame(*none, RenewalState{});
    CHECK(none->lastResult.empty());

    REQUIRE(store.saveRenewalState("a.example", fullRenewal()).ok());
    fs::path file = tmp.path() / "state" / "a.example" / "renewal.json";
    CHECK(modeOf(file) == 0600);
    std::string text = slurp(file);
    CHECK_THAT(text, Catch::Contains("\"lastAttempt\": \"2026-03-04T05:06:07Z\"") &&
                         Catch::Contains("\"nextAttempt\": \"2026-03-04T07:06:07.000000001Z\""));
    auto out = store.loadRenewalState("a.example");
    REQUIRE(out.ok());
    requireSame(*out, fullRenewal());

    RenewalState sparse; // optional times absent
    sparse.lastResult = "success";
    sparse.lastAttempt = at();
    REQUIRE(store.saveRenewalState("a.example", sparse).ok());
    CHECK_THAT(slurp(file), !Catch::Contains("ariWindowStart")); // defaults are left out
    out = store.loadRenewalState("a.example");
    REQUIRE(out.ok());
    requireSame(*out, sparse);
}

TEST_CASE("the pending order round trips, is 0600 and removing it is idempotent",
          "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    CHECK(store.removePendingOrder("a.example").ok()); // nothing stored yet
    auto none = store.loadPendingOrder("a.example");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());

    REQUIRE(store.savePendingOrder("a.example", fullPending()).ok());
    fs::path dir = tmp.path() / "state" / "a.example";
    CHECK(modeOf(dir / "pending.json") == 0600);
    CHECK(entriesOf(dir) == std::set<std::string>{"pending.json"});
    auto out = store.loadPendingOrder("a.example");
    REQUIRE(out.ok());
    REQUIRE(out->has_value());
    const PendingOrder& p = **out;
    PendingOrder in = fullPending();
    CHECK(p.server == in.server);
    CHECK(p.accountUrl == in.accountUrl);
    CHECK(p.orderUrl == in.orderUrl);
    CHECK(p.identifiers == in.identifiers);
    CHECK(p.keyPem == in.keyPem);
    REQUIRE(p.published.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(p.published[i].kind == in.published[i].kind);
        CHECK(p.published[i].location == in.published[i].location);
        CHECK(p.published[i].token == in.published[i].token);
    }
    CHECK(p.created == in.created);
    CHECK_THAT(slurp(dir / "pending.json"), Catch::Contains("2026-03-04T05:06:07.123456Z"));

    REQUIRE(store.removePendingOrder("a.example").ok());
    CHECK_FALSE(present(dir / "pending.json"));
    CHECK(store.removePendingOrder("a.example").ok());
    out = store.loadPendingOrder("a.example");
    REQUIRE(out.ok());
    CHECK_FALSE(out->has_value());
}

TEST_CASE("a broken record is a Config error naming the file and the way out", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveSettings("a.example", fullSettings()).ok());
    fs::path dir = tmp.path() / "state" / "a.example";
    auto [content, why] = GENERATE(table<std::string, std::string>(
        {{"{\"lastResult\": ", "not valid JSON"},
         {"", "not valid JSON"},
         {"[1, 2]", "not a JSON object"},
         {R"({"consecutiveFailures": "3"})", "consecutiveFailures"},
         {R"({"lastAttempt": "yesterday"})", "lastAttempt"},
         {R"({"lastAttempt": "2026-02-30T00:00:00Z"})", "lastAttempt"},
         {R"({"lastError": 5})", "lastError"}}));
    INFO(content);
    writeText(dir / "renewal.json", content);
    writeText(dir / "settings.json", content);
    writeText(dir / "pending.json", content);
    std::vector<std::pair<std::string, Status>> results;
    auto r = store.loadRenewalState("a.example");
    results.emplace_back("renewal.json", r.ok() ? Status() : Status(r.error()));
    bool typeSpecific = why != "not valid JSON" && why != "not a JSON object";
    if (!typeSpecific) { // the other records have no such members
        auto s = store.loadSettings("a.example");
        results.emplace_back("settings.json", s.ok() ? Status() : Status(s.error()));
        auto p = store.loadPendingOrder("a.example");
        results.emplace_back("pending.json", p.ok() ? Status() : Status(p.error()));
    }
    for (const auto& [file, st] : results) {
        INFO(file);
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().kind == ErrorKind::Config);
        CHECK_THAT(st.error().message, Catch::Contains((dir / file).string()) &&
                                           Catch::Contains(why) &&
                                           Catch::Contains("remove it to start over"));
    }
}

TEST_CASE("records ignore unknown members and take defaults for missing ones", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    REQUIRE(store.saveSettings("a.example", CertSettings{}).ok());
    fs::path dir = tmp.path() / "state" / "a.example";
    writeText(
        dir / "settings.json",
        R"({"keyType": "rsa-2048", "future": [1, {"x": null}], "hooks": {"deploy": [["a"]]}})");
    writeText(dir / "renewal.json", R"({"consecutiveFailures": 2, "lastSuccess": null, "z": 1})");
    writeText(dir / "pending.json",
              R"({"orderUrl": "u", "created": "2026-03-04T06:06:07+01:00", "extra": true})");
    auto s = store.loadSettings("a.example");
    REQUIRE(s.ok());
    CHECK((*s)->keyType == "rsa-2048");
    CHECK((*s)->identifiers.empty());
    CHECK((*s)->hooks.at("deploy") == std::vector<std::vector<std::string>>{{"a"}});
    auto r = store.loadRenewalState("a.example");
    REQUIRE(r.ok());
    CHECK(r->consecutiveFailures == 2);
    CHECK_FALSE(r->lastSuccess.has_value());
    auto p = store.loadPendingOrder("a.example");
    REQUIRE(p.ok());
    CHECK((*p)->orderUrl == "u");
    CHECK((*p)->created == at()); // the offset is applied
    CHECK((*p)->published.empty());
}

TEST_CASE("record methods refuse invalid names and links at state/NAME", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    const std::string bad = "../x";
    CHECK(store.loadSettings(bad).error().kind == ErrorKind::Usage);
    CHECK(store.saveSettings(bad, {}).error().kind == ErrorKind::Usage);
    CHECK(store.loadRenewalState(bad).error().kind == ErrorKind::Usage);
    CHECK(store.saveRenewalState(bad, {}).error().kind == ErrorKind::Usage);
    CHECK(store.loadPendingOrder(bad).error().kind == ErrorKind::Usage);
    CHECK(store.savePendingOrder(bad, {}).error().kind == ErrorKind::Usage);
    CHECK(store.removePendingOrder(bad).error().kind == ErrorKind::Usage);
    CHECK_FALSE(present(tmp.path() / "state"));

    fs::create_directories(tmp.path() / "state");
    fs::create_directories(tmp.path() / "elsewhere");
    fs::create_directory_symlink(tmp.path() / "elsewhere", tmp.path() / "state" / "a.example");
    auto saved = store.savePendingOrder("a.example", fullPending());
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().kind == ErrorKind::Config);
    CHECK_THAT(saved.error().message, Catch::Contains("is a symlink"));
    CHECK(store.loadRenewalState("a.example").error().kind == ErrorKind::Config);
    CHECK(entriesOf(tmp.path() / "elsewhere").empty());
}

TEST_CASE("a record that cannot be JSON is refused, not mangled", "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    CertSettings s;
    s.webroot = "/srv/\xff\xfe";
    auto saved = store.saveSettings("a.example", s);
    REQUIRE_FALSE(saved.ok());
    CHECK_FALSE(present(tmp.path() / "state" / "a.example" / "settings.json"));
}

TEST_CASE("records are read whole whatever their size; a FIFO in their place is refused",
          "[store][records]") {
    TempDir tmp;
    FsStore store(tmp.path());
    CertSettings big;
    for (int i = 0; i < 2000; ++i) { // about 60 KiB: more than one read(2) of the first buffer
        big.identifiers.push_back("dns:host-" + std::to_string(i) + ".example.com");
    }
    REQUIRE(store.saveSettings("a.example", big).ok());
    fs::path file = tmp.path() / "state" / "a.example" / "settings.json";
    REQUIRE(fs::file_size(file) > 32768);
    auto back = store.loadSettings("a.example");
    REQUIRE(back.ok());
    REQUIRE(back->has_value());
    CHECK((*back)->identifiers == big.identifiers);

    writeText(file, "");
    auto empty = store.loadSettings("a.example");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().kind == ErrorKind::Config);

    fs::remove(file);
    REQUIRE(::mkfifo(file.c_str(), 0600) == 0);
    auto fifo = store.loadSettings("a.example");
    REQUIRE_FALSE(fifo.ok());
    CHECK(fifo.error().kind == ErrorKind::Config);
    CHECK_THAT(fifo.error().message, Catch::Contains("not a regular file"));
}

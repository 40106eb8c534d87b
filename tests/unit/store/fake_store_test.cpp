// The in-memory FakeStore keeps the Store contract, so tests built on it mean something.
#include "fakes/fake_store.hpp"

#include <catch2/catch.hpp>
#include <thread>

using certkeep::ErrorKind;
using certkeep::makeError;
using certkeep::fakes::FakeStore;
using certkeep::store::CertVersion;
using certkeep::store::PendingOrder;
using certkeep::store::RenewalState;
using std::chrono::seconds;

static CertVersion sample(int tag) {
    return {0, "cert" + std::to_string(tag), "chain", "full", "key", "{}", {}};
}

TEST_CASE("FakeStore numbers versions like the contract says", "[store][fake]") {
    FakeStore store;
    auto none = store.loadLive("a.example");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    CHECK(*store.saveCertificate("a.example", sample(1)) == 1);
    CHECK(*store.saveCertificate("a.example", sample(2)) == 2);
    CHECK(*store.saveCertificate("b.example", sample(3)) == 1);
    auto live = store.loadLive("a.example");
    REQUIRE(live.ok());
    CHECK((*live)->number == 2);
    CHECK((*live)->certPem == "cert2");
    CHECK(store.loadVersion("a.example", 1)->certPem == "cert1");
    CHECK(store.loadVersion("a.example", 3).error().kind == ErrorKind::NotFound);
    CHECK(store.loadVersion("c.example", 1).error().kind == ErrorKind::NotFound);
    CHECK(*store.listVersions("a.example") == std::vector<int>{1, 2});
    CHECK(store.listVersions("c.example")->empty());
    CHECK(*store.listCertificates() == std::vector<std::string>{"a.example", "b.example"});
    CHECK(store.saveCertificate("../x", sample(1)).error().kind == ErrorKind::Usage);
    CHECK(store.saveCertificateCalls == 4);
}

TEST_CASE("FakeStore gives concurrent saves distinct numbers", "[store][fake]") {
    FakeStore store;
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                (void)store.saveCertificate("a.example", sample(i));
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    auto versions = store.listVersions("a.example");
    REQUIRE(versions->size() == 100);
    CHECK(versions->back() == 100);
}

TEST_CASE("FakeStore removes versions and certificates like the contract says", "[store][fake]") {
    FakeStore store;
    CHECK_FALSE(store.loadLiveMeta("a.example")->has_value());
    CertVersion v = sample(1);
    v.metaJson = R"({"v":1})";
    REQUIRE(store.saveCertificate("a.example", v).ok());
    REQUIRE(store.saveCertificate("a.example", sample(2)).ok());
    REQUIRE(store.saveCertificate("b.example", sample(3)).ok());
    auto meta = store.loadLiveMeta("a.example");
    REQUIRE(meta.ok());
    CHECK(**meta == std::pair<int, std::string>(2, "{}"));

    CHECK(store.removeVersion("a.example", 2).error().kind == ErrorKind::Usage); // live
    REQUIRE(store.removeVersion("a.example", 1).ok());
    CHECK(store.removeVersion("a.example", 1).error().kind == ErrorKind::NotFound);
    CHECK(*store.listVersions("a.example") == std::vector<int>{2});
    CHECK(*store.saveCertificate("a.example", sample(4)) == 3);

    REQUIRE(store.saveRenewalState("a.example", RenewalState{}).ok());
    REQUIRE(store.removeCertificate("a.example").ok());
    CHECK(store.removeCertificate("a.example").error().kind == ErrorKind::NotFound);
    CHECK(*store.listCertificates() == std::vector<std::string>{"b.example"});
    CHECK(store.listVersions("a.example")->empty());
    CHECK_FALSE(store.loadLive("a.example")->has_value());
    CHECK(store.removeCertificate("../a").error().kind == ErrorKind::Usage);
    CHECK(store.removeVersionCalls == 3);
    CHECK(store.removeCertificateCalls == 3);
}

TEST_CASE("FakeStore refuses a key mode open to other users", "[store][fake]") {
    FakeStore store;
    CertVersion v = sample(1);
    v.keyAccess = {"haproxy", 0644};
    CHECK(store.saveCertificate("a.example", v).error().kind == ErrorKind::Usage);
    v.keyAccess.mode = 0640;
    REQUIRE(store.saveCertificate("a.example", v).ok());
    CHECK(store.loadLive("a.example").value()->keyAccess == v.keyAccess);
}

TEST_CASE("FakeStore failure knobs fire once", "[store][fake]") {
    FakeStore store;
    store.failSaveCertificate = makeError(ErrorKind::Io, "disk full");
    auto r = store.saveCertificate("a.example", sample(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "disk full");
    CHECK_FALSE(store.loadLive("a.example")->has_value());
    CHECK(*store.saveCertificate("a.example", sample(1)) == 1);

    store.failSavePendingOrder = makeError(ErrorKind::Io, "no");
    CHECK_FALSE(store.savePendingOrder("a.example", PendingOrder{}).ok());
    CHECK_FALSE(store.loadPendingOrder("a.example")->has_value());
    CHECK(store.savePendingOrder("a.example", PendingOrder{}).ok());
    CHECK(store.savePendingOrderCalls == 2);

    store.failSaveAccount = makeError(ErrorKind::Io, "no");
    CHECK_FALSE(store.saveAccount("https://ca/dir", {"", "k", "u", "", ""}).ok());
    CHECK_FALSE(store.loadAccount("https://ca/dir")->has_value());
    store.failCheckWritable = makeError(ErrorKind::Config, "read-only");
    CHECK(store.checkWritable("a.example").error().kind == ErrorKind::Config);
    CHECK(store.checkWritable("a.example").ok());
}

TEST_CASE("FakeStore records and accounts round trip", "[store][fake]") {
    FakeStore store;
    CHECK(store.loadRenewalState("a.example")->consecutiveFailures == 0);
    CHECK(store.loadRenewalState("a.example")->lastResult.empty());
    RenewalState state;
    state.consecutiveFailures = 2;
    state.nextAttempt = std::chrono::system_clock::time_point{} + std::chrono::hours(1);
    REQUIRE(store.saveRenewalState("a.example", state).ok());
    CHECK(store.loadRenewalState("a.example")->nextAttempt == state.nextAttempt);
    CHECK_FALSE(store.loadSettings("a.example")->has_value());
    CHECK(store.removePendingOrder("a.example").ok());
    CHECK(store.loadSettings("../a").error().kind == ErrorKind::Usage);

    REQUIRE(store.saveAccount("https://b/dir", {"", "kb", "ub", "", ""}).ok());
    REQUIRE(store.saveAccount("https://a/dir", {"", "ka", "ua", "mailto:x", ""}).ok());
    auto loaded = store.loadAccount("https://a/dir");
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->directoryUrl == "https://a/dir");
    CHECK((*loaded)->keyPem == "ka");
    auto all = store.listAccounts();
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].directoryUrl == "https://a/dir");
}

TEST_CASE("FakeStore locks exclude, time out and can lose their lease", "[store][fake]") {
    FakeStore store;
    auto first = store.lockCertificate("a.example", seconds(0));
    REQUIRE(first.ok());
    CHECK((*first)->held());
    auto start = std::chrono::steady_clock::now();
    auto second = store.lockCertificate("a.example", seconds(1));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().kind == ErrorKind::Local);
    CHECK_THAT(second.error().message, Catch::Contains("certificate a.example"));
    CHECK(store.lockCertificate("b.example", seconds(0)).ok());
    CHECK(store.lockAccount("https://ca/dir", seconds(0)).ok());
    CHECK(store.lockCertificate("../x", seconds(0)).error().kind == ErrorKind::Usage);

    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        first->reset();
    });
    auto waited = store.lockCertificate("a.example", seconds(5)); // woken by the release
    releaser.join();
    REQUIRE(waited.ok());
    store.leaseLost = true;
    CHECK_FALSE((*waited)->held());
    store.leaseLost = false;
    CHECK((*waited)->held());
    CHECK(store.lockCertificateCalls == 5);
}

TEST_CASE("FakeStore metrics: counters add up across threads, gauges set, failures injected",
          "[store][fake][metrics]") {
    FakeStore store;
    CHECK(store.loadMetrics()->counters.empty());
    REQUIRE(store.updateMetrics({}, {{"kept", 1.0}, {"set", 1.0}}).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&store] {
            for (int i = 0; i < 250; ++i) {
                (void)store.updateMetrics({{"a_total", 1}}, {{"set", 2.0}});
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    auto loaded = store.loadMetrics();
    REQUIRE(loaded.ok());
    CHECK(loaded->counters.at("a_total") == 1000);
    CHECK(loaded->gauges == std::map<std::string, double>{{"kept", 1.0}, {"set", 2.0}});
    CHECK(store.updateMetricsCalls == 1001);

    store.failUpdateMetrics = makeError(ErrorKind::Io, "disk full");
    CHECK(store.updateMetrics({{"a_total", 5}}, {}).error().kind == ErrorKind::Io);
    CHECK(store.loadMetrics()->counters.at("a_total") == 1000); // nothing added
    CHECK(store.updateMetrics({{"a_total", 5}}, {})->counters.at("a_total") == 1005);
}

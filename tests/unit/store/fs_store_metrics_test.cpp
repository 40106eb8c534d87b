// The persisted metrics record (issue 11): counters that never go back between runs, gauges
// that survive them, one atomic read-modify-write per update, and a damaged file that is
// reported, never taken as zero.
#include "store/file_lock.hpp"
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <thread>

using certkeep::ErrorKind;
using certkeep::store::FsStore;
using certkeep::store::MetricsRecord;
using certkeep::store::test::entriesOf;
using certkeep::store::test::modeOf;
using certkeep::store::test::TempDir;
using Counts = std::map<std::string, std::uint64_t>;
using Gauges = std::map<std::string, double>;
namespace fs = std::filesystem;

namespace {

const std::string kOk = R"(certkeep_acme_requests_total{endpoint="newOrder",status="201"})";
const std::string kBad = R"(certkeep_acme_problems_total{type="badNonce"})";
const std::string kCheck = "certkeep_renew_check_last_success_timestamp_seconds";

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

TEST_CASE("a store without metrics loads an empty record and creates nothing", "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path() / "state");

    auto loaded = store.loadMetrics();

    REQUIRE(loaded.ok());
    CHECK(*loaded == MetricsRecord{});
    CHECK_FALSE(fs::exists(dir.path() / "state"));
}

TEST_CASE("updateMetrics adds to the stored counters and a new store object reads them back",
          "[store][metrics]") {
    TempDir dir;
    {
        FsStore first(dir.path());
        auto written = first.updateMetrics({{kOk, 3}, {kBad, 1}}, {{kCheck, 1700000000.5}});
        REQUIRE(written.ok());
        CHECK(written->counters == Counts{{kOk, 3}, {kBad, 1}});
    }
    FsStore second(dir.path()); // the next one-shot run
    auto written = second.updateMetrics({{kOk, 2}}, {});
    REQUIRE(written.ok());

    auto loaded = second.loadMetrics();
    REQUIRE(loaded.ok());
    CHECK(loaded->counters == Counts{{kOk, 5}, {kBad, 1}});
    // A run that set no gauge keeps the one stored (a failed check must not erase the last
    // success).
    CHECK(loaded->gauges == Gauges{{kCheck, 1700000000.5}});
    CHECK(*loaded == *written);
    CHECK(modeOf(dir.path() / "metrics.json") == 0644);
    CHECK(entriesOf(dir.path() / "locks").count("metrics.lock") == 1);
}

TEST_CASE("gauges given are replaced, others kept; values JSON cannot hold round-trip",
          "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path());
    REQUIRE(store.updateMetrics({}, {{"a", 1.0}, {"b", 2.0}}).ok());
    constexpr double kInf = std::numeric_limits<double>::infinity();
    REQUIRE(store
                .updateMetrics({}, {{"b", -0.25},
                                    {"nan", std::numeric_limits<double>::quiet_NaN()},
                                    {"pos", kInf},
                                    {"neg", -kInf}})
                .ok());

    auto loaded = store.loadMetrics();
    REQUIRE(loaded.ok());
    CHECK(loaded->gauges.at("a") == 1.0);
    CHECK(loaded->gauges.at("b") == -0.25);
    CHECK(std::isnan(loaded->gauges.at("nan")));
    CHECK(loaded->gauges.at("pos") == kInf);
    CHECK(loaded->gauges.at("neg") == -kInf);
}

TEST_CASE("series keys with escaped label values round-trip exactly", "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path());
    std::string key = "m_total{v=\"a\\\\b \\\"q\\\" \\n ü\"}";
    REQUIRE(store.updateMetrics({{key, 7}}, {}).ok());

    auto loaded = store.loadMetrics();
    REQUIRE(loaded.ok());
    CHECK(loaded->counters == Counts{{key, 7}});
}

TEST_CASE("a counter never wraps around: it stays at the maximum", "[store][metrics]") {
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    TempDir dir;
    FsStore store(dir.path());
    REQUIRE(store.updateMetrics({{kOk, kMax - 1}}, {}).ok());

    auto written = store.updateMetrics({{kOk, 10}}, {});

    REQUIRE(written.ok());
    CHECK(written->counters.at(kOk) == kMax);
    CHECK(store.loadMetrics()->counters.at(kOk) == kMax);
}

TEST_CASE("concurrent updaters add up exactly", "[store][metrics]") {
    TempDir dir;
    constexpr int kUpdates = 100;
    std::vector<std::thread> threads;
    std::vector<int> failures(2, 0);
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&dir, &failures, t] {
            FsStore store(dir.path()); // one object each, as two processes would have
            for (int i = 0; i < kUpdates; ++i) {
                std::string mine = "t" + std::to_string(t) + "_total";
                if (!store
                         .updateMetrics({{kOk, 1}, {kBad, 2}, {mine, 1}},
                                        {{"g", static_cast<double>(t)}})
                         .ok()) {
                    ++failures[t];
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }

    CHECK(failures == std::vector<int>{0, 0});
    auto loaded = FsStore(dir.path()).loadMetrics();
    REQUIRE(loaded.ok());
    CHECK(loaded->counters == Counts{{kOk, 2 * kUpdates},
                                     {kBad, 4 * kUpdates},
                                     {"t0_total", kUpdates},
                                     {"t1_total", kUpdates}});
    // No temporary file is left behind.
    CHECK(entriesOf(dir.path()) == std::set<std::string>{"locks", "metrics.json"});
}

TEST_CASE("a damaged metrics file is a Config error naming it, and is left as it is",
          "[store][metrics]") {
    auto text = GENERATE(as<std::string>{}, "{not json", "[]", R"({"counters": {"x": -1}})",
                         R"({"counters": {"x": 1.5}})", R"({"counters": []})",
                         R"({"gauges": {"g": "high"}})", R"({"counters": {"x": 1e30}})");
    TempDir dir;
    FsStore store(dir.path());
    REQUIRE(store.updateMetrics({{kOk, 1}}, {}).ok());
    writeText(dir.path() / "metrics.json", text);

    auto loaded = store.loadMetrics();
    auto updated = store.updateMetrics({{kOk, 1}}, {});

    INFO(text);
    for (const auto* result : {&loaded, &updated}) {
        REQUIRE_FALSE(result->ok());
        CHECK(result->error().kind == ErrorKind::Config);
        CHECK_THAT(result->error().message,
                   Catch::Contains((dir.path() / "metrics.json").string()));
    }
    CHECK(readText(dir.path() / "metrics.json") == text);
}

TEST_CASE("a metrics file that is a link is refused", "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path() / "state");
    REQUIRE(store.updateMetrics({{kOk, 1}}, {}).ok());
    fs::rename(dir.path() / "state" / "metrics.json", dir.path() / "elsewhere.json");
    fs::create_symlink(dir.path() / "elsewhere.json", dir.path() / "state" / "metrics.json");

    auto loaded = store.loadMetrics();

    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().kind == ErrorKind::Config);
}

TEST_CASE("the metrics lock is its own: a held certificate lock does not block an update",
          "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path());
    auto certLock = store.lockCertificate("metrics", std::chrono::seconds(1));
    REQUIRE(certLock.ok());

    CHECK(store.updateMetrics({{kOk, 1}}, {}).ok());
}

TEST_CASE("an update waits for the metrics lock another holder keeps", "[store][metrics]") {
    TempDir dir;
    FsStore store(dir.path());
    REQUIRE(store.updateMetrics({{kOk, 1}}, {}).ok());
    auto locks = certkeep::store::DirFd::openRoot(dir.path() / "locks", false);
    REQUIRE(locks.ok());
    REQUIRE(locks->has_value());
    auto held = certkeep::store::acquireFileLock(**locks, "metrics.lock", "the metrics record",
                                                 std::chrono::seconds(1));
    REQUIRE(held.ok());

    std::atomic<bool> done{false};
    bool ok = false;
    std::thread updater([&] {
        ok = store.updateMetrics({{kOk, 1}}, {}).ok();
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(done);
    held->reset(); // released: the update goes through
    updater.join();

    CHECK(ok);
    CHECK(store.loadMetrics()->counters.at(kOk) == 2);
}

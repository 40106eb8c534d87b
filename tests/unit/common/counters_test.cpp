// seriesKey in the Prometheus text format 0.0.4, and Counters across threads and take().
#include "common/counters.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <thread>
#include <vector>

using namespace certkeep;

TEST_CASE("seriesKey writes the labels in the given order", "[counters]") {
    CHECK(
        seriesKey("certkeep_acme_requests_total", {{"endpoint", "newOrder"}, {"status", "201"}}) ==
        R"(certkeep_acme_requests_total{endpoint="newOrder",status="201"})");
    CHECK(seriesKey("x_total", {{"b", "1"}, {"a", "2"}}) == R"(x_total{b="1",a="2"})");
}

TEST_CASE("seriesKey without labels is the bare name", "[counters]") {
    CHECK(seriesKey("certkeep_up", {}) == "certkeep_up");
}

TEST_CASE("seriesKey escapes backslash, double quote and newline in label values", "[counters]") {
    CHECK(seriesKey("m", {{"v", R"(a\b)"}}) == R"(m{v="a\\b"})");
    CHECK(seriesKey("m", {{"v", R"(say "hi")"}}) == R"(m{v="say \"hi\""})");
    CHECK(seriesKey("m", {{"v", "two\nlines"}}) == R"(m{v="two\nlines"})");
    // Other characters, tabs and non-ASCII included, go through unchanged.
    CHECK(seriesKey("m", {{"v", "t\tü{}=,"}}) == "m{v=\"t\tü{}=,\"}");
}

TEST_CASE("seriesName is the part before the labels", "[counters]") {
    CHECK(seriesName(R"(certkeep_hook_runs_total{hook="deploy",result="success"})") ==
          "certkeep_hook_runs_total");
    CHECK(seriesName("certkeep_up") == "certkeep_up");
}

TEST_CASE("Counters adds per series and take() starts again from zero", "[counters]") {
    Counters counters;
    counters.add("r_total", {{"result", "success"}});
    counters.add("r_total", {{"result", "success"}}, 2);
    counters.add("r_total", {{"result", "failure"}});

    auto snap = counters.snapshot();
    CHECK(snap == std::map<std::string, std::uint64_t>{{R"(r_total{result="failure"})", 1},
                                                       {R"(r_total{result="success"})", 3}});
    CHECK(counters.snapshot() == snap); // snapshot does not reset

    CHECK(counters.take() == snap);
    CHECK(counters.take().empty());
    counters.add("r_total", {{"result", "success"}});
    CHECK(counters.snapshot() ==
          std::map<std::string, std::uint64_t>{{R"(r_total{result="success"})", 1}});
}

TEST_CASE("Counters saturates instead of wrapping around", "[counters]") {
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    Counters counters;
    counters.add("c_total", {}, kMax - 1);
    counters.add("c_total", {}, 5);
    CHECK(counters.snapshot().at("c_total") == kMax);
}

TEST_CASE("Counters counts every add of concurrent workers", "[counters]") {
    Counters counters;
    constexpr int kThreads = 4;
    constexpr int kAdds = 5000;
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&counters, t] {
            for (int i = 0; i < kAdds; ++i) {
                counters.add("w_total", {{"worker", std::to_string(t % 2)}});
            }
        });
    }
    for (auto& w : workers) {
        w.join();
    }
    auto values = counters.take();
    CHECK(values.at(R"(w_total{worker="0"})") == 2 * kAdds);
    CHECK(values.at(R"(w_total{worker="1"})") == 2 * kAdds);
}

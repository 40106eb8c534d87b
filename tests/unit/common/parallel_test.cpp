// parallelFor: every index exactly once, on as many threads as asked and no more than jobs.
#include "common/parallel.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace certkeep;

TEST_CASE("parallelFor runs every index exactly once, whatever the thread count", "[parallel]") {
    auto threads = GENERATE(0, 1, 2, 3, 8);
    auto n = GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{1000});
    std::vector<std::atomic<int>> runs(n);
    std::mutex mutex;
    std::set<std::thread::id> ids;
    parallelFor(n, threads, [&](std::size_t i) {
        runs[i]++;
        std::lock_guard lock(mutex);
        ids.insert(std::this_thread::get_id());
    });
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(runs[i] == 1);
    }
    CHECK(ids.size() <= static_cast<std::size_t>(std::max(threads, 1)));
    CHECK(ids.size() <= std::max<std::size_t>(n, 1));
}

TEST_CASE("parallelFor with one thread runs in order, in the calling thread", "[parallel]") {
    std::vector<std::size_t> order;
    auto caller = std::this_thread::get_id();
    bool elsewhere = false;
    parallelFor(4, 1, [&](std::size_t i) {
        order.push_back(i);
        elsewhere = elsewhere || std::this_thread::get_id() != caller;
    });
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK_FALSE(elsewhere);
}

TEST_CASE("usefulThreads is at least 1 and at most the cap", "[parallel]") {
    CHECK(usefulThreads(0) == 1);
    CHECK(usefulThreads(1) == 1);
    CHECK(usefulThreads(4) >= 1);
    CHECK(usefulThreads(4) <= 4);
}

// The standalone responder's optional FetchNotifier capability and withdrawAll() on the
// signal path.

#include "challenges/http01.hpp"
#include "http_probe.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

ChallengeTask task(const std::string& token) {
    return {"example.com", false, token, token + ".thumbprint"};
}

// Distinct valid tokens: "tok0xxxx...", "tok1xxxx...".
std::string tokenNo(int i) {
    return "tok" + std::to_string(i) + std::string(30, 'x');
}

std::unique_ptr<Http01Standalone> startLocal() {
    initCurl();
    auto r = Http01Standalone::start({"127.0.0.1", 0});
    REQUIRE(r.ok());
    return std::move(*r);
}

} // namespace

TEST_CASE("standalone offers itself as the fetch notifier", "[challenges][standalone]") {
    auto solver = startLocal();
    Solver& asSolver = *solver;
    FetchNotifier* notifier = asSolver.fetchNotifier();
    REQUIRE(notifier != nullptr);
    CHECK(notifier == static_cast<FetchNotifier*>(solver.get()));
}

TEST_CASE("awaitFetch reports a fetch, and waits exactly the caller's timeout otherwise",
          "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present(task(kToken)).ok());
    FetchNotifier& notifier = *solver->fetchNotifier();

    auto before = Clock::now();
    CHECK_FALSE(notifier.awaitFetch(kToken, 150ms));
    auto waited = Clock::now() - before;
    CHECK(waited >= 150ms);
    CHECK(waited < 1500ms);

    auto fetched = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(50ms);
        return request(solver->port(), challengePath(kToken));
    });
    CHECK(notifier.awaitFetch(kToken, 5s));
    CHECK(fetched.get().status == 200);
}

TEST_CASE("awaitFetch returns false promptly when the token is withdrawn while waiting",
          "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present(task(kToken)).ok());
    auto before = Clock::now();
    auto waiter = std::async(std::launch::async,
                             [&] { return solver->fetchNotifier()->awaitFetch(kToken, 10s); });
    std::this_thread::sleep_for(50ms);
    REQUIRE(solver->cleanup(task(kToken)).ok());
    CHECK_FALSE(waiter.get());
    CHECK(Clock::now() - before < 5s);
    CHECK_FALSE(solver->fetchNotifier()->awaitFetch(kToken, 10s)); // not live: no wait at all
    CHECK(Clock::now() - before < 5s);
}

TEST_CASE("standalone withdrawAll runs safely beside present and cleanup, and is idempotent",
          "[challenges][standalone]") {
    auto solver = startLocal();
    std::atomic<bool> done{false};
    auto worker = std::async(std::launch::async, [&] {
        for (int i = 0; i < 300; ++i) {
            if (!solver->present(task(tokenNo(i))).ok()) {
                return false;
            }
            if (i % 2 == 0 && !solver->cleanup(task(tokenNo(i))).ok()) {
                return false;
            }
        }
        done = true;
        return true;
    });
    while (!done) {
        solver->withdrawAll();
        std::this_thread::yield();
    }
    REQUIRE(worker.get());
    REQUIRE(solver->present(task(tokenNo(300))).ok());
    CHECK(request(solver->port(), challengePath(tokenNo(300))).status == 200);
    solver->withdrawAll();
    solver->withdrawAll();
    for (int i : {1, 151, 299, 300}) {
        CHECK(request(solver->port(), challengePath(tokenNo(i))).status == 404);
    }
    CHECK(solver->waitReady(Clock::now() + 1s).ok()); // the listener itself stays up
}
